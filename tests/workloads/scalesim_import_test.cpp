#include <doctest/doctest.h>

#include "test_util.h"
#include "workloads/model_registry.h"
#include "workloads/scalesim_import.h"

using namespace npusim::workloads;

namespace {

std::string config(const std::string& file) {
  return std::string(NPUSIM_SOURCE_DIR) + "/configs/models/scalesim/" + file;
}

const Op* find_op(const Graph& g, const std::string& name) {
  for (OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return &g.op(i);
  return nullptr;
}

std::string error_of(const std::string& path) {
  try {
    load_model(path, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("SCALE-Sim conv topology: ResNet-18 layers, valid padding, MACs by hand") {
  LoadedModel lm = load_model(config("resnet18-convs.csv"), {});
  const Graph& g = lm.graph;
  CHECK(g.num_ops() == 4);
  // conv1: IFMAP 230 (224 + 2*3 padding), 7x7 stride 2 -> (230 - 7) / 2 + 1 = 112;
  // MACs = 112*112 * 64 * 3*7*7 = 118013952
  const Op* c1 = find_op(g, "conv1");
  CHECK(c1->conv.p == 112);
  CHECK(c1->conv.pad_h == 0);
  CHECK(c1->macs == 118013952);
  // layer1.0.conv1: 58 -> 56, MACs = 56*56 * 64 * 64*3*3 = 115605504
  CHECK(find_op(g, "layer1.0.conv1")->macs == 115605504);
  // layer2.0.conv1: (58 - 3) / 2 + 1 = 28, MACs = 28*28 * 128 * 64*9 = 57802752
  CHECK(find_op(g, "layer2.0.conv1")->macs == 57802752);
  // layer2.0.downsample: (56 - 1) / 2 + 1 = 28, MACs = 28*28 * 128 * 64 = 6422528
  CHECK(find_op(g, "layer2.0.downsample")->macs == 6422528);
  CHECK(g.total_macs() == 118013952ull + 115605504 + 57802752 + 6422528);
  // Each layer reads its own input; no bias (weights only: 9408 + 36864 + 73728 + 8192).
  CHECK(find_op(g, "layer1.0.conv1")->inputs.size() == 2);
  CHECK(g.param_count() == 9408 + 36864 + 73728 + 8192);
  CHECK(lm.notes[0].find("independently") != std::string::npos);
}

TEST_CASE("SCALE-Sim GEMM topology: one BERT-base layer at 128 tokens") {
  LoadedModel lm = load_model(config("bert-base-layer-gemm.csv"), {});
  const Graph& g = lm.graph;
  // M x N x K each: qkv 128*2304*768 = 226492416, scores 128*128*64 = 1048576,
  // context 128*64*128 = 1048576, out 128*768*768 = 75497472, ffn up and down 128*3072*768 = 301989888 each.
  CHECK(find_op(g, "qkv_proj")->kind == OpKind::kLinear);
  CHECK(find_op(g, "qkv_proj")->macs == 226492416);
  CHECK(g.tensor(find_op(g, "qkv_proj")->outputs[0]).shape == Shape{128, 2304});
  CHECK(find_op(g, "attn_scores")->macs == 1048576);
  CHECK(g.total_macs() == 226492416ull + 1048576 + 1048576 + 75497472 + 2 * 301989888ull);
}

TEST_CASE("SCALE-Sim GEMM topology as SCALE-Sim v2 ships it: 'Layer Name, M, N, K,'") {
  // The header of scale-sim-v2's topologies/GEMM_mnk/*.csv.
  LoadedModel lm = import_scalesim_csv_text("Layer Name, M, N, K,\nconv_in, 4096, 320, 36,\n", "mnk.csv", {});
  CHECK(lm.graph.total_macs() == 4096ull * 320 * 36);
}

TEST_CASE("SCALE-Sim CSV errors name file:line, all at once") {
  npusim::testing::TempDir dir;
  std::string p = dir.write("bad.csv",
                            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                            "Filter, Strides,\n"
                            "ok, 8, 8, 3, 3, 4, 4, 1,\n"
                            "\n"
                            "short, 8, 8, 3,\n"
                            "neg, 8, -8, 3, 3, 4, 4, 1,\n"
                            "big, 2, 2, 3, 3, 4, 4, 1,\n"
                            "ok, 8, 8, 3, 3, 4, 4, 1,\n");
  std::string err = error_of(p);
  CHECK(err.find("bad.csv:4: expected 8 fields") != std::string::npos);
  CHECK(err.find("bad.csv:5: 'ifmap width' = '-8': expected a whole number >= 1") != std::string::npos);
  CHECK(err.find("bad.csv:6: filter 3x3 is larger than the IFMAP 2x2") != std::string::npos);
  CHECK(err.find("bad.csv:7: layer name 'ok' is used twice") != std::string::npos);
  CHECK(error_of(dir.write("other.csv", "a,b,c\n1,2,3\n")).find("must be a SCALE-Sim topology") != std::string::npos);
  CHECK(error_of(dir.write("empty.csv", "Layer, M, N, K,\n")).find("has a header but no layers") != std::string::npos);
  ModelOptions o;
  o.dims["batch"] = 2;
  CHECK_THROWS_AS(load_model(config("resnet18-convs.csv"), o), InputError);
}
