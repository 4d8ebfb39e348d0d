#include "run_stats.h"

namespace npusim::sim {

std::string_view bound_name(Bound b) {
  switch (b) {
    case Bound::kCompute: return "compute";
    case Bound::kVector: return "vector";
    case Bound::kDram: return "dram";
    case Bound::kNone: return "none";
  }
  return "none";
}

void Counters::merge(const Counters& o) {
  macs += o.macs;
  vector_elems += o.vector_elems;
  mac_cycles += o.mac_cycles;
  vector_cycles += o.vector_cycles;
  latency_s += o.latency_s;
  mac_s += o.mac_s;
  vector_s += o.vector_s;
  dram_s += o.dram_s;
  dram_read_weight_bytes += o.dram_read_weight_bytes;
  dram_read_activation_bytes += o.dram_read_activation_bytes;
  dram_read_kv_bytes += o.dram_read_kv_bytes;
  dram_write_bytes += o.dram_write_bytes;
  sram_read_bytes += o.sram_read_bytes;
  sram_write_bytes += o.sram_write_bytes;
  energy_mac_pj += o.energy_mac_pj;
  energy_vector_pj += o.energy_vector_pj;
  energy_sram_pj += o.energy_sram_pj;
  energy_dram_pj += o.energy_dram_pj;
  energy_static_pj += o.energy_static_pj;
}

void RunStats::merge(const RunStats& o) {
  ops.insert(ops.end(), o.ops.begin(), o.ops.end());
  total.merge(o.total);
  if (peak_macs_per_s == 0) peak_macs_per_s = o.peak_macs_per_s;
  for (int i = 0; i < 4; ++i) time_by_bound_s[i] += o.time_by_bound_s[i];
}

}  // namespace npusim::sim
