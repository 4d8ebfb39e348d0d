// ONNX import speed on a UNet-sized export: 148 blocks of torch's GroupNorm-via-InstanceNorm
// (shapes computed with Shape -> Gather -> Unsqueeze -> Concat), SiLU, a 3x3 conv and a residual
// add, 2,812 nodes in all, with the weights as absent external data; written out, or as 148 calls
// of a model-local function. The target is under 1 s per import. Run:
// build/tests/bench/npusim_bench_onnx
#include <benchmark/benchmark.h>
#include <onnx/onnx_pb.h>

#include <string>

#include "workloads/onnx_import.h"

namespace {

struct Writer {
  onnx::ModelProto m;
  onnx::GraphProto* g = m.mutable_graph();
  int64_t offset = 0;

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins, const std::string& out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  }
  void ints(const std::string& name, const std::vector<int64_t>& v, bool scalar) {
    auto* t = node("Constant", {}, name)->add_attribute();
    t->set_name("value");
    t->set_type(onnx::AttributeProto::TENSOR);
    t->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->mutable_t()->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->mutable_t()->add_int64_data(x);
  }
  void floats(const std::string& name, int64_t n, float v) {
    auto* t = node("Constant", {}, name)->add_attribute();
    t->set_name("value");
    t->set_type(onnx::AttributeProto::TENSOR);
    t->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    t->mutable_t()->add_dims(n);
    for (int64_t k = 0; k < n; ++k) t->mutable_t()->add_float_data(v);
  }
  void weight(const std::string& name, const std::vector<int64_t>& dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 4;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    for (auto [k, v] : {std::pair<std::string, std::string>{"location", "unet.bin"},
                        {"offset", std::to_string(offset)},
                        {"length", std::to_string(n)}}) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
    offset += n;
  }
};

// One block on `x`, its names prefixed by `p`; its weights are initializers when `weights`, else
// the values p + "gamma", p + "beta" and p + "conv.weight" (a function's inputs).
void block(Writer& w, const std::string& p, const std::string& x, bool weights) {
  w.node("Shape", {x}, p + "shape");
  w.ints(p + "i0", {0}, true);
  w.node("Gather", {p + "shape", p + "i0"}, p + "n");
  w.ints(p + "ax", {0}, false);
  w.node("Unsqueeze", {p + "n", p + "ax"}, p + "n1");
  w.ints(p + "g", {32, -1}, false);
  w.node("Concat", {p + "n1", p + "g"}, p + "gshape")->add_attribute()->set_name("axis");
  w.g->mutable_node(w.g->node_size() - 1)->mutable_attribute(0)->set_type(onnx::AttributeProto::INT);
  w.node("Reshape", {x, p + "gshape"}, p + "grouped");
  w.floats(p + "ones", 32, 1.0f);
  w.floats(p + "zeros", 32, 0.0f);
  w.node("InstanceNormalization", {p + "grouped", p + "ones", p + "zeros"}, p + "inorm");
  w.node("Shape", {x}, p + "xshape");
  w.node("Reshape", {p + "inorm", p + "xshape"}, p + "back");
  if (weights) {
    w.weight(p + "gamma", {320, 1, 1});
    w.weight(p + "beta", {320, 1, 1});
  }
  w.node("Mul", {p + "back", p + "gamma"}, p + "scaled");
  w.node("Add", {p + "scaled", p + "beta"}, p + "gn");
  w.node("Sigmoid", {p + "gn"}, p + "sig");
  w.node("Mul", {p + "gn", p + "sig"}, p + "act");
  if (weights) w.weight(p + "conv.weight", {320, 320, 3, 3});
  auto* conv = w.node("Conv", {p + "act", p + "conv.weight"}, p + "conv");
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) pads->add_ints(1);
  w.node("Add", {p + "conv", x}, p + "out");
}

// The UNet-like export: `blocks` blocks written out, or (`functions`) each a call of one
// model-local function holding the block, as torch's dynamo exporter writes modules.
std::string unet_like_export(int blocks, bool functions) {
  Writer w;
  w.m.set_ir_version(8);
  w.m.add_opset_import()->set_version(17);
  w.g->set_name("unet_like");
  auto* in = w.g->add_input();
  in->set_name("x0");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1, 320, 64, 64}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  if (functions) {
    auto* op = w.m.add_opset_import();
    op->set_domain("local");
    op->set_version(1);
    Writer body;
    block(body, "", "x", false);
    auto* f = w.m.add_functions();
    f->set_name("ResBlock");
    f->set_domain("local");
    for (const char* i : {"x", "gamma", "beta", "conv.weight"}) f->add_input(i);
    f->add_output("out");
    f->add_opset_import()->set_version(17);
    *f->mutable_node() = body.g->node();
  }
  std::string x = "x0";
  for (int b = 0; b < blocks; ++b) {
    std::string p = std::to_string(b);  // built in steps: GCC 12's -Wrestrict misfires on "b" + s + "/"
    p.insert(0, 1, 'b');
    p += '/';
    if (functions) {
      w.weight(p + "gamma", {320, 1, 1});
      w.weight(p + "beta", {320, 1, 1});
      w.weight(p + "conv.weight", {320, 320, 3, 3});
      w.node("ResBlock", {x, p + "gamma", p + "beta", p + "conv.weight"}, p + "out")->set_domain("local");
    } else {
      block(w, p, x, true);
    }
    x = p + "out";
  }
  w.g->add_output()->set_name(x);
  std::string bytes;
  w.m.SerializeToString(&bytes);
  return bytes;
}

void BM_ImportOnnxUnetLike(benchmark::State& state) {
  const std::string bytes = unet_like_export(148, state.range(0) != 0);
  npusim::workloads::ModelOptions opts;
  size_t ops = 0;
  for (auto _ : state) {
    auto lm = npusim::workloads::import_onnx_bytes(bytes, "unet_like.onnx", opts);
    ops = lm.graph.num_ops();
    benchmark::DoNotOptimize(lm);
  }
  state.counters["nodes"] = 148 * 19;
  state.counters["ops"] = static_cast<double>(ops);
}
// Argument 0: the blocks written out; 1: each block a call of a model-local function (inlined).
BENCHMARK(BM_ImportOnnxUnetLike)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
