#include "run_stats.h"

#include <algorithm>

namespace npusim::sim {

std::string_view bound_name(Bound b) {
  switch (b) {
    case Bound::kCompute:
      return "compute";
    case Bound::kVector:
      return "vector";
    case Bound::kDram:
      return "dram";
    case Bound::kNone:
      return "none";
    case Bound::kOverlapped:
      return "overlapped";
  }
  return "none";
}

void RunStats::merge(const RunStats& o) {
  ops.insert(ops.end(), o.ops.begin(), o.ops.end());
  total.merge(o.total);
  if (peak_macs_per_s == 0) peak_macs_per_s = o.peak_macs_per_s;
  latency_ps += o.latency_ps;
  op_overhead_ps += o.op_overhead_ps;
  op_overhead_hidden_ps += o.op_overhead_hidden_ps;
  per_run_ps += o.per_run_ps;
  overhead_mac_ops += o.overhead_mac_ops;
  overhead_vector_ops += o.overhead_vector_ops;
  overhead_copy_ops += o.overhead_copy_ops;
  for (int i = 0; i < kNumBounds; ++i) time_by_bound_s[i] += o.time_by_bound_s[i];
  sram_peak_bytes = std::max(sram_peak_bytes, o.sram_peak_bytes);
  prefetched_weight_bytes += o.prefetched_weight_bytes;
}

}  // namespace npusim::sim
