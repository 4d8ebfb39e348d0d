#pragma once
// Sweep results as JSON Lines. A results file is a header line, then one line per point:
//   {"sweep":"<hash>","header":{schema, name, points, axes, resolved base hardware, version...}}
//   {"sweep":"<hash>","index":12,"point":{"model":..,<axis>:..,"strategy":..},"status":"ok","metrics":{..}}
//   {"sweep":"<hash>","index":13,"point":{..},"status":"error","error":"<message>"}
// Lines are appended as points finish; the canonical form (header, then points by index) is
// what a finished sweep, a merge and --jobs N all leave behind, byte for byte.
#include <cstdint>
#include <map>
#include <string>

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

// A results file as read back: complete lines only. A last line without its '\n' (a write cut
// short by kill -9) is left out and `complete_bytes` says where the good part ends.
struct SweepFile {
  std::string path;
  std::string hash;                       // of the header (or of the first line if there is no header)
  std::string header;                     // the header line, '\n'-terminated, or ""
  uint64_t points = 0;                    // from the header
  std::map<uint64_t, std::string> lines;  // index -> line ('\n'-terminated)
  uint64_t complete_bytes = 0;
  bool truncated_tail = false;
};
// Throws UserError naming file and line for anything that is not a sweep results line, a
// second header, lines of two sweeps, or one index recorded twice with different results.
SweepFile read_sweep_file(const std::string& path);

// Header then point lines by index.
std::string canonical_sweep_text(const SweepFile& f);

// Writes `text` to `path` through a temporary file and a rename, so a reader sees the old or
// the new file, never a part. Throws UserError on I/O failure.
void replace_file(const std::string& path, const std::string& text);

}  // namespace npusim::reports
