#pragma once
// SystemC shells of the engine's units (STYLE.md rule 8): each owns its TLM-2.0 socket and
// delegates timing to a plain class in sim/timing/. Transactions are blocking (loosely timed
// b_transport) but every initiator synchronises before it calls, so a target sees requests
// in simulated-time order and its first-come-first-served state (the DRAM bus) is exact.
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/timing/clock.h"
#include "sim/timing/dram_channel.h"
#include "sim/timing/sram_banks.h"
#include "sim/timing/trace.h"

namespace npusim::sim::sc {

// State shared by the modules of one run: counters, op labels and the optional trace.
struct RunContext {
  timing::Trace* trace = nullptr;
  const std::vector<std::string>* op_names = nullptr;
  uint64_t events = 0;
  uint64_t transactions = 0;
};

inline uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }  // resolution is 1 ps
inline sc_core::sc_time ps_time(uint64_t ps) { return sc_core::sc_time::from_value(ps); }

// The payload extension: how much work (bytes for DRAM/SRAM, cycles for the MAC array and
// vector unit), for which op, and what the target reports back.
struct Work : tlm::tlm_extension<Work> {
  uint64_t amount = 0;
  size_t op = 0;
  bool prefetch = false;
  uint64_t bus_end_ps = 0;  // DRAM: when the bus is free again (the DMA channel's next slot)
  tlm::tlm_extension_base* clone() const override { return new Work(*this); }
  void copy_from(const tlm::tlm_extension_base& e) override { *this = static_cast<const Work&>(e); }
};

// Sends one blocking transaction; returns the annotated delay. `w` outlives the call.
template <class Socket>
sc_core::sc_time transport(Socket& socket, tlm::tlm_command cmd, uint64_t addr, Work& w, RunContext& ctx,
                           sc_core::sc_time offset = sc_core::SC_ZERO_TIME) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(addr);
  gp.set_data_ptr(nullptr);
  gp.set_data_length(0);
  gp.set_streaming_width(0);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp.set_extension(&w);
  sc_core::sc_time delay = offset;
  socket->b_transport(gp, delay);
  gp.clear_extension(&w);
  ++ctx.transactions;
  return delay;
}

// Per-op busy time of a unit, in ps.
struct BusyByOp {
  std::vector<uint64_t> ps;
  void add(size_t op, uint64_t d) {
    if (op >= ps.size()) ps.resize(op + 1, 0);
    ps[op] += d;
  }
  uint64_t at(size_t op) const { return op < ps.size() ? ps[op] : 0; }
};

// Per-op earliest start of a unit's work, in ps (UINT64_MAX: none).
struct FirstByOp {
  std::vector<uint64_t> ps;
  void note(size_t op, uint64_t t) {
    if (op >= ps.size()) ps.resize(op + 1, UINT64_MAX);
    ps[op] = std::min(ps[op], t);
  }
  uint64_t at(size_t op) const { return op < ps.size() ? ps[op] : UINT64_MAX; }
};

// The DRAM channel: any number of DMA channels bind to its socket.
class DramTarget : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramTarget> socket;
  DramTarget(sc_core::sc_module_name name, const arch::DramConfig& cfg, RunContext& ctx, uint32_t track)
      : sc_module(name), socket("socket"), channel(cfg), ctx_(ctx), track_(track) {
    socket.register_b_transport(this, &DramTarget::b_transport);
  }
  timing::DramChannel channel;
  BusyByOp busy, prefetch_busy;
  FirstByOp first;  // each op's first demand transfer on the bus (prefetches not counted)

 private:
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    Work* w = nullptr;
    gp.get_extension(w);
    const uint64_t now = now_ps() + delay.value();
    const timing::DramAccess a = channel.access(now, gp.get_address(), w->amount, gp.is_write());
    (w->prefetch ? prefetch_busy : busy).add(w->op, a.bus_end_ps - a.start_ps);
    if (!w->prefetch) first.note(w->op, a.start_ps);
    if (ctx_.trace && a.bytes > 0)
      ctx_.trace->span(track_,
                       (gp.is_write() ? "write "
                        : w->prefetch ? "prefetch "
                                      : "read ") +
                           (*ctx_.op_names)[w->op],
                       a.start_ps, a.bus_end_ps,
                       timing::TraceArgs().add("op", (*ctx_.op_names)[w->op]).add("bytes", uint64_t(a.bytes)));
    w->bus_end_ps = a.bus_end_ps;
    delay = ps_time(a.done_ps - now_ps());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  RunContext& ctx_;
  uint32_t track_;
};

// A clocked unit serving one request at a time: the MAC array, the vector unit, SRAM ports.
// `cycles_of` turns a request's amount into cycles (identity: the amount is cycles).
class UnitTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<UnitTarget> socket;
  UnitTarget(sc_core::sc_module_name name, double frequency_hz, RunContext& ctx, uint32_t track,
             std::function<uint64_t(uint64_t)> cycles_of = {})
      : sc_module(name), socket("socket"), f_(frequency_hz), ctx_(ctx), track_(track), of_(std::move(cycles_of)) {
    socket.register_b_transport(this, &UnitTarget::b_transport);
  }
  BusyByOp busy;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    Work* w = nullptr;
    gp.get_extension(w);
    const uint64_t now = now_ps() + delay.value();
    const uint64_t cycles = of_ ? of_(w->amount) : w->amount;
    const uint64_t start = std::max(now, free_ps_);
    const uint64_t end = start + timing::cycles_to_ps(cycles, f_);
    free_ps_ = end;
    busy.add(w->op, end - start);
    if (ctx_.trace && end > start)
      ctx_.trace->span(track_, (*ctx_.op_names)[w->op], start, end, timing::TraceArgs().add("cycles", cycles));
    delay = ps_time(end - now_ps());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  double f_;
  RunContext& ctx_;
  uint32_t track_;
  std::function<uint64_t(uint64_t)> of_;
  uint64_t free_ps_ = 0;
};

// One DMA transfer as the sequencer sees it. `issued` fires when the channel has put it on
// the DRAM bus; the data is there at done_ps (reads) or accepted (writes).
struct DmaJob {
  DmaJob(bool write_, uint64_t addr_, uint64_t bytes_, size_t op_, bool prefetch_ = false)
      : write(write_), addr(addr_), bytes(bytes_), op(op_), prefetch(prefetch_) {}
  bool write = false;
  uint64_t addr = 0, bytes = 0;
  size_t op = 0;
  bool prefetch = false;
  bool issued = false;
  uint64_t done_ps = 0;
  sc_core::sc_event issued_ev;
};

// Waits (in the calling thread) until `j` has completed.
inline void wait_job(DmaJob& j, RunContext& ctx) {
  if (!j.issued) {
    sc_core::wait(j.issued_ev);
    ++ctx.events;
  }
  if (j.done_ps > now_ps()) {
    sc_core::wait(ps_time(j.done_ps - now_ps()));
    ++ctx.events;
  }
}

// A DMA channel: a FIFO queue of jobs, one on the DRAM bus at a time; it takes the next job
// when the bus has moved this one's data (reads' access latency overlaps the next job).
class DmaChannel : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(DmaChannel);
  tlm_utils::simple_initiator_socket<DmaChannel> socket;
  DmaChannel(sc_core::sc_module_name name, RunContext& ctx, uint32_t track, sc_core::sc_event& idle_ev,
             uint64_t max_transfer)
      : sc_module(name),
        socket("socket"),
        ctx_(ctx),
        track_(track),
        idle_ev_(idle_ev),
        max_transfer_(std::max<uint64_t>(max_transfer, 1)) {
    SC_THREAD(run);
  }
  void push(DmaJob* j) {
    queue_.push_back(j);
    queued_bytes_ += j->bytes;
    wake_.notify(sc_core::SC_ZERO_TIME);
  }
  uint64_t queued_bytes() const { return queued_bytes_; }
  bool idle() const { return queue_.empty(); }

 private:
  void run() {
    for (;;) {
      while (queue_.empty()) {
        sc_core::wait(wake_);
        ++ctx_.events;
      }
      DmaJob* j = queue_.front();
      Work w;
      w.op = j->op;
      w.prefetch = j->prefetch;
      const uint64_t start = now_ps();
      // Requests of at most max_transfer bytes, the next when the bus has moved this one.
      for (uint64_t off = 0; off < j->bytes; off += max_transfer_) {
        w.amount = std::min(max_transfer_, j->bytes - off);
        const uint64_t t0 = now_ps();
        const sc_core::sc_time d =
            transport(socket, j->write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, j->addr + off, w, ctx_);
        j->done_ps = t0 + d.value();
        if (w.bus_end_ps > now_ps()) {
          sc_core::wait(ps_time(w.bus_end_ps - now_ps()));
          ++ctx_.events;
        }
      }
      if (ctx_.trace && j->bytes > 0)
        ctx_.trace->span(track_,
                         (j->write      ? "write "
                          : j->prefetch ? "prefetch "
                                        : "read ") +
                             (*ctx_.op_names)[j->op],
                         start, now_ps(),  // the channel is busy until the bus has the data
                         timing::TraceArgs().add("op", (*ctx_.op_names)[j->op]).add("bytes", uint64_t(j->bytes)));
      queue_.pop_front();
      queued_bytes_ -= j->bytes;
      j->issued = true;
      j->issued_ev.notify(sc_core::SC_ZERO_TIME);
      if (queue_.empty()) idle_ev_.notify(sc_core::SC_ZERO_TIME);
    }
  }
  RunContext& ctx_;
  uint32_t track_;
  sc_core::sc_event& idle_ev_;
  uint64_t max_transfer_;
  std::deque<DmaJob*> queue_;
  uint64_t queued_bytes_ = 0;
  sc_core::sc_event wake_;
};

// The DMA engine: several channels, each with its own FIFO queue. The sequencer gives each
// stream its own queue (loads, stores, prefetches: stream % channels), so a stream's jobs stay
// in order while streams interleave on the DRAM at max_transfer grain. Every channel binds
// to the DRAM.
class DmaEngine : public sc_core::sc_module {
 public:
  DmaEngine(sc_core::sc_module_name name, const arch::DmaConfig& cfg, RunContext& ctx,
            const std::vector<uint32_t>& tracks, DramTarget& dram)
      : sc_module(name) {
    for (uint32_t i = 0; i < cfg.channels; ++i) {
      channels_.push_back(std::make_unique<DmaChannel>(("ch" + std::to_string(i)).c_str(), ctx, tracks[i], idle_ev,
                                                       cfg.max_transfer_bytes));
      channels_.back()->socket.bind(dram.socket);
    }
  }
  void submit(DmaJob* j, uint32_t stream) { channels_[stream % channels_.size()]->push(j); }
  bool idle() const {
    for (const auto& c : channels_)
      if (!c->idle()) return false;
    return true;
  }
  sc_core::sc_event idle_ev;  // a channel's queue ran empty

 private:
  std::vector<std::unique_ptr<DmaChannel>> channels_;
};

}  // namespace npusim::sim::sc
