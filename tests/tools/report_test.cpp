// npusim report: report.md, report.html, CSVs and plots from a run and a small sweep, and the
// same files byte for byte from the same inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

namespace fs = std::filesystem;
using npusim::testing::TempDir;

using npusim::testing::contains;
using npusim::testing::read_file;

namespace {

using Result = npusim::testing::CliResult;
Result cli(const std::vector<std::string>& args) { return npusim::testing::run_cli_capture(args); }

// Every file of a directory by name.
std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename().string()] = read_file(e.path().string());
  return out;
}

// 2 SRAM sizes (one below the 1 KiB minimum, so it fails) x 2 array shapes x 2 strategies.
constexpr const char* kSweep = R"(name: tiny-report
hw: tiny-test
models: [tiny-block]
strategies: [offchip, fused]
axes:
  sram.size: [512B, 32KiB, 64KiB]
  shape:
    - {mac_array.rows: 4, mac_array.cols: 4}
    - {mac_array.rows: 2, mac_array.cols: 8}
)";

}  // namespace

TEST_CASE("report: a run and a small sweep give report.md, report.html, CSVs and plots, byte-identical twice") {
  TempDir dir;
  const std::string results = dir.path("r.jsonl"), run = dir.path("run");
  REQUIRE(cli({"sweep", dir.write("s.yaml", kSweep), "--out", results, "--quiet"}).code == 0);
  REQUIRE(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--strategy", "fused", "--out", run}).code == 0);

  Result r = cli({"report", run, results, "-o", dir.path("a")});
  INFO(r.out, r.err);
  REQUIRE(r.code == 0);
  const auto a = files_of(dir.path("a"));
  for (const std::string name :
       {"report.md", "report.html", "run1_networks.csv", "run1_layers_by_bound.png", "run1_layers_by_bound.svg",
        "run1_roofline.png", "run1_dram_by_kind.png", "sweep2_results.csv", "sweep2_dram_by_kind.png",
        "sweep2_vs_sram_size.png", "sweep2_vs_shape.png", "sweep2_pareto.png", "sweep2_pareto.svg"}) {
    INFO(name);
    REQUIRE(a.count(name));
    CHECK(a.at(name).size() > 200);
    CHECK(contains(r.out, name));
  }
  CHECK(a.at("run1_roofline.png").starts_with("\x89PNG"));
  const std::string& md = a.at("report.md");
  const std::string& page = a.at("report.html");
  // Provenance: version and commit, hardware, model, precision and strategy.
  for (const std::string part :
       {"Report by npusim 0.1.0 (commit ", "Model `tiny-block`", "precision `w8a8`", "strategy `fused`",
        "sram.size: 64KiB", "mac_array.rows: 4", "strategies: offchip, fused",
        "12 of 12 points present (8 ok, 4 failed)", "Failed points"}) {
    INFO(part);
    CHECK(contains(md, part));
  }
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(contains(page, "<img alt=\"Pareto front of images/s against energy per image\" src=\"data:image/png;base64,"));
  CHECK_FALSE(contains(page, "src=\"sweep"));  // self-contained: no image files referenced
  // results.csv: a header and one row per point.
  CHECK(std::count(a.at("sweep2_results.csv").begin(), a.at("sweep2_results.csv").end(), '\n') == 13);

  REQUIRE(cli({"report", run, results, "-o", dir.path("b")}).code == 0);
  const auto b = files_of(dir.path("b"));
  REQUIRE(a.size() == b.size());
  for (const auto& [name, text] : a) {
    INFO(name);
    CHECK(b.count(name));
    if (b.count(name)) CHECK(text == b.at(name));
  }
}

TEST_CASE("report: bad inputs are usage errors") {
  TempDir dir;
  Result r = cli({"report", dir.path("none.jsonl"), "-o", dir.path("o")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "none.jsonl: no such file or directory"));
  r = cli({"report", dir.path(), "-o", dir.path("o")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "no summary.json"));
  r = cli({"report", dir.write("x.jsonl", "{}\n")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "-o DIR is required"));
}
