#pragma once
// `npusim compare`: one workload under several strategies on one hardware config, or under
// one strategy on several hardware configs, side by side; with several hardware configs also
// the layers whose time changed most. Text, and JSON (schema npusim.compare).
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace npusim::reports {

struct CompareRun {
  std::string label;  // the strategy or the hardware name the column stands for
  sim::WorkloadResult result;
};

enum class CompareBy : uint8_t { kStrategy, kHardware };

// Per network one row per run (figures named as in sim/metrics.h), then each run's headline
// figures and, by hardware, per network the `top_layers` layers whose latency changed most
// from the first run to each other.
std::string compare_text(const std::vector<CompareRun>& runs, CompareBy by, size_t top_layers = 10);
std::string compare_json(const std::vector<CompareRun>& runs, CompareBy by, size_t top_layers = 10);

// One changed layer: its latency and bound in the first run (a) and another (b).
struct LayerChange {
  std::string network, layer, kind;
  double a_us = 0, b_us = 0;
  sim::Bound a_bound = sim::Bound::kNone, b_bound = sim::Bound::kNone;
};
// Per network of `a` and `b` (matched by stage name, layers by name), the `top` layers with
// the largest |b - a| latency, largest first; ties keep execution order.
std::vector<LayerChange> changed_layers(const sim::WorkloadResult& a, const sim::WorkloadResult& b, size_t top);

}  // namespace npusim::reports
