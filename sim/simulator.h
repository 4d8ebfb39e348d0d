#pragma once
// The façade (STYLE.md rule 20): what the CLI, tests and any binding use to run a model.
#include <string>
#include <vector>

#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "run_stats.h"
#include "workloads/model_registry.h"

namespace npusim::sim {

struct RunResult {
  arch::NpuConfig hw;
  std::string model;         // graph name
  std::string model_source;  // file it came from
  std::vector<std::string> workload_notes;
  workloads::PrecisionSpec precision;
  uint64_t param_count = 0;
  std::string engine;  // "analytic"
  mappers::Schedule schedule;
  RunStats stats;
};

class Simulator {
 public:
  // Maps the model with the (placeholder) roofline mapper and runs the analytic engine.
  static RunResult run(const arch::NpuConfig& hw, const workloads::LoadedModel& model);
};

}  // namespace npusim::sim
