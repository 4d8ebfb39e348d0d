#include "dataflow.h"

#include <cmath>

#include "npusim/checked.h"

namespace npusim::mappers {

FoldCost gemm_cycles(const Gemm& g, arch::Dataflow d, uint32_t rows, uint32_t cols, double rate) {
  NPUSIM_ASSERT(rows > 0 && cols > 0 && rate > 0, "array without rows, columns or rate");
  uint64_t spatial_r = 0, spatial_c = 0, temporal = 0;
  switch (d) {
    case arch::Dataflow::kWeightStationary:
      spatial_r = g.k, spatial_c = g.n, temporal = g.m;
      break;
    case arch::Dataflow::kOutputStationary:
      spatial_r = g.m, spatial_c = g.n, temporal = g.k;
      break;
    case arch::Dataflow::kInputStationary:
      spatial_r = g.k, spatial_c = g.m, temporal = g.n;
      break;
  }
  const uint64_t folds = ceil_div(spatial_r, rows) * ceil_div(spatial_c, cols);
  const uint64_t fill_drain = 2 * uint64_t{rows} + cols - 2;
  const auto stream = static_cast<uint64_t>(std::ceil(static_cast<long double>(temporal) / rate));
  FoldCost c;
  c.folds = g.batch * folds;
  c.cycles = c.folds * (fill_drain + stream);
  return c;
}

}  // namespace npusim::mappers
