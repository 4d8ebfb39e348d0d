#pragma once
// What both engines count the same way. count_op: an op's work and traffic from its
// schedule (no timing). finish_run: per-op bound, energy and utilisation from the timed
// counters, and the run totals. Engines differ only in the times they fill in between.
#include <vector>

#include "arch/npu_config.h"
#include "mappers/schedule.h"
#include "run_stats.h"
#include "workloads/graph.h"

namespace npusim::sim {

// Name, kind, mapping, SRAM peak and every byte/MAC/cycle counter of `os`; times left 0.
OpStats count_op(const workloads::Graph& graph, const mappers::OpSchedule& os);

// Data dependencies between scheduled ops: entry i is how many ops (a prefix of the
// schedule) must be done before op i may read its activation / KV inputs. A producer with no
// tiles of its own (a view, or an op fused into another) is not tracked: then every op
// before i must be done. Graph inputs and weights need nothing.
std::vector<size_t> inputs_ready_after(const workloads::Graph& graph, const mappers::Schedule& schedule);

// Cycles of one step's SRAM traffic at the full port width (reads and writes share ports).
uint64_t sram_stream_cycles(const mappers::TileStep& t, const arch::SramConfig& sram);

// Fixed per-op cost in integer ps (hw.overhead, rounded to the ps): per_mac_op for an op whose
// tiles do MACs (with whatever was fused into it), per_vector_op for any other op with tiles,
// 0 for an op without tiles (a view, or an op fused into its host).
uint64_t op_overhead_ps(const mappers::OpSchedule& os, const arch::NpuConfig& hw);
// Which fixed cost an op pays: none (fused away or a view), MAC work, vector work, or data
// movement alone.
enum class OverheadClass { kNone, kMac, kVector, kCopy };
OverheadClass overhead_class(const mappers::OpSchedule& os);

// The fixed cost each op of `schedule` pays, in integer ps: op_overhead_ps, less, with
// hw.overhead.queued_mac_dispatch and `queue`, the part of a MAC op's cost that overlaps the
// tensor-unit time (its MAC cycles at the array clock) of the op before it, the last one with
// tiles, when that op does MACs too. `queue` false (ops timed as if each ran alone): every op
// pays op_overhead_ps. Both engines use it for the dispatch window the DMA prefetches in and for
// add_op_overheads, so they agree on it exactly.
std::vector<uint64_t> exposed_overheads_ps(const mappers::Schedule& schedule, const arch::NpuConfig& hw, bool queue);

// Charges every op its fixed cost after the engine has timed it, as a stall of the compute
// units at the op's dispatch (the engines let the DMA prefetch the op's weights meanwhile):
// exposed[i] (exposed_overheads_ps) added to latency and busy time (overlapped unchanged, so
// the overlap and prefetch the engine found between neighbours stand), in seconds and in ps,
// and to r.latency_ps; what a queued dispatch hid goes to r.op_overhead_hidden_ps. Both
// engines call it with the ops' times filled in.
void add_op_overheads(RunStats& r, const mappers::Schedule& schedule, const arch::NpuConfig& hw,
                      const std::vector<uint64_t>& exposed);

// Fills bound, energy and utilisation of every op and the totals. The engine has filled each
// op's time: latency_s (exposed: what the op adds to the network), busy_s (its own busy
// span), overlapped_s = busy_s - latency_s, the same split in integer ps (exposed_ps,
// overlapped_ps) and r.latency_ps. The bound is the largest of own DRAM time, MAC time and
// vector time, or kOverlapped for an op with work that adds no latency; utilisation is MACs
// over peak x busy time. own_dram_s[i]: op i's DRAM time not hidden in the previous op
// (cross-op prefetch). Bounds and time_by_bound_s are of each op's time without its fixed cost
// ("overlapped": the op's own work adds no latency). Last, the run's fixed cost
// (overhead.per_run, with static power over it) is added to r.latency_ps and r.total, in no op.
void finish_run(RunStats& r, const arch::NpuConfig& hw, arch::PrecisionMode precision,
                const std::vector<double>& own_dram_s);

// Integer ps of a run whose op times are doubles: each op's exposed_ps is the difference of
// the rounded cumulative end times, so the ops sum to r.latency_ps (the rounded network
// latency) exactly; overlapped_ps is each op's overlapped_s rounded.
// Throws UserError if the network's time is past kMaxRunPs (or not finite).
void round_times_to_ps(RunStats& r);

// The longest network run either engine represents: 2^63 ps (about 106.7 days). Time is
// integer ps (SystemC's sc_time is 64 bits and wraps at 2^64 ps); beyond it a run is refused
// with a message, never reported wrapped or saturated.
inline constexpr double kMaxRunPs = 9223372036854775808.0;  // 2^63
inline constexpr const char* kRunPsRange = "npusim's range of 2^63 ps (106.7 days) per network run";
// UserError naming the time, the engine ("" for none) and the range exceeded.
[[noreturn]] void throw_time_out_of_range(double seconds, const std::string& engine, const std::string& range);

}  // namespace npusim::sim
