#include "systemc_engine.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "modules.h"
#include "npusim/error.h"
#include "sequencer.h"
#include "sim/analytic_engine.h"
#include "sim/op_accounting.h"

// libsystemc.so refers to sc_main; npusim has its own main() and never calls sc_elab_and_sim,
// so this definition only satisfies the linker. It lives in this file so that every binary
// using the engine links it.
int sc_main(int, char**) { return 0; }

namespace npusim::sim {

namespace {

std::mutex g_systemc_mutex;  // the SystemC kernel is one per process: one run at a time

// A fresh kernel for one run, deleted afterwards, so many runs fit in one process.
class FreshSimContext {
 public:
  FreshSimContext() {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);  // no banner on stdout (it would corrupt --json)
    ctx_ = new sc_core::sc_simcontext();
    sc_core::sc_curr_simcontext = ctx_;
    sc_core::sc_default_global_context = ctx_;
  }
  ~FreshSimContext() {
    delete ctx_;
    sc_core::sc_curr_simcontext = nullptr;
    sc_core::sc_default_global_context = nullptr;
  }
  FreshSimContext(const FreshSimContext&) = delete;
  FreshSimContext& operator=(const FreshSimContext&) = delete;

 private:
  sc_core::sc_simcontext* ctx_;
};

struct Tracks {
  uint32_t ops = 0, dram = 0, mac = 0, vec = 0, sram = 0;
  std::vector<uint32_t> dma;
};

// What a run leaves behind, per op (ps) and overall.
struct KernelResult {
  std::vector<uint64_t> done_ps, start_ps, prefetched, mac_ps, vec_ps, dram_ps, pf_ps;
  SystemcRunInfo info;
};

// Elaborates the modules in a fresh kernel, simulates to the end and collects the results.
KernelResult simulate(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule,
                      bool isolate_ops, const std::vector<uint64_t>& overhead_ps, sc::RunContext& rc,
                      const Tracks& tracks, size_t n_ops) {
  KernelResult k;
  k.mac_ps.resize(n_ops);
  k.vec_ps.resize(n_ops);
  k.dram_ps.resize(n_ops);
  k.pf_ps.resize(n_ops);
  FreshSimContext context;
  const timing::SramBanks banks(hw.sram);
  auto dram = std::make_unique<sc::DramTarget>("dram", hw.dram, rc, tracks.dram);
  auto dma = std::make_unique<sc::DmaEngine>("dma", hw.dma, rc, tracks.dma, *dram);
  auto mac = std::make_unique<sc::UnitTarget>("mac_array", hw.mac_array.frequency_hz, rc, tracks.mac);
  auto vec = std::make_unique<sc::UnitTarget>("vector_unit", hw.vector_unit.frequency_hz, rc, tracks.vec);
  auto sram = std::make_unique<sc::UnitTarget>("sram", hw.mac_array.frequency_hz, rc, tracks.sram,
                                               [&banks](uint64_t bytes) { return banks.stream_cycles(bytes); });
  auto seq =
      std::make_unique<sc::Sequencer>("sequencer", graph, schedule, hw, *dma, *dram, rc, isolate_ops, overhead_ps);
  seq->mac_socket.bind(mac->socket);
  seq->vector_socket.bind(vec->socket);
  seq->sram_socket.bind(sram->socket);
  sc_core::sc_start();
  k.info.end_ps = sc::now_ps();
  k.done_ps = seq->op_done_ps;
  k.start_ps = seq->op_start_ps;  // first tile computed, then the first DRAM transfer if earlier
  k.prefetched = seq->prefetched_bytes;
  for (size_t i = 0; i < n_ops; ++i) {
    k.mac_ps[i] = mac->busy.at(i);
    k.vec_ps[i] = vec->busy.at(i);
    k.dram_ps[i] = dram->busy.at(i) + dram->prefetch_busy.at(i);
    k.pf_ps[i] = dram->prefetch_busy.at(i);
    k.start_ps[i] = std::min(k.start_ps[i], dram->first.at(i));
  }
  k.info.tiles = seq->tiles;
  k.info.dram_row_misses = dram->channel.row_misses();
  k.info.dram_refreshes = dram->channel.refreshes();
  k.info.dram_turnarounds = dram->channel.turnarounds();
  // Modules go before their kernel (context's destructor runs last).
  seq.reset();
  sram.reset();
  vec.reset();
  mac.reset();
  dma.reset();
  dram.reset();
  return k;
}

}  // namespace

RunStats run_systemc(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule,
                     const SystemcOptions& options, SystemcRunInfo* info) {
  std::lock_guard<std::mutex> lock(g_systemc_mutex);
  timing::Trace* trace = options.trace;
  RunStats r;
  r.ops.reserve(schedule.ops.size());
  std::vector<std::string> names;
  for (const mappers::OpSchedule& os : schedule.ops) {
    r.ops.push_back(count_op(graph, os));
    names.push_back(r.ops.back().name);
  }
  sc::RunContext rc;
  rc.trace = trace;
  rc.op_names = &names;
  Tracks tracks;
  tracks.dma.assign(hw.dma.channels, 0);
  if (trace) {
    trace->begin_segment();
    tracks.ops = trace->track("ops");
    tracks.dram = trace->track("DRAM");
    for (uint32_t i = 0; i < hw.dma.channels; ++i) tracks.dma[i] = trace->track("DMA ch" + std::to_string(i));
    tracks.mac = trace->track("MAC array");
    tracks.vec = trace->track("vector unit");
    tracks.sram = trace->track("SRAM");
  }
  // The kernel runs on a thread of its own: SystemC switches its processes' stacks under
  // the caller (QuickThreads), which AddressSanitizer cannot follow, so an exception thrown
  // later on the caller's stack was reported as stack-use-after-scope. A fresh thread per
  // run leaves the caller's stack alone.
  // sc_time wraps (or the kernel saturates) at 2^64 ps: refuse a run the analytic engine
  // puts past 2^62 ps (the engines agree within a few per cent; the margin is 2x), and check
  // the end time after the run as well.
  if (const double estimate_s = run_analytic(graph, hw, schedule).total.latency_s; estimate_s * 1e12 >= kMaxRunPs / 2)
    throw_time_out_of_range(estimate_s, "SystemC engine",
                            "the 2^62 ps (53.4 days) it accepts by the analytic estimate (its time wraps at 2^64 ps); "
                            "the analytic engine goes to 2^63 ps");
  // Each op's exposed fixed cost, once: the loader's dispatch-time prefetch and the charge after the run.
  const std::vector<uint64_t> overhead_ps = exposed_overheads_ps(schedule, hw, !options.isolate_ops);
  KernelResult k;
  std::exception_ptr failure;
  std::thread kernel([&] {
    try {
      k = simulate(graph, hw, schedule, options.isolate_ops, overhead_ps, rc, tracks, r.ops.size());
    } catch (...) {
      failure = std::current_exception();
    }
  });
  kernel.join();
  if (failure) std::rethrow_exception(failure);
  if (double(k.info.end_ps) >= kMaxRunPs)
    throw_time_out_of_range(double(k.info.end_ps) * 1e-12, "SystemC engine", kRunPsRange);
  SystemcRunInfo& run_info = k.info;
  const std::vector<uint64_t>& done_ps = k.done_ps;
  std::vector<double> own_dram_s(r.ops.size());
  const double latency_s = hw.dram.latency_ps * 1e-12;
  uint64_t prev = 0;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    OpStats& s = r.ops[i];
    Counters& c = s.c;
    NPUSIM_ASSERT(done_ps[i] >= prev, "op " + s.name + " completed before the op ahead of it");
    const uint64_t begin = std::min(k.start_ps[i], prev);
    s.exposed_ps = done_ps[i] - prev;
    s.overlapped_ps = prev - begin;
    c.latency_s = double(s.exposed_ps) * 1e-12;
    c.overlapped_s = double(s.overlapped_ps) * 1e-12;
    c.busy_s = double(done_ps[i] - begin) * 1e-12;
    prev = done_ps[i];
    c.mac_s = double(k.mac_ps[i]) * 1e-12;
    c.vector_s = double(k.vec_ps[i]) * 1e-12;
    // DRAM time as the analytic engine counts it: bus time plus one access latency per
    // tile that reads.
    uint64_t reading_tiles = 0;
    for (const mappers::TileStep& t : schedule.ops[i].steps)
      if (t.dram_read_total() > 0) reading_tiles += t.repeat;
    c.dram_s = double(k.dram_ps[i]) * 1e-12 + double(reading_tiles) * latency_s;
    own_dram_s[i] = c.dram_s - double(k.pf_ps[i]) * 1e-12;
    run_info.prefetched_weight_bytes += k.prefetched[i];
  }
  r.latency_ps = prev;
  // Fixed costs as the analytic engine adds them: a stall of the compute units at each op's
  // dispatch, outside the kernel's clock (the trace shows the kernel's time without them); the
  // loader credited the DMA's fetches during them to the op's prefetch.
  add_op_overheads(r, schedule, hw, overhead_ps);
  finish_run(r, hw, schedule.precision, own_dram_s);
  // The ops track, after finish_run so each span carries the op's bound; its detail pane shows
  // what the run JSON's layer shows (latency with the fixed per-op cost, which the span omits).
  for (size_t i = 0; trace && i < r.ops.size(); ++i) {
    if (done_ps[i] <= (i ? done_ps[i - 1] : 0)) continue;
    const OpStats& s = r.ops[i];
    trace->span(tracks.ops, names[i], i ? done_ps[i - 1] : 0, done_ps[i],
                timing::TraceArgs()
                    .add("kind", s.kind)
                    .add("mapping", s.mapping)
                    .add("bound", bound_name(s.bound))
                    .add("macs", s.c.macs)
                    .add("vector_elems", s.c.vector_elems)
                    .add("dram_read_bytes", s.c.dram_read_bytes())
                    .add("dram_write_bytes", s.c.dram_write_bytes())
                    .add("sram_read_bytes", s.c.sram_read_bytes)
                    .add("sram_write_bytes", s.c.sram_write_bytes)
                    .add("latency_us", s.c.latency_s * 1e6)
                    .add("utilization_pct", s.utilization * 100));
  }
  r.prefetched_weight_bytes = run_info.prefetched_weight_bytes;
  run_info.events = rc.events;
  run_info.transactions = rc.transactions;
  if (info) *info = run_info;
  return r;
}

}  // namespace npusim::sim
