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
        "run1_time_by_block.png", "run1_roofline.png", "run1_dram_by_kind.png", "run1_energy.png", "sweep2_results.csv",
        "sweep2_dram_by_kind.png", "sweep2_vs_sram_size.png", "sweep2_vs_shape.png", "sweep2_pareto.png",
        "sweep2_pareto.svg"}) {
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
  // The run's resolved config is collapsed below its plots, in both documents.
  const size_t md_config = md.find("<details><summary>Resolved hardware config (tiny-test)</summary>");
  REQUIRE(md_config != std::string::npos);
  CHECK(md_config > md.find("run1_energy.png"));
  const size_t page_config = page.find("<details><summary>Resolved hardware config (tiny-test)</summary><pre>");
  REQUIRE(page_config != std::string::npos);
  CHECK(page_config > page.find("Energy by component (MAC, vector, SRAM, DRAM, static) per network"));
  CHECK(page.find("mac_array.rows: 4", page_config) != std::string::npos);
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(contains(page,
                 "<img alt=\"Pareto front of inferences per second against energy per inference (mJ)\" "
                 "src=\"data:image/png;base64,"));
  CHECK_FALSE(contains(page, "src=\"sweep"));  // self-contained: no image files referenced
  // results.csv: a header and one row per point.
  CHECK(std::count(a.at("sweep2_results.csv").begin(), a.at("sweep2_results.csv").end(), '\n') == 13);

  // The second time from a copy whose point lines are reversed and one repeated (a sweep still
  // appending, or joined by hand): report reads it in point order, so the files are the same.
  auto lines = npusim::testing::lines_of(read_file(results));
  std::reverse(lines.begin() + 1, lines.end());
  lines.push_back(lines[3]);
  std::string shuffled;
  for (const auto& l : lines) shuffled += l + "\n";
  fs::create_directories(dir.path("shuffled"));
  const std::string results2 = dir.write("shuffled/r.jsonl", shuffled);
  REQUIRE(cli({"report", run, results2, "-o", dir.path("b")}).code == 0);
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
  CHECK(contains(r.err, "none.jsonl: no such file"));
  r = cli({"report", dir.path(), "-o", dir.path("o")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "no summary.json"));
  r = cli({"report", dir.write("x.jsonl", "{}\n")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "-o DIR is required"));
  // A results file from before the metric vocabulary (sweep schema 1): exit 2, not a crash, with
  // the script's own message and no report folder left behind.
  r = cli({"report",
           dir.write("v1.jsonl",
                     "{\"sweep\":\"0123456789abcdef\",\"header\":{\"schema\":\"npusim.sweep\",\"schema_version\":1,"
                     "\"points\":0}}\n"),
           "-o", dir.path("o1")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "npusim_report.py failed (exit code 1): npusim report: "));
  CHECK(contains(r.err, "sweep schema v1 has no metric vocabulary"));
  CHECK_FALSE(std::filesystem::exists(dir.path("o1")));
}

TEST_CASE("report: an LLM sweep gets time-to-first-token and tokens/s columns, a mixed sweep ranks each kind alone") {
  TempDir dir;
  const std::string results = dir.path("m.jsonl");
  REQUIRE(cli({"sweep",
               dir.write("m.yaml",
                         "name: mixed\nhw: expedera-8k\nmodels: [sd15, llama3.2-1b]\nstrategies: [fused]\n"
                         "axes:\n  sram.size: [4MiB, 8MiB]\n"),
               "--out", results, "--quiet"})
              .code == 0);
  Result r = cli({"report", results, "-o", dir.path("o")});
  INFO(r.out, r.err);
  REQUIRE(r.code == 0);
  const auto o = files_of(dir.path("o"));
  // One Pareto plot per kind: LLM decode tokens/s and diffusion images/s are never on one axis.
  for (const std::string name : {"sweep1_diffusion_pareto.png", "sweep1_llm_pareto.png", "sweep1_llm_vs_sram_size.png",
                                 "sweep1_diffusion_vs_sram_size.png"}) {
    INFO(name);
    CHECK(o.count(name));
  }
  CHECK_FALSE(o.count("sweep1_pareto.png"));
  const auto rows = npusim::testing::lines_of(o.at("sweep1_results.csv"));
  REQUIRE(rows.size() == 5);
  auto column = [&](const std::string& key) {
    const std::string& h = rows[0];
    const auto at = h.find("," + key + ",");
    REQUIRE_MESSAGE(at != std::string::npos, key);
    return std::count(h.begin(), h.begin() + at + 1, ',');
  };
  auto cell = [&](size_t row, long col) {
    std::string line = rows[row], c;
    for (long i = 0; i <= col; ++i) {
      const auto comma = line.find(',');
      c = line.substr(0, comma);
      line = comma == std::string::npos ? "" : line.substr(comma + 1);
    }
    return c;
  };
  const long ttft = column("time_to_first_token_ms"), tps = column("decode_tokens_per_s"),
             spi = column("seconds_per_image");
  // Rows 1, 2: sd15 (seconds per image, no LLM figures); rows 3, 4: llama3.2-1b (the other way round).
  CHECK_FALSE(cell(1, spi).empty());
  CHECK(cell(1, ttft).empty());
  CHECK(cell(3, spi).empty());
  CHECK(std::stod(cell(3, ttft)) > 0);
  CHECK(std::stod(cell(3, tps)) > 0);
  const std::string& md = o.at("report.md");
  CHECK(contains(md, "This sweep mixes workload kinds (diffusion, llm)"));
  CHECK(contains(md, "| decode tokens per second |"));
  CHECK(contains(md, "| images per second |"));
}

TEST_CASE("report: a run without MAC ops has no roofline, and a failed report leaves nothing behind") {
  TempDir dir;
  // One SiLU: no op does MACs, so the roofline's log axes would have no positive value (the
  // script failed with "Data has no positive values, and therefore can not be log-scaled").
  const std::string model = dir.write("no_macs.yaml", R"(graph: no-macs
inputs:
  - {name: x, shape: [1, 8, 16, 16]}
layers:
  - {name: act, op: silu, input: x}
)");
  REQUIRE(cli({"run", "--hw", "tiny-test", "--model", model, "--out", dir.path("run")}).code == 0);
  Result r = cli({"report", dir.path("run"), "-o", dir.path("o")});
  INFO(r.out, r.err);
  REQUIRE(r.code == 0);
  const auto files = files_of(dir.path("o"));
  CHECK(contains(files.at("report.md"), "No roofline: no op of no-macs does MACs."));
  CHECK_FALSE(files.count("run1_roofline.png"));
  CHECK(contains(r.out, (fs::path(dir.path("o")) / "report.md").string()));

  // Reporting again into the same folder replaces its files; a failing report changes nothing
  // in it and leaves no temporary folder beside it.
  REQUIRE(cli({"report", dir.path("run"), "-o", dir.path("o")}).code == 0);
  const std::string bad = dir.write("bad.jsonl", "{\"sweep\":\"0123456789abcdef\",\"header\":{\"points\":1}}\n");
  r = cli({"report", dir.path("run"), bad, "-o", dir.path("o")});
  CHECK(r.code == 2);
  CHECK(files_of(dir.path("o")) == files);
  for (const auto& e : fs::directory_iterator(dir.path())) CHECK_FALSE(contains(e.path().string(), ".tmp-"));

  // A symbolic link loop is named as one (it said "no such file or directory").
  fs::create_symlink(dir.path("loop_b"), dir.path("loop_a"));
  fs::create_symlink(dir.path("loop_a"), dir.path("loop_b"));
  r = cli({"report", dir.path("loop_a"), "-o", dir.path("o2")});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "loop_a: a symbolic link to nothing (a missing file or a loop of links)"));
}
