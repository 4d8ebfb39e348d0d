// Writes the ONNX test models into the directory given as the only argument, with the ONNX
// protobuf API (no Python needed). Built and run by CMake before the workload tests.
//   conv_gemm.onnx        Conv, Relu, strided Conv, ReduceMean, Gemm, Softmax
//   tiny_block.onnx       configs/models/tiny-block.yaml op for op (MACs and params must match)
//   symbolic_batch.onnx   input dim 0 is 'batch', bound with --dim batch=N
//   external_data.onnx    weights in external_data.bin, which is deliberately not written:
//                         the importer must never read it
//   unsupported_op.onnx   a Hardmax, which npusim does not model
//   custom_op.onnx        an op from a custom domain: no schema, so no inferred shape
// and hostile inputs (tests/hostile/README.md), each of which must be refused with exit code 2:
//   hostile_cycle.onnx         two Relus feeding each other: a graph with a cycle
//   hostile_nested_if.onnx     an If whose then branch holds an If ... 60 levels deep
//   hostile_nested_if20.onnx   the same, 20 levels deep (within protobuf's nesting limit)
//   hostile_huge_channels.onnx an input of 2^62 channels into a Conv
//   hostile_zero_stride.onnx   a Conv with strides [0, 0]
//   hostile_negative_dim.onnx  an initializer with a negative dim
//   hostile_huge_tensor.onnx   a declared (data-less) initializer of 2^31 x 2^31 floats
//   hostile_truncated.onnx     the first half of tiny_block.onnx
//   hostile_no_ops.onnx        one Identity node, which imports as no op: nothing to simulate
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

using Dims = std::vector<int64_t>;

struct Model {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit Model(const std::string& name, int opset = 17) {
    m.set_ir_version(8);
    m.set_producer_name("npusim tests/models/make_onnx_models");
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    g = m.mutable_graph();
    g->set_name(name);
  }
  static void set_shape(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::string>& dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* s = t->mutable_shape();
    for (const auto& d : dims) {
      auto* dim = s->add_dim();
      if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0])))
        dim->set_dim_value(std::stoll(d));
      else
        dim->set_dim_param(d);
    }
  }
  void input(const std::string& name, const std::vector<std::string>& dims) { set_shape(g->add_input(), name, dims); }
  void output(const std::string& name) { g->add_output()->set_name(name); }
  // A float initializer of zeros, or with its data in an external file when `external`.
  void weight(const std::string& name, const Dims& dims, bool external = false) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    if (!external) {
      t->set_raw_data(std::string(static_cast<size_t>(n) * 4, '\0'));
      return;
    }
    static int64_t offset = 0;
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto kv = [&](const std::string& k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    kv("location", "external_data.bin");
    kv("offset", std::to_string(offset));
    kv("length", std::to_string(n * 4));
    offset += n * 4;
  }
  void ints(const std::string& name, const Dims& values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const Dims& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  // Conv with bias and symmetric padding.
  void conv(const std::string& name, const std::string& in, int64_t out_c, int64_t in_c, int64_t k, int64_t stride,
            int64_t pad) {
    weight(name + ".weight", {out_c, in_c, k, k});
    weight(name + ".bias", {out_c});
    auto* n = node("Conv", name, {in, name + ".weight", name + ".bias"}, {name});
    attr(n, "kernel_shape", Dims{k, k});
    attr(n, "strides", Dims{stride, stride});
    attr(n, "pads", Dims{pad, pad, pad, pad});
  }
  // MatMul by a [K, N] weight, then Add of an [N] bias: the exporters' linear.
  void linear(const std::string& name, const std::string& in, int64_t k, int64_t n_out) {
    weight(name + ".weight", {k, n_out});
    weight(name + ".bias", {n_out});
    node("MatMul", name + "/MatMul", {in, name + ".weight"}, {name + "/mm"});
    node("Add", name + "/Add", {name + "/mm", name + ".bias"}, {name});
  }
  bool save(const std::string& dir, const std::string& file) const {
    std::ofstream out(dir + "/" + file, std::ios::binary);
    return m.SerializeToOstream(&out);
  }
};

Model conv_gemm() {
  Model m("conv_gemm");
  m.input("x", {"1", "3", "32", "32"});
  m.conv("conv1", "x", 8, 3, 3, 1, 1);
  m.node("Relu", "relu1", {"conv1"}, {"relu1"});
  m.conv("conv2", "relu1", 16, 8, 3, 2, 1);
  auto* r = m.node("ReduceMean", "pool", {"conv2"}, {"pool"});
  Model::attr(r, "axes", Dims{2, 3});
  Model::attr(r, "keepdims", int64_t{0});
  m.weight("fc.weight", {10, 16});
  m.weight("fc.bias", {10});
  auto* gemm = m.node("Gemm", "fc", {"pool", "fc.weight", "fc.bias"}, {"fc"});
  Model::attr(gemm, "transB", int64_t{1});
  m.node("Softmax", "prob", {"fc"}, {"prob"});
  m.output("prob");
  return m;
}

// GroupNorm (opset 18), SiLU as x * sigmoid(x), 3x3 conv.
void norm_act_conv(Model& m, const std::string& i, const std::string& in) {
  m.weight("norm" + i + ".weight", {64});
  m.weight("norm" + i + ".bias", {64});
  auto* gn = m.node("GroupNormalization", "norm" + i, {in, "norm" + i + ".weight", "norm" + i + ".bias"}, {"norm" + i});
  Model::attr(gn, "num_groups", int64_t{32});
  m.node("Sigmoid", "act" + i + "/Sigmoid", {"norm" + i}, {"act" + i + "/sig"});
  m.node("Mul", "act" + i + "/Mul", {"norm" + i, "act" + i + "/sig"}, {"act" + i});
  m.conv("conv" + i, "act" + i, 64, 64, 3, 1, 1);
}

Model tiny_block() {
  Model m("tiny-block", 18);
  m.input("x", {"1", "64", "16", "16"});
  norm_act_conv(m, "1", "x");
  norm_act_conv(m, "2", "conv1");
  m.node("Add", "res", {"conv2", "x"}, {"res"});
  m.ints("shape_tokens", {1, 64, 256});
  m.node("Reshape", "tokens", {"res", "shape_tokens"}, {"tokens"});
  Model::attr(m.node("Transpose", "tokens_t", {"tokens"}, {"tokens_t"}), "perm", Dims{0, 2, 1});
  m.weight("ln.weight", {64});
  m.weight("ln.bias", {64});
  m.node("LayerNormalization", "ln", {"tokens_t", "ln.weight", "ln.bias"}, {"ln"});
  m.ints("shape_heads", {1, 1, 256, 64});
  for (const std::string p : {"q", "k", "v"}) {
    m.linear(p, "ln", 64, 64);
    m.node("Reshape", p + "4", {p, "shape_heads"}, {p + "4"});
  }
  Model::attr(m.node("Transpose", "k4_t", {"k4"}, {"k4_t"}), "perm", Dims{0, 1, 3, 2});
  m.node("MatMul", "scores", {"q4", "k4_t"}, {"scores"});
  Model::attr(m.node("Softmax", "probs", {"scores"}, {"probs"}), "axis", int64_t{-1});
  m.node("MatMul", "context", {"probs", "v4"}, {"context"});
  m.ints("shape_ctx", {1, 256, 64});
  m.node("Reshape", "ctx3", {"context", "shape_ctx"}, {"ctx3"});
  m.linear("out_proj", "ctx3", 64, 64);
  m.node("Add", "out", {"out_proj", "tokens_t"}, {"out"});
  m.output("out");
  return m;
}

Model symbolic_batch() {
  Model m("symbolic_batch");
  m.input("x", {"batch", "3", "16", "16"});
  m.conv("conv", "x", 4, 3, 3, 1, 1);
  Model::attr(m.node("Flatten", "flat", {"conv"}, {"flat"}), "axis", int64_t{1});
  m.weight("fc.weight", {10, 1024});
  Model::attr(m.node("Gemm", "fc", {"flat", "fc.weight"}, {"fc"}), "transB", int64_t{1});
  m.output("fc");
  return m;
}

Model external_data() {
  Model m("external_data");
  m.input("x", {"1", "4096"});
  m.weight("w1", {4096, 4096}, true);
  m.weight("w2", {4096, 1024}, true);
  m.node("MatMul", "fc1", {"x", "w1"}, {"fc1"});
  m.node("Relu", "relu", {"fc1"}, {"relu"});
  m.node("MatMul", "fc2", {"relu", "w2"}, {"fc2"});
  m.output("fc2");
  return m;
}

Model unsupported_op() {
  Model m("unsupported_op");
  m.input("x", {"1", "8", "4", "4"});
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.node("Hardmax", "hardmax", {"conv"}, {"hardmax"});
  m.output("hardmax");
  return m;
}

Model custom_op() {
  Model m("custom_op");
  auto* op = m.m.add_opset_import();
  op->set_domain("com.example");
  op->set_version(1);
  m.input("x", {"1", "8", "4", "4"});
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.node("MyOp", "mystery", {"conv"}, {"mystery"})->set_domain("com.example");
  m.node("Relu", "relu", {"mystery"}, {"relu"});
  m.output("relu");
  return m;
}

Model hostile_cycle() {
  Model m("hostile_cycle");
  m.input("x", {"1", "8"});
  m.node("Add", "a", {"x", "b"}, {"a"});
  m.node("Relu", "b", {"a"}, {"b"});
  m.output("b");
  return m;
}

Model hostile_no_ops() {
  Model m("hostile_no_ops");
  m.input("x", {"1", "8"});
  m.node("Identity", "id", {"x"}, {"y"});
  m.output("y");
  return m;
}

// An If whose then branch holds the next level's If, `depth` levels deep (else: one Relu).
void nested_if(onnx::GraphProto* g, const std::string& in, int depth) {
  auto* n = g->add_node();
  n->set_op_type(depth > 0 ? "If" : "Relu");
  n->set_name("level" + std::to_string(depth));
  n->add_input(in);
  n->add_output("out" + std::to_string(depth));
  if (depth == 0) return;
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = n->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = a->mutable_g();
    sub->set_name(std::string(branch) + std::to_string(depth));
    const int next = std::string(branch) == "then_branch" ? depth - 1 : 0;
    nested_if(sub, in, next);
    Model::set_shape(sub->add_output(), "out" + std::to_string(next), {"1", "8"});
  }
}

Model hostile_nested_if(int depth) {
  Model m("hostile_nested_if");
  m.input("x", {"1", "8"});
  nested_if(m.g, "x", depth);
  m.output("out" + std::to_string(depth));
  return m;
}

Model hostile_huge_channels() {
  Model m("hostile_huge_channels");
  m.input("x", {"1", "4611686018427387904", "1", "1"});  // 2^62 channels
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.output("conv");
  return m;
}

Model hostile_zero_stride() {
  Model m("hostile_zero_stride");
  m.input("x", {"1", "8", "16", "16"});
  m.weight("conv.weight", {8, 8, 3, 3});
  auto* n = m.node("Conv", "conv", {"x", "conv.weight"}, {"conv"});
  Model::attr(n, "strides", Dims{0, 0});
  m.output("conv");
  return m;
}

Model hostile_negative_dim() {
  Model m("hostile_negative_dim");
  m.input("x", {"1", "8"});
  auto* t = m.g->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(8);
  t->add_dims(-4);
  m.node("MatMul", "fc", {"x", "w"}, {"fc"});
  m.output("fc");
  return m;
}

Model hostile_huge_tensor() {
  Model m("hostile_huge_tensor");
  m.input("x", {"1", "2147483648"});
  auto* t = m.g->add_initializer();  // declared, no data: 2^62 floats
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(int64_t{1} << 31);
  t->add_dims(int64_t{1} << 31);
  m.node("MatMul", "fc", {"x", "w"}, {"fc"});
  m.output("fc");
  return m;
}

bool save_truncated(const Model& whole, const std::string& dir, const std::string& file) {
  std::string bytes;
  if (!whole.m.SerializeToString(&bytes)) return false;
  std::ofstream out(dir + "/" + file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_onnx_models OUTPUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  bool ok =
      conv_gemm().save(dir, "conv_gemm.onnx") && tiny_block().save(dir, "tiny_block.onnx") &&
      symbolic_batch().save(dir, "symbolic_batch.onnx") && external_data().save(dir, "external_data.onnx") &&
      unsupported_op().save(dir, "unsupported_op.onnx") && custom_op().save(dir, "custom_op.onnx") &&
      hostile_cycle().save(dir, "hostile_cycle.onnx") && hostile_nested_if(60).save(dir, "hostile_nested_if.onnx") &&
      hostile_nested_if(20).save(dir, "hostile_nested_if20.onnx") &&
      hostile_huge_channels().save(dir, "hostile_huge_channels.onnx") &&
      hostile_zero_stride().save(dir, "hostile_zero_stride.onnx") &&
      hostile_negative_dim().save(dir, "hostile_negative_dim.onnx") &&
      hostile_huge_tensor().save(dir, "hostile_huge_tensor.onnx") &&
      save_truncated(tiny_block(), dir, "hostile_truncated.onnx") && hostile_no_ops().save(dir, "hostile_no_ops.onnx");
  if (!ok) std::cerr << "make_onnx_models: cannot write into " << dir << "\n";
  return ok ? 0 : 1;
}
