#pragma once
// Functional check of a mapping (DESIGN.md "Fidelity"), on every MAC op whatever its size:
//  - the coverage proof (verify_coverage.h) walks the op's tile program (tile_program.h) by
//    index ranges and proves that every output receives every reduction index exactly once
//    and that every operand element a fold reads was loaded by its tile; it runs on every op;
//  - the numeric check executes the same program fold by fold on deterministic random int8
//    operands with int32 accumulators and compares it bit-exactly with a direct reference
//    (conv2d with stride, padding and groups; matmul; Q.K^T; P.V; x.W^T); it runs on ops of
//    at most VerifyOptions::max_macs MACs (and operand elements), as its cost is the op's.
// A tiling that drops, repeats or misplaces work fails either. The values are int8 whatever
// the graph's precision: the check is of coverage and placement, not of rounding. Biases are
// not applied (they do not depend on the tiling). Accumulation wraps modulo 2^32 in both the
// program and the reference, so any K is exact.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schedule.h"
#include "tile_program.h"
#include "verify_coverage.h"
#include "workloads/graph.h"

namespace npusim::mappers {

// Default limit on the MACs of an op that is also checked numerically (each numeric check
// runs about twice that many); bigger ops are checked by the coverage proof alone.
inline constexpr uint64_t kDefaultVerifyMaxMacs = uint64_t{1} << 24;

struct VerifyOptions {
  uint64_t max_macs = kDefaultVerifyMaxMacs;         // bigger ops are checked by coverage only
  TileProgramFault fault = TileProgramFault::kNone;  // tests only
};

// How a MAC op was checked: numerically (which includes the coverage proof) or by the
// coverage proof alone.
enum class VerifyMethod : uint8_t { kNone, kNumeric, kCoverage };
std::string_view verify_method_name(VerifyMethod m);  // "-", "numeric", "coverage"

struct VerifyResult {
  enum class Status : uint8_t { kPass, kMismatch, kSkipped };
  Status status = Status::kSkipped;
  VerifyMethod method = VerifyMethod::kNone;
  workloads::OpId id = 0;
  std::string op;               // op name
  std::string message;          // why skipped, or every reason it failed, "; "-separated ("" on a pass)
  uint64_t macs = 0;            // the op's MACs
  uint64_t outputs = 0;         // output elements compared (numeric only)
  uint64_t mismatches = 0;      // output elements that differ from the reference (numeric only)
  uint64_t first_mismatch = 0;  // flat index into the output tensor of the first one
  CoverageResult coverage;      // the coverage proof (every MAC op)
  TileProgramStats program;     // tiles, folds and MACs the program ran
  bool passed() const { return status == Status::kPass; }
  bool failed() const { return status == Status::kMismatch; }
};

// Checks op `id` mapped with `tiling` on a rows x cols array: the coverage proof always, the
// numeric check too when the op has at most opts.max_macs MACs and operand elements. Skips
// (status kSkipped, with the reason in `message`) non-MAC ops only. Fails on an unproven
// coverage, a numeric mismatch, a tiling that cannot run (zero or oversized tiles), a program
// that runs a different number of MACs than the op has, and when the program's fold count
// differs from the dataflow cost model's (gemm_cycles) for its tiles.
VerifyResult verify_op(const workloads::Graph& g, workloads::OpId id, const MacTiling& tiling, uint32_t rows,
                       uint32_t cols, uint64_t seed, const VerifyOptions& opts = {});

struct GraphVerifyResult {
  std::vector<VerifyResult> ops;                   // MAC ops, in schedule order
  uint64_t numeric = 0, coverage = 0, failed = 0;  // by method; failed counts either method
  uint64_t checked() const { return numeric + coverage; }
  bool passed() const { return failed == 0; }
};

// verify_op on every MAC op of the schedule (ops of at most max_macs MACs numerically too),
// also failing an op whose program runs a different number of MACs than its tile steps charge.
GraphVerifyResult verify_graph(const workloads::Graph& g, const Schedule& s, uint32_t rows, uint32_t cols,
                               uint64_t seed, uint64_t max_macs = kDefaultVerifyMaxMacs);

}  // namespace npusim::mappers
