#pragma once
// Writers for one run: a terminal report, layers.csv (units in headers) and JSON. Every
// output names the model, precision, strategy, mapper, engine, npusim version and commit,
// and the assumptions behind its numbers; the same inputs give byte-identical text.
#include <string>

#include "json_writer.h"
#include "sim/simulator.h"

namespace npusim::reports {

struct TextOptions {
  size_t max_layers = 30;  // slowest layers to list when the model has more ops than this; 0 = all
  bool header = true;      // the version and hardware lines (off inside a workload report)
};

std::string text_report(const sim::RunResult& r, const TextOptions& opts);
std::string layers_csv(const sim::RunResult& r);
// One line of the run's fixed costs: "fixed costs  X ms  (N MAC ops x a us + M vector ops x b us
// + per run c us; P % of latency)", so users see what overhead.* adds.
std::string fixed_costs_line(const sim::RunResult& r);

// 3: per-op overlapped and busy time, bound "overlapped"; 4: fixed costs (per-op overhead, per-run);
// 5: batch and cfg, runs_per_batch, per-image and per-token figures divided by the batch;
// 6: figures named by sim/metrics (evaluations_per_s, spilled_activation_bytes, spill_traffic_bytes,
// denoiser_evaluations_per_s, a time_*_bound_ms per Bound), "inference" headline of networks.
// reports/schema/npusim.run.schema.json documents it.
// 7: `silicon` (area per block, supply voltage, static power and its basis).
inline constexpr int kWorkloadSchemaVersion = 7;

// A workload (one network, a diffusion pipeline or an LLM): each network's report, then the
// pipeline summary (denoiser and decoder images/s, seconds and energy per image; or time to
// first token, decode tokens/s and what decode time goes to).
std::string workload_text(const sim::WorkloadResult& w, const TextOptions& opts);
// JSON with per network the figures of sim::network_metrics, and the kind's headline figures
// (sim::headline_metrics) under `pipeline`, `llm` or `inference`.
std::string workload_json(const sim::WorkloadResult& w, bool layers);
void write_workload_json(JsonWriter& w, const sim::WorkloadResult& wr, bool layers);
// "hardware   NAME  (RxC PEs @ F, SRAM S, DRAM B)" and one line per --set override.
std::string hardware_lines(const arch::NpuConfig& hw);
// DIR/layers.csv (a `network` column first) and DIR/summary.json, creating DIR. Throws
// UserError on I/O failure.
void write_workload_dir(const sim::WorkloadResult& w, const std::string& dir);
// The resolved hardware as nested objects following the parameter table's dotted keys, values
// as written in YAML, then its sources and overrides.
void write_hw_json(JsonWriter& w, const arch::NpuConfig& hw);
// Area per block and total (mm2), with the arithmetic and sources, and the static power a run
// charges with its basis; "" without a technology.
std::string area_lines(const arch::NpuConfig& hw);
std::string static_power_basis(const arch::NpuConfig& hw);
// {technology, area_mm2, sram_area_mm2, logic_area_mm2, area_blocks[], supply_voltage_v,
// static_power_mw, static_power_basis}: zeros and an empty list without a technology.
void write_silicon_json(JsonWriter& w, const arch::NpuConfig& hw);
// The bound (compute, vector or DRAM) that holds most of a run's latency, and its share.
std::pair<sim::Bound, double> dominant_bound(const sim::RunStats& s);
// The metric vocabulary (sim/metrics.h): a table of key, unit and meaning, or JSON.
std::string metrics_text();
std::string metrics_json();
// The vocabulary as a JSON array of {key, unit, label, meaning} (metrics --json, sweep headers).
void write_metric_definitions(JsonWriter& w);

}  // namespace npusim::reports
