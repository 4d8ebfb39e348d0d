#include "op_accounting.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "arch/area.h"
#include "npusim/checked.h"
#include "npusim/error.h"

namespace npusim::sim {

using mappers::TileStep;
using mappers::Traffic;

OpStats count_op(const workloads::Graph& graph, const mappers::OpSchedule& os) {
  const workloads::Op& op = graph.op(os.op);
  OpStats s;
  s.name = op.name;
  s.kind = workloads::op_kind_name(op.kind);
  s.mapping = os.mapping;
  s.sram_peak_bytes = os.sram_peak_bytes;
  Counters& c = s.c;
  for (const TileStep& t : os.steps) {
    c.macs += t.repeat * t.macs;
    c.vector_elems += t.repeat * t.vector_elems;
    c.mac_cycles += t.repeat * t.mac_cycles;
    c.vector_cycles += t.repeat * t.vector_cycles;
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
  return s;
}

std::vector<size_t> inputs_ready_after(const workloads::Graph& graph, const mappers::Schedule& schedule) {
  const size_t n = schedule.ops.size();
  std::vector<size_t> index(graph.num_ops(), n), need(n, 0);
  std::vector<bool> has_tiles(n, false);
  for (size_t i = 0; i < n; ++i) {
    index[schedule.ops[i].op] = i;
    for (const TileStep& t : schedule.ops[i].steps)
      if (t.repeat > 0) has_tiles[i] = true;
  }
  for (size_t i = 0; i < n; ++i)
    for (workloads::TensorId t : graph.op(schedule.ops[i].op).inputs) {
      if (graph.tensor(t).kind == workloads::TensorKind::kWeight) continue;
      const workloads::OpId p = graph.producer(t);
      if (p == workloads::kNoOp) continue;
      const size_t s = index[p];
      need[i] = std::max(need[i], s < i && has_tiles[s] ? s + 1 : i);
    }
  return need;
}

uint64_t sram_stream_cycles(const mappers::TileStep& t, const arch::SramConfig& sram) {
  const uint64_t peak = std::max<uint64_t>(sram.bytes_per_cycle, 1);
  return (t.sram_read_bytes + t.sram_write_bytes + peak - 1) / peak;
}

uint64_t op_overhead_ps(const mappers::OpSchedule& os, const arch::NpuConfig& hw) {
  const arch::OverheadConfig& oh = hw.overhead;
  const double scale = oh.scale(hw.mac_array.frequency_hz);
  switch (overhead_class(os)) {
    case OverheadClass::kNone:
      return 0;
    case OverheadClass::kMac:
      return checked_count(std::round(oh.per_mac_op_ps * scale), "per-op overhead (ps)");
    case OverheadClass::kVector:
      return checked_count(std::round(oh.per_vector_op_ps * scale), "per-op overhead (ps)");
    case OverheadClass::kCopy:
      return checked_count(std::round(oh.per_copy_op_ps * scale), "per-op overhead (ps)");
  }
  return 0;
}

OverheadClass overhead_class(const mappers::OpSchedule& os) {
  bool tiles = false, macs = false, vector = false;
  for (const TileStep& t : os.steps)
    if (t.repeat > 0) tiles = true, macs = macs || t.macs > 0, vector = vector || t.vector_cycles > 0;
  if (!tiles) return OverheadClass::kNone;
  return macs ? OverheadClass::kMac : vector ? OverheadClass::kVector : OverheadClass::kCopy;
}

std::vector<uint64_t> exposed_overheads_ps(const mappers::Schedule& schedule, const arch::NpuConfig& hw, bool queue) {
  std::vector<uint64_t> out(schedule.ops.size());
  queue = queue && hw.overhead.queued_mac_dispatch;
  double array_ps_before = 0;  // tensor-unit time of the last op with tiles, if a MAC op
  for (size_t i = 0; i < schedule.ops.size(); ++i) {
    const mappers::OpSchedule& os = schedule.ops[i];
    const OverheadClass k = overhead_class(os);
    uint64_t ps = op_overhead_ps(os, hw);
    if (queue && k == OverheadClass::kMac)
      ps -= static_cast<uint64_t>(std::min(double(ps), std::floor(array_ps_before)));
    out[i] = ps;
    if (k == OverheadClass::kNone) continue;  // a view or fused op: the op before stays the one
    array_ps_before = 0;
    if (k == OverheadClass::kMac && queue) {
      double cycles = 0;
      for (const TileStep& t : os.steps) cycles += double(t.repeat) * double(t.mac_cycles);
      array_ps_before = cycles * 1e12 / hw.mac_array.frequency_hz;
    }
  }
  return out;
}

void add_op_overheads(RunStats& r, const mappers::Schedule& schedule, const arch::NpuConfig& hw,
                      const std::vector<uint64_t>& exposed) {
  NPUSIM_ASSERT(r.ops.size() == schedule.ops.size() && exposed.size() == r.ops.size(),
                "run, schedule and fixed costs differ in ops");
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const uint64_t full = op_overhead_ps(schedule.ops[i], hw);
    if (full == 0) continue;
    NPUSIM_ASSERT(exposed[i] <= full, "an op's exposed fixed cost exceeds its fixed cost");
    const uint64_t ps = exposed[i];
    OpStats& s = r.ops[i];
    const double sec = double(ps) * 1e-12;
    s.exposed_ps += ps;
    s.c.latency_s += sec;
    s.c.busy_s += sec;
    s.c.overhead_s = sec;
    r.op_overhead_ps += ps;
    r.op_overhead_hidden_ps += full - ps;
    r.latency_ps += ps;
    const OverheadClass k = overhead_class(schedule.ops[i]);
    ++(k == OverheadClass::kMac      ? r.overhead_mac_ops
       : k == OverheadClass::kVector ? r.overhead_vector_ops
                                     : r.overhead_copy_ops);
  }
}

void finish_run(RunStats& r, const arch::NpuConfig& hw, arch::PrecisionMode precision,
                const std::vector<double>& own_dram_s) {
  const arch::PrecisionSpec& mode = hw.mac_array.mode(precision);
  const auto& v = hw.vector_unit;
  const double static_mw = arch::static_power_mw(hw);  // fixed, or leakage from the area model
  r.peak_macs_per_s = double(hw.mac_array.pes()) * mode.macs_per_pe_per_cycle * hw.mac_array.frequency_hz;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    OpStats& s = r.ops[i];
    Counters& c = s.c;
    const double own = own_dram_s[i];
    NPUSIM_ASSERT(c.latency_s >= 0 && c.overlapped_s >= 0 && c.busy_s >= c.latency_s,
                  "op " + s.name + ": exposed time outside its busy time");
    NPUSIM_ASSERT(c.overhead_s >= 0 && c.latency_s >= c.overhead_s,
                  "op " + s.name + ": fixed cost outside its latency");
    // The unit whose busy time is largest bounds the op (after prefetch); an op whose whole
    // busy time hides under its neighbours' work is bounded by them. The fixed cost is no
    // unit's: it is reported on its own.
    const double work_latency_s = c.latency_s - c.overhead_s;
    if (c.busy_s - c.overhead_s == 0)
      s.bound = Bound::kNone;
    else if (work_latency_s == 0)
      s.bound = Bound::kOverlapped;
    else if (own >= c.mac_s && own >= c.vector_s)
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
    c.energy_static_pj = static_mw * 1e-3 * c.latency_s * 1e12;
    s.utilization = c.busy_s > 0 ? double(c.macs) / (r.peak_macs_per_s * c.busy_s) : 0;
    r.time_by_bound_s[static_cast<int>(s.bound)] += work_latency_s;
    r.sram_peak_bytes = std::max(r.sram_peak_bytes, s.sram_peak_bytes);
    r.total.merge(c);
  }
  // The run's launch: in the network's latency, in no op.
  r.per_run_ps = checked_count(
      std::round(static_cast<long double>(hw.overhead.per_run_ps) * hw.overhead.scale(hw.mac_array.frequency_hz)),
      "per-run overhead (ps)");
  const double run_s = double(r.per_run_ps) * 1e-12;
  r.latency_ps += r.per_run_ps;
  r.total.latency_s += run_s;
  r.total.energy_static_pj += static_mw * 1e-3 * run_s * 1e12;
}

void throw_time_out_of_range(double seconds, const std::string& engine, const std::string& range) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g s", seconds);
  std::string msg = engine.empty() ? "" : engine + ": ";
  msg += "the run takes ";
  msg += std::isfinite(seconds) ? std::string(text) : "unboundedly long";
  msg += " of simulated time, beyond " + range;
  msg += " (a rate, clock or bandwidth far too low, or a batch far too large?)";
  throw UserError(msg);
}

void round_times_to_ps(RunStats& r) {
  double end_s = 0;
  uint64_t end_ps = 0;
  for (const OpStats& s : r.ops) end_s += s.c.latency_s;
  if (!(end_s * 1e12 < kMaxRunPs)) throw_time_out_of_range(end_s, "", kRunPsRange);
  end_s = 0;
  for (OpStats& s : r.ops) {
    end_s += s.c.latency_s;
    const uint64_t ps = checked_count(std::round(static_cast<long double>(end_s) * 1e12L), "simulated time (ps)");
    s.exposed_ps = ps - end_ps;
    s.overlapped_ps =
        checked_count(std::round(static_cast<long double>(s.c.overlapped_s) * 1e12L), "overlapped time (ps)");
    end_ps = ps;
  }
  r.latency_ps = end_ps;
}

}  // namespace npusim::sim
