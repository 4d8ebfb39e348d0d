#include "analytic_engine.h"

#include <algorithm>

namespace npusim::sim {

namespace {

// Time and energy of one tile step. Cycles stay integers per clock domain; seconds are
// derived once here as cycles / frequency.
Counters step_counters(const mappers::TileStep& t, const arch::NpuConfig& hw, const arch::PrecisionSpec& mode,
                       Bound& bound) {
  Counters c;
  c.macs = t.macs;
  c.vector_elems = t.vector_elems;
  c.mac_cycles = t.mac_cycles;
  c.vector_cycles = t.vector_cycles;
  c.mac_s = double(t.mac_cycles) / hw.mac_array.frequency_hz;
  c.vector_s = double(t.vector_cycles) / hw.vector_unit.frequency_hz;
  c.dram_read_weight_bytes = t.dram_read_bytes[static_cast<int>(workloads::TensorKind::kWeight)];
  c.dram_read_activation_bytes = t.dram_read_bytes[static_cast<int>(workloads::TensorKind::kActivation)];
  c.dram_read_kv_bytes = t.dram_read_bytes[static_cast<int>(workloads::TensorKind::kKvCache)];
  c.dram_write_bytes = t.dram_write_bytes;
  c.dram_s = double(c.dram_bytes()) / hw.dram.bandwidth_bytes_per_s + t.dram_transfers * hw.dram.latency_ps * 1e-12;
  c.sram_read_bytes = t.sram_read_bytes;
  c.sram_write_bytes = t.sram_write_bytes;

  const bool overlap = hw.vector_unit.overlaps_mac;
  const double compute_s = overlap ? c.mac_s : c.mac_s + c.vector_s;
  c.latency_s = std::max({compute_s, c.vector_s, c.dram_s});
  if (c.latency_s == 0)
    bound = Bound::kNone;
  else if (c.latency_s == c.dram_s)
    bound = Bound::kDram;
  else if (c.mac_s >= c.vector_s)
    bound = Bound::kCompute;
  else
    bound = Bound::kVector;

  const auto& v = hw.vector_unit;
  c.energy_mac_pj = double(t.macs) * mode.energy_per_mac_pj;
  c.energy_vector_pj = double(t.vector_cycles) * v.lanes * v.energy_per_elem_op_pj;
  c.energy_sram_pj = double(t.sram_read_bytes) * hw.sram.read_energy_pj_per_byte +
                     double(t.sram_write_bytes) * hw.sram.write_energy_pj_per_byte;
  c.energy_dram_pj = double(c.dram_bytes()) * 8 * hw.dram.energy_pj_per_bit;
  c.energy_static_pj = hw.static_power_mw * 1e-3 * c.latency_s * 1e12;
  return c;
}

}  // namespace

RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule) {
  RunStats r;
  const arch::PrecisionSpec& mode = hw.mac_array.mode(schedule.precision);
  r.peak_macs_per_s = double(hw.mac_array.pes()) * mode.macs_per_pe_per_cycle * hw.mac_array.frequency_hz;
  r.ops.reserve(schedule.ops.size());
  for (const mappers::OpSchedule& os : schedule.ops) {
    const workloads::Op& op = graph.op(os.op);
    OpStats s;
    s.name = op.name;
    s.kind = workloads::op_kind_name(op.kind);
    s.mapping = os.mapping;
    double bound_time[4] = {0, 0, 0, 0};
    for (const mappers::TileStep& t : os.steps) {
      Bound b = Bound::kNone;
      Counters c = step_counters(t, hw, mode, b);
      bound_time[static_cast<int>(b)] += c.latency_s;
      s.c.merge(c);
    }
    s.bound = static_cast<Bound>(std::max_element(bound_time, bound_time + 4) - bound_time);
    if (s.c.latency_s == 0) s.bound = Bound::kNone;
    s.utilization = s.c.latency_s > 0 ? double(s.c.macs) / (r.peak_macs_per_s * s.c.latency_s) : 0;
    r.time_by_bound_s[static_cast<int>(s.bound)] += s.c.latency_s;
    r.total.merge(s.c);
    r.ops.push_back(std::move(s));
  }
  return r;
}

}  // namespace npusim::sim
