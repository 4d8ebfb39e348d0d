#pragma once
// Closed-form engine: turns a Schedule into RunStats. Within an op, tiles are double
// buffered: while the MAC array and vector unit work on tile j, DMA loads tile j+1 and
// stores tile j-1 over the one DRAM link. An op takes
//   load(1) + sum_j max(compute(j), load(j+1) + store(j-1)) + store(n)
// so the first load and last store are the pipeline's fill and drain. Ops run in order.
#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "run_stats.h"
#include "workloads/graph.h"

namespace npusim::sim {

RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule);

}  // namespace npusim::sim
