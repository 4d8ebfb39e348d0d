#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

namespace fs = std::filesystem;

using npusim::testing::TempDir;

using npusim::testing::contains;
using npusim::testing::lines_of;
using npusim::testing::read_file;

namespace {

using Result = npusim::testing::CliResult;
Result cli(const std::vector<std::string>& args) { return npusim::testing::run_cli_capture(args); }

// A usage error: exit code 2, one "error: ..." message containing `part`, and no crash report.
void check_usage_error(const Result& r, const std::string& part) {
  INFO("stdout: ", r.out);
  INFO("stderr: ", r.err);
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("error: "));
  CHECK(contains(r.err, part));
  CHECK_FALSE(contains(r.err, "internal error"));
}

// A model file with one layer after input x [1, 8, 4, 4].
std::string model_with(const TempDir& dir, const std::string& layer) {
  return dir.write("model.yaml", "graph: m\ninputs:\n  - {name: x, shape: [1, 8, 4, 4]}\nlayers:\n  - " + layer + "\n");
}

}  // namespace

TEST_CASE("--version") {
  Result r = cli({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out.starts_with("npusim 0.1.0 (commit "));
  CHECK(r.err.empty());
}

TEST_CASE("no arguments prints usage and exits 2") {
  Result r = cli({});
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("usage: npusim <command>"));
}

TEST_CASE("--help exits 0") {
  CHECK(cli({"--help"}).code == 0);
  for (const char* cmd : {"run", "compare", "config", "models", "graph", "verify", "crosscheck", "calibrate", "sweep",
                          "merge", "report"}) {
    Result r = cli({cmd, "--help"});
    CHECK(r.code == 0);
    CHECK(r.out.starts_with(std::string("usage: npusim ") + cmd));
  }
}

TEST_CASE("error messages are escaped, capped at 50 errors and never echo a whole input file") {
  // A hardware file of 200 unknown keys, one holding a terminal escape sequence.
  std::string hw = "\x1b]0;owned\x07: 1\n";
  for (int i = 0; i < 200; ++i) hw += "unknown_key_" + std::to_string(i) + ": 1\n";
  npusim::testing::TempDir dir;
  Result r = cli({"config", "--hw", dir.write("flood_hw.yaml", hw), "--resolved"});
  CHECK(r.code == 2);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find("\\x1b]0;owned\\x07") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 53);
  CHECK(r.err.find("more errors") != std::string::npos);
  // A text file given as a model: its contents stay out of the message.
  Result m = cli({"graph", "--model", dir.write("secrets.env", "API_TOKEN=hunter2-very-secret\n")});
  CHECK(m.code == 2);
  CHECK(m.err.find("hunter2") == std::string::npos);
}

TEST_CASE("unknown command suggests the closest") {
  Result r = cli({"rnu"});
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("npusim: unknown command 'rnu'; did you mean run?\n"));
  Result far = cli({"frobnicate"});
  CHECK(far.code == 2);
  CHECK(far.err.starts_with("npusim: unknown command 'frobnicate'\n"));
}

TEST_CASE("run: text report") {
  Result r = cli({"run", "--hw", "tiny-test", "--model", "tiny-block"});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "tiling-v1"));
  CHECK(contains(r.out, "Assumptions"));
  CHECK(contains(r.out, "latency"));
  CHECK(contains(r.out, " ms"));
  CHECK(contains(r.out, "tiny-block"));
  CHECK(contains(r.out, "tiny-test"));
}

TEST_CASE("run: --layers, --precision and --set are accepted") {
  Result r = cli({"run", "--hw", "expedera-8k", "--model", "tiny-block", "--layers", "3", "--precision", "fp16",
                  "--set", "dram.bandwidth=24GB/s", "--set=sram.size=4MiB"});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "Slowest 3 of 22 layers"));
  CHECK(contains(r.out, "fp16"));
  CHECK(contains(r.out, "--set dram.bandwidth=24GB/s"));
  CHECK(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--layers", "all"}).code == 0);
}

TEST_CASE("run: --json") {
  Result r = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--json"});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  CHECK(r.out.starts_with("{"));
  CHECK(contains(r.out, "\"schema_version\": 7"));
  CHECK(contains(r.out, "\"layers\""));
}

TEST_CASE("run: the fixed costs are reported") {
  const std::vector<std::string> costs = {"--set", "overhead.per_mac_op=1us", "--set", "overhead.per_vector_op=500ns",
                                          "--set", "overhead.per_run=10us"};
  std::vector<std::string> text = {"run", "--hw", "tiny-test", "--model", "tiny-block"};
  text.insert(text.end(), costs.begin(), costs.end());
  Result r = cli(text);
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "  fixed costs  "));
  CHECK(contains(r.out, " MAC ops x 1.000 us + "));
  CHECK(contains(r.out, " vector ops x 0.500 us + "));
  CHECK(contains(r.out, " copy ops x 0.000 us + per run 10.000 us; "));
  text.push_back("--json");
  r = cli(text);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "\"per_run_overhead_ms\": 0.01"));
  CHECK(contains(r.out, "\"op_overhead_ms\""));
  CHECK(contains(r.out, "\"overhead_us\""));
}

TEST_CASE("run: --out writes layers.csv and summary.json, byte-identical across runs") {
  TempDir dir;
  std::string a = dir.path("a"), b = dir.path("b");
  Result ra = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--out", a});
  Result rb = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--out", b});
  INFO("stderr: ", ra.err, rb.err);
  REQUIRE(ra.code == 0);
  REQUIRE(rb.code == 0);
  std::string csv = read_file(a + "/layers.csv"), json = read_file(a + "/summary.json");
  std::vector<std::string> rows = lines_of(csv);
  REQUIRE(rows.size() == 23);  // header + 22 ops
  CHECK(contains(rows[0], "latency_us"));
  CHECK(contains(rows[0], "dram_read_weight_B"));
  CHECK(json.starts_with("{"));
  CHECK(contains(json, "\"schema_version\": 7"));
  CHECK(csv == read_file(b + "/layers.csv"));
  CHECK(json == read_file(b + "/summary.json"));
  CHECK(ra.out == rb.out);
}

TEST_CASE("run: flag errors exit 2 with a clear message") {
  SUBCASE("unknown flag") {
    check_usage_error(cli({"run", "--hww", "tiny-test", "--model", "tiny-block"}),
                      "npusim run: unknown option '--hww'; did you mean --hw?");
  }
  SUBCASE("missing --hw") { check_usage_error(cli({"run", "--model", "tiny-block"}), "npusim run: --hw is required"); }
  SUBCASE("missing --model") {
    check_usage_error(cli({"run", "--hw", "tiny-test"}), "npusim run: --model is required");
  }
  SUBCASE("missing flag value") {
    check_usage_error(cli({"run", "--model", "tiny-block", "--hw"}), "npusim run: --hw needs a value");
  }
  SUBCASE("flag given twice") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--hw", "tiny-test", "--model", "tiny-block"}),
                      "npusim run: --hw is given twice");
  }
  SUBCASE("value on a switch") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--json=yes"}),
                      "npusim run: --json takes no value");
  }
  SUBCASE("bad --precision") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--precision", "int3"}),
                      "--precision int3: unknown precision 'int3'; expected BASE[,KIND=DTYPE]... with BASE one of "
                      "w8a8, w8a16, w4a16, fp16");
  }
  SUBCASE("bad --layers") {
    for (const char* v : {"0", "-3", "x", "", "12345678901234567890"})
      check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--layers", v}),
                        "expected a positive number or 'all'");
  }
  SUBCASE("--set out of range") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "sram.size=-1MiB"}),
                      "--set sram.size = \"-1MiB\": must be in 1KiB .. 64GiB");
  }
  SUBCASE("--set unknown key") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "dram.bandwith=1GB/s"}),
                      "--set dram.bandwith: unknown key; did you mean dram.bandwidth?");
  }
  SUBCASE("unknown model") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-blok"}),
                      "model 'tiny-blok': no such built-in model or file; did you mean tiny-block?");
  }
  SUBCASE("unknown preset") {
    check_usage_error(cli({"run", "--hw", "expedra-8k", "--model", "tiny-block"}), "did you mean expedera-8k?");
  }
}

TEST_CASE("run: bad hardware files exit 2") {
  TempDir dir;
  SUBCASE("malformed YAML") {
    std::string p = dir.write("bad.yaml", "base: tiny-test\nmac_array: {rows: 4\n");
    check_usage_error(cli({"run", "--hw", p, "--model", "tiny-block"}), p + ":3: malformed YAML: ");
  }
  SUBCASE("empty file") {
    std::string p = dir.write("empty.yaml", "");
    check_usage_error(cli({"run", "--hw", p, "--model", "tiny-block"}), p + ": file is empty");
  }
  SUBCASE("a directory") {
    check_usage_error(cli({"run", "--hw", dir.path(), "--model", "tiny-block"}),
                      dir.path() + ": is a directory, expected a YAML file");
  }
  SUBCASE("a missing file") {
    check_usage_error(cli({"run", "--hw", dir.path("nope.yaml"), "--model", "tiny-block"}),
                      dir.path("nope.yaml") + ": no such file");
  }
}

TEST_CASE("run: bad model files exit 2") {
  TempDir dir;
  SUBCASE("unknown op") {
    std::string p = model_with(dir, "{name: a, op: sillu, input: x}");
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}),
                      p + ":5: layers[0].op = \"sillu\": unknown op; did you mean silu?");
  }
  SUBCASE("undefined tensor") {
    std::string p = model_with(dir, "{name: a, op: silu, input: y}");
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}),
                      p + ":5: layers[0]: refers to tensor 'y', which no earlier input or layer defines");
  }
  SUBCASE("a shape whose element count overflows") {
    std::string p = dir.write("model.yaml",
                              "graph: m\ninputs:\n  - {name: x, shape: [1, 1099511627776, 1099511627776, 1]}\n"
                              "layers:\n  - {name: c, op: conv2d, input: x, out_channels: 1099511627776, kernel: 1}\n");
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}), "element count overflows 64 bits");
  }
  SUBCASE("a layer of 2^80 (~1.2e24) MACs") {
    std::string p = dir.write("model.yaml",
                              "graph: m\ninputs:\n  - {name: x, shape: [1, 1048576, 1024, 1024]}\n"
                              "layers:\n  - {name: c, op: conv2d, input: x, out_channels: 1099511627776, kernel: 1}\n");
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}), "op 'c': operation count overflows 64 bits");
  }
  SUBCASE("a dim beyond the 2^40 limit") {
    std::string p =
        model_with(dir, "{name: c, op: conv2d, input: x, out_channels: 1000000000000000000000000000000, kernel: 1}");
    check_usage_error(
        cli({"run", "--hw", "tiny-test", "--model", p}),
        "layers[0].out_channels = \"1000000000000000000000000000000\": expected an integer in 1 .. 1099511627776");
  }
  SUBCASE("huge but representable counts still run") {
    // 2^40 output channels from [1, 64, 16, 16] with a 3x3 kernel: 2^40*16*16*64*9 ~ 1.6e17 MACs, fits 64 bits.
    // Its 72 TiB weight (2^40 x 8 x 3 x 3 bytes) is over the default tensor limit, so the limit is raised to test the
    // arithmetic.
    std::string p =
        model_with(dir, "{name: c, op: conv2d, input: x, out_channels: 1099511627776, kernel: 3, padding: 1}");
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}),
                      "tensor 'c.weight' [1099511627776, 8, 3, 3] is 79164837199872 bytes, more than the limit of "
                      "1099511627776 bytes per tensor");
    Result r = cli({"run", "--hw", "tiny-test", "--model", p, "--max-tensor-bytes", "9999999999999999999"});
    INFO("stderr: ", r.err);
    CHECK(r.code == 0);
    CHECK_FALSE(contains(r.out, "nan"));
    CHECK_FALSE(contains(r.out, "inf "));
  }
  SUBCASE("zero and negative sizes in a shape") {
    for (const char* dim : {"0", "-4"}) {
      std::string p = dir.write("model.yaml", std::string("graph: m\ninputs:\n  - {name: x, shape: [1, ") + dim +
                                                  ", 4, 4]}\nlayers:\n  - {name: a, op: silu, input: x}\n");
      check_usage_error(cli({"run", "--hw", "tiny-test", "--model", p}),
                        p + ":3: inputs[0].shape = \"" + dim + "\": expected an integer in 1 .. 1099511627776");
    }
  }
  SUBCASE("a directory as the model") {
    check_usage_error(cli({"run", "--hw", "tiny-test", "--model", dir.path() + "/"}), "is a directory");
  }
}

TEST_CASE("run: --out under a regular file cannot create the directory") {
  TempDir dir;
  std::string file = dir.write("file", "x");
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--out", file + "/sub"}),
                    "--out " + file + "/sub: cannot create the directory");
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--out", file}),
                    "--out " + file + ": cannot create the directory");
}

TEST_CASE("config") {
  Result explain = cli({"config", "--explain"});
  CHECK(explain.code == 0);
  CHECK(contains(explain.out, "mac_array.rows"));
  CHECK(contains(explain.out, "dram.bandwidth"));

  Result resolved = cli({"config", "--hw", "expedera-8k", "--resolved"});
  CHECK(resolved.code == 0);
  CHECK(contains(resolved.out, "frequency: 750MHz"));
  CHECK(contains(resolved.out, "size: 7MiB"));

  Result set = cli({"config", "--hw", "expedera-8k", "--set", "sram.size=4MiB", "--resolved"});
  CHECK(set.code == 0);
  CHECK(contains(set.out, "# --set sram.size=4MiB"));
  CHECK(contains(set.out, "size: 4MiB"));

  check_usage_error(cli({"config"}), "npusim config: say --resolved or --explain");
  check_usage_error(cli({"config", "--resolved"}), "npusim config: --hw is required");
  check_usage_error(cli({"config", "--hw", "tiny-test", "--resolved", "--set", "sram"}), "expected KEY=VALUE");
}

TEST_CASE("graph") {
  Result ops = cli({"graph", "--explain-ops"});
  CHECK(ops.code == 0);
  CHECK(contains(ops.out, "conv2d: input out_channels kernel"));

  Result r = cli({"graph", "--model", "tiny-block"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "graph tiny-block (configs/models/tiny-block.yaml): 22 ops, 90880 params"));
  // Each op line is "<position>  <name>  <kind>  <shape>  <MACs>  [first..last]  inputs <name>[first..last], ...".
  std::vector<std::string> lines = lines_of(r.out);
  auto line_of = [&](const std::string& op) -> std::string {
    for (const auto& l : lines) {
      auto sep = l.find("  ");
      if (sep != std::string::npos && l.compare(sep + 2, op.size() + 2, op + "  ") == 0) return l;
    }
    FAIL("no line for op ", op);
    return "";
  };
  auto position = [&](const std::string& op) { return line_of(op).substr(0, line_of(op).find(' ')); };
  std::string res = line_of("res");
  // The skip connection: input x lives from norm1 (its first use) to the res add (its last).
  CHECK(contains(res, "res  add  [1, 64, 16, 16]  0  "));
  CHECK(contains(res, "x[" + position("norm1") + ".." + position("res") + "]"));
  CHECK(contains(res, "conv2[" + position("conv2") + ".." + position("res") + "]"));
  CHECK(contains(line_of("out"), "] output"));
  CHECK(contains(line_of("conv1"), "  9437184  "));

  check_usage_error(cli({"graph"}), "npusim graph: --model or --explain-ops is required");
  check_usage_error(cli({"graph", "--model", "tiny-block", "--precision", "w9a9"}), "--precision w9a9");
}

TEST_CASE("models lists every model with its parameters and MACs") {
  Result r = cli({"models"});
  INFO("stderr: ", r.err);
  CHECK(r.code == 0);
  std::vector<std::string> lines = lines_of(r.out);
  auto line_of = [&](const std::string& name) -> std::string {
    for (const auto& l : lines)
      if (l.starts_with(name + " ")) return l;
    return "";
  };
  // tiny-block: 90,880 parameters; ResNet-50 at 224x224 (BN folded): 25,530,472 params, 4.089 GMACs.
  CHECK(contains(line_of("tiny-block"), "      0.09 M params"));
  CHECK(contains(line_of("resnet50"),
                 " 25.53 M params      4.089 GMACs  one inference: batch 1, 224x224 RGB image "
                 "(torchvision resnet50)"));
  // Names are padded to the longest, so the columns line up.
  CHECK(line_of("resnet50").find(" M params") == line_of("clip-vit-b-16-image-encoder").find(" M params"));
  // LLMs at their default dims: a 128-token prefill.
  CHECK(contains(line_of("qwen2-7b"), "7615.62 M params"));
  CHECK(contains(line_of("qwen2-7b"), "prefill: batch 1, 128 prompt tokens"));
  CHECK_FALSE(contains(r.out, "cannot build"));
  check_usage_error(cli({"models", "--all"}), "npusim models: unknown option '--all'");
}

TEST_CASE("run: the sd15 pipeline reports per-network and pipeline figures") {
  Result r = cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--json"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  for (const char* key :
       {"\"networks\"", "\"name\": \"denoiser\"", "\"name\": \"decoder\"", "\"name\": \"text_encoder\"",
        "\"latency_ms\"", "\"images_per_s\"", "\"macs\"", "\"mac_utilization\"", "\"dram_read_bytes\"",
        "\"dram_write_bytes\"", "\"energy_mj\"", "\"pipeline\"", "\"seconds_per_image\"", "\"steps\": 20",
        "\"guidance\": true", "\"runs_per_batch\": 40", "\"cfg\": \"sequential\"", "\"batch\": 1"})
    CHECK_MESSAGE(contains(r.out, key), key);
  Result t = cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--dim", "steps=10", "--dim", "guidance=0"});
  REQUIRE(t.code == 0);
  CHECK(contains(t.out, "10 steps, guidance off"));
  CHECK(contains(t.out, "seconds per image"));
  check_usage_error(cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--dim", "guidance=2"}),
                    "--dim guidance=2: expected 0 (off) or 1 (on)");
}

TEST_CASE("run: sd15 at batch 2 with batched guidance says so and divides per-image figures by the batch") {
  Result r = cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--dim", "batch=2", "--dim", "cfg=batched", "--dim",
                  "steps=2"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "cfg=batched (conditional and unconditional branches as one run at batch 4"));
  CHECK(contains(r.out, "(x2 per batch of 2 images)"));
  CHECK(contains(r.out, "batch 2; sum of runs x latency / batch"));
  CHECK(contains(r.out, "evaluations/s"));
  CHECK_FALSE(contains(r.out, "each at batch 1"));
  CHECK_FALSE(contains(r.out, "images/s"));
  check_usage_error(cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--dim", "cfg=parallel"}),
                    "--dim cfg=parallel: expected cfg=batched");
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--dim", "cfg=batched"}),
                    "is not a diffusion pipeline");
}

TEST_CASE("run: an LLM reports time to first token and decode tokens/s with its causes") {
  Result r = cli({"run", "--hw", "expedera-8k", "--model", "llama3.2-1b", "--precision", "w4a16", "--dim",
                  "prompt_tokens=64", "--dim", "context=512"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "time to first token"));
  CHECK(contains(r.out, "tokens/s"));
  CHECK(contains(r.out, "at batch 1, prompt 64 tokens, decode context 512 tokens"));
  CHECK(contains(r.out, "(once per prompt)"));
  CHECK(contains(r.out, "(once per generated token)"));
  CHECK_FALSE(contains(r.out, "x1 per token"));
  CHECK(contains(r.out, "weight streaming"));
  CHECK(contains(r.out, "KV-cache traffic"));
  Result d = cli({"run", "--hw", "expedera-8k", "--model", "llama3.2-1b", "--phase", "decode", "--json"});
  REQUIRE(d.code == 0);
  CHECK(contains(d.out, "\"decode_tokens_per_s\""));
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--phase", "decode"}), "is not an LLM");
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--phase", "middle"}),
                    "--phase middle: expected prefill or decode");
}

TEST_CASE("compare: strategies side by side, bad strategy names rejected") {
  Result r = cli({"compare", "--hw", "tiny-test", "--model", "tiny-block", "--strategies", "offchip,fused"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "offchip"));
  CHECK(contains(r.out, "fused"));
  CHECK(contains(r.out, "no_spill"));
  check_usage_error(cli({"compare", "--hw", "tiny-test", "--model", "tiny-block", "--strategies", "offchip,fast"}),
                    "unknown strategy 'fast'");
  check_usage_error(cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--strategy", "onchp"}),
                    "unknown strategy 'onchp'");
}

TEST_CASE("names: workloads and networks carry their built-in names, not the builder's") {
  Result r = cli({"run", "--hw", "expedera-8k", "--model", "llama3.2-1b", "--dim", "prompt_tokens=16", "--dim",
                  "context=64", "--json"});
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "\"workload\": \"llama3.2-1b\""));
  CHECK(contains(r.out, "\"graph\": \"llama3.2-1b\""));
  CHECK_FALSE(contains(r.out, "\"llama\""));
  Result u = cli({"run", "--hw", "expedera-8k", "--model", "sdxl-unet", "--dim", "resolution=256"});
  REQUIRE(u.code == 0);
  CHECK(contains(u.out, "model      sdxl-unet  (configs/models/sdxl-base/unet.json"));
  CHECK(contains(u.out, "Summary (sdxl-unet on expedera-8k"));
  Result p = cli({"run", "--hw", "expedera-8k", "--model", "sd15", "--dim", "steps=1"});
  REQUIRE(p.code == 0);
  CHECK(contains(p.out, "==== denoiser: sd15-unet (x2 per image) ===="));
  CHECK(contains(p.out, "==== decoder: sd15-vae-decoder (x1 per image) ===="));
}

TEST_CASE("help: every command answers --help, and metrics lists the vocabulary") {
  for (const char* cmd : {"run", "compare", "config", "models", "metrics", "graph", "verify", "crosscheck", "calibrate",
                          "sweep", "merge", "report"}) {
    CAPTURE(cmd);
    Result r = cli({cmd, "--help"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, std::string("usage: npusim ") + cmd));
  }
  Result m = cli({"metrics"});
  REQUIRE(m.code == 0);
  CHECK(contains(m.out, "decode_tokens_per_s"));
  CHECK(contains(m.out, "llm: time_to_first_token_ms"));
  Result j = cli({"metrics", "--json"});
  REQUIRE(j.code == 0);
  CHECK(contains(j.out, "\"key\": \"spilled_activation_bytes\""));
}

TEST_CASE("lpddr: the analytic engine says it leaves the row and refresh overhead to SystemC") {
  const char* note = "dram.model: lpddr is modelled by the SystemC engine only";
  Result a = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "dram.model=lpddr"});
  REQUIRE(a.code == 0);
  CHECK(contains(a.out, note));
  Result j = cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "dram.model=lpddr", "--json"});
  CHECK(contains(j.out, note));
  Result s =
      cli({"run", "--hw", "tiny-test", "--model", "tiny-block", "--set", "dram.model=lpddr", "--engine", "systemc"});
  REQUIRE(s.code == 0);
  CHECK_FALSE(contains(s.out, note));
  Result plain = cli({"run", "--hw", "tiny-test", "--model", "tiny-block"});
  CHECK_FALSE(contains(plain.out, note));
}

TEST_CASE("compare: hardware side by side with the layers whose time changed most, --json and --out") {
  TempDir dir;
  const std::string small = dir.write("small.yaml", "base: tiny-test\nsram: {size: 8KiB}\n");
  Result r = cli({"compare", "--hw", "tiny-test," + small, "--model", "tiny-block", "--strategy", "onchip"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "hardware   tiny-test"));
  CHECK(contains(r.out, "spill_traffic_MB"));
  CHECK(contains(r.out, "Layers whose latency changed most, tiny-test -> " + small));
  CHECK(contains(r.out, "a_bound"));
  Result j = cli({"compare", "--hw", "tiny-test," + small, "--model", "tiny-block", "--strategy", "onchip", "--json",
                  "--out", dir.path("cmp")});
  REQUIRE(j.code == 0);
  for (const char* key : {"\"schema\": \"npusim.compare\"", "\"by\": \"hardware\"", "\"changed_layers\"",
                          "\"a_latency_us\"", "\"b_bound\"", "\"evaluations_per_s\"", "\"spill_traffic_bytes\""})
    CHECK_MESSAGE(contains(j.out, key), key);
  CHECK(read_file(dir.path("cmp/compare.json")) == j.out);
  CHECK(contains(read_file(dir.path("cmp/compare.txt")), "Layers whose latency changed most"));
  Result s = cli({"compare", "--hw", "tiny-test", "--model", "tiny-block", "--strategies", "offchip,fused", "--json"});
  REQUIRE(s.code == 0);
  CHECK(contains(s.out, "\"by\": \"strategy\""));
  CHECK(contains(s.out, "\"label\": \"offchip\""));
  CHECK_FALSE(contains(s.out, "\"changed_layers\""));
  check_usage_error(
      cli({"compare", "--hw", "tiny-test,expedera-8k", "--model", "tiny-block", "--strategies", "offchip,fused"}),
      "compare hardware (--hw A,B with one --strategy) or strategies");
  check_usage_error(cli({"compare", "--hw", "tiny-test,", "--model", "tiny-block"}), "an empty name in the list");
}

TEST_CASE("batch: a network's inferences per second count every input of the batch") {
  Result one = cli({"run", "--hw", "tiny-test", "--model", "resnet18", "--dim", "resolution=32"});
  Result two = cli({"run", "--hw", "tiny-test", "--model", "resnet18", "--dim", "resolution=32", "--dim", "batch=2"});
  REQUIRE(one.code == 0);
  REQUIRE(two.code == 0);
  CHECK(contains(one.out, "(batch 1 / latency)"));
  CHECK(contains(two.out, "(batch 2 / latency)"));
  CHECK_FALSE(contains(two.out, " inferences/s "));
}

TEST_CASE("layers.csv neutralises a layer name that a spreadsheet would run as a formula") {
  npusim::testing::TempDir dir;
  const std::string model = dir.write("formula.yaml",
                                      "graph: f\ninputs:\n  - {name: x, shape: [1, 8, 4, 4]}\nlayers:\n  - {name: "
                                      "\"=HYPERLINK(1)\", op: silu, input: x}\n");
  Result r = cli({"run", "--hw", "tiny-test", "--model", model, "--out", dir.path("out")});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string csv = npusim::testing::read_file(dir.path("out") + "/layers.csv");
  CHECK(csv.find(",'=HYPERLINK(1),") != std::string::npos);
  CHECK(csv.find(",=HYPERLINK") == std::string::npos);
}
