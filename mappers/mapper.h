#pragma once
// The mapper: places every activation (DRAM, SRAM or fused away) by the memory strategy,
// then tiles each op for the SRAM it has left, choosing tile sizes, loop order and the
// array dataflow that minimise latency (then DRAM traffic). Tile plans are memoised by op
// signature, so a Mapper reused across runs on the same hardware maps a network fast.
//
// Strategies (see placement in mapper.cpp):
//   offchip  every op reads its inputs from DRAM and writes its output to DRAM
//   onchip   activations stay in SRAM while they fit; when SRAM is full the resident tensor
//            needed furthest in the future is spilled (Belady); weights always stream
//   fused    onchip, plus producer->consumer fusion: element-wise ops, norms, softmax and
//            data movement are applied on the fly by the neighbouring MAC op, and attention
//            runs QK^T -> softmax -> AV per query tile without materialising the scores
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "arch/npu_config.h"
#include "schedule.h"
#include "workloads/graph.h"

namespace npusim::mappers {

inline constexpr const char* kMapperName = "tiling-v1";

// Share of SRAM kept free of resident activations for tile buffers (onchip and fused).
inline constexpr double kWorkingReserveFraction = 0.25;

// The hardware precision mode that runs a workload precision (same name).
arch::PrecisionMode precision_mode_for(workloads::Precision p);

// Parses offchip | onchip | fused. Throws UserError naming `what` otherwise.
Strategy parse_strategy(std::string_view name, std::string_view what);

struct MemoStats {
  uint64_t hits = 0, misses = 0;
};

class Mapper {
 public:
  explicit Mapper(const arch::NpuConfig& hw);
  ~Mapper();
  Mapper(const Mapper&) = delete;
  Mapper& operator=(const Mapper&) = delete;

  // Throws UserError if the hardware does not support the graph's precision.
  Schedule map(const workloads::Graph& graph, Strategy strategy);
  const MemoStats& memo_stats() const { return memo_stats_; }
  const arch::NpuConfig& hw() const { return hw_; }

  struct Impl;

 private:
  arch::NpuConfig hw_;
  MemoStats memo_stats_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace npusim::mappers
