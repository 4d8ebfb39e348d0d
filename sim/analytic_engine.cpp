#include "analytic_engine.h"

#include <algorithm>

namespace npusim::sim {

namespace {

using mappers::TileStep;
using mappers::Traffic;

// Per-repetition times of a step.
struct StepTime {
  double load_s = 0, store_s = 0, mac_s = 0, vector_s = 0, compute_s = 0;
};

StepTime step_time(const TileStep& t, const arch::NpuConfig& hw) {
  StepTime st;
  const double bw = hw.dram.bandwidth_bytes_per_s;
  // Transfers of a step go out on the DMA channels together: one access latency per step
  // that loads anything (stores are posted).
  st.load_s = double(t.dram_read_total()) / bw + (t.dram_read_total() ? hw.dram.latency_ps * 1e-12 : 0);
  st.store_s = double(t.dram_write_total()) / bw;
  st.mac_s = double(t.mac_cycles) / hw.mac_array.frequency_hz;
  st.vector_s = double(t.vector_cycles) / hw.vector_unit.frequency_hz;
  st.compute_s = hw.vector_unit.overlaps_mac ? std::max(st.mac_s, st.vector_s) : st.mac_s + st.vector_s;
  return st;
}

// Double-buffered time of an op's steps (see analytic_engine.h), exact for repeats.
double pipelined_time(const std::vector<StepTime>& st, const std::vector<TileStep>& steps) {
  if (steps.empty()) return 0;
  double total = st.front().load_s + st.back().store_s;
  for (size_t g = 0; g < steps.size(); ++g) {
    const uint64_t r = steps[g].repeat;
    if (r == 0) continue;
    const double prev_store = g > 0 ? st[g - 1].store_s : 0;
    const double next_load = g + 1 < steps.size() ? st[g + 1].load_s : 0;
    const StepTime& s = st[g];
    if (r == 1) {
      total += std::max(s.compute_s, next_load + prev_store);
    } else {
      total += std::max(s.compute_s, s.load_s + prev_store);                 // first of the group
      total += double(r - 2) * std::max(s.compute_s, s.load_s + s.store_s);  // middle
      total += std::max(s.compute_s, next_load + s.store_s);                 // last
    }
  }
  return total;
}

}  // namespace

RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule) {
  RunStats r;
  const arch::PrecisionSpec& mode = hw.mac_array.mode(schedule.precision);
  r.peak_macs_per_s = double(hw.mac_array.pes()) * mode.macs_per_pe_per_cycle * hw.mac_array.frequency_hz;
  r.ops.reserve(schedule.ops.size());
  const auto& v = hw.vector_unit;
  std::vector<double> compute_s;
  compute_s.reserve(schedule.ops.size());
  double prefetched_bytes = 0;
  std::vector<double> prefetch_s(schedule.ops.size(), 0);  // DRAM time done during the previous op
  for (const mappers::OpSchedule& os : schedule.ops) {
    const workloads::Op& op = graph.op(os.op);
    OpStats s;
    s.name = op.name;
    s.kind = workloads::op_kind_name(op.kind);
    s.mapping = os.mapping;
    s.sram_peak_bytes = os.sram_peak_bytes;
    Counters& c = s.c;
    std::vector<StepTime> times;
    times.reserve(os.steps.size());
    for (const TileStep& t : os.steps) {
      StepTime st = step_time(t, hw);
      times.push_back(st);
      const double n = double(t.repeat);
      c.macs += t.repeat * t.macs;
      c.vector_elems += t.repeat * t.vector_elems;
      c.mac_cycles += t.repeat * t.mac_cycles;
      c.vector_cycles += t.repeat * t.vector_cycles;
      c.mac_s += n * st.mac_s;
      c.vector_s += n * st.vector_s;
      c.dram_s += n * (st.load_s + st.store_s);
      c.dram_read_weight_bytes += t.repeat * t.dram_read_bytes[int(Traffic::kWeight)];
      c.dram_read_activation_bytes += t.repeat * t.dram_read_bytes[int(Traffic::kActivation)];
      c.dram_read_kv_bytes += t.repeat * t.dram_read_bytes[int(Traffic::kKvCache)];
      c.dram_read_spill_bytes += t.repeat * t.dram_read_bytes[int(Traffic::kSpill)];
      c.dram_write_activation_bytes +=
          t.repeat * (t.dram_write_bytes[int(Traffic::kActivation)] + t.dram_write_bytes[int(Traffic::kWeight)]);
      c.dram_write_kv_bytes += t.repeat * t.dram_write_bytes[int(Traffic::kKvCache)];
      c.dram_write_spill_bytes += t.repeat * t.dram_write_bytes[int(Traffic::kSpill)];
      c.sram_read_bytes += t.repeat * t.sram_read_bytes;
      c.sram_write_bytes += t.repeat * t.sram_write_bytes;
    }
    c.latency_s = pipelined_time(times, os.steps);
    compute_s.push_back(hw.vector_unit.overlaps_mac ? std::max(c.mac_s, c.vector_s) : c.mac_s + c.vector_s);
    r.ops.push_back(std::move(s));
  }
  // Cross-op prefetch: while an op runs, the DMA's idle time loads the next op's weights
  // into the SRAM that op leaves free, taking that much DRAM time off the next op.
  for (size_t i = 1; i < r.ops.size(); ++i) {
    const OpStats prev = r.ops[i - 1];
    Counters& c = r.ops[i].c;
    const double idle_s = std::max(0.0, prev.c.latency_s - prev.c.dram_s);
    const double free_b =
        double(hw.sram.size_bytes > prev.sram_peak_bytes ? hw.sram.size_bytes - prev.sram_peak_bytes : 0);
    const double pf = std::min({double(c.dram_read_weight_bytes), idle_s * hw.dram.bandwidth_bytes_per_s, free_b});
    if (pf <= 0) continue;
    const double saved = pf / hw.dram.bandwidth_bytes_per_s;
    c.latency_s = std::max({c.latency_s - saved, compute_s[i], c.dram_s - saved});
    prefetch_s[i] = saved;
    prefetched_bytes += pf;
  }
  for (size_t i = 0; i < r.ops.size(); ++i) {
    OpStats& s = r.ops[i];
    Counters& c = s.c;
    const double own_dram_s = c.dram_s - prefetch_s[i];  // dram_s stays the op's whole DRAM time
    // The unit whose busy time is largest bounds the op (after prefetch).
    if (c.latency_s == 0)
      s.bound = Bound::kNone;
    else if (own_dram_s >= c.mac_s && own_dram_s >= c.vector_s)
      s.bound = Bound::kDram;
    else if (c.mac_s >= c.vector_s)
      s.bound = Bound::kCompute;
    else
      s.bound = Bound::kVector;
    c.energy_mac_pj = double(c.macs) * mode.energy_per_mac_pj;
    c.energy_vector_pj = double(c.vector_cycles) * v.lanes * v.energy_per_elem_op_pj;
    c.energy_sram_pj = double(c.sram_read_bytes) * hw.sram.read_energy_pj_per_byte +
                       double(c.sram_write_bytes) * hw.sram.write_energy_pj_per_byte;
    c.energy_dram_pj = double(c.dram_bytes()) * 8 * hw.dram.energy_pj_per_bit;
    c.energy_static_pj = hw.static_power_mw * 1e-3 * c.latency_s * 1e12;
    s.utilization = c.latency_s > 0 ? double(c.macs) / (r.peak_macs_per_s * c.latency_s) : 0;
    r.time_by_bound_s[static_cast<int>(s.bound)] += c.latency_s;
    r.sram_peak_bytes = std::max(r.sram_peak_bytes, s.sram_peak_bytes);
    r.total.merge(c);
  }
  r.prefetched_weight_bytes = uint64_t(prefetched_bytes);
  return r;
}

}  // namespace npusim::sim
