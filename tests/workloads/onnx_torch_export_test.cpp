// The ONNX importer on the graphs torch.onnx.export writes (tests/models/make_onnx_models.cpp
// mirrors them: computed Slices, Expand from Shape, GroupNorm via InstanceNormalization, the
// baddbmm zero constant, the sinusoidal timestep embedding, a Trilu causal mask, absent external
// data), and npusim's own shape inference and constant folding on small hand-built models.
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>

#include "graph_lookup.h"
#include "workloads/model_registry.h"
#include "workloads/onnx_import.h"

using namespace npusim::workloads;
using npusim::testing::count_kind;
using npusim::testing::find_kind;
using npusim::testing::find_op;
using npusim::testing::has_note;

namespace {

std::string model(const std::string& file) { return std::string(NPUSIM_BINARY_DIR) + "/tests/models/" + file; }

std::string error_of(const std::string& bytes, const ModelOptions& o = {}) {
  try {
    import_onnx_bytes(bytes, "t.onnx", o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A small model built in the test: float input x of `dims`, nodes added by the caller.
struct Tiny {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit Tiny(const std::vector<int64_t>& dims) {
    m.set_ir_version(8);
    auto* op = m.add_opset_import();
    op->set_version(17);
    g = m.mutable_graph();
    g->set_name("tiny");
    auto* in = g->add_input();
    in->set_name("x");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void ints(const std::string& name, const std::vector<int64_t>& v, bool scalar = false) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins, const std::string& out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  }
  // Reshape x by a folded shape `s` and make it the output: the output's shape shows the values.
  std::string reshape_by(const std::string& s) {
    node("Reshape", {"x", s}, "y");
    g->add_output()->set_name("y");
    std::string bytes;
    m.SerializeToString(&bytes);
    return bytes;
  }
};

Shape output_shape(const std::string& bytes) {
  LoadedModel lm = import_onnx_bytes(bytes, "t.onnx", {});
  auto t = lm.graph.find_tensor("y");
  REQUIRE(t);
  return lm.graph.tensor(*t).shape;
}

}  // namespace

TEST_CASE("torch export: CLIP attention with computed q/k/v Slices, a Trilu causal mask and absent external data") {
  CHECK_FALSE(std::filesystem::exists(model("external_data.bin")));
  LoadedModel lm = load_model(model("torch_clip_attention.onnx"), {});
  const Graph& g = lm.graph;
  // in_proj 77*64*192 = 946176; scores and context 2 x 4 heads * 77*77*16 = 758912;
  // out_proj 77*64*64 = 315392. Total 2020480.
  CHECK(g.total_macs() == 2020480);
  CHECK(find_op(g, "attn/scores")->macs == 4 * 77 * 77 * 16);
  // token embedding 1000*64 + positions 77*64 + ln 2*64 + in_proj 64*192+192 + out_proj 64*64+64
  CHECK(g.param_count() == 64000 + 4928 + 128 + 12480 + 4160);
  // The causal mask [77, 77] is a constant, not a parameter; the scale is an immediate.
  CHECK(g.constant_elements() == 77 * 77);
  for (const char* p : {"attn/q/Slice", "attn/k/Slice", "attn/v/Slice"}) {
    REQUIRE_MESSAGE(find_op(g, p), p);
    CHECK(find_op(g, p)->kind == OpKind::kCopy);
    CHECK(g.tensor(find_op(g, p)->outputs[0]).shape == Shape{1, 77, 64});
  }
  CHECK(find_op(g, "attn/in_proj/MatMul")->kind == OpKind::kLinear);
  CHECK(has_note(lm, "8 initializers keep their data in external files"));
}

TEST_CASE("torch export: UNet timestep Expand from Shape(sample) and the sinusoidal embedding") {
  ModelOptions o;
  CHECK(error_of(std::string(), o).find("no ir_version") != std::string::npos);
  o.dims["batch"] = 2;
  LoadedModel lm = load_model(model("torch_unet_time.onnx"), o);
  // 2 x (linear_1 16*32 + linear_2 32*32) + conv_in 2*32*8*8 x 4*9 = 3072 + 147456
  CHECK(lm.graph.total_macs() == 150528);
  CHECK(lm.graph.param_count() == 544 + 1056 + 1184);
  CHECK(lm.graph.tensor(find_op(lm.graph, "t/Expand")->outputs[0]).shape == Shape{2});
  CHECK(find_op(lm.graph, "t/Sin")->kind == OpKind::kUnary);
  CHECK(find_op(lm.graph, "t/Range") == nullptr);  // the frequencies are folded: known before the run
  CHECK(lm.graph.constant_elements() == 8);        // ... and read as a constant [1, 8]
  o.dims["batch"] = 3;
  CHECK(load_model(model("torch_unet_time.onnx"), o).graph.total_macs() == 3 * 1536 + 3 * 73728);
}

TEST_CASE("torch export: GroupNorm via InstanceNormalization costs as group_norm, the baddbmm zero is no parameter") {
  LoadedModel lm = load_model(model("torch_groupnorm_baddbmm.onnx"), {});
  const Graph& g = lm.graph;
  // conv 32*64 x 32*9 = 589824; q, k, v 3 x 64*32*32 = 196608; scores and context 2 x 64*64*32
  CHECK(g.total_macs() == 589824 + 196608 + 262144);
  // GroupNorm gamma + beta 64, conv 9216 + 32, q/k/v 3 x 1056: the [1, 64, 64] zero is not one.
  CHECK(g.param_count() == 64 + 9248 + 3168);
  CHECK(g.constant_elements() == 64 * 64);
  CHECK(count_kind(g, OpKind::kGroupNorm) == 1);
  GraphBuilder b("ref", PrecisionSpec(Precision::kW8A8));
  TensorId x = b.input("x", {1, 32, 8, 8});
  b.group_norm("gn", x, 8, true);
  Graph ref = b.finish();
  CHECK(find_kind(g, OpKind::kGroupNorm)->vector_elems == find_kind(ref, OpKind::kGroupNorm)->vector_elems);
  CHECK(find_kind(g, OpKind::kGroupNorm)->groups == 8);
  CHECK(has_note(lm, "GroupNorm (InstanceNormalization form) as group_norm recognised"));
}

TEST_CASE("torch export: written-out LayerNorm, Erf GELU and RMSNorm cost as the builders' layers") {
  LoadedModel lm = load_model(model("torch_written_out.onnx"), {});
  const Graph& g = lm.graph;
  // fc1 and fc2 2 x 16*64*256 = 524288; Einsum bihd,bjhd->bhij 4 heads x 16*16*16 = 16384
  CHECK(g.total_macs() == 540672);
  CHECK(g.param_count() == 128 + 16640 + 16448 + 64);
  GraphBuilder b("ref", PrecisionSpec(Precision::kW8A8));
  TensorId x = b.layer_norm("ln", b.input("x", {1, 16, 64}), true);
  x = b.gelu("gelu", b.linear("fc1", x, 256));
  b.rms_norm("rms", b.linear("fc2", x, 64), true);
  Graph ref = b.finish();
  CHECK(ref.param_count() == g.param_count());
  for (OpKind k : {OpKind::kLayerNorm, OpKind::kGelu, OpKind::kRmsNorm}) {
    REQUIRE(find_kind(g, k));
    CHECK(count_kind(g, k) == 1);
    CHECK(find_kind(g, k)->vector_elems == find_kind(ref, k)->vector_elems);
  }
  // Only the recognised layers, the two linears, the head view and the Einsum's views remain.
  CHECK(count_kind(g, OpKind::kEltwise) == 0);
  CHECK(count_kind(g, OpKind::kUnary) == 0);
}

TEST_CASE("ONNX folding: Shape, Slice with negative steps, Gather, Concat, Where, Tile, Range") {
  {  // reversed shape: Slice(Shape(x), -1, INT64_MIN, step -1)
    Tiny t({2, 3, 4});
    t.node("Shape", {"x"}, "s");
    t.ints("st", {-1});
    t.ints("en", {INT64_MIN});
    t.ints("ax", {0});
    t.ints("sp", {-1});
    t.node("Slice", {"s", "st", "en", "ax", "sp"}, "r");
    CHECK(output_shape(t.reshape_by("r")) == Shape{4, 3, 2});
  }
  {  // [6, 4] = Concat(Mul(Gather(s, 0), Gather(s, 1)), Gather(s, 2)) via Unsqueeze
    Tiny t({2, 3, 4});
    t.node("Shape", {"x"}, "s");
    t.ints("i0", {0}, true);
    t.ints("i1", {1}, true);
    t.ints("i2", {-1}, true);
    t.node("Gather", {"s", "i0"}, "a");
    t.node("Gather", {"s", "i1"}, "b");
    t.node("Mul", {"a", "b"}, "ab");
    t.ints("axes", {0});
    t.node("Unsqueeze", {"ab", "axes"}, "ab1");
    t.node("Gather", {"s", "i2"}, "c");
    t.node("Unsqueeze", {"c", "axes"}, "c1");
    auto* cat = t.node("Concat", {"ab1", "c1"}, "r");
    auto* a = cat->add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(0);
    CHECK(output_shape(t.reshape_by("r")) == Shape{6, 4});
  }
  {  // Where(Equal(s, 3), -1, s) = [2, -1, 4] -> [2, 3, 4]; Tile([1], [3]) and Range are shapes too
    Tiny t({2, 3, 4});
    t.node("Shape", {"x"}, "s");
    t.ints("three", {3}, true);
    t.ints("minus1", {-1}, true);
    t.node("Equal", {"s", "three"}, "eq");
    t.node("Where", {"eq", "minus1", "s"}, "r");
    CHECK(output_shape(t.reshape_by("r")) == Shape{2, 3, 4});
  }
  {  // Range(1, 4, 1) = [1, 2, 3] -> Max with [2] = [2, 2, 3] -> Tile x1, Sub 0: reshape [24] to...
    Tiny t({12});
    t.ints("lo", {1}, true);
    t.ints("hi", {4}, true);
    t.ints("one", {1}, true);
    t.node("Range", {"lo", "hi", "one"}, "rg");
    t.ints("two", {2});
    t.node("Max", {"rg", "two"}, "mx");
    t.ints("rep", {1});
    t.node("Tile", {"mx", "rep"}, "r");
    CHECK(output_shape(t.reshape_by("r")) == Shape{2, 2, 3});
  }
}

TEST_CASE("ONNX folding errors name the node: bad shapes, overflow, data dependence") {
  {
    Tiny t({2, 3});
    t.ints("bad", {4, -1, -1});
    CHECK(error_of(t.reshape_by("bad")).find("node 'y' (Reshape): shape [4, -1, -1] has more than one -1") !=
          std::string::npos);
  }
  {
    Tiny t({2, 3});
    t.ints("big", {INT64_MAX}, true);
    t.node("Mul", {"big", "big"}, "r");
    CHECK(error_of(t.reshape_by("r")).find("node 'r' (Mul): integer overflow while folding a constant") !=
          std::string::npos);
  }
  {
    Tiny t({2, 3});
    t.ints("z", {0}, true);
    t.ints("six", {6}, true);
    t.node("Div", {"six", "z"}, "r");
    CHECK(error_of(t.reshape_by("r")).find("integer division by zero") != std::string::npos);
  }
  {  // a shape from the input's values: the chain leads back to the input
    Tiny t({6});
    auto* c = t.node("Cast", {"x"}, "n");
    auto* a = c->add_attribute();
    a->set_name("to");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(onnx::TensorProto::INT64);
    CHECK(error_of(t.reshape_by("n"))
              .find("shape 'n' depends on run-time data, so the output shape is not static: "
                    "'n' <- node 'n' (Cast) <- graph input 'x'") != std::string::npos);
  }
}

TEST_CASE("ONNX ops of real exports: Resize by constant scales, Split, Softmax on axis 1, Gemm transA, 3-D MatMul") {
  // x -> Resize x2 -> Split [1, 3] on C -> Softmax(axis 1) -> [48, 16] -> Gemm(transA) by w [48, 10]
  // -> [2, 8, 10], then MatMul with `right` built by `tail`.
  auto build = [](bool broadcast) {
    Tiny t({1, 4, 8, 8});
    auto* sc = t.g->add_initializer();
    sc->set_name("scales");
    sc->set_data_type(onnx::TensorProto::FLOAT);
    sc->add_dims(4);
    for (float v : {1.0f, 1.0f, 2.0f, 2.0f}) sc->add_float_data(v);
    t.node("Resize", {"x", "", "scales"}, "up");  // mode defaults to nearest
    t.ints("parts", {1, 3});
    auto* split = t.node("Split", {"up", "parts"}, "a");
    *split->add_output() = std::string(1, 'b');  // not add_output("b"): GCC 12's -Wrestrict misfires
    auto* axis = split->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(1);
    t.node("Softmax", {"b"}, "sm")->add_attribute()->CopyFrom(*axis);
    t.ints("flat", {48, 16});
    t.node("Reshape", {"sm", "flat"}, "m");
    auto* w = t.g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(48);
    w->add_dims(10);
    auto* ta = t.node("Gemm", {"m", "w"}, "g")->add_attribute();
    ta->set_name("transA");
    ta->set_type(onnx::AttributeProto::INT);
    ta->set_i(1);
    t.ints("sh3", {2, 8, 10});
    t.node("Reshape", {"g", "sh3"}, "g3");
    if (broadcast) {  // right operand [1, 10, 4] computed from g3: batch 1 broadcasts
      t.ints("sh4", {1, 10, 16});
      t.node("Reshape", {"g3", "sh4"}, "wide");
      t.ints("st", {0});
      t.ints("en", {4});
      t.ints("ax", {2});
      t.node("Slice", {"wide", "st", "en", "ax"}, "right");
    } else {
      t.node("Transpose", {"g3"}, "right");  // [10, 8, 2]: batch 2 and 10 do not broadcast
    }
    t.node("MatMul", {"g3", "right"}, "mm");
    t.g->add_output()->set_name("mm");
    t.g->add_output()->set_name("a");
    std::string bytes;
    t.m.SerializeToString(&bytes);
    return bytes;
  };
  CHECK(error_of(build(false)).find("node 'mm' (MatMul): operands [2, 8, 10] and [10, 8, 2] do not match") !=
        std::string::npos);
  LoadedModel lm = import_onnx_bytes(build(true), "t.onnx", {});
  const Graph& g = lm.graph;
  CHECK(g.tensor(*g.find_tensor("up")).shape == Shape{1, 4, 16, 16});
  CHECK(find_op(g, "up")->kind == OpKind::kUpsampleNearest);
  CHECK(g.tensor(find_op(g, "a")->outputs[0]).shape == Shape{1, 1, 16, 16});
  CHECK(find_op(g, "sm")->kind == OpKind::kSoftmax);
  CHECK(find_op(g, "g")->kind == OpKind::kLinear);  // the transposed activation against constant weights
  CHECK(find_op(g, "g")->macs == 16 * 48 * 10);
  // [2, 8, 10] x [1, 10, 4]: every row of the left operand against the one right matrix
  CHECK(find_op(g, "mm")->macs == 2 * 8 * 10 * 4);
  CHECK(g.tensor(*g.find_tensor("mm.out")).shape == Shape{2, 8, 4});  // the rows' product viewed back
}

TEST_CASE("ONNX 3-D patch convolution (Qwen2-VL's [2, 14, 14] patch embedding): the MACs and weights of the 3-D conv") {
  // 64 patches of 3 x 2 x 14 x 14 -> 1280 channels: torch writes Conv3d with kernel = stride.
  auto build = [](int64_t depth_stride) {
    Tiny t({64, 3, 2, 14, 14});
    auto* w = t.g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : {1280, 3, 2, 14, 14}) w->add_dims(d);
    auto* s = t.node("Conv", {"x", "w"}, "y")->add_attribute();
    s->set_name("strides");
    s->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : {depth_stride, int64_t{14}, int64_t{14}}) s->add_ints(v);
    t.g->add_output()->set_name("y");
    std::string bytes;
    t.m.SerializeToString(&bytes);
    return bytes;
  };
  const Graph g = import_onnx_bytes(build(2), "t.onnx", {}).graph;
  CHECK(g.total_macs() == 64ull * 1280 * 3 * 2 * 14 * 14);
  CHECK(g.param_count() == 1280ull * 3 * 2 * 14 * 14);
  CHECK(find_op(g, "y")->kind == OpKind::kConv2d);
  CHECK(g.tensor(*g.find_tensor("y.ncdhw")).shape == Shape{64, 1280, 1, 1, 1});
  CHECK(error_of(build(1)).find("node 'y' (Conv): a 3-D convolution is supported only when its kernel tiles the "
                                "depth") != std::string::npos);
}
