#pragma once
// The schedule: the contract between mappers and engines (DESIGN.md). Per op, a list of
// tile steps saying what is loaded, computed and stored; both engines read the same one.
// Identical steps that run back to back are one TileStep with a repeat count, so a
// convolution of ten thousand tiles is a handful of entries.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arch/npu_config.h"
#include "workloads/graph.h"

namespace npusim::mappers {

// What DRAM traffic is for. Spills are activations that were meant to stay on chip but
// were evicted (written out and read back) because SRAM was full.
enum class Traffic : uint8_t { kWeight, kActivation, kKvCache, kSpill };
inline constexpr int kNumTraffic = 4;
std::string_view traffic_name(Traffic t);
Traffic traffic_of(workloads::TensorKind k);

// One tile step; every count is per repetition.
struct TileStep {
  uint64_t repeat = 1;                          // identical steps back to back
  uint64_t dram_read_bytes[kNumTraffic] = {};   // by Traffic, burst-rounded
  uint64_t dram_write_bytes[kNumTraffic] = {};  // by Traffic, burst-rounded
  uint32_t dram_transfers = 0;                  // DMA transfers (each pays the DRAM latency)
  uint64_t macs = 0;
  uint64_t mac_cycles = 0;  // MAC-array clock cycles of the compute, fill and drain included
  uint64_t vector_elems = 0;
  uint64_t vector_cycles = 0;  // vector-unit clock cycles
  uint64_t sram_read_bytes = 0;
  uint64_t sram_write_bytes = 0;

  uint64_t dram_read_total() const {
    uint64_t s = 0;
    for (uint64_t b : dram_read_bytes) s += b;
    return s;
  }
  uint64_t dram_write_total() const {
    uint64_t s = 0;
    for (uint64_t b : dram_write_bytes) s += b;
    return s;
  }
};

// The tiling chosen for a MAC op (conv2d, linear, matmul, attention), as a loop nest over
// its GEMM view: out[b][m][n] += A[b][m][k] * B[b][k][n]. For conv2d, M = images x output
// rows x output cols and tiles cut output rows (`m_tile` counts rows) and K = input channels
// of a group x kernel taps, with tiles cutting channels (`k_tile` counts channels); batch =
// groups. For the others M, N, K, batch are the op's MatmulBounds. Tiles run batch-major,
// then N-outer/M-inner (`weights_outer`) or M-outer/N-inner, with K innermost; within a
// tile, the array runs folds of rows x cols by `dataflow` (M and N swapped if `transposed`).
struct MacTiling {
  bool valid = false;
  uint64_t m_tile = 0, n_tile = 0, k_tile = 0;
  bool weights_outer = true;
  bool transposed = false;
  arch::Dataflow dataflow = arch::Dataflow::kWeightStationary;
  bool gemv_stream = false;  // the streaming gemv path (mappers/dataflow.h): weight-stationary folds, one fill
  // Grouped convs: groups packed block-diagonally onto the array, run side by side (tiling.h).
  uint64_t group_pack = 1;
};

struct OpSchedule {
  workloads::OpId op = 0;
  MacTiling tiling;              // MAC ops only
  std::string mapping;           // the chosen mapping, human-readable, shown per layer
  uint64_t sram_peak_bytes = 0;  // resident activations + this op's tile buffers
  std::vector<TileStep> steps;
};

struct Schedule {
  std::string mapper;                 // which mapper produced it
  std::string strategy;               // the memory strategy's registered name (memory_strategy.h)
  bool resident_activations = false;  // the strategy keeps activations in SRAM between ops
  arch::PrecisionMode precision = arch::PrecisionMode::kW8A8;
  std::vector<OpSchedule> ops;           // in execution order
  std::vector<std::string> assumptions;  // what the mapper assumed, for reports
  // Activation bytes the strategy wanted on chip but spilled; 0 means SRAM was large enough.
  uint64_t spilled_bytes = 0;
  // Largest resident-activation set the strategy would keep if SRAM were unlimited: the
  // SRAM size (plus tile buffers) at which it stops spilling.
  uint64_t no_spill_sram_bytes = 0;
};

}  // namespace npusim::mappers
