#include <doctest/doctest.h>

#include <string>

#include "workloads/yaml_graph.h"

using namespace npusim::workloads;

namespace {

const std::string kTinyBlock = std::string(NPUSIM_SOURCE_DIR) + "/configs/models/tiny-block.yaml";

OpId op_named(const Graph& g, const std::string& name) {
  for (OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return i;
  FAIL("no op named ", name);
  return 0;
}

uint32_t position(const Graph& g, const std::string& name) {
  const auto& order = g.topological_order();
  OpId id = op_named(g, name);
  for (uint32_t i = 0; i < order.size(); ++i)
    if (order[i] == id) return i;
  FAIL("op ", name, " is not in the topological order");
  return 0;
}

TensorId tensor_named(const Graph& g, const std::string& name) {
  for (TensorId t = 0; t < g.tensors().size(); ++t)
    if (g.tensor(t).name == name) return t;
  FAIL("no tensor named ", name);
  return 0;
}

// The message a graph text fails with.
std::string error_of(const std::string& yaml) {
  try {
    load_yaml_graph_text(yaml, "bad.yaml", std::nullopt);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError");
  return "";
}

// Lines 1-4 of every error case below; the layer under test is on line 5, a second on line 6.
const std::string kHead =
    "graph: g\n"
    "inputs:\n"
    "  - {name: x, shape: [1, 8, 4, 4]}\n"
    "layers:\n";

}  // namespace

TEST_CASE("tiny-block: ops, params and MACs") {
  Graph g = load_yaml_graph(kTinyBlock, std::nullopt);
  CHECK(g.name() == "tiny-block");
  CHECK(g.precision() == Precision::kW8A8);
  CHECK(g.num_ops() == 22);
  // Parameter elements:
  //   group norms  2 x (64 weight + 64 bias)                    =    256
  //   conv1, conv2 2 x (64*64*3*3 weight + 64 bias) = 2 x 36928 = 73,856
  //   layer norm   64 weight + 64 bias                          =    128
  //   q, k, v, out_proj  4 x (64*64 weight + 64 bias) = 4 x 4160 = 16,640
  //   total                                                      = 90,880
  CHECK(g.param_count() == 90880);
  // conv1: N*K*P*Q*C*R*S = 1*64*16*16*64*3*3
  CHECK(g.op(op_named(g, "conv1")).macs == 9437184);
  // scores: Q [1,1,256,64] x K^T -> B*H*M*N*D = 1*1*256*256*64
  CHECK(g.op(op_named(g, "scores")).macs == 4194304);
  // context: P [1,1,256,256] x V [1,1,256,64] -> 1*1*256*256*64
  CHECK(g.op(op_named(g, "context")).macs == 4194304);
  // q: 256 tokens x 64 in x 64 out
  CHECK(g.op(op_named(g, "q")).macs == 1048576);
  CHECK(g.tensor(tensor_named(g, "out")).shape == Shape{1, 256, 64});
}

TEST_CASE("tiny-block: liveness of the skip connections") {
  Graph g = load_yaml_graph(kTinyBlock, std::nullopt);
  auto live = g.liveness();
  REQUIRE(live.size() == g.tensors().size());

  const TensorLiveness& x = live[tensor_named(g, "x")];
  CHECK(x.graph_input);
  CHECK_FALSE(x.graph_output);
  CHECK(x.first == position(g, "norm1"));
  CHECK(x.last == position(g, "res"));  // the ResNet skip keeps x alive across both convs

  const TensorLiveness& t = live[tensor_named(g, "tokens_t")];
  CHECK(t.first == position(g, "tokens_t"));
  CHECK(t.last == position(g, "out"));  // the attention residual

  const TensorLiveness& out = live[tensor_named(g, "out")];
  CHECK(out.graph_output);
  CHECK(out.last == g.num_ops() - 1);

  // Every producer comes before its consumers in the order.
  for (TensorId id = 0; id < live.size(); ++id) CHECK(live[id].first <= live[id].last);
}

TEST_CASE("tiny-block: --precision overrides the file's") {
  Graph g = load_yaml_graph(kTinyBlock, Precision::kFp16);
  CHECK(g.precision() == Precision::kFp16);
  CHECK(g.param_count() == 90880);
}

TEST_CASE("yaml graph errors name file, line, key and rule") {
  SUBCASE("unknown op with a close match") {
    CHECK(error_of(kHead + "  - {name: c, op: conv2, input: x}\n") ==
          "bad.yaml:5: layers[0].op = \"conv2\": unknown op; did you mean conv2d?");
  }
  SUBCASE("unknown op without a close match") {
    CHECK(error_of(kHead + "  - {name: c, op: frobnicate, input: x}\n") ==
          "bad.yaml:5: layers[0].op = \"frobnicate\": unknown op (see `npusim graph --explain-ops`)");
  }
  SUBCASE("unknown layer key") {
    CHECK(error_of(kHead + "  - {name: c, op: conv2d, input: x, out_chanels: 8, kernel: 3}\n") ==
          "bad.yaml:5: layers[0].out_chanels: unknown key for op conv2d; did you mean out_channels?");
  }
  SUBCASE("unknown top-level key") {
    CHECK(error_of("graph: g\nlayer:\n  - {name: a, op: silu, input: x}\n") ==
          "bad.yaml:2: layer: unknown key; did you mean layers?");
  }
  SUBCASE("missing required key") {
    CHECK(error_of(kHead + "  - {name: c, op: conv2d, input: x, kernel: 3}\n") ==
          "bad.yaml:5: layers[0].out_channels: required key is missing");
    CHECK(error_of(kHead + "  - {op: silu, input: x}\n") == "bad.yaml:5: layers[0].name: required key is missing");
    CHECK(error_of("graph: g\ninputs: []\n") == "bad.yaml:1: layers: required key is missing");
  }
  SUBCASE("undefined tensor") {
    CHECK(error_of(kHead + "  - {name: a, op: silu, input: y}\n") ==
          "bad.yaml:5: layers[0]: refers to tensor 'y', which no earlier input or layer defines");
    // A later layer is not yet defined, so the format cannot express a cycle.
    CHECK(error_of(kHead + "  - {name: a, op: silu, input: b}\n  - {name: b, op: silu, input: a}\n") ==
          "bad.yaml:5: layers[0]: refers to tensor 'b', which no earlier input or layer defines");
  }
  SUBCASE("inputs that are not names") {
    CHECK(error_of(kHead + "  - {name: s, op: add, inputs: [[x], x]}\n") ==
          "bad.yaml:5: layers[0].inputs: expected a list of two tensor names");
    CHECK(error_of(kHead + "  - {name: s, op: add, inputs: [x]}\n") ==
          "bad.yaml:5: layers[0].inputs: expected a list of two tensor names");
    CHECK(error_of(kHead + "  - {name: s, op: concat, inputs: [x, {a: 1}]}\n") ==
          "bad.yaml:5: layers[0].inputs: expected a list of at least two tensor names");
  }
  SUBCASE("shapes that do not broadcast") {
    CHECK(error_of("graph: g\ninputs:\n  - {name: x, shape: [1, 8, 4, 4]}\n  - {name: y, shape: [1, 8, 3, 3]}\n"
                   "layers:\n  - {name: s, op: add, inputs: [x, y]}\n") ==
          "bad.yaml:6: layers[0]: graph 'g': op 's': shapes [1, 8, 4, 4] and [1, 8, 3, 3] do not broadcast");
  }
  SUBCASE("conv kernel larger than its input") {
    CHECK(error_of(kHead + "  - {name: c, op: conv2d, input: x, out_channels: 8, kernel: 7}\n") ==
          "bad.yaml:5: layers[0]: graph 'g': op 'c': kernel 7x7 is larger than the padded input 4x4");
  }
  SUBCASE("zero or negative dim in an input shape") {
    CHECK(error_of(
              "graph: g\ninputs:\n  - {name: x, shape: [1, 0, 4, 4]}\nlayers:\n  - {name: a, op: silu, input: x}\n") ==
          "bad.yaml:3: inputs[0].shape = \"0\": expected an integer in 1 .. 1099511627776");
    CHECK(error_of(
              "graph: g\ninputs:\n  - {name: x, shape: [1, -8, 4, 4]}\nlayers:\n  - {name: a, op: silu, input: x}\n") ==
          "bad.yaml:3: inputs[0].shape = \"-8\": expected an integer in 1 .. 1099511627776");
  }
  SUBCASE("input shape whose element count overflows") {
    // 2^40 * 2^40 = 2^80 elements: every dim is in range, the product is not.
    CHECK(error_of("graph: g\ninputs:\n  - {name: x, shape: [1, 1099511627776, 1099511627776, 1]}\nlayers:\n"
                   "  - {name: a, op: silu, input: x}\n") ==
          "bad.yaml:3: inputs[0]: graph 'g': tensor 'x' has shape [1, 1099511627776, 1099511627776, 1]: element "
          "count overflows 64 bits");
  }
  SUBCASE("MAC count that overflows") {
    // 2^20 channels x 2^10 x 2^10 pixels into 2^40 output channels, 1x1 kernel: 2^80 MACs.
    CHECK(error_of("graph: g\ninputs:\n  - {name: x, shape: [1, 1048576, 1024, 1024]}\nlayers:\n"
                   "  - {name: c, op: conv2d, input: x, out_channels: 1099511627776, kernel: 1}\n") ==
          "bad.yaml:5: layers[0]: graph 'g': op 'c': operation count overflows 64 bits");
  }
  SUBCASE("negative reshape dim") {
    CHECK(error_of(kHead + "  - {name: r, op: reshape, input: x, shape: [1, -2, 64]}\n") ==
          "bad.yaml:5: layers[0]: graph 'g': op 'r': reshape dims must be >= 1 or -1, got -2");
  }
  SUBCASE("duplicate name") {
    CHECK(error_of(kHead + "  - {name: a, op: silu, input: x}\n  - {name: a, op: gelu, input: a}\n") ==
          "bad.yaml:6: layers[1]: graph 'g': name 'a' is used twice");
    CHECK(error_of(kHead + "  - {name: x, op: silu, input: x}\n") ==
          "bad.yaml:5: layers[0]: graph 'g': name 'x' is used twice");
  }
  SUBCASE("malformed YAML") {
    std::string e = error_of(kHead + "  - {name: a, op: silu, input: x\n");
    CHECK(e.starts_with("bad.yaml:"));
    CHECK(e.find(": malformed YAML: ") != std::string::npos);
    CHECK(e == "bad.yaml:6: malformed YAML: end of map flow not found");
  }
  SUBCASE("empty text") {
    CHECK(error_of("") == "bad.yaml: file is empty; expected a layer graph (graph, inputs, layers)");
    CHECK(error_of("# nothing\n") == "bad.yaml: file is empty; expected a layer graph (graph, inputs, layers)");
  }
  SUBCASE("top level not a mapping") {
    CHECK(error_of("- a\n- b\n") == "bad.yaml:1: expected a mapping with graph, inputs and layers");
  }
}

TEST_CASE("load_yaml_graph: file errors") {
  CHECK_THROWS_WITH_AS(load_yaml_graph("/nonexistent-npusim-dir/g.yaml", std::nullopt),
                       "/nonexistent-npusim-dir/g.yaml: no such file", InputError);
  std::string dir = std::string(NPUSIM_SOURCE_DIR) + "/configs/models";
  CHECK_THROWS_WITH_AS(load_yaml_graph(dir, std::nullopt),
                       (dir + ": is a directory, expected a YAML graph file").c_str(), InputError);
}

TEST_CASE("explain_yaml_ops lists every op") {
  std::string e = explain_yaml_ops();
  for (const char* op : {"conv2d:",
                         "linear:",
                         "matmul:",
                         "attention_score:",
                         "attention_context:",
                         "group_norm:",
                         "layer_norm:",
                         "rms_norm:",
                         "softmax:",
                         "silu:",
                         "gelu:",
                         "add:",
                         "mul:",
                         "reshape:",
                         "transpose:",
                         "concat:",
                         "upsample_nearest:",
                         "gather:",
                         "relu:",
                         "relu6:",
                         "sigmoid:",
                         "hard_sigmoid:",
                         "hard_swish:",
                         "global_avg_pool:",
                         "max_pool2d: input kernel stride padding",
                         "avg_pool2d: input kernel stride padding"})
    CHECK_MESSAGE(e.find(op) != std::string::npos, op);
}

TEST_CASE("pooling and the mobile activations in a YAML graph") {
  Graph g = load_yaml_graph_text(kHead +
                                     "  - {name: pool, op: max_pool2d, input: x, kernel: 3, stride: 2, padding: 1}\n"
                                     "  - {name: avg, op: avg_pool2d, input: x, kernel: 2}\n"
                                     "  - {name: hs, op: hard_swish, input: avg}\n"
                                     "  - {name: gap, op: global_avg_pool, input: hs}\n"
                                     "  - {name: gate, op: hard_sigmoid, input: gap}\n"
                                     "  - {name: scaled, op: mul, inputs: [hs, gate]}\n",
                                 "pool.yaml", std::nullopt);
  // 4x4, 3x3 window, stride 2, pad 1 -> 2x2; each output reads 9 window elements (padding included).
  const Op& pool = g.op(op_named(g, "pool"));
  CHECK(g.tensor(pool.outputs[0]).shape == Shape{1, 8, 2, 2});
  CHECK(pool.vector_elems == 8 * 2 * 2 * 9);
  CHECK(vector_class(pool.kind) == VectorClass::kEltwise);
  // avg_pool2d's stride defaults to the kernel: 4x4 -> 2x2.
  CHECK(g.tensor(g.op(op_named(g, "avg")).outputs[0]).shape == Shape{1, 8, 2, 2});
  CHECK(vector_class(g.op(op_named(g, "hs")).kind) == VectorClass::kActivation);
  CHECK(g.tensor(g.op(op_named(g, "gap")).outputs[0]).shape == Shape{1, 8, 1, 1});
  CHECK(g.op(op_named(g, "gap")).vector_elems == 8 * 2 * 2);
  CHECK(g.op(op_named(g, "scaled")).vector_elems == 8 * 2 * 2);
  CHECK(error_of(kHead + "  - {name: p, op: max_pool2d, input: x, kernel: 2, padding: 2}\n") ==
        "bad.yaml:5: layers[0]: graph 'g': op 'p': padding = 2 must be at most half the kernel 2");
  CHECK(error_of(kHead + "  - {name: p, op: max_pool2d, input: x, kernel: 9}\n") ==
        "bad.yaml:5: layers[0]: graph 'g': op 'p': kernel 9 is larger than the padded input [1, 8, 4, 4]");
}
