#include "analytic_engine.h"

#include <algorithm>

#include "op_accounting.h"

namespace npusim::sim {

namespace {

using mappers::TileStep;
using mappers::Traffic;

// Per-repetition times of a step.
struct StepTime {
  double load_s = 0;      // bus time + access latency: from issue until the data is there
  double load_bus_s = 0;  // bus time alone
  double store_s = 0, mac_s = 0, vector_s = 0, sram_s = 0, compute_s = 0;
};

// DMA time of the pipeline slot of a tile computing for compute_s: the next tile's load and
// the previous tile's store share the bus; the load's access latency overlaps other
// transfers. With two buffers the next load is queued when the tile before this one
// finished computing, so it has this slot and the previous one to arrive: two slots cover
// compute + load bus + latency.
double dma_slot_s(double compute_s, const StepTime* next, double prev_store_s) {
  if (!next) return prev_store_s;
  return std::max(next->load_bus_s + prev_store_s, 0.5 * (compute_s + next->load_s));
}

StepTime step_time(const TileStep& t, const arch::NpuConfig& hw) {
  StepTime st;
  const double bw = hw.dram.bandwidth_bytes_per_s;
  // Transfers of a step go out on the DMA channels together: one access latency per step
  // that loads anything (stores are posted).
  st.load_bus_s = double(t.dram_read_total()) / bw;
  st.load_s = st.load_bus_s + (t.dram_read_total() ? hw.dram.latency_ps * 1e-12 : 0);
  st.store_s = double(t.dram_write_total()) / bw;
  st.mac_s = double(t.mac_cycles) / hw.mac_array.frequency_hz;
  st.vector_s = double(t.vector_cycles) / hw.vector_unit.frequency_hz;
  // SRAM ports serve DMA landings and operand reads alongside the compute units.
  st.sram_s = double(sram_stream_cycles(t, hw.sram)) / hw.mac_array.frequency_hz;
  st.compute_s = hw.vector_unit.overlaps_mac ? std::max(st.mac_s, st.vector_s) : st.mac_s + st.vector_s;
  st.compute_s = std::max(st.compute_s, st.sram_s);
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
    const StepTime* next = g + 1 < steps.size() ? &st[g + 1] : nullptr;
    const StepTime& s = st[g];
    if (r == 1) {
      total += std::max(s.compute_s, dma_slot_s(s.compute_s, next, prev_store));
    } else {
      const double c = s.compute_s;
      total += std::max(c, dma_slot_s(c, &s, prev_store));                 // first of the group
      total += double(r - 2) * std::max(c, dma_slot_s(c, &s, s.store_s));  // middle
      total += std::max(c, dma_slot_s(c, next, s.store_s));                // last
    }
  }
  return total;
}

// Does the op's first tile read activations, KV or spills from DRAM (which may wait for the
// op before)?
bool first_reads_inputs(const std::vector<TileStep>& steps) {
  for (const TileStep& t : steps)
    if (t.repeat > 0) return t.dram_read_total() > t.dram_read_bytes[int(Traffic::kWeight)];
  return false;
}

// Time saved when op b's pipeline continues op a's instead of starting after a's last store:
//   serial:     max(c_a, s_a') + s_a + l_b + max(c_b, l_b')
//   continuous: max(c_a, l_b + s_a') + max(c_b, l_b' + s_a)   (DMA slots as dma_slot_s)
// with c_a, s_a the compute and store of a's last tile, s_a' the store before it, l_b, c_b
// the load and compute of b's first tile and l_b' the load after it.
double boundary_overlap_s(const std::vector<TileStep>& sa, const std::vector<StepTime>& ta,
                          const std::vector<TileStep>& sb, const std::vector<StepTime>& tb) {
  size_t la = sa.size();
  while (la > 0 && sa[la - 1].repeat == 0) --la;
  size_t fb = 0;
  while (fb < sb.size() && sb[fb].repeat == 0) ++fb;
  if (la == 0 || fb == sb.size()) return 0;
  --la;
  const double c_a = ta[la].compute_s, s_a = ta[la].store_s;
  const double s_a_before = sa[la].repeat > 1 ? s_a : la > 0 ? ta[la - 1].store_s : 0;
  const StepTime* b = &tb[fb];
  const StepTime* b_after = sb[fb].repeat > 1 ? b : fb + 1 < sb.size() ? &tb[fb + 1] : nullptr;
  const double c_b = b->compute_s;
  const double serial = std::max(c_a, s_a_before) + s_a + b->load_s + std::max(c_b, dma_slot_s(c_b, b_after, 0));
  const double continuous =
      std::max(c_a, dma_slot_s(c_a, b, s_a_before)) + std::max(c_b, dma_slot_s(c_b, b_after, s_a));
  return std::max(0.0, serial - continuous);
}

}  // namespace

RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule,
                      bool isolate_ops) {
  RunStats r;
  r.ops.reserve(schedule.ops.size());
  std::vector<double> compute_s;
  compute_s.reserve(schedule.ops.size());
  double prefetched_bytes = 0;
  std::vector<double> prefetch_s(schedule.ops.size(), 0);  // DRAM time done during the previous op
  std::vector<std::vector<StepTime>> op_times;
  op_times.reserve(schedule.ops.size());
  const std::vector<uint64_t> overhead_ps = exposed_overheads_ps(schedule, hw, !isolate_ops);
  for (const mappers::OpSchedule& os : schedule.ops) {
    OpStats s = count_op(graph, os);
    Counters& c = s.c;
    std::vector<StepTime>& times = op_times.emplace_back();
    times.reserve(os.steps.size());
    double sram_s = 0;
    for (const TileStep& t : os.steps) {
      StepTime st = step_time(t, hw);
      times.push_back(st);
      const double n = double(t.repeat);
      c.mac_s += n * st.mac_s;
      c.vector_s += n * st.vector_s;
      c.dram_s += n * (st.load_s + st.store_s);
      sram_s += n * st.sram_s;
    }
    c.latency_s = pipelined_time(times, os.steps);
    const double unit_s = hw.vector_unit.overlaps_mac ? std::max(c.mac_s, c.vector_s) : c.mac_s + c.vector_s;
    compute_s.push_back(std::max(unit_s, sram_s));
    r.ops.push_back(std::move(s));
  }
  // Cross-op prefetch: while an op runs, the DMA's idle time loads the next op's weights
  // into the SRAM that op leaves free, taking that much DRAM time off the next op. The next
  // op's fixed cost (its dispatch: added to its latency below, after the overlap) stalls the
  // compute units, not the DMA, so the window also holds that fixed cost (the part exposed: a
  // queued dispatch's hidden part runs during the op before, whose idle DMA time is counted).
  // The op before is the last one with work: ops fused away or views take no time.
  size_t prev_i = 0;
  for (size_t i = 1; i < r.ops.size() && !isolate_ops; ++i) {
    if (r.ops[i - 1].c.latency_s > 0) prev_i = i - 1;
    const OpStats& prev = r.ops[prev_i];
    Counters& c = r.ops[i].c;
    const double idle_s = std::max(0.0, prev.c.latency_s - prev.c.dram_s) + double(overhead_ps[i]) * 1e-12;
    const double free_b =
        double(hw.sram.size_bytes > prev.sram_peak_bytes ? hw.sram.size_bytes - prev.sram_peak_bytes : 0);
    const double pf = std::min({double(c.dram_read_weight_bytes), idle_s * hw.dram.bandwidth_bytes_per_s, free_b});
    if (pf <= 0) continue;
    const double saved = pf / hw.dram.bandwidth_bytes_per_s;
    c.latency_s = std::max({c.latency_s - saved, compute_s[i], c.dram_s - saved});
    prefetch_s[i] = saved;
    prefetched_bytes += pf;
  }
  // An op's own busy span is its pipelined time after prefetch; what the boundary overlap
  // below takes off it is hidden under the previous op (overlapped, not exposed).
  for (OpStats& s : r.ops) s.c.busy_s = s.c.latency_s;
  // Op boundaries: where an op does not wait for the previous op's stored output, the
  // pipeline runs on across the boundary (its first load overlaps the previous op's last
  // compute, the previous op's last store overlaps its first compute).
  const std::vector<size_t> ready = inputs_ready_after(graph, schedule);
  size_t prev = schedule.ops.size();
  for (size_t i = 0; i < schedule.ops.size() && !isolate_ops; ++i) {
    if (r.ops[i].c.latency_s == 0) continue;
    if (prev < schedule.ops.size() && (ready[i] <= prev || !first_reads_inputs(schedule.ops[i].steps))) {
      const double saved =
          boundary_overlap_s(schedule.ops[prev].steps, op_times[prev], schedule.ops[i].steps, op_times[i]);
      r.ops[i].c.latency_s = std::max(0.0, r.ops[i].c.latency_s - saved);
    }
    prev = i;
  }
  std::vector<double> own_dram_s(r.ops.size());
  for (size_t i = 0; i < r.ops.size(); ++i) {
    own_dram_s[i] = r.ops[i].c.dram_s - prefetch_s[i];
    r.ops[i].c.overlapped_s = r.ops[i].c.busy_s - r.ops[i].c.latency_s;
  }
  // Fixed costs after the overlap between neighbours is settled: they never hide.
  add_op_overheads(r, schedule, hw, overhead_ps);
  round_times_to_ps(r);
  finish_run(r, hw, schedule.precision, own_dram_s);
  r.prefetched_weight_bytes = uint64_t(prefetched_bytes);
  return r;
}

}  // namespace npusim::sim
