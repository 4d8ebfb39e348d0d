#pragma once
// Plans one op at a time for the place the memory plan gave it: MAC ops through tiling.h,
// vector and data-movement ops as DMA-sized streams. Plans are memoised by everything they
// depend on (op shape and dtypes, operand places, tile budget, precision mode and MAC rate,
// the array's dataflows), so a planner reused across runs maps a network fast.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "arch/npu_config.h"
#include "memory_plan.h"
#include "op_plan.h"
#include "workloads/graph.h"

namespace npusim::mappers {

struct MemoStats {
  uint64_t hits = 0, misses = 0;
};

class OpPlanner {
 public:
  explicit OpPlanner(const arch::NpuConfig& hw) : hw_(hw) {}
  OpPlan plan(const workloads::Graph& g, const workloads::Op& op, const OpMemory& mem, arch::PrecisionMode mode);
  const MemoStats& memo_stats() const { return stats_; }

 private:
  const arch::NpuConfig& hw_;
  std::unordered_map<std::string, OpPlan> memo_;
  std::string key_;  // the memo key being built, reused across calls (no allocation per lookup)
  MemoStats stats_;
};

// Vector and data-movement ops: DMA-sized steps that stream their operands.
OpPlan plan_stream(const workloads::Graph& g, const workloads::Op& op, const OpMemory& mem, const arch::NpuConfig& hw);

}  // namespace npusim::mappers
