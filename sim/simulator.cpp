#include "simulator.h"

#include "analytic_engine.h"
#include "mappers/roofline_mapper.h"

namespace npusim::sim {

RunResult Simulator::run(const arch::NpuConfig& hw, const workloads::LoadedModel& model) {
  RunResult r;
  r.hw = hw;
  r.model = model.graph.name();
  r.model_source = model.source;
  r.workload_notes = model.notes;
  r.precision = model.graph.precision_spec();
  r.param_count = model.graph.param_count();
  r.engine = "analytic";
  r.schedule = mappers::map_roofline(model.graph, hw);
  r.stats = run_analytic(model.graph, hw, r.schedule);
  return r;
}

}  // namespace npusim::sim
