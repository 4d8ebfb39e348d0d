#pragma once
// Stage 1 of the mapper (ZigZag/Stream style): the memory plan. From the graph, the hardware
// and a memory strategy it decides, per op and without any timing, where each operand lives
// (DRAM, SRAM or fused away), which traffic class its DRAM bytes count as, the SRAM left for
// the op's tile buffers, the op that hosts a fused op's work, and the spill writes an op
// makes to free room. Tiling (tiling.h) and lowering read it.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/npu_config.h"
#include "memory_strategy.h"
#include "schedule.h"
#include "workloads/graph.h"

namespace npusim::mappers {

// Where an operand lives while an op runs.
enum class Loc : uint8_t { kDram, kSram, kInternal };

struct Place {
  Loc loc = Loc::kDram;
  Traffic traffic = Traffic::kActivation;  // charged when loc is DRAM
  bool operator==(const Place&) const = default;
};

struct OpMemory {
  workloads::OpId op = 0;
  std::vector<Place> in;           // per op input
  std::vector<Place> out;          // per op output
  uint64_t tile_budget_bytes = 0;  // SRAM for this op's tile buffers, rounded down to 1/64 of SRAM
  uint64_t resident_bytes = 0;     // resident activations while the op runs
  uint64_t spill_write_bytes = 0;  // residents this op evicts to DRAM to make room
  bool norm_stats_free = false;    // the producer's epilogue accumulated this norm's statistics
  int64_t host = -1;               // position of the MAC op that runs this op's work (fused), else -1
};

struct MemoryPlan {
  std::string strategy;
  double residency_fraction = 0;  // of SRAM, for resident activations
  std::vector<OpMemory> ops;      // in execution order (the graph's topological order)
  // Activation bytes the strategy wanted on chip but spilled; 0 means SRAM was large enough.
  uint64_t spilled_bytes = 0;
  // SRAM size (plus tile buffers) at which the strategy stops spilling.
  uint64_t no_spill_sram_bytes = 0;
};

// Of the hardware it reads only sram.size_bytes (memory_plan_key): a plan holds for every
// config with the same SRAM size, whatever its clock, array or DRAM.
MemoryPlan plan_memory(const workloads::Graph& graph, const arch::NpuConfig& hw, const MemoryStrategy& strategy);
// What plan_memory's result depends on besides the graph: the strategy and the SRAM size.
std::string memory_plan_key(const arch::NpuConfig& hw, const MemoryStrategy& strategy);

}  // namespace npusim::mappers
