#pragma once
// Functional check of a mapping (DESIGN.md "Fidelity"): a MAC op's tile program (tile_program.h)
// is executed numerically, fold by fold, on deterministic random int8 operands with int32
// accumulators, and compared bit-exactly with a direct reference (conv2d with stride, padding
// and groups; matmul; Q.K^T; P.V; x.W^T). A tiling that drops, repeats or misplaces work fails.
// The values are int8 whatever the graph's precision: the check is of coverage and placement,
// not of rounding. Biases are not applied (they do not depend on the tiling). Accumulation
// wraps modulo 2^32 in both the program and the reference, so any K is exact.
#include <cstdint>
#include <string>
#include <vector>

#include "schedule.h"
#include "tile_program.h"
#include "workloads/graph.h"

namespace npusim::mappers {

// Default limit on the MACs of an op that is checked (each check runs about twice that many).
inline constexpr uint64_t kDefaultVerifyMaxMacs = uint64_t{1} << 24;

struct VerifyOptions {
  uint64_t max_macs = kDefaultVerifyMaxMacs;         // bigger ops are skipped, not checked
  TileProgramFault fault = TileProgramFault::kNone;  // tests only
};

struct VerifyResult {
  enum class Status : uint8_t { kPass, kMismatch, kSkipped };
  Status status = Status::kSkipped;
  std::string op;               // op name
  std::string message;          // why skipped, or what failed ("" on a pass)
  uint64_t macs = 0;            // the op's MACs
  uint64_t outputs = 0;         // output elements compared
  uint64_t mismatches = 0;      // output elements that differ from the reference
  uint64_t first_mismatch = 0;  // flat index into the output tensor of the first one
  TileProgramStats program;     // tiles, folds and MACs the program ran
  bool passed() const { return status == Status::kPass; }
  bool failed() const { return status == Status::kMismatch; }
};

// Checks op `id` mapped with `tiling` on a rows x cols array. Skips (status kSkipped, with the
// reason in `message`) non-MAC ops and ops with more than opts.max_macs MACs. Fails on a
// numeric mismatch, on a tiling that cannot run (zero or oversized tiles), and when the
// program's fold count differs from the dataflow cost model's (gemm_cycles) for its tiles.
VerifyResult verify_op(const workloads::Graph& g, workloads::OpId id, const MacTiling& tiling, uint32_t rows,
                       uint32_t cols, uint64_t seed, const VerifyOptions& opts = {});

struct GraphVerifyResult {
  std::vector<VerifyResult> ops;  // MAC ops, in schedule order
  uint64_t checked = 0, skipped = 0, failed = 0;
  bool passed() const { return failed == 0; }
};

// verify_op on every MAC op of the schedule with at most max_macs MACs, also failing an op
// whose program runs a different number of MACs than its tile steps charge.
GraphVerifyResult verify_graph(const workloads::Graph& g, const Schedule& s, uint32_t rows, uint32_t cols,
                               uint64_t seed, uint64_t max_macs = kDefaultVerifyMaxMacs);

}  // namespace npusim::mappers
