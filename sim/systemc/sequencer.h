#pragma once
// The sequencer: issues every op's tile steps in order over three processes (loader,
// compute, storer) joined by double buffers, and prefetches the next op's weights into free
// SRAM while the DMA idles and during that op's fixed cost. See systemc_engine.h for the rules
// it follows.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "modules.h"
#include "workloads/graph.h"

namespace npusim::sim::sc {

class Sequencer : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Sequencer);
  tlm_utils::simple_initiator_socket<Sequencer> mac_socket, vector_socket, sram_socket;
  Sequencer(sc_core::sc_module_name name, const workloads::Graph& graph, const mappers::Schedule& schedule,
            const arch::NpuConfig& hw, DmaEngine& dma, DramTarget& dram, RunContext& ctx, bool isolate_ops,
            const std::vector<uint64_t>& overhead_ps);

  std::vector<uint64_t> op_done_ps;        // when each op's last store completed
  std::vector<uint64_t> op_start_ps;       // when each op's first tile began computing (UINT64_MAX: none)
  std::vector<uint64_t> prefetched_bytes;  // weights of each op loaded during the previous op
  uint64_t tiles = 0;

 private:
  static constexpr uint32_t kLoadStream = 0, kStoreStream = 1, kPrefetchStream = 2;  // DMA queues
  static constexpr int kBuffers = 2;                    // double buffering, input and output side
  static constexpr uint64_t kPrefetchChunk = 16 << 10;  // bytes per prefetch DMA job

  struct TileLoad {
    std::optional<DmaJob> weight, rest;
  };
  void loader();
  void lander();
  void compute();
  void storer();
  void prefetcher();
  // Weight bytes of op j that may be prefetched: its DRAM weight reads, at most the SRAM the op
  // running before it (the last one with tiles) leaves free.
  uint64_t prefetch_cap(size_t j) const;
  // The op running while op j's weights are prefetched: the last op before j with tiles.
  size_t op_before(size_t j) const;
  void mark_done(size_t op);
  void mark_started(size_t op) { op_start_ps[op] = std::min(op_start_ps[op], now_ps()); }
  void wait_for(sc_core::sc_event& e) {
    sc_core::wait(e);
    ++ctx_.events;
  }
  void take(sc_core::sc_semaphore& s) {
    if (s.trywait() != 0) {
      s.wait();
      ++ctx_.events;
    }
  }
  uint64_t next_addr(bool write, int traffic, uint64_t bytes);

  const mappers::Schedule& schedule_;
  const arch::NpuConfig& hw_;
  DmaEngine& dma_;
  DramTarget& dram_;
  RunContext& ctx_;
  const bool isolate_;
  const std::vector<uint64_t>& overhead_ps_;  // each op's exposed fixed cost (exposed_overheads_ps)
  std::vector<uint64_t> op_tiles_;            // tiles of each op (repeats expanded)
  std::vector<uint64_t> weight_bytes_;        // DRAM weight reads of each op
  std::vector<size_t> need_done_;             // ops that must be done before op i reads its inputs
  sc_core::sc_semaphore in_free_, in_full_, out_free_, out_full_;
  size_t ops_done_ = 0;   // ops whose last store completed (in order)
  size_t loader_op_ = 0;  // the op the loader is on
  bool loader_started_ = false;
  bool loader_blocked_ = false;                     // the loader waits for a free buffer: the DMA has no demand
  std::vector<bool> prefetch_busy_;                 // a prefetch chunk for op i is on its way
  std::deque<std::unique_ptr<TileLoad>> inflight_;  // submitted loads, in tile order
  sc_core::sc_event inflight_ev_;
  sc_core::sc_event op_done_ev_, loader_ev_, loader_block_ev_, prefetch_ev_;
  uint64_t stream_addr_[2][mappers::kNumTraffic] = {};
};

}  // namespace npusim::sim::sc
