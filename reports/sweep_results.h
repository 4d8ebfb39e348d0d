#pragma once
// Sweep results as JSON Lines. A results file is a header line, then one line per point:
//   {"sweep":"<hash>","header":{schema, name, points, axes, resolved base hardware, version...}}
//   {"sweep":"<hash>","index":12,"point":{"model":..,<axis>:..,"strategy":..},"status":"ok","metrics":{..}}
//   {"sweep":"<hash>","index":13,"point":{..},"status":"error","error":"<message>"}
// Lines are appended as points finish; the canonical form (header, then points by index) is
// what a finished sweep, a merge and --jobs N all leave behind, byte for byte.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/sweep.h"

namespace npusim::reports {

// 2: metrics per workload kind from sim/metrics (diffusion images_per_s, LLM time to first token and
// decode tokens/s, network inferences/s), per-image figures divided by the batch, metric_definitions
// in the header. reports/schema/npusim.sweep.schema.json documents it.
inline constexpr int kSweepSchemaVersion = 2;

std::string sweep_header_line(const sim::SweepSpec& spec, const arch::NpuConfig& base, const std::string& hash);
// `{"sweep":..,"index":..,"point":{..}` without the closing brace: every line of this point
// starts with it, which is how a resumed sweep recognises points already done.
std::string sweep_point_head(const std::string& hash, const sim::SweepPoint& p);
// The whole line, '\n'-terminated; `r` null means the point failed with `error`.
std::string sweep_point_line(const std::string& hash, const sim::SweepPoint& p, const sim::WorkloadResult* r,
                             const std::string& error);

// The longest line a results file may hold (a point's line is ~1.5 KB; its error message is
// capped): a longer one is not a results line, and no line is ever allocated beyond this.
inline constexpr size_t kMaxSweepLineBytes = size_t{1} << 20;

// A results file as read back, streamed: where each complete line is, not the lines, so files
// of any size are read in memory proportional to their point count (16 bytes a point). A last
// line without its '\n' (a write cut short by kill -9) is left out and `complete_bytes` says
// where the good part ends.
struct SweepFile {
  std::string path;
  std::string hash;     // of the header (or of the first line if there is no header)
  std::string header;   // the header line, '\n'-terminated, or ""
  uint64_t points = 0;  // from the header
  // (point index, byte offset of its line), sorted by index, one per index.
  std::vector<std::pair<uint64_t, uint64_t>> lines;
  uint64_t complete_bytes = 0;
  bool truncated_tail = false;
  bool canonical = true;  // as written: header first, then each point once in index order, whole

  bool has(uint64_t index) const;
};
// Called with each point line as it is read (e.g. to check it against the sweep file); throws
// to refuse it. `where` is "path:line: ".
using SweepLineCheck = std::function<void(uint64_t index, std::string_view line, const std::string& where)>;
// Throws UserError naming file and line for anything that is not a sweep results line, a
// second header, lines of two sweeps, or one index recorded twice with different results.
SweepFile read_sweep_file(const std::string& path, const SweepLineCheck& check = {});

// What write_canonical_sweep wrote.
struct CanonicalStats {
  uint64_t points_written = 0, failed = 0;
  std::vector<uint64_t> first_missing;  // the first 10 indices below `points` in no file
};
// Replaces `out` (through a temporary file, see replace_file_safely) with `header` and then the
// point lines of `files` in index order, streamed from the files. A point in several files must
// have the same line in each (else UserError naming the later file). `out` may be one of the
// inputs: it is read before it is replaced.
CanonicalStats write_canonical_sweep(const std::string& out, const std::string& header,
                                     std::span<const SweepFile> files, uint64_t points);

// Writes `text` to `path` through a temporary file and a rename, so a reader sees the old or
// the new file, never a part. Throws UserError on I/O failure.
void replace_file(const std::string& path, const std::string& text);

}  // namespace npusim::reports
