#pragma once
// Cycle counts of a GEMM tile on a rows x cols systolic array under a dataflow, read from the
// dataflow's row of arch::kDataflowTable (arch/dataflow.h, which derives each fold formula
// from SCALE-Sim v2): the GEMM's two spatial dimensions are cut into array-sized folds; each
// fold pays the dataflow's fill and drain plus its streamed dimension at the precision's rate.
// Edge folds are charged in full, so dimensions that do not fill the array cost what they
// cost on silicon (e.g. SD 1.5's attention head dim 40 on 64 rows: 62.5 % of the rows).
#include <cstdint>

#include "arch/npu_config.h"

namespace npusim::mappers {

// `batch` independent GEMMs out[m][n] += a[m][k] * b[k][n] (heads, groups), run one after another.
struct Gemm {
  uint64_t batch = 1, m = 1, n = 1, k = 1;
  uint64_t dim(arch::GemmDim d) const { return d == arch::GemmDim::kM ? m : d == arch::GemmDim::kN ? n : k; }
};

struct FoldCost {
  uint64_t folds = 0;   // array loads, all batches
  uint64_t cycles = 0;  // MAC-array cycles, fill and drain included
};

// Fill and drain of one fold of `d` on a rows x cols array, in cycles.
uint64_t fill_drain_cycles(arch::Dataflow d, uint32_t rows, uint32_t cols);

// `macs_per_pe_per_cycle` is the precision's rate (0.5: two passes per MAC, 2: two MACs per PE).
FoldCost gemm_cycles(const Gemm& g, arch::Dataflow d, uint32_t rows, uint32_t cols, double macs_per_pe_per_cycle);

// The streaming gemv path (mac_array.gemv: streaming) for GEMMs with few rows: weight blocks
// are placed as in weight-stationary folds (K on rows, N on columns, M streams), but the
// blocks stream through the array back to back, so each fold costs only its M rows at the
// precision's rate and each GEMM pays one weight-stationary fill and drain. The weight rate
// this needs is bounded by SRAM port and DRAM bandwidth in the engines, not here.
FoldCost gemv_stream_cycles(const Gemm& g, uint32_t rows, uint32_t cols, double macs_per_pe_per_cycle);

}  // namespace npusim::mappers
