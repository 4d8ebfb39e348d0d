#pragma once
// Design-space sweeps: a sweep file names a base hardware config, models, strategies and axes
// over hardware keys; it expands into numbered points (a deterministic order) that run on a
// pool of threads, each point on its own Simulator. Writing results is the caller's job
// (reports/sweep_results.h): this file only knows specs, points and how to run them.
#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "arch/config_loader.h"
#include "simulator.h"

namespace npusim::sim {

// The most points a sweep may have (models x strategies x axis values); results files are
// checked against it too, so a forged header cannot size an allocation.
inline constexpr uint64_t kMaxSweepPoints = 10000000;

// One value of an axis: the hardware keys it sets (canonical text, e.g. "8MiB") and its label
// under a result's `point` (the value itself, or "rows=64,cols=128" for a compound axis).
struct SweepAxisValue {
  std::string label;
  std::vector<std::pair<std::string, std::string>> sets;  // key, value
};

struct SweepAxis {
  std::string name;  // a hardware key, or a free name for a compound axis
  std::vector<SweepAxisValue> values;
};

struct SweepSpec {
  std::string name;
  std::string file;                      // the sweep file as given (messages, reports)
  std::string hw;                        // base preset name, or a path resolved against the sweep file's folder
  std::vector<std::string> set;          // fixed "key=value" overrides of every point
  std::vector<std::string> models;       // crossed with the axes (outermost)
  std::string precision;                 // "" = each model's own
  std::map<std::string, uint64_t> dims;  // model dims (steps, resolution, ...)
  std::vector<std::string> strategies;   // crossed with the axes (innermost)
  std::string engine = "analytic";
  bool zip = false;  // axes vary together (equal lengths) instead of as a grid
  std::vector<SweepAxis> axes;

  uint64_t num_points() const;
};

// Reads and checks a sweep file: unknown top-level keys, unknown hardware keys (with a
// did-you-mean), malformed ranges and values that do not parse in the key's unit are
// UserErrors naming file, line, key and rule. Values outside a key's valid range are not
// checked here: such a point fails on its own and the rest of the sweep runs.
SweepSpec load_sweep(const std::string& path);
SweepSpec parse_sweep_text(const std::string& yaml, const std::string& display_name, const std::string& base_dir);

struct SweepPoint {
  uint64_t index = 0;
  std::string model;
  std::string strategy;
  std::vector<std::pair<std::string, std::string>> labels;  // "model", axis names..., "strategy" -> value
  std::vector<std::string> overrides;                       // spec.set, then each axis's sets
};

// Point `index` (0 <= index < num_points()): models outermost, then the axes in file order
// (the first slowest; zipped axes as one), strategies innermost.
SweepPoint sweep_point(const SweepSpec& spec, uint64_t index);

// The base hardware every point starts from (spec.hw with spec.set), so a bad base config
// fails before any point runs.
arch::NpuConfig load_sweep_base(const SweepSpec& spec, const std::vector<std::string>& hw_dirs);

// 16 hex digits identifying the sweep: a hash of everything that decides its points' results
// (resolved base hardware, models, precision, dims, strategies, engine, axes). Result lines
// carry it so a resume or a merge never mixes two sweeps.
std::string sweep_hash(const SweepSpec& spec, const arch::NpuConfig& base);

// The one place that checks a sweep's engine: analytic or systemc. SystemC runs are serialised
// process-wide, so --jobs only overlaps their loading and mapping; use shards for more.
void check_sweep_engine(const std::string& engine, const std::string& where);

// Which points a shard runs: `index % count == shard`.
struct Shard {
  uint64_t shard = 0, count = 1;
  bool contains(uint64_t index) const { return index % count == shard; }
};

// Runs `todo` (point indices) on `jobs` threads. Each point loads its hardware (base + the
// point's overrides) and runs its model's workload on a fresh Simulator. `done(point, result,
// error)` is called once per point, one call at a time (under a lock), as soon as the point
// finishes: `result` is null and `error` says why when the point failed. Once `stop` is
// requested no new point starts, the points in flight still finish and reach `done`, and
// run_sweep returns normally: the points reported are then a prefix of `todo`. If `done` throws,
// the points in flight are dropped and the exception is rethrown.
using SweepDone = std::function<void(const SweepPoint&, const WorkloadResult*, const std::string& error)>;
void run_sweep(const SweepSpec& spec, const std::vector<uint64_t>& todo,
               const std::map<std::string, workloads::Workload>& workloads, const std::vector<std::string>& hw_dirs,
               unsigned jobs, const SweepDone& done, std::stop_token stop = {});

}  // namespace npusim::sim
