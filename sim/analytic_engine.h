#pragma once
// Closed-form engine: turns a Schedule into RunStats. Within an op, tiles are double
// buffered: while the MAC array and vector unit work on tile j, DMA loads tile j+1 and
// stores tile j-1 over the one DRAM link. An op takes
//   load(1) + sum_j max(compute(j), dma(j)) + store(n)
//   dma(j) = max(bus(load(j+1)) + store(j-1), (compute(j) + bus(load(j+1)) + latency) / 2)
// so the first load and last store are the pipeline's fill and drain, and a load's access
// latency overlaps other transfers (the next load is queued a slot early, when a buffer
// frees). compute(j) is the slowest of the MAC
// array, the vector unit (or their sum if they do not overlap) and the SRAM ports. Ops run
// in order; where an op does not read the previous op's stored output the pipeline runs on
// across the boundary, and the next op's weights are prefetched into free SRAM while the
// DMA idles, which includes that op's fixed cost (a dispatch stalls the compute units, not
// the DMA). An op's busy time is its pipelined time (after prefetch); the part of it that
// runs on under the previous op's tail is its overlapped time, the rest its latency, so the
// ops' latencies sum to the network's. Checked against the SystemC engine
// (tests/sim/engine_agreement_test.cpp).
#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "run_stats.h"
#include "workloads/graph.h"

namespace npusim::sim {

// isolate_ops: every op as if run alone (no overlap across op boundaries, no prefetch), the
// per-op view the engine-agreement test compares.
RunStats run_analytic(const workloads::Graph& graph, const arch::NpuConfig& hw, const mappers::Schedule& schedule,
                      bool isolate_ops = false);

}  // namespace npusim::sim
