#include "sequencer.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "sim/op_accounting.h"

namespace npusim::sim::sc {

using mappers::TileStep;
using mappers::Traffic;

Sequencer::Sequencer(sc_core::sc_module_name name, const workloads::Graph& graph, const mappers::Schedule& schedule,
                     const arch::NpuConfig& hw, DmaEngine& dma, DramTarget& dram, RunContext& ctx, bool isolate_ops,
                     const std::vector<uint64_t>& overhead_ps)
    : sc_module(name),
      mac_socket("mac_socket"),
      vector_socket("vector_socket"),
      sram_socket("sram_socket"),
      op_done_ps(schedule.ops.size(), 0),
      op_start_ps(schedule.ops.size(), UINT64_MAX),
      prefetched_bytes(schedule.ops.size(), 0),
      schedule_(schedule),
      hw_(hw),
      dma_(dma),
      dram_(dram),
      ctx_(ctx),
      isolate_(isolate_ops),
      overhead_ps_(overhead_ps),
      op_tiles_(schedule.ops.size(), 0),
      weight_bytes_(schedule.ops.size(), 0),
      in_free_("in_free", kBuffers),
      in_full_("in_full", 0),
      out_free_("out_free", kBuffers),
      out_full_("out_full", 0),
      prefetch_busy_(schedule.ops.size(), false) {
  for (size_t i = 0; i < schedule.ops.size(); ++i)
    for (const TileStep& t : schedule.ops[i].steps) {
      op_tiles_[i] += t.repeat;
      weight_bytes_[i] += t.repeat * t.dram_read_bytes[int(Traffic::kWeight)];
    }
  need_done_ = inputs_ready_after(graph, schedule);
  SC_THREAD(loader);
  SC_THREAD(lander);
  SC_THREAD(compute);
  SC_THREAD(storer);
  if (!isolate_) {
    SC_THREAD(prefetcher);
  }
}

// Each traffic kind and direction streams through its own address region, so the lpddr
// model sees sequential rows within a stream and conflicts between streams.
uint64_t Sequencer::next_addr(bool write, int traffic, uint64_t bytes) {
  uint64_t& a = stream_addr_[write ? 1 : 0][traffic];
  const uint64_t addr = (uint64_t(write ? 4 + traffic : traffic) << 36) + a;
  a += bytes;
  return addr;
}

void Sequencer::mark_done(size_t op) {
  op_done_ps[op] = now_ps();
  ops_done_ = op + 1;
  // Ops without tiles (views) finish with the op before them.
  while (ops_done_ < op_tiles_.size() && op_tiles_[ops_done_] == 0) op_done_ps[ops_done_++] = now_ps();
  op_done_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Sequencer::loader() {
  // Leading ops without tiles are done at time 0.
  while (ops_done_ < op_tiles_.size() && op_tiles_[ops_done_] == 0) op_done_ps[ops_done_++] = 0;
  for (size_t i = 0; i < schedule_.ops.size(); ++i) {
    if (op_tiles_[i] == 0) continue;
    if (isolate_)
      while (ops_done_ < i) wait_for(op_done_ev_);
    loader_op_ = i;
    loader_started_ = true;
    loader_ev_.notify(sc_core::SC_ZERO_TIME);
    while (prefetch_busy_[i]) wait_for(prefetch_ev_);  // a prefetch chunk still landing
    if (!isolate_ && i > 0) {
      // The op's fixed cost (its dispatch: added to its latency after the run, outside this
      // timeline) stalls the compute units, not the DMA, which goes on fetching the op's
      // weights at the DRAM's bandwidth meanwhile, up to the prefetch cap.
      const uint64_t cap = prefetch_cap(i);
      const double dispatch_bytes = double(overhead_ps_[i]) * 1e-12 * hw_.dram.bandwidth_bytes_per_s;
      if (prefetched_bytes[i] < cap)
        prefetched_bytes[i] += std::min(cap - prefetched_bytes[i], static_cast<uint64_t>(dispatch_bytes));
    }
    uint64_t credit = prefetched_bytes[i];
    for (const TileStep& t : schedule_.ops[i].steps)
      for (uint64_t rep = 0; rep < t.repeat; ++rep) {
        if (in_free_.trywait() != 0) {
          loader_blocked_ = true;
          loader_block_ev_.notify(sc_core::SC_ZERO_TIME);
          in_free_.wait();
          ++ctx_.events;
          loader_blocked_ = false;
        }
        uint64_t weight = t.dram_read_bytes[int(Traffic::kWeight)];
        const uint64_t used = std::min(weight, credit);
        credit -= used;
        weight -= used;
        const uint64_t other = t.dram_read_total() - t.dram_read_bytes[int(Traffic::kWeight)];
        int other_kind = int(Traffic::kActivation);
        for (int k = 0; k < mappers::kNumTraffic; ++k)
          if (k != int(Traffic::kWeight) && t.dram_read_bytes[k] > 0) other_kind = k;
        // Submitted now, landed in order by lander(): several loads may be in flight.
        auto tl = std::make_unique<TileLoad>();
        if (other > 0 && ops_done_ < need_done_[i]) {
          // Inputs of this op may still be on their way out of an earlier one: weights go
          // now, the rest once the producers have stored their output.
          if (weight > 0) {
            tl->weight.emplace(false, next_addr(false, int(Traffic::kWeight), weight), weight, i);
            dma_.submit(&*tl->weight, kLoadStream);
          }
          while (ops_done_ < need_done_[i]) wait_for(op_done_ev_);
          tl->rest.emplace(false, next_addr(false, other_kind, other), other, i);
          dma_.submit(&*tl->rest, kLoadStream);
        } else if (weight + other > 0) {
          tl->rest.emplace(false,
                           next_addr(false, weight >= other ? int(Traffic::kWeight) : other_kind, weight + other),
                           weight + other, i);
          dma_.submit(&*tl->rest, kLoadStream);
        }
        inflight_.push_back(std::move(tl));
        inflight_ev_.notify(sc_core::SC_ZERO_TIME);
      }
  }
  loader_op_ = schedule_.ops.size();
  loader_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Sequencer::lander() {
  for (;;) {
    while (inflight_.empty()) wait_for(inflight_ev_);
    TileLoad& tl = *inflight_.front();
    if (tl.weight) wait_job(*tl.weight, ctx_);
    if (tl.rest) wait_job(*tl.rest, ctx_);
    inflight_.pop_front();
    in_full_.post();
  }
}

void Sequencer::compute() {
  const bool overlap = hw_.vector_unit.overlaps_mac;
  for (size_t i = 0; i < schedule_.ops.size(); ++i)
    for (const TileStep& t : schedule_.ops[i].steps)
      for (uint64_t rep = 0; rep < t.repeat; ++rep) {
        take(in_full_);
        take(out_free_);
        mark_started(i);
        ++tiles;
        sc_core::sc_time mac = sc_core::SC_ZERO_TIME, vec = sc_core::SC_ZERO_TIME, sram = sc_core::SC_ZERO_TIME;
        Work w;
        w.op = i;
        if (t.mac_cycles > 0) {
          w.amount = t.mac_cycles;
          mac = transport(mac_socket, tlm::TLM_IGNORE_COMMAND, 0, w, ctx_);
        }
        if (t.vector_cycles > 0) {
          // Without overlap the vector unit starts when the MAC array is done.
          w.amount = t.vector_cycles;
          vec = transport(vector_socket, tlm::TLM_IGNORE_COMMAND, 0, w, ctx_, overlap ? sc_core::SC_ZERO_TIME : mac);
        }
        const uint64_t sram_bytes = t.sram_read_bytes + t.sram_write_bytes;
        if (sram_bytes > 0) {
          w.amount = sram_bytes;
          sram = transport(sram_socket, tlm::TLM_IGNORE_COMMAND, 0, w, ctx_);
        }
        const sc_core::sc_time d = std::max({mac, vec, sram});
        if (d > sc_core::SC_ZERO_TIME) {
          sc_core::wait(d);
          ++ctx_.events;
        }
        in_free_.post();
        out_full_.post();
      }
}

void Sequencer::storer() {
  for (size_t i = 0; i < schedule_.ops.size(); ++i) {
    if (op_tiles_[i] == 0) continue;
    for (const TileStep& t : schedule_.ops[i].steps)
      for (uint64_t rep = 0; rep < t.repeat; ++rep) {
        take(out_full_);
        const uint64_t bytes = t.dram_write_total();
        if (bytes > 0) {
          int kind = int(Traffic::kActivation);
          for (int k = 0; k < mappers::kNumTraffic; ++k)
            if (t.dram_write_bytes[k] > 0) kind = k;
          // Reads first: a load issued at this instant (it gates compute) takes the bus
          // before this posted store.
          sc_core::wait(sc_core::SC_ZERO_TIME);
          DmaJob j(true, next_addr(true, kind, bytes), bytes, i);
          dma_.submit(&j, kStoreStream);
          wait_job(j, ctx_);
        }
        out_free_.post();
      }
    mark_done(i);
  }
}

size_t Sequencer::op_before(size_t j) const {
  size_t i = j - 1;
  while (i > 0 && op_tiles_[i] == 0) --i;
  return i;
}

uint64_t Sequencer::prefetch_cap(size_t j) const {
  const uint64_t peak = schedule_.ops[op_before(j)].sram_peak_bytes;
  return std::min(weight_bytes_[j], hw_.sram.size_bytes > peak ? hw_.sram.size_bytes - peak : 0);
}

// While op i runs, loads op i+1's weights into the SRAM op i leaves free, one chunk at a
// time and only while the loader waits for a buffer, no DMA channel has work and the DRAM
// bus is idle, so demand loads wait at most one chunk. Stops when the loader reaches op i+1.
void Sequencer::prefetcher() {
  const size_t n = schedule_.ops.size();
  for (size_t j = 1; j < n; ++j) {
    if (op_tiles_[j] == 0 || weight_bytes_[j] == 0) continue;
    const size_t i = op_before(j);
    while (!loader_started_ || loader_op_ < i) wait_for(loader_ev_);
    if (loader_op_ >= j) continue;
    const uint64_t cap = prefetch_cap(j);
    while (prefetched_bytes[j] < cap && loader_op_ < j) {
      if (!loader_blocked_) {
        sc_core::wait(loader_block_ev_ | loader_ev_);
        ++ctx_.events;
        continue;
      }
      if (!dma_.idle()) {
        sc_core::wait(dma_.idle_ev | loader_ev_);
        ++ctx_.events;
        continue;
      }
      if (dram_.channel.free_ps() > now_ps()) {
        sc_core::wait(ps_time(dram_.channel.free_ps() - now_ps()));
        ++ctx_.events;
        continue;
      }
      const uint64_t bytes = std::min(kPrefetchChunk, cap - prefetched_bytes[j]);
      DmaJob job(false, next_addr(false, int(Traffic::kWeight), bytes), bytes, j, true);
      prefetch_busy_[j] = true;
      dma_.submit(&job, kPrefetchStream);
      wait_job(job, ctx_);
      prefetched_bytes[j] += bytes;
      prefetch_busy_[j] = false;
      prefetch_ev_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

}  // namespace npusim::sim::sc
