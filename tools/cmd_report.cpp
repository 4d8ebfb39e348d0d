// npusim report: runs reports/npusim_report.py (matplotlib) on run directories and sweep
// results, with this binary's version and commit.
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string_view>
#include <vector>

#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
#include "npusim/file_io.h"
#include "npusim/json_check.h"
#include "npusim/line_reader.h"
#include "npusim/text.h"
#include "reports/sweep_results.h"
#include "sim/version.h"

extern char** environ;

namespace npusim::tools {

namespace {

constexpr const char* kReportUsage = R"(usage: npusim report RESULTS... -o DIR

Writes DIR/report.md, a self-contained DIR/report.html, CSVs and PNG/SVG plots for each input:
  a run directory (npusim run --out DIR): per-layer latency coloured by bound, a roofline with
    every op, DRAM traffic by tensor kind, the resolved hardware config;
  a sweep's results (npusim sweep --out X.jsonl): a CSV of every point, DRAM traffic by tensor
    kind per strategy, throughput and traffic versus each axis (one line per strategy), and
    the Pareto front of images/s against energy per image;
  a corpus cross-check (npusim crosscheck --corpus C --out DIR): predicted against measured,
    log-log, with y = x, a +-25 % band, one marker per network family and one colour per chip.
The same inputs give the same files. Plots need python3 with matplotlib (Debian package
python3-matplotlib): $NPUSIM_PYTHON, else /usr/bin/python3, else python3 on the PATH.

Inputs are checked before the plots start (a garbled results line, an empty or malformed
summary.json are errors, exit code 2); sweep results of any size are read in two streaming
passes. The report is written to a temporary folder beside DIR and moved into place only when
it is complete, so a failure leaves DIR as it was.

  -o, --out DIR   the report directory (created, or its files replaced)
)";

std::string python() {
  if (const char* p = std::getenv("NPUSIM_PYTHON"); p && *p) return p;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";  // Debian's, with python3-matplotlib
  return "python3";
}

// Runs argv, copying its stdout to `out` and sending its stderr to the file `err_path`; returns
// its exit status (or -1 if it did not start).
int run_capture(const std::vector<std::string>& argv, std::ostream& out, const std::string& err_path) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return -1;
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) out.write(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

namespace fs = std::filesystem;

// The most a run's summary.json or a corpus cross-check JSON may hold, and how deep it may nest
// (npusim writes ~10 levels); Python's json module would fail on either with a traceback.
constexpr uint64_t kMaxReportJsonBytes = uint64_t{256} << 20;
constexpr size_t kMaxReportJsonDepth = 64;

// A JSON file npusim wrote: not empty, valid JSON, an object whose "schema" names an npusim
// schema (`schema` is its expected prefix, e.g. "npusim.run").
void check_json_input(const std::string& path, std::string_view schema) {
  const std::string text = read_text_file(path, "a JSON file written by npusim", kMaxReportJsonBytes, "report inputs");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw UserError(path + ": file is empty");
  if (const std::string e = json_syntax_error(text, kMaxReportJsonDepth); !e.empty())
    throw UserError(path + ": not valid JSON (" + e + ")");
  // "schema": "<schema>..." (pretty-printed or not) somewhere in the top-level object.
  const std::string quoted = std::string(1, '"').append(schema);
  bool named = false;
  for (size_t at = text.find("\"schema\""); at != std::string::npos && !named; at = text.find("\"schema\"", at + 1)) {
    size_t i = text.find_first_not_of(" \t\r\n", at + 8);
    if (i == std::string::npos || text[i] != ':') continue;
    i = text.find_first_not_of(" \t\r\n", i + 1);
    named = i != std::string::npos && text.compare(i, quoted.size(), quoted) == 0;
  }
  if (text[text.find_first_not_of(" \t\r\n")] != '{' || !named)
    throw UserError(path + ": not a " + std::string(schema) + " file written by npusim (no \"schema\":\"" +
                    std::string(schema) + "...\")");
}

// Checks one input of `npusim report` and returns the path the script is to read: the input
// itself, or a canonical copy in `work` of a results file whose lines are out of order.
std::string check_report_input(const std::string& in, const fs::path& work, size_t n) {
  std::error_code ec;
  const fs::file_status st = fs::status(in, ec);
  if (fs::is_directory(st)) {
    if (fs::exists(fs::path(in) / "crosscheck_corpus.json", ec)) {
      check_json_input((fs::path(in) / "crosscheck_corpus.json").string(), "npusim.crosscheck_corpus");
    } else if (fs::exists(fs::path(in) / "summary.json", ec)) {
      check_json_input((fs::path(in) / "summary.json").string(), "npusim.run");
    } else {
      throw UserError(in +
                      ": no summary.json or crosscheck_corpus.json; expected a directory written by npusim run "
                      "--out or npusim crosscheck --corpus --out");
    }
    return in;
  }
  check_regular_input(in, "a run directory, a sweep results file (.jsonl) or a JSON file written by npusim");
  if (in.ends_with(".json")) {
    const std::string head = read_file_head(in, 4096);
    check_json_input(
        in, head.find("npusim.crosscheck_corpus") != std::string::npos ? "npusim.crosscheck_corpus" : "npusim.run");
    return in;
  }
  // Sweep results, streamed: every line a results line and valid JSON.
  const reports::SweepFile f =
      reports::read_sweep_file(in, [](uint64_t, std::string_view line, const std::string& where) {
        if (const std::string e = json_syntax_error(line, kMaxReportJsonDepth); !e.empty())
          throw UserError(where + "a garbled results line (" + e + ")");
      });
  if (f.header.empty())
    throw UserError(in + (f.truncated_tail ? ": no complete line; not npusim sweep results"
                                           : ": empty; no sweep results to report"));
  if (const std::string e = json_syntax_error(f.header, kMaxReportJsonDepth); !e.empty())
    throw UserError(in + ": a garbled header line (" + e + ")");
  if (f.canonical) return in;
  // Lines out of order or repeated (a sweep still running, or resumed by hand): the script
  // reads a copy in point order, under the same name (the report names it).
  const fs::path copy = work / ("input" + std::to_string(n)) / fs::path(in).filename();
  fs::create_directories(copy.parent_path());
  reports::write_canonical_sweep(copy.string(), f.header, std::span(&f, 1), f.points);
  return copy.string();
}

// The report directory: refuses anything at `dir` but a directory (a file, /dev/null, a link).
void check_report_dir(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode))
    throw UserError("-o " + dir + ": is a symbolic link; npusim does not write through links, name a directory");
  if (!S_ISDIR(st.st_mode))
    throw UserError("-o " + dir + ": exists and is not a directory (a file or a device); choose a directory path");
}

// The last non-empty line of `path` (at most 300 bytes, escaped): what a failed script said.
std::string last_line(const std::string& path) {
  std::string text;
  try {
    text = read_text_file(path, "a text file", 1 << 20, "messages");
  } catch (const UserError&) {
    return "";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  const size_t nl = text.rfind('\n');
  return excerpt(nl == std::string::npos ? text : text.substr(nl + 1), 300);
}

// A temporary folder beside the report directory, removed at scope exit unless released.
class WorkDir {
 public:
  explicit WorkDir(const std::string& beside) {
    fs::path parent = fs::path(beside).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      fs::create_directories(parent, ec);
    }
    std::string name = beside;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    name += ".tmp-XXXXXX";
    if (!::mkdtemp(name.data()))
      throw UserError("-o " + beside + ": cannot create a temporary folder beside it: " + std::strerror(errno));
    path_ = name;
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

int cmd_report(const CommandArgs& args, std::ostream& out) {
  std::vector<std::string> inputs, rest = {args[0]};
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--out") {
      rest.push_back("--out");
      if (i + 1 < args.size()) rest.push_back(args[++i]);
    } else if (args[i].starts_with("-")) {
      rest.push_back(args[i]);
    } else {
      inputs.push_back(args[i]);
    }
  }
  Flags f = parse_flags(rest, 1, {{"--out", true, false}, {"--help", false, false}}, "report");
  if (f.has("--help")) {
    out << kReportUsage;
    return kExitOk;
  }
  if (inputs.empty())
    throw UserError(std::string("npusim report: give a run directory or sweep results\n") + kReportUsage);
  if (!f.has("--out")) throw UserError("npusim report: -o DIR is required");
  // Everything is checked here, before the script runs; the script writes into a temporary
  // folder that becomes DIR only when it has succeeded, so a failure leaves no partial report.
  const std::string dir = f.get("--out");
  check_report_dir(dir);
  WorkDir work(dir);
  std::vector<std::string> script_inputs;
  for (const auto& in : inputs) script_inputs.push_back(check_report_input(in, work.path(), script_inputs.size()));
  const fs::path staged = work.path() / "report";
  const std::string script = NPUSIM_SOURCE_DIR "/reports/npusim_report.py";
  std::vector<std::string> argv = {python(),           script,           "--out",           staged.string(),
                                   "--npusim-version", version_string(), "--npusim-commit", git_commit()};
  argv.insert(argv.end(), script_inputs.begin(), script_inputs.end());
  std::ostringstream listing;  // the script's list of files, under the staged folder's name
  const std::string err_path = (work.path() / "stderr.txt").string();
  const int rc = run_capture(argv, listing, err_path);
  if (rc == -1) throw UserError("npusim report: cannot start " + argv[0] + " (install python3-matplotlib)");
  if (rc != 0)
    throw UserError("npusim report: " + script + " failed (exit code " + std::to_string(rc) +
                    "): " + last_line(err_path) + "; no report written");
  std::error_code ec;
  if (!fs::is_regular_file(staged / "report.md", ec) || !fs::is_regular_file(staged / "report.html", ec))
    throw UserError("npusim report: " + argv[0] +
                    " exited without writing report.md and report.html (is $NPUSIM_PYTHON a python3 with "
                    "matplotlib?); no report written");
  // Into place: the staged folder becomes DIR, or its files replace their namesakes in DIR.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(staged)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  check_report_dir(dir);
  if (!fs::exists(dir, ec)) {
    fs::rename(staged, dir, ec);
    if (ec) throw UserError("-o " + dir + ": cannot create the report directory: " + ec.message());
  } else {
    for (const auto& name : names) {
      if (fs::is_directory(fs::path(dir) / name, ec))
        throw UserError("-o " + dir + ": " + name + " is a directory; the report would replace it with a file");
    }
    for (const auto& name : names) {
      fs::rename(staged / name, fs::path(dir) / name, ec);
      if (ec) throw UserError("-o " + dir + ": cannot move " + name + " into place: " + ec.message());
    }
  }
  for (const auto& name : names) out << (fs::path(dir) / name).string() << "\n";
  return kExitOk;
}

}  // namespace npusim::tools
