#include "sweep_results.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <functional>
#include <queue>
#include <string_view>

#include "arch/area.h"
#include "arch/units.h"
#include "json_writer.h"
#include "npusim/file_io.h"
#include "npusim/line_reader.h"
#include "run_report.h"
#include "sim/metrics.h"
#include "sim/version.h"

namespace npusim::reports {

namespace {

// f(member, "dram_read_weight_bytes") for each DRAM traffic counter, by tensor kind.
template <class F>
void for_each_dram_kind(F&& f) {
  sim::Counters::for_each_field([&](auto member, std::string_view name, std::string_view unit, std::string_view) {
    if (unit == "B" && name.starts_with("dram_")) f(member, std::string(name) + "_bytes");
  });
}

std::string head_of(const std::string& hash) { return "{\"sweep\":" + json_escape(hash) + ","; }

void write_network(JsonWriter& w, const sim::StageResult& st) {
  const sim::RunStats& s = st.run.stats;
  const sim::Counters& t = s.total;
  w.begin_object();
  w.field("name", st.name);
  w.field("role", workloads::stage_role_name(st.role));
  w.field("runs_per_batch", st.runs);
  w.field("strategy", st.run.schedule.strategy);
  for (const sim::MetricValue& m : sim::network_metrics(st)) w.field(sim::metric_def(m.id).key, m.value);
  w.field("dominant_bound", sim::bound_name(dominant_bound(s).first));
  for (int b = 0; b < sim::kNumBounds; ++b) w.field(sim::bound_time_key(sim::Bound(b)), s.time_by_bound_s[b] * 1e3);
  for_each_dram_kind([&](auto member, const std::string& key) { w.field(key, uint64_t(t.*member)); });
  w.end_object();
}

// The kind's headline figures (sim/metrics.h), then DRAM traffic by tensor kind per item
// (image, decode token or inference: "<counter>_bytes_per_<item>").
void write_metrics(JsonWriter& w, const sim::WorkloadResult& r) {
  w.begin_object();
  w.field("kind", sim::kind_name(r.kind));
  if (!r.stages.empty()) w.field("precision", r.stages[0].run.precision.name());
  w.field("batch", r.batch);
  for (const sim::MetricValue& m : sim::headline_metrics(r)) w.field(sim::metric_def(m.id).key, m.value);
  if (!r.stages.empty() && !r.stages[0].run.engine_notes.empty()) {
    w.key("engine_notes");
    w.begin_array();
    for (const auto& n : r.stages[0].run.engine_notes) w.value(n);
    w.end_array();
  }
  const sim::ItemCounters ic = sim::item_counters(r);
  const std::string per = "_per_" + std::string(sim::item_name(r.kind));
  for_each_dram_kind(
      [&](auto member, const std::string& key) { w.field(key + per, double(ic.counters.*member) / ic.divisor); });
  if (!r.stages.empty()) {
    const arch::NpuConfig& hw = r.stages[0].run.hw;
    // Silicon: static power always (fixed or from the area model), area only with a technology.
    w.field("static_power_mw", arch::static_power_mw(hw));
    w.field("average_power_mw", sim::average_power_mw(r));
    const arch::AreaModel area = arch::area_model(hw);
    if (!area.blocks.empty()) {
      w.field("area_mm2", area.total_mm2());
      w.key("area_blocks_mm2");
      w.begin_object();
      for (const auto& b : area.blocks) w.field(b.name, b.mm2);
      w.end_object();
    }
    if (r.budget) {
      const sim::PowerBudgetResult& b = *r.budget;
      w.field("power_budget_mw", b.budget_mw);
      w.field("power_budget_fits", b.fits);
      w.field("sustained_clock_hz", b.chosen_mac_hz);
      w.field("sustained_power_mw", b.chosen_power_mw);
      w.field("sustained_seconds_per_image", b.chosen_seconds);
      w.field("sustained_energy_per_image_mj", b.chosen_energy_j * 1e3);
    }
    w.key("hw");
    w.begin_object();
    w.field("sram_size_bytes", hw.sram.size_bytes);
    w.field("dram_bandwidth_bytes_per_s", hw.dram.bandwidth_bytes_per_s);
    w.field("mac_rows", uint64_t{hw.mac_array.rows});
    w.field("mac_cols", uint64_t{hw.mac_array.cols});
    w.field("mac_frequency_hz", hw.mac_array.frequency_hz);
    w.end_object();
  }
  w.key("networks");
  w.begin_array();
  for (const auto& st : r.stages) write_network(w, st);
  w.end_array();
  w.end_object();
}

}  // namespace

std::string sweep_header_line(const sim::SweepSpec& spec, const arch::NpuConfig& base, const std::string& hash) {
  JsonWriter w(true);
  w.begin_object();
  w.field("sweep", hash);
  w.key("header");
  w.begin_object();
  w.field("schema", "npusim.sweep");
  w.field("schema_version", uint64_t{kSweepSchemaVersion});
  w.field("name", spec.name);
  w.field("points", spec.num_points());
  w.field("engine", spec.engine);
  w.field("mode", spec.zip ? "zip" : "grid");
  w.field("hw", base.name);
  w.field("precision", spec.precision.empty() ? "the model's own" : spec.precision);
  w.key("models");
  w.begin_array();
  for (const auto& m : spec.models) w.value(m);
  w.end_array();
  w.key("dims");
  w.begin_object();
  for (const auto& [k, v] : spec.dims) w.field(k, v);
  w.end_object();
  w.key("strategies");
  w.begin_array();
  for (const auto& s : spec.strategies) w.value(s);
  w.end_array();
  w.key("axes");
  w.begin_array();
  for (const auto& a : spec.axes) {
    w.begin_object();
    w.field("name", a.name);
    w.key("values");
    w.begin_array();
    for (const auto& v : a.values) w.value(v.label);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  // The metric vocabulary (sim/metrics.h): what each figure of the point lines means.
  w.key("metric_definitions");
  write_metric_definitions(w);
  // Per workload kind: its headline figures, the one to rank and plot throughput by, its
  // energy and time figures, and what per-item figures are per.
  w.key("kinds");
  w.begin_object();
  for (auto k :
       {workloads::WorkloadKind::kDiffusion, workloads::WorkloadKind::kLlm, workloads::WorkloadKind::kNetwork}) {
    w.key(sim::kind_name(k));
    w.begin_object();
    w.field("item", sim::item_name(k));
    w.field("throughput", sim::metric_def(sim::throughput_metric(k)).key);
    w.field("energy", sim::metric_def(sim::energy_metric(k)).key);
    w.field("latency", sim::metric_def(sim::latency_metric(k)).key);
    w.key("headline");
    w.begin_array();
    for (sim::Metric m : sim::headline_metric_list(k)) w.value(sim::metric_def(m).key);
    w.end_array();
    w.end_object();
  }
  w.end_object();
  w.key("hardware");
  write_hw_json(w, base);
  w.field("npusim_version", version_string());
  w.field("git_commit", git_commit());
  w.end_object();
  w.end_object();
  return w.str();
}

std::string sweep_point_head(const std::string& hash, const sim::SweepPoint& p) {
  JsonWriter w(true);
  w.begin_object();
  w.key("point");
  w.begin_object();
  for (const auto& [name, value] : p.labels) w.field(name, value);
  w.end_object();
  // The writer's "{" opens the object that head_of() already opened.
  return head_of(hash) + "\"index\":" + std::to_string(p.index) + "," + w.str().substr(1);
}

std::string sweep_point_line(const std::string& hash, const sim::SweepPoint& p, const sim::WorkloadResult* r,
                             const std::string& error) {
  JsonWriter w(true);
  w.begin_object();
  w.field("status", r ? "ok" : "error");
  if (r) {
    w.key("metrics");
    write_metrics(w, *r);
  } else {
    w.field("error", error);
  }
  w.end_object();
  return sweep_point_head(hash, p) + "," + w.str().substr(1);
}

bool SweepFile::has(uint64_t index) const {
  return std::binary_search(lines.begin(), lines.end(), std::pair<uint64_t, uint64_t>{index, 0},
                            [](const auto& a, const auto& b) { return a.first < b.first; });
}

namespace {

constexpr std::string_view kResultsWhat = "a sweep results file (.jsonl)";

// The number of the line starting at byte `offset` of `path` (for messages only: one more pass).
uint64_t line_number_at(const std::string& path, uint64_t offset) {
  LineReader in(path, kResultsWhat, kMaxSweepLineBytes);
  std::string_view line;
  while (in.next(line))
    if (in.offset() >= offset) return in.line_no();
  return in.line_no() + 1;
}

// An open file descriptor, closed at scope exit.
struct Fd {
  int fd = -1;
  Fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd < 0) throw UserError(path + ": cannot be read: " + std::strerror(errno));
  }
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

SweepFile read_sweep_file(const std::string& path, const SweepLineCheck& check) {
  SweepFile f;
  f.path = path;
  LineReader in(path, kResultsWhat, kMaxSweepLineBytes);
  std::string_view line;
  while (in.next(line)) {
    f.complete_bytes = in.complete_bytes();
    const std::string where = path + ":" + std::to_string(in.line_no()) + ": ";
    // {"sweep":"<16 hex>", then "header": or "index":<digits>,
    const std::string_view pre = "{\"sweep\":\"";
    if (!line.starts_with(pre) || line.size() < pre.size() + 18 || line[pre.size() + 16] != '"' ||
        line[pre.size() + 17] != ',' || !line.ends_with("}\n"))
      throw UserError(where + "not a line of npusim sweep results");
    const std::string hash(line.substr(pre.size(), 16));
    if (f.hash.empty()) f.hash = hash;
    if (hash != f.hash)
      throw UserError(where + "belongs to another sweep (" + hash + ", not " + f.hash + " like the lines before it)");
    const std::string_view rest = line.substr(pre.size() + 18);
    if (rest.starts_with("\"header\":")) {
      if (!f.header.empty()) throw UserError(where + "a second header line");
      if (in.line_no() != 1) f.canonical = false;
      f.header = std::string(line);
      const size_t at = rest.find("\"points\":");
      if (at == std::string::npos) throw UserError(where + "the header has no point count");
      // Digits only and within the sweep limit: a forged 10^15 or -5 (which strtoull wraps)
      // made merge grow to 10 GB listing missing points.
      const char* digits = rest.data() + at + 9;
      const char* end = rest.data() + rest.size();
      auto [ptr, ec] = std::from_chars(digits, end, f.points);
      if (ec != std::errc() || ptr == digits || (*ptr != ',' && *ptr != '}') || f.points > sim::kMaxSweepPoints)
        throw UserError(where + "the header's point count is not a whole number in 0 .. " +
                        std::to_string(sim::kMaxSweepPoints));
      continue;
    }
    if (!rest.starts_with("\"index\":")) throw UserError(where + "neither a header nor a point");
    uint64_t index = 0;
    const char* digits = rest.data() + 8;
    auto [ptr, ec] = std::from_chars(digits, rest.data() + rest.size(), index);
    if (ec != std::errc() || ptr == digits || *ptr != ',') throw UserError(where + "a point line without an index");
    if (index >= sim::kMaxSweepPoints)
      throw UserError(where + "point " + std::to_string(index) + " is beyond the limit of " +
                      std::to_string(sim::kMaxSweepPoints) + " points");
    if (check) check(index, line, where);
    f.lines.emplace_back(index, in.offset());
  }
  f.truncated_tail = in.tail_bytes() > 0;
  if (f.truncated_tail || std::adjacent_find(f.lines.begin(), f.lines.end(), [](const auto& a, const auto& b) {
                            return a.first >= b.first;
                          }) != f.lines.end())
    f.canonical = false;
  if (!std::is_sorted(f.lines.begin(), f.lines.end())) std::sort(f.lines.begin(), f.lines.end());
  // A point recorded twice must be the same line twice; the first is kept.
  if (std::adjacent_find(f.lines.begin(), f.lines.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }) != f.lines.end()) {
    Fd fd(path);
    std::vector<std::pair<uint64_t, uint64_t>> unique;
    for (size_t i = 0; i < f.lines.size(); ++i) {
      if (!unique.empty() && unique.back().first == f.lines[i].first) {
        if (read_line_at(fd.fd, unique.back().second, kMaxSweepLineBytes, path) !=
            read_line_at(fd.fd, f.lines[i].second, kMaxSweepLineBytes, path))
          throw UserError(path + ":" + std::to_string(line_number_at(path, f.lines[i].second)) + ": point " +
                          std::to_string(f.lines[i].first) + " is recorded twice with different results");
        continue;
      }
      unique.push_back(f.lines[i]);
    }
    f.lines = std::move(unique);
  }
  if (!f.lines.empty() && f.header.empty())
    throw UserError(path + ": no header line; not a complete sweep results file");
  if (!f.lines.empty() && f.lines.back().first >= f.points)
    throw UserError(path + ": point " + std::to_string(f.lines.back().first) + " is beyond the sweep's " +
                    std::to_string(f.points) + " points");
  return f;
}

CanonicalStats write_canonical_sweep(const std::string& out, const std::string& header,
                                     std::span<const SweepFile> files, uint64_t points) {
  std::vector<Fd> fds;
  fds.reserve(files.size());
  for (const SweepFile& f : files) fds.emplace_back(f.path);
  FileReplacer w(out);
  w.write(header);
  // A k-way merge of the files' sorted (index, offset) lists: (index, file) smallest first.
  using Next = std::pair<uint64_t, size_t>;
  std::priority_queue<Next, std::vector<Next>, std::greater<Next>> heap;
  std::vector<size_t> at(files.size(), 0);
  for (size_t k = 0; k < files.size(); ++k)
    if (!files[k].lines.empty()) heap.emplace(files[k].lines[0].first, k);
  CanonicalStats stats;
  uint64_t expected = 0;  // the next index not yet written
  std::string previous;
  auto note_missing = [&](uint64_t upto) {
    for (; expected < upto && stats.first_missing.size() < 10; ++expected) stats.first_missing.push_back(expected);
    expected = std::max(expected, upto);
  };
  while (!heap.empty()) {
    const auto [index, k] = heap.top();
    heap.pop();
    std::string line = read_line_at(fds[k].fd, files[k].lines[at[k]].second, kMaxSweepLineBytes, files[k].path);
    if (++at[k] < files[k].lines.size()) heap.emplace(files[k].lines[at[k]].first, k);
    if (stats.points_written > 0 && index + 1 == expected) {  // the same point in an earlier file
      if (line != previous)
        throw UserError(files[k].path + ": point " + std::to_string(index) +
                        " differs from the same point in another file");
      continue;
    }
    note_missing(index);
    expected = index + 1;
    w.write(line);
    ++stats.points_written;
    stats.failed += line.find(",\"status\":\"error\"") != std::string::npos;
    previous = std::move(line);
  }
  note_missing(points);
  w.commit();
  return stats;
}

void replace_file(const std::string& path, const std::string& text) { replace_file_safely(path, text); }

}  // namespace npusim::reports
