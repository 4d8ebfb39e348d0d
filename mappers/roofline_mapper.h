#pragma once
// PLACEHOLDER mapper (to be replaced by the mapper issue): every op is one tile step that
// reads all its operands from DRAM once, computes at the array's peak rate and writes its
// output back ("offchip"). No tiling, no fill/drain, no reuse limits.
#include "arch/npu_config.h"
#include "schedule.h"
#include "workloads/graph.h"

namespace npusim::mappers {

inline constexpr const char* kRooflineMapperName = "roofline-placeholder";

// Throws UserError if the hardware does not support the graph's precision.
Schedule map_roofline(const workloads::Graph& graph, const arch::NpuConfig& hw);

// The hardware precision mode that runs a workload precision (same name).
arch::PrecisionMode precision_mode_for(workloads::Precision p);

}  // namespace npusim::mappers
