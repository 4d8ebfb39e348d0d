#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "arch/config_loader.h"
#include "arch/config_schema.h"
#include "test_util.h"

using namespace npusim::arch;
namespace fs = std::filesystem;

using npusim::testing::TempDir;

namespace {

const std::string kHwDir = std::string(NPUSIM_SOURCE_DIR) + "/configs/hw";

LoadOptions opts(std::vector<std::string> overrides = {}) {
  return LoadOptions{.overrides = std::move(overrides), .preset_dirs = {kHwDir}};
}

// Every required key and one supported precision, nothing else: a complete config without `base:`.
const std::string kMini =
    "name: mini\n"
    "mac_array:\n"
    "  rows: 8\n"
    "  cols: 8\n"
    "  frequency: 1GHz\n"
    "  precision:\n"
    "    w8a8: {macs_per_pe_per_cycle: 1}\n"
    "vector_unit:\n"
    "  lanes: 8\n"
    "  frequency: 1GHz\n"
    "sram:\n"
    "  size: 64KiB\n"
    "  bytes_per_cycle: 16\n"
    "dram:\n"
    "  bandwidth: 1GB/s\n";

struct Failure {
  std::string header;               // "invalid hardware config:" or "N errors in hardware config:"
  std::vector<std::string> errors;  // one per problem, without the two-space indent
};

Failure failure_of(const std::function<void()>& load) {
  Failure f;
  try {
    load();
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::istringstream in(e.what());
    std::getline(in, f.header);
    for (std::string line; std::getline(in, line);) {
      CHECK(line.starts_with("  "));
      f.errors.push_back(line.substr(2));
    }
  }
  return f;
}

Failure text_failure(const std::string& yaml, std::vector<std::string> overrides = {}) {
  return failure_of([&] { load_npu_config_text(yaml, "bad.yaml", opts(std::move(overrides))); });
}

// The single error a config produces.
std::string only_error(const Failure& f) {
  INFO("header: ", f.header);
  CHECK(f.header == "invalid hardware config:");
  REQUIRE(f.errors.size() == 1);
  return f.errors[0];
}

std::string only_error(const std::string& yaml, std::vector<std::string> overrides = {}) {
  return only_error(text_failure(yaml, std::move(overrides)));
}

// Resolved YAML without its leading comment lines (sources and --set), which name files.
std::string body(const std::string& resolved) {
  std::istringstream in(resolved);
  std::string out;
  bool started = false;
  for (std::string line; std::getline(in, line);) {
    started = started || !line.starts_with("#");
    if (started) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("ConfigError is a UserError") {
  static_assert(std::is_base_of_v<npusim::UserError, ConfigError>);
  CHECK_THROWS_AS(load_npu_config_text("", "bad.yaml", opts()), npusim::UserError);
}

TEST_CASE("expedera-8k preset has the values its YAML says") {
  NpuConfig c = load_npu_config("expedera-8k", opts());
  CHECK(c.name == "expedera-8k");
  CHECK(c.description.starts_with("8192 MACs @ 750 MHz"));
  CHECK(c.mac_array.rows == 64);
  CHECK(c.mac_array.cols == 128);
  CHECK(c.mac_array.pes() == 8192);
  CHECK(c.mac_array.frequency_hz == 750e6);
  CHECK(c.mac_array.dataflows ==
        std::vector<Dataflow>{Dataflow::kWeightStationary, Dataflow::kOutputStationary, Dataflow::kInputStationary});
  CHECK(c.mac_array.mode(PrecisionMode::kW8A8).macs_per_pe_per_cycle == 1);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A8).energy_per_mac_pj == 0.17);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A16).macs_per_pe_per_cycle == 0.5);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A16).energy_per_mac_pj == 0.34);
  CHECK(c.mac_array.mode(PrecisionMode::kW4A16).macs_per_pe_per_cycle == 0.5);
  CHECK(c.mac_array.mode(PrecisionMode::kW4A16).energy_per_mac_pj == 0.34);
  CHECK(c.mac_array.mode(PrecisionMode::kFp16).macs_per_pe_per_cycle == 0.25);
  CHECK(c.mac_array.mode(PrecisionMode::kFp16).energy_per_mac_pj == 1.1);
  CHECK(c.vector_unit.lanes == 512);
  CHECK(c.vector_unit.frequency_hz == 750e6);
  CHECK(c.vector_unit.cost_norm == 3);
  CHECK(c.vector_unit.cost_softmax == 4);
  CHECK(c.vector_unit.cost_activation == 2);
  CHECK(c.vector_unit.cost_eltwise == 1);
  CHECK(c.vector_unit.energy_per_elem_op_pj == 0.1);
  CHECK(c.vector_unit.overlaps_mac);
  CHECK(c.sram.size_bytes == 7 * (uint64_t{1} << 20));
  CHECK(c.sram.banks == 16);
  CHECK(c.sram.bytes_per_cycle == 512);
  CHECK(c.sram.read_energy_pj_per_byte == 1.0);
  CHECK(c.sram.write_energy_pj_per_byte == 1.2);
  CHECK(c.dram.bandwidth_bytes_per_s == 12e9);
  CHECK(c.dram.latency_ps == 100e3);  // 100 ns
  CHECK(c.dram.burst_bytes == 64);
  CHECK(c.dram.energy_pj_per_bit == 6);
  CHECK(c.dma.channels == 4);
  CHECK(c.static_power_mw == 150);
  CHECK(c.sources == std::vector<std::string>{"configs/hw/expedera-8k.yaml"});
  CHECK(c.overrides.empty());
}

TEST_CASE("tiny-test preset has the values its YAML says") {
  NpuConfig c = load_npu_config("tiny-test", opts());
  CHECK(c.name == "tiny-test");
  CHECK(c.mac_array.rows == 4);
  CHECK(c.mac_array.cols == 4);
  CHECK(c.mac_array.frequency_hz == 1e9);
  CHECK(c.mac_array.dataflows.size() == 3);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A8).macs_per_pe_per_cycle == 1);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A8).energy_per_mac_pj == 1);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A16).macs_per_pe_per_cycle == 0.5);
  CHECK(c.mac_array.mode(PrecisionMode::kW8A16).energy_per_mac_pj == 2);
  CHECK(c.mac_array.mode(PrecisionMode::kW4A16).energy_per_mac_pj == 2);
  CHECK(c.mac_array.mode(PrecisionMode::kFp16).macs_per_pe_per_cycle == 0.25);
  CHECK(c.mac_array.mode(PrecisionMode::kFp16).energy_per_mac_pj == 4);
  CHECK(c.vector_unit.lanes == 4);
  CHECK(c.vector_unit.frequency_hz == 1e9);
  CHECK(c.vector_unit.cost_norm == 2);
  CHECK(c.vector_unit.cost_softmax == 4);
  CHECK(c.vector_unit.cost_activation == 1);
  CHECK(c.vector_unit.cost_eltwise == 1);
  CHECK(c.vector_unit.energy_per_elem_op_pj == 1);
  CHECK_FALSE(c.vector_unit.overlaps_mac);
  CHECK(c.sram.size_bytes == 65536);
  CHECK(c.sram.banks == 4);
  CHECK(c.sram.bytes_per_cycle == 16);
  CHECK(c.sram.read_energy_pj_per_byte == 1);
  CHECK(c.sram.write_energy_pj_per_byte == 1);
  CHECK(c.dram.bandwidth_bytes_per_s == 1e9);
  CHECK(c.dram.latency_ps == 0);
  CHECK(c.dram.burst_bytes == 1);
  CHECK(c.dram.energy_pj_per_bit == 1);
  CHECK(c.dma.channels == 1);
  CHECK(c.static_power_mw == 1);
}

TEST_CASE("defaults fill keys a config leaves out") {
  NpuConfig c = load_npu_config_text(kMini, "mini.yaml", opts());
  CHECK(c.name == "mini");
  CHECK(c.description.empty());
  CHECK(c.mac_array.dataflows.size() == 3);
  CHECK_FALSE(c.mac_array.mode(PrecisionMode::kFp16).supported());
  CHECK(c.vector_unit.cost_norm == 3);
  CHECK(c.vector_unit.overlaps_mac);
  CHECK(c.sram.banks == 16);
  CHECK(c.dram.latency_ps == 100e3);
  CHECK(c.dram.burst_bytes == 64);
  CHECK(c.dma.channels == 2);
  CHECK(c.sources == std::vector<std::string>{"mini.yaml"});
}

TEST_CASE("resolved_yaml loads back to the same config") {
  for (const char* preset : {"expedera-8k", "tiny-test"}) {
    for (const std::vector<std::string>& ov :
         {std::vector<std::string>{}, std::vector<std::string>{"dram.bandwidth=12.8GB/s", "static_power=0.3mW"}}) {
      INFO("preset: ", preset, "  overrides: ", ov.size());
      std::string first = resolved_yaml(load_npu_config(preset, opts(ov)));
      std::string second = resolved_yaml(load_npu_config_text(first, "resolved.yaml", opts()));
      CHECK(first.starts_with("# npusim resolved hardware config\n"));
      CHECK(body(second) == body(first));
      CHECK(body(first).starts_with("name: \""));
    }
  }
  std::string r = resolved_yaml(load_npu_config("expedera-8k", opts()));
  CHECK(r.find("  frequency: 750MHz\n") != std::string::npos);
  CHECK(r.find("  size: 7MiB\n") != std::string::npos);
  CHECK(r.find("  bandwidth: 12GB/s\n") != std::string::npos);
  CHECK(r.find("  energy: 6pJ/bit\n") != std::string::npos);
}

TEST_CASE("base chain: a file overrides one key of its base and keeps the rest") {
  TempDir dir;
  std::string child = dir.write("child.yaml", "base: expedera-8k\nname: child\nsram:\n  size: 4MiB\n");
  NpuConfig c = load_npu_config(child, opts());
  CHECK(c.name == "child");
  CHECK(c.sram.size_bytes == 4 * (uint64_t{1} << 20));
  CHECK(c.sram.banks == 16);
  CHECK(c.mac_array.rows == 64);
  CHECK(c.dram.bandwidth_bytes_per_s == 12e9);
  CHECK(c.sources == std::vector<std::string>{"configs/hw/expedera-8k.yaml", child});

  SUBCASE("a base given as a path is relative to the file that names it") {
    std::string grandchild = dir.write("grandchild.yaml", "base: child.yaml\ndram:\n  bandwidth: 24GB/s\n");
    NpuConfig g = load_npu_config(grandchild, opts());
    CHECK(g.name == "child");
    CHECK(g.sram.size_bytes == 4 * (uint64_t{1} << 20));
    CHECK(g.dram.bandwidth_bytes_per_s == 24e9);
    CHECK(g.sources.size() == 3);
  }
}

TEST_CASE("--set overrides apply last, in order") {
  NpuConfig c = load_npu_config("expedera-8k", opts({"sram.size=4MiB", "mac_array.dataflows=[output_stationary]",
                                                     "vector_unit.overlaps_mac=false", "dram.bandwidth=24GB/s",
                                                     "dram.bandwidth=6GB/s", "description=swept"}));
  CHECK(c.sram.size_bytes == 4 * (uint64_t{1} << 20));
  CHECK(c.mac_array.dataflows == std::vector<Dataflow>{Dataflow::kOutputStationary});
  CHECK_FALSE(c.vector_unit.overlaps_mac);
  CHECK(c.dram.bandwidth_bytes_per_s == 6e9);
  CHECK(c.description == "swept");
  CHECK(c.mac_array.rows == 64);
  CHECK(c.overrides.size() == 6);
  std::string r = resolved_yaml(c);
  CHECK(r.find("# --set mac_array.dataflows=[output_stationary]\n") != std::string::npos);
  CHECK(r.find("  dataflows: [output_stationary]\n") != std::string::npos);
}

TEST_CASE("explain_params lists every key of the parameter table") {
  std::string e = explain_params();
  for (const ParamSpec& p : param_table()) {
    INFO("key: ", p.key);
    CHECK(e.find(p.key + " ") != std::string::npos);
  }
  CHECK(e.find("1MHz .. 100GHz") != std::string::npos);
  CHECK(e.find("required") != std::string::npos);
}

TEST_CASE("list_presets finds both presets") {
  std::vector<std::string> p = list_presets({kHwDir});
  CHECK(std::find(p.begin(), p.end(), "expedera-8k") != p.end());
  CHECK(std::find(p.begin(), p.end(), "tiny-test") != p.end());
  CHECK(std::is_sorted(p.begin(), p.end()));
}

TEST_CASE("config errors name file, line, key, value and rule") {
  SUBCASE("unknown key with a close match") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  rowz: 4\n") ==
          "bad.yaml:3: mac_array.rowz: unknown key; did you mean mac_array.rows?");
  }
  SUBCASE("unknown key without a close match") {
    CHECK(only_error("base: tiny-test\nfoo_bar_baz: 1\n") ==
          "bad.yaml:2: foo_bar_baz: unknown key (see `npusim config --explain`)");
  }
  SUBCASE("unknown section") {
    CHECK(only_error("base: tiny-test\nmac_arrays:\n  rows: 4\n") ==
          "bad.yaml:2: mac_arrays: unknown key; did you mean mac_array?");
    CHECK(only_error("base: tiny-test\nmac_array:\n  precision:\n    w8a9: {macs_per_pe_per_cycle: 1}\n") ==
          "bad.yaml:4: mac_array.precision.w8a9: unknown key; did you mean mac_array.precision.w8a8?");
  }
  SUBCASE("a scalar where a mapping is expected") {
    CHECK(only_error("base: tiny-test\nsram: 64KiB\n") ==
          "bad.yaml:2: sram = \"64KiB\": expected a mapping of keys under sram");
  }
  SUBCASE("a mapping or list where a value is expected") {
    CHECK(only_error("base: tiny-test\nsram:\n  size: {a: 1}\n") ==
          "bad.yaml:3: sram.size = \"{a: 1}\": expected a single value, got a mapping");
    CHECK(only_error("base: tiny-test\nsram:\n  size: [1, 2]\n") ==
          "bad.yaml:3: sram.size = \"[1, 2]\": expected a single value, got a list");
  }
  SUBCASE("a key with no value") {
    CHECK(only_error("base: tiny-test\nsram:\n  size:\n") == "bad.yaml:3: sram.size = \"~\": a value is required");
  }
  SUBCASE("ambiguous size") {
    CHECK(only_error("base: tiny-test\nsram:\n  size: 7MB\n") ==
          "bad.yaml:3: sram.size = \"7MB\": ambiguous unit, write 7MiB or 7000000B");
  }
  SUBCASE("bare number for a frequency") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  frequency: 750\n") ==
          "bad.yaml:3: mac_array.frequency = \"750\": a unit is required (e.g. 750MHz); units: GHz, MHz, kHz, Hz");
  }
  SUBCASE("zero rows") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  rows: 0\n") ==
          "bad.yaml:3: mac_array.rows = \"0\": must be in 1 .. 65536");
  }
  SUBCASE("negative size") {
    CHECK(only_error("base: tiny-test\nsram:\n  size: -1MiB\n") ==
          "bad.yaml:3: sram.size = \"-1MiB\": must be in 1KiB .. 64GiB");
  }
  SUBCASE("absurd values") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  rows: 1e30\n") ==
          "bad.yaml:3: mac_array.rows = \"1e30\": must be in 1 .. 65536");
    CHECK(only_error("base: tiny-test\nmac_array:\n  rows: 4.5\n") ==
          "bad.yaml:3: mac_array.rows = \"4.5\": expected an integer");
    CHECK(only_error("base: tiny-test\nmac_array:\n  frequency: 1e30Hz\n") ==
          "bad.yaml:3: mac_array.frequency = \"1e30Hz\": must be in 1MHz .. 100GHz");
    CHECK(only_error("base: tiny-test\ndram:\n  bandwidth: 1e400GB/s\n") ==
          "bad.yaml:3: dram.bandwidth = \"1e400GB/s\": the number is out of range");
    CHECK(only_error("base: tiny-test\nvector_unit:\n  cost:\n    norm: 0\n") ==
          "bad.yaml:4: vector_unit.cost.norm = \"0\": must be in > 0, <= 1000");
  }
  SUBCASE("too many PEs") {
    // 65536 x 65536 = 2^32 PEs, each dimension in range but the product over the 2^24 limit.
    CHECK(only_error("base: tiny-test\nmac_array:\n  rows: 65536\n  cols: 65536\n") ==
          "bad.yaml:4: mac_array.rows x mac_array.cols = 4294967296 PEs: more than the 16777216-PE limit");
  }
  SUBCASE("fixed costs out of range") {
    CHECK(only_error("base: tiny-test\noverhead:\n  per_mac_op: 2ms\n") ==
          "bad.yaml:3: overhead.per_mac_op = \"2ms\": must be in 0ps .. 1ms");
    CHECK(only_error("base: tiny-test\noverhead:\n  per_run: -1us\n") ==
          "bad.yaml:3: overhead.per_run = \"-1us\": must be in 0ps .. 1ms");
  }
  SUBCASE("activation x activation rate above the weight x activation rate") {
    // tiny-test: w8a16 at 0.5 MACs/PE/cycle; 16 x 16-bit MACs cannot be faster than 8 x 16-bit.
    CHECK(only_error("base: tiny-test\nmac_array:\n  precision:\n    w8a16: {act_act_macs_per_pe_per_cycle: 1}\n") ==
          "bad.yaml:4: mac_array.precision.w8a16.act_act_macs_per_pe_per_cycle = \"1\": must not exceed "
          "macs_per_pe_per_cycle (0.5): activation x activation MACs are at least as wide as weight x activation ones");
  }
  SUBCASE("burst not a power of two") {
    CHECK(only_error("base: tiny-test\ndram:\n  burst: 48B\n") ==
          "bad.yaml:3: dram.burst = \"48B\": must be a power of two");
  }
  SUBCASE("more banks than bytes") {
    CHECK(only_error("base: tiny-test\nsram:\n  size: 1KiB\n  banks: 2048\n") ==
          "bad.yaml:4: sram.banks = \"2048\": more banks than bytes of SRAM");
  }
  SUBCASE("no precision supported") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  precision:\n"
                     "    w8a8: {macs_per_pe_per_cycle: 0}\n    w8a16: {macs_per_pe_per_cycle: 0}\n"
                     "    w4a16: {macs_per_pe_per_cycle: 0}\n    fp16: {macs_per_pe_per_cycle: 0}\n") ==
          "bad.yaml: mac_array.precision: no precision is supported; set macs_per_pe_per_cycle > 0 for at least one "
          "of w8a8, w8a16, w4a16, fp16");
  }
  SUBCASE("bad dataflow name") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  dataflows: [weight_stationary, row_stationary]\n") ==
          "bad.yaml:3: mac_array.dataflows = \"[weight_stationary, row_stationary]\": unknown dataflow "
          "\"row_stationary\"; valid: weight_stationary, output_stationary, input_stationary");
  }
  SUBCASE("duplicate dataflow") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  dataflows: [weight_stationary, weight_stationary]\n") ==
          "bad.yaml:3: mac_array.dataflows = \"[weight_stationary, weight_stationary]\": dataflow weight_stationary "
          "is listed twice");
  }
  SUBCASE("empty dataflow list") {
    CHECK(only_error("base: tiny-test\nmac_array:\n  dataflows: []\n") ==
          "bad.yaml:3: mac_array.dataflows = \"[]\": expected a non-empty list of dataflows");
  }
  SUBCASE("bool not true/false") {
    CHECK(only_error("base: tiny-test\nvector_unit:\n  overlaps_mac: yes\n") ==
          "bad.yaml:3: vector_unit.overlaps_mac = \"yes\": expected true or false");
  }
  SUBCASE("top level not a mapping") {
    CHECK(only_error("- rows: 4\n") == "bad.yaml:1: expected a mapping of hardware keys at the top level");
  }
}

TEST_CASE("missing required keys are each reported") {
  std::string without_rows = kMini;
  without_rows.erase(without_rows.find("  rows: 8\n"), 10);
  CHECK(only_error(without_rows) == "bad.yaml: mac_array.rows: required key is missing (integer, 1 .. 65536)");

  // Only a name: the eight other required keys are listed, in table order.
  Failure f = text_failure("name: x\n");
  CHECK(f.header == "8 errors in hardware config:");
  CHECK(f.errors == std::vector<std::string>{
                        "bad.yaml: mac_array.rows: required key is missing (integer, 1 .. 65536)",
                        "bad.yaml: mac_array.cols: required key is missing (integer, 1 .. 65536)",
                        "bad.yaml: mac_array.frequency: required key is missing (frequency, 1MHz .. 100GHz)",
                        "bad.yaml: vector_unit.lanes: required key is missing (integer, 1 .. 65536)",
                        "bad.yaml: vector_unit.frequency: required key is missing (frequency, 1MHz .. 100GHz)",
                        "bad.yaml: sram.size: required key is missing (size, 1KiB .. 64GiB)",
                        "bad.yaml: sram.bytes_per_cycle: required key is missing (integer, 1 .. 1048576)",
                        "bad.yaml: dram.bandwidth: required key is missing (bandwidth, 1MB/s .. 10TB/s)",
                    });
}

TEST_CASE("malformed and empty files") {
  SUBCASE("malformed YAML names the parser's line") {
    std::string e = only_error("base: tiny-test\nmac_array:\n  rows: 4\n  cols: [4\n");
    CHECK(e.starts_with("bad.yaml:"));
    CHECK(e.find("malformed YAML: ") != std::string::npos);
    CHECK(e == "bad.yaml:5: malformed YAML: end of sequence flow not found");
  }
  SUBCASE("empty text") {
    CHECK(only_error("") ==
          "bad.yaml: file is empty; expected a mapping of hardware keys (see `npusim config --explain`)");
    CHECK(only_error("# only a comment\n") ==
          "bad.yaml: file is empty; expected a mapping of hardware keys (see `npusim config --explain`)");
  }
  SUBCASE("empty file") {
    TempDir dir;
    std::string p = dir.write("empty.yaml", "");
    CHECK(only_error(failure_of([&] { load_npu_config(p, opts()); })) ==
          p + ": file is empty; expected a mapping of hardware keys (see `npusim config --explain`)");
  }
  SUBCASE("a file too large to be a config") {
    TempDir dir;
    std::string p = dir.write("huge.yaml", "# " + std::string(2 << 20, 'x') + "\n");  // 2 MiB of comment
    CHECK(only_error(failure_of([&] { load_npu_config(p, opts()); })) ==
          p + ": 2097155 bytes is larger than the 1048576-byte limit for a hardware config");
  }
  SUBCASE("a directory") {
    TempDir dir;
    std::string p = dir.path();
    CHECK(only_error(failure_of([&] { load_npu_config(p, opts()); })) == p + ": is a directory, expected a YAML file");
  }
  SUBCASE("a file that does not exist") {
    CHECK(only_error(failure_of([] { load_npu_config("/nonexistent-npusim-dir/hw.yaml", opts()); })) ==
          "/nonexistent-npusim-dir/hw.yaml: no such file");
  }
}

TEST_CASE("unknown preset suggests the closest one") {
  std::string list;
  for (const auto& p : list_presets({kHwDir})) list += (list.empty() ? "" : ", ") + p;
  CHECK(only_error(failure_of([] { load_npu_config("expedra-8k", opts()); })) ==
        "\"expedra-8k\": no such hardware preset or file; did you mean expedera-8k? (presets: " + list + ")");
  CHECK(only_error(failure_of([] { load_npu_config("zzz", opts()); })) ==
        "\"zzz\": no such hardware preset or file (presets: " + list + ")");

  // Named by `base:`, the error points at that line; the keys the base would give are missing too.
  Failure f = text_failure("base: expedra-8k\nname: x\n");
  REQUIRE_FALSE(f.errors.empty());
  CHECK(f.errors[0] ==
        "bad.yaml:1: base = \"expedra-8k\": no such hardware preset or file; did you mean "
        "expedera-8k? (presets: " +
            list + ")");
}

TEST_CASE("a cycle in the base chain is reported, not followed") {
  TempDir dir;
  std::string a = dir.write("a.yaml", "base: b.yaml\n");
  dir.write("b.yaml", "base: a.yaml\n" + kMini);
  CHECK(only_error(failure_of([&] { load_npu_config(a, opts()); })) ==
        a + ": cycle in base chain: a.yaml -> b.yaml -> a.yaml");

  std::string self = dir.write("self.yaml", "base: self.yaml\n" + kMini);
  CHECK(only_error(failure_of([&] { load_npu_config(self, opts()); })) ==
        self + ": cycle in base chain: self.yaml -> self.yaml");
}

TEST_CASE("--set errors") {
  SUBCASE("without '='") {
    CHECK(only_error(failure_of([] { load_npu_config("tiny-test", opts({"sram.size"})); })) ==
          "--set \"sram.size\": expected KEY=VALUE, e.g. --set dram.bandwidth=24GB/s");
  }
  SUBCASE("unknown key") {
    CHECK(only_error(failure_of([] { load_npu_config("tiny-test", opts({"mac_array.rowz=4"})); })) ==
          "--set mac_array.rowz: unknown key; did you mean mac_array.rows?");
  }
  SUBCASE("a section, not a key") {
    CHECK(only_error(failure_of([] { load_npu_config("tiny-test", opts({"sram=4MiB"})); })) ==
          "--set sram: a group of keys, not a key; set one of them, e.g. sram.size");
  }
  SUBCASE("a bad value") {
    CHECK(only_error(failure_of([] { load_npu_config("tiny-test", opts({"sram.size=-1MiB"})); })) ==
          "--set sram.size = \"-1MiB\": must be in 1KiB .. 64GiB");
    CHECK(only_error(failure_of([] { load_npu_config("tiny-test", opts({"sram.size="})); })) ==
          "--set sram.size = \"\": a value is required");
  }
  SUBCASE("malformed value") {
    std::string e = only_error(failure_of([] { load_npu_config("tiny-test", opts({"mac_array.dataflows=[a"})); }));
    CHECK(e.starts_with("--set mac_array.dataflows = \"[a\": malformed value: "));
  }
}

TEST_CASE("every problem is reported in one ConfigError") {
  Failure f = text_failure("base: tiny-test\nmac_array:\n  rows: 0\n  rowz: 3\nsram:\n  size: 7MB\n",
                           {"dram.burst=3", "dma=1"});
  CHECK(f.header == "5 errors in hardware config:");
  // File keys are checked as read, values in table order, then --set keys as applied and their values.
  CHECK(f.errors == std::vector<std::string>{
                        "bad.yaml:4: mac_array.rowz: unknown key; did you mean mac_array.rows?",
                        "--set dma: a group of keys, not a key; set one of them, e.g. dma.channels",
                        "bad.yaml:3: mac_array.rows = \"0\": must be in 1 .. 65536",
                        "bad.yaml:6: sram.size = \"7MB\": ambiguous unit, write 7MiB or 7000000B",
                        "--set dram.burst = \"3\": a unit is required (e.g. 7MiB); units: TiB, GiB, MiB, KiB, B",
                    });
}
