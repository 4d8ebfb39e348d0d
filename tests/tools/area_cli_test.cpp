// The area model through the CLI: `run` prints area per block with units and sources and puts
// it in the JSON; `config --explain` documents the technology keys; bad technology input
// exits 2 naming the key.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

using npusim::testing::contains;

namespace {
npusim::testing::CliResult cli(const std::vector<std::string>& args) { return npusim::testing::run_cli_capture(args); }
}  // namespace

TEST_CASE("run: a technology prints area per block with units and sources, and the JSON has it") {
  const std::vector<std::string> base = {"run",   "--hw",          "tiny-test", "--model",         "tiny-block",
                                         "--set", "technology=n5", "--set",     "static_power=0mW"};
  auto r = cli(base);
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "area       "));
  CHECK(contains(r.out, " mm2 at n5 (SRAM "));
  CHECK(contains(r.out, "leakage of the n5 area model at 0.717 V"));  // 1 GHz: 0.65 V @ 800 MHz + 0.1 V x 200/300
  for (const char* block : {"  MAC array  ", "  vector unit  ", "  SRAM  ", "  DMA  ", "  control  "})
    CHECK_MESSAGE(contains(r.out, block), block);
  CHECK(contains(r.out, "source: TSMC N5 high-density 6T bit cell 0.021 um2"));
  std::vector<std::string> json = base;
  json.push_back("--json");
  r = cli(json);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "\"silicon\": {"));
  CHECK(contains(r.out, "\"technology\": \"n5\""));
  CHECK(contains(r.out, "\"area_blocks\": ["));
  CHECK(contains(r.out, "\"static_power_mw\""));
  // Deterministic: the same run gives the same bytes.
  CHECK(cli(json).out == r.out);
  // Without a technology there is no area section and the JSON's silicon block is empty.
  r = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--json"});
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "\"technology\": \"\""));
  CHECK(contains(r.out, "\"area_blocks\": []"));
}

TEST_CASE("config --explain documents every technology key with its unit") {
  auto r = cli({"config", "--explain"});
  REQUIRE(r.code == 0);
  for (const char* key :
       {"technology ", "power_budget ", "dram.phy_width ", "tech.sram.bitcell ", "tech.sram.leakage ", "tech.mac.w8a8 ",
        "tech.mac.pe_overhead ", "tech.vector.lane ", "tech.dma.channel ", "tech.dram_phy.per_16bit ",
        "tech.logic.leakage ", "tech.voltage.nominal ", "tech.voltage.vf "})
    CHECK_MESSAGE(contains(r.out, key), key);
  CHECK(contains(r.out, "area (um2)"));
  CHECK(contains(r.out, "power density (mW/mm2)"));
  CHECK(contains(r.out, "voltage (V)"));
}

TEST_CASE("run: a bad technology exits 2 naming the key") {
  auto r = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "technology=n6"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "technology = \"n6\": no such technology"));
  r = cli(
      {"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "technology=n5", "--set", "tech.voltage.vf=fast"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "tech.voltage.vf = \"fast\": point 1 \"fast\": expected VOLTAGE@CLOCK"));
}

TEST_CASE("run: a power budget on the Snapdragon 8 Elite preset picks a clock whose power fits") {
  const std::vector<std::string> args = {"run",           "--hw",  "snapdragon-8elite", "--model", "sd15", "--set",
                                         "technology=n4", "--set", "power_budget=3W"};
  auto r = cli(args);
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "==== Power budget 3W ===="));
  CHECK(contains(r.out, "  peak clock            1937.0 MHz"));
  CHECK(contains(r.out, "  sustained clock   "));
  CHECK(contains(r.out, " s per image"));
  std::vector<std::string> json = args;
  json.push_back("--json");
  r = cli(json);
  REQUIRE(r.code == 0);
  auto number = [&](const std::string& key) {
    const size_t at = r.out.find("\"" + key + "\": ");
    REQUIRE_MESSAGE(at != std::string::npos, key);
    return std::stod(r.out.substr(at + key.size() + 4));
  };
  CHECK(contains(r.out, "\"fits\": true"));
  CHECK(number("sustained_power_mw") <= 3000);
  // At w8a8 this preset runs SD 1.5's attention on the vector unit, and the peak (1.937 GHz,
  // 0.81 W on average) fits 3 W: the peak clock is the answer. Should a recalibration take the
  // peak over 3 W, a lower sustained clock must be.
  if (number("peak_power_mw") > 3000) {
    CHECK(number("sustained_clock_hz") < number("peak_clock_hz"));
    CHECK(number("sustained_seconds") > number("peak_seconds"));
  } else {
    CHECK(number("sustained_clock_hz") == number("peak_clock_hz"));
  }
}

TEST_CASE("sweep: area, static power and sustained throughput are metrics, and the report plots their fronts") {
  npusim::testing::TempDir dir;
  const std::string sweep =
      dir.write("s.yaml",
                "hw: tiny-test\nset: {technology: n5, static_power: 0mW, power_budget: 1mW}\nmodels: [tiny-block]\n"
                "strategies: [onchip, fused]\naxes:\n  sram.size: [64KiB, 256KiB]\n");
  auto r = cli({"sweep", sweep, "--out", dir.path("s.jsonl"), "--quiet"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const auto lines = npusim::testing::lines_of(npusim::testing::read_file(dir.path("s.jsonl")));
  REQUIRE(lines.size() == 5);  // header + 4 points
  auto number = [](const std::string& line, const std::string& key) {
    const size_t at = line.find("\"" + key + "\":");
    REQUIRE_MESSAGE(at != std::string::npos, key);
    return std::stod(line.substr(at + key.size() + 3));
  };
  // Points 0, 1 at 64 KiB; 2, 3 at 256 KiB: the larger SRAM has more area and leaks more.
  CHECK(number(lines[3], "area_mm2") > number(lines[1], "area_mm2"));
  CHECK(number(lines[3], "static_power_mw") > number(lines[1], "static_power_mw"));
  CHECK(number(lines[1], "area_mm2") == number(lines[2], "area_mm2"));  // same hardware, other strategy
  for (size_t i = 1; i < lines.size(); ++i) {
    CHECK(contains(lines[i], "\"area_blocks_mm2\":{\"MAC array\":"));
    // tiny-block is a single network: its sweep line has latency_ms (sim/metrics.h), and the
    // budget's seconds are one pass of it.
    CHECK(number(lines[i], "sustained_seconds_per_image") >= number(lines[i], "latency_ms") / 1e3);
    CHECK(number(lines[i], "sustained_clock_hz") > 0);
  }
  r = cli({"report", dir.path("s.jsonl"), "-o", dir.path("rep")});
  INFO("report stderr: ", r.err);
  REQUIRE(r.code == 0);
  for (const char* f : {"sweep1_pareto_throughput_vs_area.png", "sweep1_pareto_energy_vs_area.png",
                        "sweep1_area_by_block.png", "sweep1_pareto.png"})
    CHECK_MESSAGE(std::filesystem::exists(dir.path("rep/") + f), f);
  const std::string md = npusim::testing::read_file(dir.path("rep/report.md"));
  CHECK(contains(md, "Pareto-optimal points: throughput against area"));
  CHECK(contains(npusim::testing::read_file(dir.path("rep/sweep1_results.csv")), ",area_mm2,static_power_mW,"));
}
