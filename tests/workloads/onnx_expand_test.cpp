// The ONNX importer's expansion of model-local functions, If and Loop (workloads/onnx_expand.cpp)
// on the generator's graphs (tests/models/make_onnx_models.cpp), and Einsum of three operands.
#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <sstream>

#include "graph_lookup.h"
#include "workloads/model_registry.h"
#include "workloads/onnx_import.h"

using namespace npusim::workloads;
using npusim::testing::count_kind;
using npusim::testing::find_op;
using npusim::testing::has_note;

namespace {

std::string model(const std::string& file) { return std::string(NPUSIM_BINARY_DIR) + "/tests/models/" + file; }

onnx::ModelProto read_model(const std::string& file) {
  std::ifstream in(model(file), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(ss.str()));
  return m;
}

std::string bytes_of(const onnx::ModelProto& m) {
  std::string bytes;
  m.SerializeToString(&bytes);
  return bytes;
}

std::string error_of(const std::string& bytes, const ModelOptions& o = {}) {
  try {
    import_onnx_bytes(bytes, "t.onnx", o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("ONNX model-local functions are inlined: the same layers, MACs and params as written out") {
  LoadedModel lm = load_model(model("torch_local_functions.onnx"), {});
  const Graph& g = lm.graph;
  GraphBuilder b("ref", PrecisionSpec(Precision::kW8A8));
  TensorId x = b.layer_norm("ln1", b.input("x", {1, 16, 64}), true);
  x = b.linear("fc2", b.gelu("gelu", b.linear("fc1", x, 256)), 64);
  b.layer_norm("ln2", x, true);
  const Graph ref = b.finish();
  // fc1 and fc2: 2 x 16*64*256; params 2 LayerNorms x 128 + 64*256+256 + 256*64+64
  CHECK(g.total_macs() == 524288);
  CHECK(g.total_macs() == ref.total_macs());
  CHECK(g.param_count() == 2 * 128 + 16640 + 16448);
  CHECK(g.param_count() == ref.param_count());
  CHECK(g.num_ops() == ref.num_ops());
  CHECK(count_kind(g, OpKind::kLayerNorm) == 2);
  CHECK(count_kind(g, OpKind::kGelu) == 1);
  CHECK(count_kind(g, OpKind::kEltwise) == 0);
  // Ops are named by the call path; the epsilon came from the call's attribute (a reference).
  CHECK(find_op(g, "mlp/MatMul"));
  CHECK(find_op(g, "mlp/Gelu/Div"));
  CHECK(has_note(lm, "4 x function call"));

  onnx::ModelProto m = read_model("torch_local_functions.onnx");
  m.mutable_functions(0)->mutable_unknown_fields()->Clear();  // LayerNorm without its epsilon default ...
  m.mutable_graph()->mutable_node(0)->clear_attribute();      // ... and ln1 without epsilon: the reference is dropped
  CHECK(error_of(bytes_of(m)).find("node 'ln1/Constant' (Constant): has no value attribute") != std::string::npos);
  m = read_model("torch_local_functions.onnx");
  m.mutable_graph()->mutable_node(1)->add_input("extra");  // more operands than the function has inputs
  CHECK(error_of(bytes_of(m)).find("node 'mlp' (Mlp): calls model-local function local.Mlp with 6 inputs") !=
        std::string::npos);
}

TEST_CASE("ONNX If with a folded condition is its taken branch, and a Loop with a constant trip count is unrolled") {
  LoadedModel lm = load_model(model("torch_control_flow.onnx"), {});
  const Graph& g = lm.graph;
  // The then branch (batch == 2): 2*16*64*64 = 131072; 3 iterations of the same linear.
  CHECK(g.total_macs() == 4 * 131072);
  REQUIRE(find_op(g, "if/then_branch/then/MatMul"));
  for (const char* op : {"loop/iter0/step/MatMul", "loop/iter1/step/MatMul", "loop/iter2/step/MatMul"})
    CHECK_MESSAGE(find_op(g, op), op);
  CHECK(g.tensor(find_op(g, "loop/iter2/step/Add")->outputs[0]).shape == Shape{2, 16, 64});
  CHECK(g.tensor(find_op(g, "loop/scan0")->outputs[0]).shape == Shape{3, 2, 16, 64});
  // The loop's weight is read by each iteration, like any shared weight: counted once per op.
  CHECK(g.param_count() == 4096 + 3 * 4096);
  CHECK(has_note(lm, "1 x If, 1 x Loop"));

  onnx::ModelProto m = read_model("torch_control_flow.onnx");
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_value(4);  // batch 4: the else branch (Identity), then the loop on [4, 16, 64]
  const Graph other = import_onnx_bytes(bytes_of(m), "t.onnx", {}).graph;
  CHECK(other.total_macs() == 3 * 262144);
  CHECK(find_op(other, "if/then_branch/then/MatMul") == nullptr);

  m = read_model("torch_control_flow.onnx");
  for (auto& n : *m.mutable_graph()->mutable_node())
    if (n.name() == "trips")
      n.mutable_attribute(0)->mutable_t()->set_raw_data(std::string("\x00\x00\x00\x00\x00\x00\x00\x00", 8));
  CHECK(error_of(bytes_of(m)).find("node 'loop' (Loop): runs 0 iterations, so its scan outputs are empty") !=
        std::string::npos);
  ModelOptions few;
  few.limits.max_ops = 16;  // the file's 14 nodes fit, its 1 + 3 x 7 expanded ones do not
  CHECK(error_of(bytes_of(read_model("torch_control_flow.onnx")), few)
            .find("node 'loop' (Loop): unrolling 3 iterations of its 3-node body gives more than 16 nodes") !=
        std::string::npos);
}

TEST_CASE("ONNX control flow and functions that cannot be expanded are clear errors naming the node") {
  auto err = [](const std::string& file) {
    try {
      load_model(model(file), {});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(err("hostile_recursive_function.onnx").find("local.f calls itself (local.f -> local.f)") != std::string::npos);
  CHECK(err("hostile_mutual_functions.onnx").find("(local.f -> local.g -> local.f)") != std::string::npos);
  CHECK(err("hostile_function_if_recursion.onnx").find("nest more than 32 deep") != std::string::npos);
  CHECK(err("hostile_function_bomb.onnx").find("gives more than 200000 nodes") != std::string::npos);
  CHECK(err("hostile_if_data_cond.onnx")
            .find("node 'if' (If): its condition 'cond' is not known before the run ('cond' <- node 'positive' "
                  "(Greater) <- node 'max' (ReduceMax) <- graph input 'x')") != std::string::npos);
  CHECK(err("hostile_if_shape_cycle.onnx").find("writes its own input 'y'") != std::string::npos);
  CHECK(err("hostile_conv_in_if.onnx")
            .find("node 'if/then_branch/inner_conv' (Conv): weights [8, 8, 3, 3, 3] and input [1, 8, 16, 16]") !=
        std::string::npos);
  CHECK(err("hostile_shape_loop.onnx").find("unrolling 1000000 iterations") != std::string::npos);
  CHECK(err("hostile_loop_doubling.onnx").find("more than the limit") != std::string::npos);
  CHECK(err("hostile_while_loop.onnx").find("has no trip count (a while loop)") != std::string::npos);
  CHECK(err("hostile_loop_data_cond.onnx").find("its body's condition output 'loop/iter0/c2' is not known") !=
        std::string::npos);
}

TEST_CASE("ONNX Einsum of three operands: contracted pairwise, left to right") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("einsum3");
  auto* in = g->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {2, 4, 8}) in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  for (const auto& [name, dims] : {std::pair<std::string, std::vector<int64_t>>{"b", {2, 8, 16}}, {"c", {2, 16, 32}}}) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
  }
  auto* n = g->add_node();
  n->set_op_type("Einsum");
  n->set_name("chain");
  const std::string y = "y";
  for (const char* i : {"x", "b", "c"}) n->add_input(i);
  *n->add_output() = y;
  auto* a = n->add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("bij,bjk,bkl->bil");
  g->add_output()->set_name("y");
  const Graph r = import_onnx_bytes(bytes_of(m), "t.onnx", {}).graph;
  // bij,bjk->bik: 2*4*16*8 = 1024; bik,bkl->bil: 2*4*32*16 = 4096
  CHECK(r.total_macs() == 1024 + 4096);
  CHECK(find_op(r, "chain.step1")->macs == 1024);
  CHECK(find_op(r, "chain.step2")->macs == 4096);
  CHECK(r.tensor(find_op(r, "chain.step1")->outputs[0]).shape == Shape{2, 4, 16});
  CHECK(r.tensor(*r.find_tensor("chain.step2.out")).shape == Shape{2, 4, 32});
  a->set_s("bij,bjk,bkl");  // implicit output: the letters used once, sorted
  CHECK(import_onnx_bytes(bytes_of(m), "t.onnx", {}).graph.total_macs() == 1024 + 4096);
  a->set_s("bij,bjk,bkl->bl");  // i summed over the first operand only
  CHECK(error_of(bytes_of(m)).find("equation 'bij,bjk,bkl->bl' sums letter i over one operand only") !=
        std::string::npos);
}

TEST_CASE("ONNX a function holding an If and a Loop, called twice: each expansion's values are its own") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* local = m.add_opset_import();
  local->set_domain("local");
  local->set_version(1);
  auto add = [](google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes, const std::string& op,
                const std::vector<std::string>& ins, const std::string& out, const std::string& name = "") {
    auto* n = nodes->Add();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  };
  auto int_attr = [](onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  };
  auto graph_attr = [](onnx::NodeProto* n, const std::string& name) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    return a->mutable_g();
  };
  auto* f = m.add_functions();
  f->set_name("F");
  f->set_domain("local");
  f->add_input("x");
  f->add_output("y");
  auto* body = f->mutable_node();
  int_attr(add(body, "Constant", {}, "one"), "value_int", 1);
  int_attr(add(body, "Cast", {"one"}, "cond"), "to", onnx::TensorProto::BOOL);
  auto* n_if = add(body, "If", {"cond"}, "h", "if");
  add(graph_attr(n_if, "then_branch")->mutable_node(), "Relu", {"x"}, "t");
  n_if->mutable_attribute(0)->mutable_g()->add_output()->set_name("t");
  add(graph_attr(n_if, "else_branch")->mutable_node(), "Identity", {"x"}, "e");
  n_if->mutable_attribute(1)->mutable_g()->add_output()->set_name("e");
  int_attr(add(body, "Constant", {}, "trips"), "value_int", 2);
  auto* n_loop = add(body, "Loop", {"trips", "", "h"}, "y", "loop");
  auto* lb = graph_attr(n_loop, "body");
  for (const char* in : {"i", "c", "v"}) lb->add_input()->set_name(in);
  add(lb->mutable_node(), "Sigmoid", {"v"}, "v2");
  for (const char* out : {"c", "v2"}) lb->add_output()->set_name(out);
  auto* g = m.mutable_graph();
  g->set_name("twice");
  auto* in = g->add_input();
  in->set_name("x0");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1, 8}) in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  add(g->mutable_node(), "F", {"x0"}, "a", "call1")->set_domain("local");
  add(g->mutable_node(), "F", {"a"}, "b", "call2")->set_domain("local");
  g->add_output()->set_name("b");
  LoadedModel lm = import_onnx_bytes(bytes_of(m), "t.onnx", {});
  const Graph& r = lm.graph;
  CHECK(r.num_ops() == 6);  // per call: the then branch's Relu, two iterations' Sigmoid
  for (const char* op : {"call1/if/then_branch/Relu", "call1/loop/iter0/Sigmoid", "call1/loop/iter1/Sigmoid",
                         "call2/if/then_branch/Relu", "call2/loop/iter0/Sigmoid", "call2/loop/iter1/Sigmoid"})
    CHECK_MESSAGE(find_op(r, op), op);
  CHECK(has_note(lm, "(expanding 2 x If, 2 x Loop, 2 x function call) into"));
}
