// npusim report: runs reports/npusim_report.py (matplotlib) on run directories and sweep
// results, with this binary's version and commit.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
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

  -o, --out DIR   the report directory (created)
)";

std::string python() {
  if (const char* p = std::getenv("NPUSIM_PYTHON"); p && *p) return p;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";  // Debian's, with python3-matplotlib
  return "python3";
}

// Runs argv, copying its stdout to `out`; returns its exit status (or -1 if it did not start).
int run_capture(const std::vector<std::string>& argv, std::ostream& out) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
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
  namespace fs = std::filesystem;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      if (!fs::exists(fs::path(in) / "summary.json", ec) && !fs::exists(fs::path(in) / "crosscheck_corpus.json", ec))
        throw UserError(in +
                        ": no summary.json or crosscheck_corpus.json; expected a directory written by npusim run "
                        "--out or npusim crosscheck --corpus --out");
    } else if (!fs::is_regular_file(in, ec)) {
      throw UserError(in + ": no such file or directory");
    }
  }
  const std::string script = NPUSIM_SOURCE_DIR "/reports/npusim_report.py";
  std::vector<std::string> argv = {python(),           script,           "--out",           f.get("--out"),
                                   "--npusim-version", version_string(), "--npusim-commit", git_commit()};
  argv.insert(argv.end(), inputs.begin(), inputs.end());
  const int rc = run_capture(argv, out);
  if (rc == -1) throw UserError("npusim report: cannot start " + argv[0] + " (install python3-matplotlib)");
  if (rc != 0) {
    out.flush();
    throw UserError("npusim report: " + script + " failed (exit code " + std::to_string(rc) +
                    "; see its message above)");
  }
  return kExitOk;
}

}  // namespace npusim::tools
