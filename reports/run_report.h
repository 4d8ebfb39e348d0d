#pragma once
// Writers for one run: a terminal report, layers.csv (units in headers) and JSON. Every
// output names the model, precision, strategy, mapper, engine, npusim version and commit,
// and the assumptions behind its numbers; the same inputs give byte-identical text.
#include <string>

#include "sim/simulator.h"

namespace npusim::reports {

inline constexpr int kRunSchemaVersion = 1;

struct TextOptions {
  size_t max_layers = 30;  // slowest layers to list when the model has more ops than this; 0 = all
};

std::string text_report(const sim::RunResult& r, const TextOptions& opts);
std::string layers_csv(const sim::RunResult& r);
// The run as JSON; `layers` adds the per-layer records.
std::string run_json(const sim::RunResult& r, bool layers);
// Writes DIR/layers.csv and DIR/summary.json, creating DIR. Throws UserError on I/O failure.
void write_run_dir(const sim::RunResult& r, const std::string& dir);

}  // namespace npusim::reports
