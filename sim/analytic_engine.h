#pragma once
// Closed-form engine: turns a Schedule into RunStats. Per tile step, the MAC array, the
// vector unit and DRAM work concurrently (double buffering) and the slowest sets the time.
#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "run_stats.h"
#include "workloads/graph.h"

namespace npusim::sim {

RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule);

}  // namespace npusim::sim
