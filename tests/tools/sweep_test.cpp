// npusim sweep / merge: point expansion, JSON Lines results, failing points, --jobs and shard
// determinism, and resuming after a real kill -9.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "sim/sweep.h"
#include "test_util.h"
#include "tools/cli_common.h"
#include "tools/cli_runner.h"

using npusim::testing::TempDir;

using npusim::testing::contains;
using npusim::testing::lines_of;
using npusim::testing::read_file;

namespace {

using Result = npusim::testing::CliResult;
Result cli(const std::vector<std::string>& args) { return npusim::testing::run_cli_capture(args); }

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// tiny-test x tiny-block: 3 SRAM sizes (512B is below the 1 KiB minimum, so that point
// fails) x 2 DRAM bandwidths x 2 strategies = 12 points, 4 of them failing.
constexpr const char* kTinySweep = R"(name: tiny
hw: tiny-test
models: [tiny-block]
strategies: [offchip, fused]
axes:
  sram.size: [32KiB, 512B, 64KiB]
  dram.bandwidth: {from: 1GB/s, to: 2GB/s, step: 1GB/s}
)";

npusim::sim::SweepSpec parse(const std::string& yaml) { return npusim::sim::parse_sweep_text(yaml, "s.yaml", "."); }

void check_usage_error(const Result& r, const std::string& part) {
  INFO("stderr: ", r.err);
  CHECK(r.code == 2);
  CHECK(contains(r.err, part));
  CHECK_FALSE(contains(r.err, "internal error"));
}

}  // namespace

TEST_CASE("sweep spec: grid order, ranges, compound and zipped axes") {
  auto s = parse(kTinySweep);
  REQUIRE(s.num_points() == 12);
  // Models outermost, axes in file order (first slowest), strategies innermost.
  auto p = npusim::sim::sweep_point(s, 0);
  CHECK(p.labels ==
        std::vector<std::pair<std::string, std::string>>{
            {"model", "tiny-block"}, {"sram.size", "32KiB"}, {"dram.bandwidth", "1GB/s"}, {"strategy", "offchip"}});
  p = npusim::sim::sweep_point(s, 7);  // 7 = sram #1, dram #1, strategy #1
  CHECK(p.labels[1].second == "512B");
  CHECK(p.labels[2].second == "2GB/s");
  CHECK(p.strategy == "fused");
  CHECK(p.overrides == std::vector<std::string>{"sram.size=512B", "dram.bandwidth=2GB/s"});

  // Log ranges by factor and by count; a linear count; canonical unit text.
  s = parse(
      "hw: tiny-test\nmodels: [m]\naxes:\n  sram.size: {from: 1MiB, to: 64MiB, factor: 2}\n"
      "  dram.bandwidth: {from: 1GB/s, to: 100GB/s, count: 3, scale: log}\n"
      "  mac_array.rows: {from: 4, to: 16, count: 4}\n");
  REQUIRE(s.axes.size() == 3);
  std::vector<std::string> sram, dram, rows;
  for (const auto& v : s.axes[0].values) sram.push_back(v.label);
  for (const auto& v : s.axes[1].values) dram.push_back(v.label);
  for (const auto& v : s.axes[2].values) rows.push_back(v.label);
  CHECK(sram == std::vector<std::string>{"1MiB", "2MiB", "4MiB", "8MiB", "16MiB", "32MiB", "64MiB"});
  CHECK(dram == std::vector<std::string>{"1GB/s", "10GB/s", "100GB/s"});
  CHECK(rows == std::vector<std::string>{"4", "8", "12", "16"});
  CHECK(s.num_points() == 7 * 3 * 4);

  // A compound axis sets several keys per value; zip varies axes together.
  s = parse(
      "hw: tiny-test\nmodels: [m]\nmode: zip\nstrategies: [fused]\naxes:\n"
      "  shape:\n    - {mac_array.rows: 2, mac_array.cols: 8}\n    - {mac_array.rows: 8, mac_array.cols: 2}\n"
      "  sram.size: [32KiB, 64KiB]\n");
  CHECK(s.num_points() == 2);
  p = npusim::sim::sweep_point(s, 1);
  CHECK(p.labels[1] == std::pair<std::string, std::string>{"shape", "rows=8,cols=2"});
  CHECK(p.overrides == std::vector<std::string>{"mac_array.rows=8", "mac_array.cols=2", "sram.size=64KiB"});
}

TEST_CASE("sweep spec: mistakes name file, line, key and rule") {
  auto fails = [](const std::string& yaml, const std::string& part) {
    INFO(yaml);
    try {
      parse(yaml);
      FAIL("no error");
    } catch (const npusim::UserError& e) {
      INFO(e.what());
      CHECK(contains(e.what(), part));
    }
  };
  fails("hw: tiny-test\nmodels: [m]\naxes:\n  sram.sise: [1MiB]\n",
        "s.yaml:4: sram.sise: unknown hardware key; did you mean sram.size?");
  fails("hw: tiny-test\nmodels: [m]\naxes:\n  sram.size: [7MB]\n", "s.yaml:4: sram.size = \"7MB\": ");
  fails("hw: tiny-test\nmodels: [m]\naxis:\n  sram.size: [1MiB]\n", "s.yaml:3: axis: unknown key; did you mean axes?");
  fails("hw: tiny-test\nmodels: [m]\naxes:\n  sram.size: {from: 1MiB, to: 4MiB}\n",
        "exactly one of step, count or factor");
  fails("hw: tiny-test\nmodels: [m]\naxes:\n  sram.size: {from: 1MiB, to: 4MiB, stp: 1MiB}\n", "did you mean step?");
  fails("hw: tiny-test\nmodels: [m]\nmode: zip\naxes:\n  sram.size: [1MiB, 2MiB]\n  dram.bandwidth: [1GB/s]\n",
        "s.yaml:3: mode: zip needs axes of equal length");
  fails("hw: tiny-test\nmodels: [m]\nstrategies: [fusd]\n", "s.yaml:3: ");
  fails("hw: tiny-test\nmodels: [m]\nengine: sytemc\n",
        "s.yaml:3: engine sytemc: unknown engine; valid: analytic, systemc");
  fails("models: [m]\n", "hw: required");
  fails("hw: [a\n", "s.yaml:");
}

TEST_CASE("sweep: the SystemC engine runs a sweep's points, with the same points failing") {
  TempDir dir;
  const std::string sweep = dir.write("tiny.yaml", kTinySweep), out = dir.path("r.jsonl");
  Result r = cli({"sweep", sweep, "--out", out, "--jobs", "2", "--engine", "systemc", "--quiet"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "12 points"));
  CHECK(contains(r.out, "4 failed"));
  const std::string text = read_file(out);
  CHECK(lines_of(text).size() == 13);
  CHECK(contains(text, "systemc"));
}

TEST_CASE("sweep: a JSON line per point, a failing point is recorded and the rest complete") {
  TempDir dir;
  const std::string sweep = dir.write("tiny.yaml", kTinySweep), out = dir.path("r.jsonl");
  Result r = cli({"sweep", sweep, "--out", out, "--jobs", "2", "--quiet"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "12 points"));
  CHECK(contains(r.out, "4 failed"));
  const auto lines = lines_of(read_file(out));
  REQUIRE(lines.size() == 13);
  CHECK(lines[0].starts_with("{\"sweep\":\""));
  CHECK(contains(lines[0], "\"header\":{\"schema\":\"npusim.sweep\""));
  CHECK(contains(lines[0], "\"points\":12"));
  for (size_t i = 1; i < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(contains(lines[i], "\"index\":" + std::to_string(i - 1) + ",\"point\":{\"model\":\"tiny-block\""));
    const bool bad = contains(lines[i], "\"sram.size\":\"512B\"");
    CHECK(contains(lines[i], bad ? "\"status\":\"error\",\"error\":\"" : "\"status\":\"ok\",\"metrics\":{"));
    if (bad) CHECK(contains(lines[i], "sram.size"));
    if (!bad) CHECK(contains(lines[i], "\"networks\":[{\"name\":\"tiny-block\""));
  }
  // The same sweep again into an existing file needs --resume.
  check_usage_error(cli({"sweep", sweep, "--out", out}), "pass --resume");
  // Exit code 2 and file:line for a bad sweep file.
  check_usage_error(
      cli({"sweep", dir.write("bad.yaml", "hw: tiny-test\nmodels: [tiny-block]\naxes:\n  sram.sise: [1MiB]\n"), "--out",
           dir.path("x.jsonl")}),
      "bad.yaml:4: sram.sise: unknown hardware key; did you mean sram.size?");
  check_usage_error(cli({"sweep", sweep, "--out", dir.path("y.jsonl"), "--engine", "sytemc"}),
                    "--engine sytemc: unknown engine; valid: analytic, systemc");
  check_usage_error(cli({"sweep", sweep, "--out", dir.path("y.jsonl"), "--shard", "2/2"}), "0 <= I < N");
}

TEST_CASE("sweep: --jobs 1 and --jobs 2 and two runs give byte-identical files") {
  TempDir dir;
  const std::string sweep = dir.write("tiny.yaml", kTinySweep);
  REQUIRE(cli({"sweep", sweep, "--out", dir.path("a.jsonl"), "--jobs", "1", "--quiet"}).code == 0);
  REQUIRE(cli({"sweep", sweep, "--out", dir.path("b.jsonl"), "--jobs", "2", "--quiet"}).code == 0);
  REQUIRE(cli({"sweep", sweep, "--out", dir.path("c.jsonl"), "--jobs", "2", "--quiet"}).code == 0);
  const std::string a = read_file(dir.path("a.jsonl"));
  CHECK(a.size() > 1000);
  CHECK(a == read_file(dir.path("b.jsonl")));
  CHECK(a == read_file(dir.path("c.jsonl")));
}

TEST_CASE("run_sweep: a stop request starts no new point and still reports the points in flight") {
  const auto spec = parse(kTinySweep);
  const auto workloads = npusim::tools::load_sweep_workloads(spec);
  std::vector<uint64_t> todo(spec.num_points());
  std::iota(todo.begin(), todo.end(), 0);
  for (const unsigned jobs : {1u, 3u}) {
    INFO("jobs ", jobs);
    std::stop_source stop;
    std::vector<uint64_t> reported;
    npusim::sim::run_sweep(
        spec, todo, workloads, npusim::tools::hw_dirs(), jobs,
        [&](const npusim::sim::SweepPoint& p, const npusim::sim::WorkloadResult*, const std::string&) {
          reported.push_back(p.index);
          stop.request_stop();
        },
        stop.get_token());
    // At the first report each thread had started at most one point and, stop requested there,
    // none starts another. Indices are handed out in order, so reporting every point started
    // means reporting a prefix of `todo` (a dropped point leaves a gap unless it was the last;
    // python/module, stopping many sweeps, is the test that catches drops).
    std::sort(reported.begin(), reported.end());
    REQUIRE(!reported.empty());
    CHECK(reported.size() <= jobs);
    for (size_t i = 0; i < reported.size(); ++i) CHECK(reported[i] == todo[i]);
  }
}

TEST_CASE("sweep: shards merged equal the unsharded sweep and merge refuses other sweeps") {
  TempDir dir;
  const std::string sweep = dir.write("tiny.yaml", kTinySweep);
  REQUIRE(cli({"sweep", sweep, "--out", dir.path("all.jsonl"), "--quiet"}).code == 0);
  for (const std::string i : {"0", "1", "2"})
    REQUIRE(cli({"sweep", sweep, "--out", dir.path("s" + i + ".jsonl"), "--shard", i + "/3", "--quiet"}).code == 0);
  CHECK(lines_of(read_file(dir.path("s1.jsonl"))).size() == 1 + 4);  // header + points 1, 4, 7, 10
  Result m =
      cli({"merge", dir.path("s2.jsonl"), dir.path("s0.jsonl"), dir.path("s1.jsonl"), "--out", dir.path("m.jsonl")});
  INFO(m.out, m.err);
  CHECK(m.code == 0);
  CHECK(contains(m.out, "12 of 12 points"));
  CHECK(read_file(dir.path("m.jsonl")) == read_file(dir.path("all.jsonl")));

  // Missing shards: exit code 1 (the merged file is still written), or 0 with --partial.
  m = cli({"merge", dir.path("s0.jsonl"), "--out", dir.path("p.jsonl")});
  CHECK(m.code == 1);
  CHECK(contains(m.out, "8 points missing"));
  CHECK(cli({"merge", dir.path("s0.jsonl"), "--out", dir.path("p.jsonl"), "--partial"}).code == 0);

  // Another sweep (one more SRAM size) has another hash.
  std::string other = kTinySweep;
  other.replace(other.find("64KiB"), 5, "48KiB");
  REQUIRE(
      cli({"sweep", dir.write("other.yaml", other), "--out", dir.path("o.jsonl"), "--quiet", "--shard", "1/3"}).code ==
      0);
  check_usage_error(cli({"merge", dir.path("s0.jsonl"), dir.path("o.jsonl"), "--out", dir.path("bad.jsonl")}),
                    "only shards of one sweep merge");
  // And resuming it into the first sweep's file is refused.
  check_usage_error(cli({"sweep", dir.path("other.yaml"), "--out", dir.path("s0.jsonl"), "--resume", "--quiet"}),
                    "choose another --out");
}

TEST_CASE("sweep: resume after kill -9 loses nothing and repeats nothing") {
  TempDir dir;
  // 60 points of the SD 1.5 UNet on the Expedera preset: slow enough (a few ms a point) to be
  // killed part-way.
  const std::string sweep = dir.write("unet.yaml", R"(name: unet
hw: expedera-8k
models: [sd15-unet]
strategies: [offchip, onchip, fused]
axes:
  dram.bandwidth: {from: 5GB/s, to: 100GB/s, step: 5GB/s}
)");
  const std::string out = dir.path("r.jsonl");
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    Result r = cli({"sweep", sweep, "--out", out, "--jobs", "2", "--quiet"});
    _exit(r.code == 0 ? 0 : 3);
  }
  // Kill it for real once a few points are on disk.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count(read_file(out), "\n") < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  std::string partial = read_file(out);
  const size_t done_before = count(partial, "\n") - 1;  // complete point lines (minus the header)
  INFO("points done before the kill: ", done_before);
  REQUIRE(done_before >= 3);
  REQUIRE(done_before < 60);
  // A write cut short by the kill leaves half a line: add one for certain.
  if (!partial.ends_with("\n")) partial.erase(partial.rfind('\n') + 1);
  const size_t complete = partial.size();
  partial += R"({"sweep":"0123456789abcdef","index":59,"point":{"mo)";
  std::ofstream(out, std::ios::binary | std::ios::trunc) << partial;
  const std::string before = partial.substr(0, complete);

  Result r = cli({"sweep", sweep, "--out", out, "--resume", "--jobs", "2", "--quiet"});
  INFO(r.out, r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, std::to_string(60 - done_before) + " run now"));
  CHECK(contains(r.out, std::to_string(done_before) + " already done"));
  const std::string resumed = read_file(out);
  // Every line from before the kill is kept as it was.
  for (const auto& line : lines_of(before)) CHECK(contains(resumed, line + "\n"));
  // And the file equals one uninterrupted run's.
  REQUIRE(cli({"sweep", sweep, "--out", dir.path("whole.jsonl"), "--quiet"}).code == 0);
  CHECK(resumed == read_file(dir.path("whole.jsonl")));
  CHECK(count(resumed, "\n") == 61);
}

TEST_CASE("sweep: damaged result files are refused with file and line") {
  TempDir dir;
  const std::string sweep = dir.write("tiny.yaml", kTinySweep), out = dir.path("r.jsonl");
  REQUIRE(cli({"sweep", sweep, "--out", out, "--quiet"}).code == 0);
  const auto lines = lines_of(read_file(out));
  REQUIRE(lines.size() == 13);
  // A line that is not a result, in the middle of the file.
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) text += (i == 2 ? std::string("hello\n") : "") + lines[i] + "\n";
  dir.write("bad.jsonl", text);
  check_usage_error(cli({"sweep", sweep, "--out", dir.path("bad.jsonl"), "--resume", "--quiet"}),
                    "bad.jsonl:3: not a line of npusim sweep results");
  // One point with two different results (e.g. edited by hand).
  std::string twice = read_file(out) + lines[1];
  twice.replace(twice.rfind("\"status\":\"ok\""), 13, "\"status\":\"ok\" ");
  dir.write("twice.jsonl", twice + "\n");
  check_usage_error(cli({"merge", dir.path("twice.jsonl"), "--out", dir.path("m.jsonl")}),
                    "twice.jsonl:14: point 0 is recorded twice with different results");
  // A sweep already writing the file holds a lock on it.
  {
    const int fd = ::open(out.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    check_usage_error(cli({"sweep", sweep, "--out", out, "--resume", "--quiet"}), "another npusim sweep is writing");
    ::close(fd);
    CHECK(cli({"sweep", sweep, "--out", out, "--resume", "--quiet"}).code == 0);
  }
  // --dry-run lists the points without running them.
  Result r = cli({"sweep", sweep, "--dry-run", "--shard", "1/4"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "12 points\n1  model=tiny-block  sram.size=32KiB  dram.bandwidth=1GB/s  strategy=fused\n5  "));
}
