#pragma once
// The mapper, in stages (ZigZag/Stream): a memory strategy (memory_strategy.h) -> the memory
// plan (memory_plan.h: where every operand lives, without timing) -> per-op tiling
// (tiling.h for MAC ops, op_planner.h for streams; memoised) -> a Schedule of tile steps
// (schedule.h), with fused ops' work joined to their host MAC op. This file orchestrates.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arch/npu_config.h"
#include "memory_plan.h"
#include "memory_strategy.h"
#include "op_planner.h"
#include "schedule.h"
#include "workloads/graph.h"

namespace npusim::mappers {

inline constexpr const char* kMapperName = "tiling-v1";

// The hardware precision mode that runs a workload precision (same name).
arch::PrecisionMode precision_mode_for(workloads::Precision p);

// Every hardware key the mapper can read, as bytes: two configs with one key map a graph of
// precision `mode` to one schedule. Left out are the keys the mapper never reads: overhead.*
// (fixed costs the engines add to a mapped schedule) and the precision table of every mode but
// `mode`. Lets a caller that varies only those (npusim calibrate fitting fixed costs or an fp16
// rate) reuse a schedule instead of mapping again; tests/mappers/mapping_key_test.cpp checks
// that the schedule indeed does not change.
std::string mapping_key(const arch::NpuConfig& hw, arch::PrecisionMode mode);

class Mapper {
 public:
  explicit Mapper(const arch::NpuConfig& hw);
  Mapper(const Mapper&) = delete;
  Mapper& operator=(const Mapper&) = delete;

  // Throws UserError if the hardware does not support the graph's precision, or (by name)
  // if no strategy has that name.
  Schedule map(const workloads::Graph& graph, const MemoryStrategy& strategy);
  Schedule map(const workloads::Graph& graph, std::string_view strategy);
  // The same from a memory plan made earlier (plan_memory) for this graph, strategy and an
  // SRAM of this hardware's size: stage 1 is skipped.
  Schedule map(const workloads::Graph& graph, const MemoryStrategy& strategy, const MemoryPlan& mem);
  const MemoStats& memo_stats() const { return planner_.memo_stats(); }
  const arch::NpuConfig& hw() const { return hw_; }

 private:
  arch::NpuConfig hw_;
  OpPlanner planner_;
};

}  // namespace npusim::mappers
