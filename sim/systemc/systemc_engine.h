#pragma once
// The event-driven engine: SystemC 2.3 modules joined by TLM-2.0 sockets execute a Schedule
// tile by tile with real concurrency and contention (DESIGN.md "Fidelity"), the reference
// the analytic engine is checked against. Modules (modules.h) are thin shells over the plain
// timing classes in sim/timing/:
//   sequencer --(loads, stores)--> DMA engine (channels, FIFO queues) --> DRAM channel
//   sequencer --(tile compute)---> MAC array, vector unit, SRAM ports
// The sequencer runs three processes over every tile of every op in order: a loader, the
// compute, and a storer, joined by two input and two output buffers (double buffering), so a
// load runs ahead of compute only while a buffer is free. Activation, KV and spill reads of
// an op wait until every earlier op has stored its output; weight reads do not, and the
// next op's weights are prefetched into the SRAM the running op leaves free while the DRAM
// would otherwise idle, and during that op's fixed cost: the fixed costs are added to the ops'
// latencies after the run (a dispatch stalls the compute units), and the DMA fetches at the
// DRAM's bandwidth meanwhile, up to the same free SRAM. Fused chains arrive from the mapper as
// one op's steps.
//
// SystemC's kernel is a process global: each run builds a fresh sc_simcontext, and runs are
// serialised by a mutex, so concurrent callers (sweep threads) wait for each other; run
// SystemC sweeps in processes to use several cores.
#include <cstdint>

#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "sim/run_stats.h"
#include "sim/timing/trace.h"
#include "workloads/graph.h"

namespace npusim::sim {

struct SystemcRunInfo {
  uint64_t events = 0;        // process activations (every wait that resumed)
  uint64_t transactions = 0;  // TLM b_transport calls
  uint64_t tiles = 0;         // tile steps executed (repeats expanded)
  uint64_t dram_row_misses = 0, dram_refreshes = 0, dram_turnarounds = 0;
  uint64_t prefetched_weight_bytes = 0;
  uint64_t end_ps = 0;  // simulated time when the kernel ran out of events
};

struct SystemcOptions {
  // Records one track per unit (DRAM, each DMA channel, MAC array, vector unit, SRAM) plus
  // the ops, with spans in simulated time.
  timing::Trace* trace = nullptr;
  // Each op starts when the one before is done and nothing is prefetched: per-op latencies
  // as if each op ran alone (what the engine-agreement test compares op by op).
  bool isolate_ops = false;
};

// Runs `schedule` on `hw`. An op's latency (exposed time) is the time from the previous op's
// completion to its own (its last store done), so ops sum to the network latency. Its busy
// time runs from its first DRAM transfer (not counting weights prefetched during the op
// before) or first tile computed, or from the previous op's completion if that is earlier
// (then only its work is left), to its completion; the part before the previous op's
// completion is its overlapped time. A load waiting in a DMA queue is not yet busy.
RunStats run_systemc(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule,
                     const SystemcOptions& options = {}, SystemcRunInfo* info = nullptr);

}  // namespace npusim::sim
