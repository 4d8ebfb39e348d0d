#include "dataflow.h"

#include <cmath>

#include "npusim/checked.h"

namespace npusim::mappers {

uint64_t fill_drain_cycles(arch::Dataflow d, uint32_t rows, uint32_t cols) {
  const arch::DataflowSpec& s = arch::dataflow_spec(d);
  return uint64_t{s.fill_rows} * rows + uint64_t{s.fill_cols} * cols - 2;
}

namespace {

// ceil(dim / rate) cycles. In double, not long double: this is the mapper's innermost loop and
// x87 arithmetic there cost up to 3x the whole search; a double holds every dim below 2^53
// exactly, and an integer rate (the common case) divides exactly.
uint64_t stream_cycles(uint64_t dim, double rate) {
  if (rate == 1.0) return dim;
  return checked_count(std::ceil(static_cast<double>(dim) / rate), "MAC-array cycles per fold");
}

}  // namespace

FoldCost gemm_cycles(const Gemm& g, arch::Dataflow d, uint32_t rows, uint32_t cols, double rate) {
  NPUSIM_ASSERT(rows > 0 && cols > 0 && rate > 0, "array without rows, columns or rate");
  const arch::DataflowSpec& s = arch::dataflow_spec(d);
  const uint64_t folds = ceil_div(g.dim(s.rows), rows) * ceil_div(g.dim(s.cols), cols);
  const uint64_t stream = stream_cycles(g.dim(s.stream), rate);
  FoldCost c;
  c.folds = checked_product(g.batch, folds, "MAC-array folds");
  c.cycles = checked_product(c.folds, fill_drain_cycles(d, rows, cols) + stream, "MAC-array cycles");
  return c;
}

FoldCost gemv_stream_cycles(const Gemm& g, uint32_t rows, uint32_t cols, double rate) {
  NPUSIM_ASSERT(rows > 0 && cols > 0 && rate > 0, "array without rows, columns or rate");
  const arch::Dataflow ws = arch::Dataflow::kWeightStationary;
  const arch::DataflowSpec& s = arch::dataflow_spec(ws);
  const uint64_t folds = ceil_div(g.dim(s.rows), rows) * ceil_div(g.dim(s.cols), cols);
  const uint64_t stream = stream_cycles(g.dim(s.stream), rate);
  FoldCost c;
  c.folds = checked_product(g.batch, folds, "MAC-array folds");
  c.cycles = checked_count(static_cast<long double>(c.folds) * stream +
                               static_cast<long double>(g.batch) * fill_drain_cycles(ws, rows, cols),
                           "MAC-array cycles");
  return c;
}

}  // namespace npusim::mappers
