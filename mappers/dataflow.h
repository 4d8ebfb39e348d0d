#pragma once
// Cycle counts of a GEMM tile on a rows x cols systolic array under each dataflow, with the
// fold structure of SCALE-Sim (Samajdar et al., ISPASS 2020): the GEMM's two spatial
// dimensions are cut into array-sized folds; each fold pays the array's fill and drain
// (2*rows + cols - 2 cycles of skew) plus its temporal dimension at the precision's rate.
//   weight-stationary: rows <- K (reduction), cols <- N (output channels), streams M
//   output-stationary: rows <- M (output pixels/tokens), cols <- N, streams K
//   input-stationary:  rows <- K, cols <- M, streams N
// Edge folds are charged in full, so dimensions that do not fill the array cost what they
// cost on silicon (e.g. SD 1.5's attention head dim 40 on 64 rows: 62.5 % of the rows).
#include <cstdint>

#include "arch/npu_config.h"

namespace npusim::mappers {

// `batch` independent GEMMs out[m][n] += a[m][k] * b[k][n] (heads, groups), run one after another.
struct Gemm {
  uint64_t batch = 1, m = 1, n = 1, k = 1;
};

struct FoldCost {
  uint64_t folds = 0;   // array loads, all batches
  uint64_t cycles = 0;  // MAC-array cycles, fill and drain included
};

// `macs_per_pe_per_cycle` is the precision's rate (0.5: two passes per MAC, 2: two MACs per PE).
FoldCost gemm_cycles(const Gemm& g, arch::Dataflow d, uint32_t rows, uint32_t cols, double macs_per_pe_per_cycle);

}  // namespace npusim::mappers
