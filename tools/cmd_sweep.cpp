// npusim sweep and npusim merge: run a sweep file's points on all cores, appending each result
// as a JSON line as soon as it is done (so a killed sweep resumes), and join shard files.
#include <fcntl.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <set>
#include <string_view>
#include <thread>

#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
#include "reports/sweep_results.h"
#include "sim/sweep.h"

namespace npusim::tools {

namespace {

constexpr const char* kSweepUsage = R"(usage: npusim sweep SWEEP.yaml --out RESULTS.jsonl [options]

Runs every point of a sweep file (hardware axes x models x strategies, see configs/sweeps/)
and appends one JSON line per point to RESULTS.jsonl as soon as it is done: the point's axis
values under `point`, then `metrics` (or `error` for a point that failed; the rest go on).
When all points are done the file is rewritten in point order, so the same sweep gives the
same bytes whatever --jobs or --shard split it.

  --out FILE       the results file (JSON Lines); refused if it exists, unless --resume
  --resume         continue FILE: points already in it are kept and not run again; a last
                   line cut short (kill -9) is dropped and its point runs again
  --jobs N         points run on N threads (default: all cores)
  --shard I/N      run only points with index % N == I (0 <= I < N); join the files with
                   npusim merge
  --engine E       override the sweep file's engine: analytic (default) or systemc (SystemC
                   runs one at a time per process; split a large sweep with --shard instead)
  --dry-run        check the sweep file and list its points (of the shard) without running them
  --quiet          no progress on stderr (default: a bar with rate and ETA on a terminal,
                   a plain line every few seconds otherwise)
)";

constexpr const char* kMergeUsage = R"(usage: npusim merge RESULTS.jsonl... --out MERGED.jsonl [--partial]

Joins the result files of one sweep's shards (or of interrupted runs) into one file in point
order, byte-identical to the file one unsharded run writes. Files of different sweeps (their
`sweep` hashes differ) or one point with two different results are refused (exit code 2).
Exit code 1 if points are missing, unless --partial.
)";

// Reads an optional positional argument (args[1] unless it is a flag) and the flags after it.
std::pair<std::vector<std::string>, Flags> positional_and_flags(const std::vector<std::string>& args,
                                                                const std::vector<FlagSpec>& specs,
                                                                const std::string& command) {
  std::vector<std::string> pos, rest = {args[0]};
  bool after_value = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!after_value && !a.starts_with("--")) {
      pos.push_back(a);
      continue;
    }
    rest.push_back(a);
    after_value = false;
    if (a.starts_with("--") && a.find('=') == std::string::npos)
      for (const auto& s : specs)
        if (s.name == a && s.takes_value) after_value = true;
  }
  return {pos, parse_flags(rest, 1, specs, command)};
}

sim::Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto i = slash == std::string::npos ? std::nullopt : whole_number(text.substr(0, slash), 9);
  const auto n = slash == std::string::npos ? std::nullopt : whole_number(text.substr(slash + 1), 9);
  if (!i || !n || *n == 0 || *i >= *n)
    throw UserError("--shard " + text +
                    ": expected I/N with 0 <= I < N, e.g. --shard 0/4 (Slurm: $SLURM_ARRAY_TASK_ID/N)");
  return {*i, *n};
}

// Appends lines with one write(2) each, so a kill leaves at most the last line cut short; the
// data reach the disk (fdatasync) at least once a second and at the end. Holds an exclusive
// flock on the file meanwhile, so a second sweep writing the same file (two Slurm tasks given
// one shard) is refused instead of interleaving lines.
class Appender {
 public:
  explicit Appender(const std::string& path) : path_(path) {
    for (;;) {
      // Only a regular file (or none) is appended to: not a device, FIFO or link (O_NOFOLLOW).
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        throw UserError(path + (S_ISLNK(st.st_mode) ? ": is a symbolic link; name the file it points to"
                                                    : ": is not a regular file (a device, FIFO, socket or directory); "
                                                      "choose a file path for the results"));
      fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
      if (fd_ < 0) throw UserError(path + ": cannot open for appending: " + std::strerror(errno));
      if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) throw UserError(path + ": another npusim sweep is writing this file");
      // The lock counts only if `path` still names the file locked (a finishing sweep renames
      // its canonical copy over it).
      struct stat locked {
      }, named{};
      if (::fstat(fd_, &locked) == 0 && ::stat(path.c_str(), &named) == 0 && locked.st_ino == named.st_ino &&
          locked.st_dev == named.st_dev)
        break;
      ::close(fd_);
    }
  }
  ~Appender() {
    if (fd_ >= 0) ::close(fd_);
  }
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  void append(const std::string& line) {
    for (size_t done = 0; done < line.size();) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        throw UserError(path_ +
                        ": cannot write (the results so far stay, --resume continues): " + std::strerror(errno));
      done += size_t(n);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - synced_ > std::chrono::seconds(1)) sync();
  }
  void sync() {
    ::fdatasync(fd_);
    synced_ = std::chrono::steady_clock::now();
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point synced_ = std::chrono::steady_clock::now();
};

// Progress on stderr: a redrawn bar with rate and ETA on a terminal, else a line every 5 s.
class Progress {
 public:
  Progress(uint64_t total, bool quiet) : total_(total), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  void tick(bool failed) {
    ++done_;
    failed_ += failed;
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - shown_).count();
    if (done_ < total_ && since < (tty_ ? 0.1 : 5.0)) return;
    shown_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? double(done_) / elapsed : 0;
    const double eta = rate > 0 ? double(total_ - done_) / rate : 0;
    char line[200];
    if (tty_) {
      const int width = 30, filled = total_ ? int(width * done_ / total_) : width;
      std::snprintf(line, sizeof line, "\r[%s%s] %llu/%llu  %.1f points/s  ETA %s%s", std::string(filled, '#').c_str(),
                    std::string(width - filled, '.').c_str(), (unsigned long long)done_, (unsigned long long)total_,
                    rate, clock(eta).c_str(), failed_ ? ("  " + std::to_string(failed_) + " failed").c_str() : "");
      std::cerr << line << (done_ == total_ ? "\n" : "") << std::flush;
    } else {
      std::snprintf(line, sizeof line, "sweep: %llu/%llu points, %.1f points/s, ETA %s, %llu failed\n",
                    (unsigned long long)done_, (unsigned long long)total_, rate, clock(eta).c_str(),
                    (unsigned long long)failed_);
      std::cerr << line << std::flush;
    }
  }

 private:
  static std::string clock(double s) {
    char buf[32];
    const auto t = (unsigned long long)(s + 0.5);
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
    return buf;
  }
  uint64_t total_, done_ = 0, failed_ = 0;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), shown_ = start_;
};

}  // namespace

int cmd_sweep(const CommandArgs& args, std::ostream& out) {
  auto [pos, f] = positional_and_flags(args,
                                       {{"--out", true, false},
                                        {"--resume", false, false},
                                        {"--jobs", true, false},
                                        {"--shard", true, false},
                                        {"--engine", true, false},
                                        {"--quiet", false, false},
                                        {"--dry-run", false, false},
                                        {"--help", false, false}},
                                       "sweep");
  if (f.has("--help")) {
    out << kSweepUsage;
    return kExitOk;
  }
  if (pos.size() != 1) throw UserError(std::string("npusim sweep: give one sweep file\n") + kSweepUsage);
  if (!f.has("--out") && !f.has("--dry-run")) throw UserError("npusim sweep: --out RESULTS.jsonl is required");
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (f.has("--jobs")) {
    auto n = whole_number(f.get("--jobs"), 4);
    if (!n || *n == 0) throw UserError("--jobs " + f.get("--jobs") + ": expected a whole number >= 1");
    jobs = unsigned(*n);
  }
  const sim::Shard shard = f.has("--shard") ? parse_shard(f.get("--shard")) : sim::Shard{};
  sim::SweepSpec spec = sim::load_sweep(pos[0]);
  if (f.has("--engine")) {
    sim::check_sweep_engine(f.get("--engine"), "--");
    spec.engine = f.get("--engine");
  }
  const arch::NpuConfig base = sim::load_sweep_base(spec, hw_dirs());
  const std::string hash = sim::sweep_hash(spec, base);

  const std::map<std::string, workloads::Workload> workloads = load_sweep_workloads(spec);
  if (f.has("--dry-run")) {
    out << "sweep " << spec.name << " (" << hash << "): " << spec.num_points() << " points\n";
    for (uint64_t i = 0; i < spec.num_points(); ++i) {
      if (!shard.contains(i)) continue;
      out << i;
      for (const auto& [name, value] : sim::sweep_point(spec, i).labels) out << "  " << name << "=" << value;
      out << "\n";
    }
    return kExitOk;
  }

  const std::string path = f.get("--out");
  Appender appender(path);  // locked from here until the canonical file replaces it
  const bool exists = std::filesystem::file_size(path) > 0;
  reports::SweepFile file;
  if (exists) {
    if (!f.has("--resume"))
      throw UserError(path + ": exists; pass --resume to continue that sweep, or choose another --out");
    // Streamed: only each point's index and place are kept, whatever the file's size.
    auto other_sweep = [&](const std::string& other) {
      return UserError(path + ": holds sweep " + other + ", but " + spec.file + " is sweep " + hash +
                       " (it changed since); choose another --out");
    };
    file = reports::read_sweep_file(path, [&](uint64_t index, std::string_view line, const std::string& where) {
      if (line.substr(10, 16) != hash) throw other_sweep(std::string(line.substr(10, 16)));
      if (index >= spec.num_points())
        throw UserError(where + "point " + std::to_string(index) + " is beyond the " +
                        std::to_string(spec.num_points()) + " points of " + spec.file);
      const std::string head = reports::sweep_point_head(hash, sim::sweep_point(spec, index));
      if (!line.starts_with(head + ","))
        throw UserError(path + ": point " + std::to_string(index) + " does not match point " + std::to_string(index) +
                        " of " + spec.file);
    });
    if (file.hash != hash) throw other_sweep(file.hash);
    if (file.truncated_tail) std::filesystem::resize_file(path, file.complete_bytes);
  }
  std::string header = file.header;
  if (header.empty()) {
    header = reports::sweep_header_line(spec, base, hash);
    if (exists) std::filesystem::resize_file(path, 0);
  }

  std::vector<uint64_t> todo;
  uint64_t in_shard = 0;
  for (uint64_t i = 0; i < spec.num_points(); ++i)
    if (shard.contains(i)) {
      ++in_shard;
      if (!file.has(i)) todo.push_back(i);
    }
  const auto start = std::chrono::steady_clock::now();
  if (std::filesystem::file_size(path) == 0) appender.append(header);
  Progress progress(todo.size(), f.has("--quiet"));
  // Each line goes to the file as its point finishes; none is kept in memory.
  sim::run_sweep(spec, todo, workloads, hw_dirs(), jobs,
                 [&](const sim::SweepPoint& p, const sim::WorkloadResult* r, const std::string& error) {
                   appender.append(reports::sweep_point_line(hash, p, r, error));
                   progress.tick(r == nullptr);
                 });
  appender.sync();
  // Point order, independent of --jobs: a second streaming pass over the file just written.
  file = reports::SweepFile{};  // one index at a time: 16 bytes a point
  file = reports::read_sweep_file(path);
  const reports::CanonicalStats written =
      reports::write_canonical_sweep(path, header, std::span(&file, 1), file.points);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  char summary[400];
  std::snprintf(
      summary, sizeof summary,
      "sweep %s (%s): %llu points%s, %llu run now in %.2f s on %u jobs, %llu already done; %llu failed -> %s\n",
      spec.name.c_str(), hash.c_str(), (unsigned long long)in_shard,
      f.has("--shard") ? (" in shard " + f.get("--shard")).c_str() : "", (unsigned long long)todo.size(), seconds, jobs,
      (unsigned long long)(in_shard - todo.size()), (unsigned long long)written.failed, path.c_str());
  out << summary;
  return kExitOk;
}

int cmd_merge(const CommandArgs& args, std::ostream& out) {
  auto [inputs, f] = positional_and_flags(
      args, {{"--out", true, false}, {"--partial", false, false}, {"--help", false, false}}, "merge");
  if (f.has("--help")) {
    out << kMergeUsage;
    return kExitOk;
  }
  if (inputs.empty()) throw UserError(std::string("npusim merge: give the result files to join\n") + kMergeUsage);
  if (!f.has("--out")) throw UserError("npusim merge: --out MERGED.jsonl is required");
  // Each file is indexed (index and place of each line, streamed), then the lines are copied
  // in point order from the files: memory stays 16 bytes a point whatever the files' sizes.
  std::vector<reports::SweepFile> parts;
  std::string header;
  for (const std::string& in : inputs) {
    reports::SweepFile part = reports::read_sweep_file(in);
    if (part.header.empty()) throw UserError(in + ": empty; no sweep results to merge");
    if (!parts.empty() && part.hash != parts[0].hash)
      throw UserError(in + ": results of sweep " + part.hash + ", but " + parts[0].path + " holds sweep " +
                      parts[0].hash + "; only shards of one sweep merge");
    if (!parts.empty() && part.points != parts[0].points)
      throw UserError(in + ": a header of " + std::to_string(part.points) + " points, but " + parts[0].path + " says " +
                      std::to_string(parts[0].points));
    // Shards run by different builds differ in the header's version and commit only: keep the
    // first in byte order, so the merged file does not depend on the order of the inputs.
    header = header.empty() ? part.header : std::min(header, part.header);
    parts.push_back(std::move(part));
  }
  const uint64_t points = parts[0].points;
  const reports::CanonicalStats merged = reports::write_canonical_sweep(f.get("--out"), header, parts, points);
  const uint64_t n_missing = points - merged.points_written;  // every index is < points
  out << "merged " << inputs.size() << " files of sweep " << parts[0].hash << ": " << merged.points_written << " of "
      << points << " points -> " << f.get("--out") << "\n";
  if (n_missing == 0) return kExitOk;
  out << n_missing << " points missing, e.g. index";
  for (uint64_t i : merged.first_missing) out << " " << i;
  out << "\n";
  return f.has("--partial") ? kExitOk : kExitFailure;
}

}  // namespace npusim::tools
