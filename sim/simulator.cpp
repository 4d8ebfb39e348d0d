#include "simulator.h"

#include "analytic_engine.h"

namespace npusim::sim {

void check_strategy(const std::string& name, const std::string& what) {
  if (name != "best") mappers::parse_strategy(name, what);
}

Simulator::Simulator(const arch::NpuConfig& hw) : mapper_(hw) {}

RunResult Simulator::run(const workloads::LoadedModel& model, const std::string& strategy) {
  check_strategy(strategy, "--strategy " + strategy);
  const arch::NpuConfig& hw = mapper_.hw();
  RunResult r;
  r.hw = hw;
  r.model = model.graph.name();
  r.model_source = model.source;
  r.workload_notes = model.notes;
  r.precision = model.graph.precision_spec();
  r.param_count = model.graph.param_count();
  r.engine = "analytic";
  r.strategy_choice = strategy;
  bool have = false;
  for (mappers::Strategy s : mappers::kAllStrategies) {
    if (strategy != "best" && mappers::strategy_name(s) != strategy) continue;
    mappers::Schedule sched = mapper_.map(model.graph, s);
    RunStats stats = run_analytic(model.graph, hw, sched);
    // Best: strictly faster wins, so ties keep the simpler strategy.
    if (!have || stats.total.latency_s < r.stats.total.latency_s) {
      r.schedule = std::move(sched);
      r.stats = std::move(stats);
      have = true;
    }
  }
  return r;
}

RunResult Simulator::run(const arch::NpuConfig& hw, const workloads::LoadedModel& model, const std::string& strategy) {
  Simulator sim(hw);
  return sim.run(model, strategy);
}

}  // namespace npusim::sim
