#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.h"
#include "workloads/model_registry.h"
#include "workloads/onnx_import.h"

using namespace npusim::workloads;

using npusim::testing::read_file;

namespace {

// Written at build time by tests/models/make_onnx_models.cpp.
std::string model(const std::string& file) { return std::string(NPUSIM_BINARY_DIR) + "/tests/models/" + file; }

ModelOptions options() {
  ModelOptions o;
  o.model_dirs = {std::string(NPUSIM_SOURCE_DIR) + "/configs/models"};
  return o;
}

const Op* find_op(const Graph& g, const std::string& name) {
  for (OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return &g.op(i);
  return nullptr;
}

std::string error_of(const std::string& path, const ModelOptions& o) {
  try {
    load_model(path, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("ONNX conv + gemm net: MACs, params and op kinds by hand") {
  LoadedModel lm = load_model(model("conv_gemm.onnx"), options());
  const Graph& g = lm.graph;
  // conv1: 1*8*32*32 outputs x 3*3*3 = 221184; conv2 (stride 2, pad 1 -> 16x16):
  // 16*16*16 x 8*3*3 = 294912; fc: 16 x 10 = 160. Total 516256.
  CHECK(find_op(g, "conv1")->macs == 221184);
  CHECK(find_op(g, "conv2")->macs == 294912);
  CHECK(find_op(g, "fc")->kind == OpKind::kLinear);
  CHECK(g.total_macs() == 516256);
  // conv1 8*3*9 + 8, conv2 16*8*9 + 16, fc 16*10 + 10
  CHECK(g.param_count() == 224 + 1168 + 170);
  CHECK(find_op(g, "relu1")->kind == OpKind::kUnary);
  CHECK(find_op(g, "relu1")->vector_elems == 8 * 32 * 32);
  const Op* pool = find_op(g, "pool");
  CHECK(pool->kind == OpKind::kReduce);
  CHECK(pool->vector_elems == 16 * 16 * 16);  // one per input element
  CHECK(g.tensor(pool->outputs[0]).shape == Shape{1, 16});
  CHECK(find_op(g, "prob")->kind == OpKind::kSoftmax);
  CHECK(lm.notes.front().find("ONNX") != std::string::npos);
  // Dtypes come from the precision, not from the file's float32.
  ModelOptions fp16 = options();
  fp16.precision = Precision::kFp16;
  Graph h = load_model(model("conv_gemm.onnx"), fp16).graph;
  CHECK(h.tensor(*h.find_tensor("conv1.weight")).dtype == DType::kFp16);
  CHECK(g.tensor(*g.find_tensor("conv1.weight")).dtype == DType::kInt8);
}

TEST_CASE("ONNX tiny block imports with the MACs and params of configs/models/tiny-block.yaml") {
  Graph yaml = load_model("tiny-block", options()).graph;
  LoadedModel lm = load_model(model("tiny_block.onnx"), options());
  const Graph& onnx = lm.graph;
  // conv 2 x 64*16*16*64*9 = 18874368; q, k, v, out 4 x 256*64*64 = 4194304;
  // scores and context 2 x 256*256*64 = 8388608. Total 31457280.
  CHECK(yaml.total_macs() == 31457280);
  CHECK(onnx.total_macs() == yaml.total_macs());
  CHECK(onnx.param_count() == yaml.param_count());
  // MatMul + Add(bias) became linear with bias; x * sigmoid(x) became silu.
  CHECK(find_op(onnx, "q/MatMul")->kind == OpKind::kLinear);
  CHECK(find_op(onnx, "q/MatMul")->inputs.size() == 3);
  CHECK(find_op(onnx, "act1/Sigmoid")->kind == OpKind::kSilu);
  CHECK(find_op(onnx, "norm1")->kind == OpKind::kGroupNorm);
  CHECK(find_op(onnx, "scores")->kind == OpKind::kMatmul);
  CHECK(find_op(onnx, "scores")->macs == 256 * 256 * 64);
  CHECK(find_op(onnx, "tokens")->kind == OpKind::kReshape);
  CHECK(find_op(onnx, "tokens_t")->kind == OpKind::kTranspose);
  // Same vector work on the ops both graphs share by name.
  for (const char* name : {"norm1", "conv1", "norm2", "conv2", "res", "ln", "probs", "out"})
    CHECK_MESSAGE(find_op(onnx, name)->vector_elems == find_op(yaml, name)->vector_elems, name);
}

TEST_CASE("ONNX symbolic batch dim: bound by --dim, an unbound one is one clear error") {
  std::string err = error_of(model("symbolic_batch.onnx"), options());
  CHECK(err.find("input 'x' dim 0 is symbolic 'batch': pass --dim batch=N") != std::string::npos);
  ModelOptions o = options();
  o.dims["batch"] = 4;
  LoadedModel lm = load_model(model("symbolic_batch.onnx"), o);
  // 4 x (conv 4*16*16 x 3*9 = 27648 + fc 1024*10 = 10240) = 151552
  CHECK(lm.graph.total_macs() == 151552);
  bool noted = false;
  for (const auto& n : lm.notes) noted = noted || n.find("batch=4") != std::string::npos;
  CHECK(noted);
  o.dims["batchh"] = 2;
  CHECK(error_of(model("symbolic_batch.onnx"), o).find("no symbolic input dim named 'batchh'") != std::string::npos);
}

TEST_CASE("ONNX external data: shapes from the initializers, the side file is never read") {
  // external_data.bin does not exist: reading it would fail.
  CHECK_FALSE(std::filesystem::exists(model("external_data.bin")));
  LoadedModel lm = load_model(model("external_data.onnx"), options());
  // fc1 4096 x 4096 + fc2 4096 x 1024 = 20971520 MACs and as many weights.
  CHECK(lm.graph.total_macs() == 20971520);
  CHECK(lm.graph.param_count() == 20971520);
  CHECK(std::filesystem::file_size(model("external_data.onnx")) < 2000);
  bool noted = false;
  for (const auto& n : lm.notes)
    noted = noted || n.find("2 initializers keep their data in external files") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("ONNX unsupported op: one clear error, or a generic vector op when allowed") {
  std::string err = error_of(model("unsupported_op.onnx"), options());
  CHECK(err.find("unsupported ONNX op(s): Hardmax at node 'hardmax' (Hardmax)") != std::string::npos);
  CHECK(err.find("--allow-unknown-ops") != std::string::npos);
  ModelOptions o = options();
  o.allow_unknown_ops = true;
  LoadedModel lm = load_model(model("unsupported_op.onnx"), o);
  const Op* hm = find_op(lm.graph, "hardmax");
  REQUIRE(hm);
  CHECK(hm->kind == OpKind::kGenericVector);
  CHECK(hm->vector_elems == 8 * 4 * 4);
  CHECK(lm.notes.back().find("Hardmax x1") != std::string::npos);
  // A custom-domain op has no schema, so even when allowed its shape cannot be inferred.
  CHECK(error_of(model("custom_op.onnx"), options()).find("com.example.MyOp at node 'mystery'") != std::string::npos);
  err = error_of(model("custom_op.onnx"), o);
  CHECK(err.find("node 'mystery' (MyOp): the shape of 'mystery' cannot be inferred") != std::string::npos);
}

TEST_CASE("ONNX malformed, truncated and oversized files give clean errors") {
  npusim::testing::TempDir dir;
  std::string junk = dir.write("junk.onnx", "graph: not really\nthis is not a protobuf\n");
  CHECK(error_of(junk, options()).find("junk.onnx: not a valid ONNX model") != std::string::npos);
  const std::string bytes = read_file(model("tiny_block.onnx"));
  for (size_t cut : {size_t{1}, size_t{7}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 5}) {
    std::string p = dir.write("cut" + std::to_string(cut) + ".onnx", bytes.substr(0, cut));
    CAPTURE(cut);
    CHECK_THROWS_AS(load_model(p, options()), InputError);
  }
  CHECK(error_of(dir.write("empty.onnx", ""), options()).find("empty.onnx") != std::string::npos);
  // Detected by content whatever the name.
  std::string renamed = dir.write("model.bin", bytes);
  CHECK(load_model(renamed, options()).graph.total_macs() == 31457280);
  // The size limit names itself and how to get under it.
  try {
    import_onnx(model("tiny_block.onnx"), "tiny_block.onnx", options(), 1000);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("-byte limit for ONNX files") != std::string::npos);
    CHECK(std::string(e.what()).find("save_as_external_data=True") != std::string::npos);
  }
}
