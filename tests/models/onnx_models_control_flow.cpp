// Test models with model-local functions, If and Loop (see make_onnx_models.cpp for the list):
// as torch's exporters write them, and hostile ones that must not expand without bound.
#include "onnx_model_writer.h"

namespace onnx_models {

// As torch's dynamo exporter and onnxscript write modules: model-local functions. LayerNorm (its
// epsilon an attribute reference, given by the first call, the function's default in the second)
// called twice, and an Mlp calling a Gelu function, as
// torch_written_out writes them inline: x -> LayerNorm -> Mlp (fc1, GELU, fc2) -> LayerNorm.
Model torch_local_functions() {
  Model m("torch_local_functions");
  for (const char* d : {"pkg.torch", "local"}) {
    auto* op = m.m.add_opset_import();
    op->set_domain(d);
    op->set_version(1);
  }
  auto* ln = function(m, "pkg.torch", "LayerNorm", {"x", "w", "b"}, {"y"});
  ln->add_attribute("epsilon");
  onnx::AttributeProto eps;  // its default, FunctionProto.attribute_proto (field 11, not in ONNX 1.12)
  eps.set_name("epsilon");
  eps.set_type(onnx::AttributeProto::FLOAT);
  eps.set_f(1e-5f);
  ln->mutable_unknown_fields()->AddLengthDelimited(11, eps.SerializeAsString());
  auto* nodes = ln->mutable_node();
  for (const auto& [in, out] : {std::pair<std::string, std::string>{"x", "mean"}, {"sq", "var"}}) {
    auto* r = body_node(nodes, "ReduceMean", {in}, {out});
    Model::attr(r, "axes", Dims{-1});
    Model::attr(r, "keepdims", int64_t{1});
    if (in == "x") {
      body_node(nodes, "Sub", {"x", "mean"}, {"d"});
      body_scalar(nodes, "two", 2.0f);
      body_node(nodes, "Pow", {"d", "two"}, {"sq"});
    }
  }
  body_scalar(nodes, "eps", 0.0f, "epsilon");
  body_node(nodes, "Add", {"var", "eps"}, {"ve"});
  body_node(nodes, "Sqrt", {"ve"}, {"std"});
  body_node(nodes, "Div", {"d", "std"}, {"n"});
  body_node(nodes, "Mul", {"n", "w"}, {"s"});
  body_node(nodes, "Add", {"s", "b"}, {"y"});
  nodes = function(m, "local", "Gelu", {"x"}, {"y"})->mutable_node();
  body_scalar(nodes, "sqrt2", 1.4142135f);
  body_node(nodes, "Div", {"x", "sqrt2"}, {"div"});
  body_node(nodes, "Erf", {"div"}, {"erf"});
  body_scalar(nodes, "one", 1.0f);
  body_node(nodes, "Add", {"erf", "one"}, {"add"});
  body_node(nodes, "Mul", {"x", "add"}, {"mul"});
  body_scalar(nodes, "half", 0.5f);
  body_node(nodes, "Mul", {"mul", "half"}, {"y"});
  nodes = function(m, "local", "Mlp", {"x", "w1", "b1", "w2", "b2"}, {"y"})->mutable_node();
  body_node(nodes, "MatMul", {"x", "w1"}, {"h"});
  body_node(nodes, "Add", {"h", "b1"}, {"hb"});
  body_node(nodes, "Gelu", {"hb"}, {"g"}, "local");
  body_node(nodes, "MatMul", {"g", "w2"}, {"o"});
  body_node(nodes, "Add", {"o", "b2"}, {"y"});
  m.input("x", {"1", "16", "64"});
  for (const char* w : {"ln1", "ln2"}) {
    m.weight(std::string(w) + ".weight", {64});
    m.weight(std::string(w) + ".bias", {64});
  }
  m.weight("fc1.weight", {64, 256});
  m.weight("fc1.bias", {256});
  m.weight("fc2.weight", {256, 64});
  m.weight("fc2.bias", {64});
  auto ln_call = [&](const std::string& name, const std::string& in) {
    auto* n = m.node("LayerNorm", name, {in, name + ".weight", name + ".bias"}, {name});
    n->set_domain("pkg.torch");
    if (name == "ln2") return;  // epsilon from the function's default
    auto* a = n->add_attribute();
    a->set_name("epsilon");
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(1e-5f);
  };
  ln_call("ln1", "x");
  m.node("Mlp", "mlp", {"ln1", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}, {"mlp"})->set_domain("local");
  ln_call("ln2", "mlp");
  m.output("ln2");
  return m;
}

// Control flow as torch.jit.script exports it: an If on the batch size (folds: the then branch, a
// linear on an outer-scope weight, is inlined) and a Loop of 3 iterations (unrolled) whose body
// adds a linear of the carried value and scans it out: y [2, 16, 64], scan [3, 2, 16, 64].
Model torch_control_flow() {
  Model m("torch_control_flow");
  m.input("x", {"2", "16", "64"});
  m.weight("w", {64, 64});
  m.weight("w2", {64, 64});
  m.node("Shape", "shape", {"x"}, {"s"});
  m.const_ints("zero", {0}, true);
  m.node("Gather", "batch", {"s", "zero"}, {"n"});
  m.const_ints("two", {2}, true);
  m.node("Equal", "is_two", {"n", "two"}, {"cond"});
  auto* n = m.node("If", "if", {"cond"}, {"h"});
  auto* then_g = subgraph(n, "then_branch");
  body_node(then_g->mutable_node(), "MatMul", {"x", "w"}, {"mm"})->set_name("then/MatMul");
  then_g->add_output()->set_name("mm");
  auto* else_g = subgraph(n, "else_branch");
  body_node(else_g->mutable_node(), "Identity", {"x"}, {"same"});
  else_g->add_output()->set_name("same");
  m.const_ints("trips", {3}, true);
  auto* t = m.node("Constant", "true", {}, {"true"})->add_attribute();
  t->set_name("value");
  t->set_type(onnx::AttributeProto::TENSOR);
  t->mutable_t()->set_data_type(onnx::TensorProto::BOOL);
  t->mutable_t()->add_int32_data(1);
  auto* loop = m.node("Loop", "loop", {"trips", "true", "h"}, {"y", "scan"});
  auto* body = subgraph(loop, "body");
  for (const char* in : {"i", "c", "v"}) body->add_input()->set_name(in);
  body_node(body->mutable_node(), "Identity", {"c"}, {"c_out"});
  body_node(body->mutable_node(), "MatMul", {"v", "w2"}, {"vw"})->set_name("step/MatMul");
  body_node(body->mutable_node(), "Add", {"v", "vw"}, {"v_out"})->set_name("step/Add");
  for (const char* out : {"c_out", "v_out", "v_out"}) body->add_output()->set_name(out);
  m.output("y");
  m.output("scan");
  return m;
}

// ---- Control flow and model-local functions that must not expand without bound ----

// An If whose condition depends on the input's data: ReduceMax(x) > 0.
Model hostile_if_data_cond() {
  Model m("hostile_if_data_cond");
  m.input("x", {"1", "8"});
  Model::attr(m.node("ReduceMax", "max", {"x"}, {"mx"}), "keepdims", int64_t{0});
  m.const_float("zero", {}, 0.0f);
  m.node("Greater", "positive", {"mx", "zero"}, {"cond"});
  auto* n = m.node("If", "if", {"cond"}, {"y"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* sub = subgraph(n, branch);
    body_node(sub->mutable_node(), "Relu", {"x"}, {std::string(branch) + "_y"});
    sub->add_output()->set_name(std::string(branch) + "_y");
  }
  m.output("y");
  return m;
}

// A Shape cycle through an If: its then branch takes the Shape of the If's own output.
Model hostile_if_shape_cycle() {
  Model m("hostile_if_shape_cycle");
  m.input("x", {"1", "8"});
  m.const_ints("cond", {1}, true);
  auto* n = m.node("If", "if", {"cond"}, {"y"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* sub = subgraph(n, branch);
    body_node(sub->mutable_node(), "Shape", {"y"}, {"s"});
    sub->add_output()->set_name("s");
  }
  m.node("Reshape", "reshape", {"x", "y"}, {"z"});
  m.output("z");
  return m;
}

// A function whose body holds an If (constant condition) whose then branch calls the function:
// each expansion inlines the next, without end.
Model hostile_function_if_recursion() {
  Model m("hostile_function_if_recursion");
  auto* op = m.m.add_opset_import();
  op->set_domain("local");
  op->set_version(1);
  auto* f = function(m, "local", "f", {"a"}, {"b"});
  auto* c = body_node(f->mutable_node(), "Constant", {}, {"c"})->add_attribute();
  c->set_name("value_int");
  c->set_type(onnx::AttributeProto::INT);
  c->set_i(1);
  auto* cast = body_node(f->mutable_node(), "Cast", {"c"}, {"cond"});
  Model::attr(cast, "to", int64_t{onnx::TensorProto::BOOL});
  auto* n = body_node(f->mutable_node(), "If", {"cond"}, {"b"});
  n->set_name("if");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* sub = subgraph(n, branch);
    body_node(sub->mutable_node(), "f", {"a"}, {std::string(branch) + "_b"}, "local")->set_name("again");
    sub->add_output()->set_name(std::string(branch) + "_b");
  }
  m.input("x", {"1", "8"});
  m.node("f", "call", {"x"}, {"y"})->set_domain("local");
  m.output("y");
  return m;
}

// 30 functions, each calling the previous one twice: 2^30 nodes from a few kilobytes.
Model hostile_function_bomb() {
  Model m("hostile_function_bomb");
  auto* op = m.m.add_opset_import();
  op->set_domain("local");
  op->set_version(1);
  body_node(function(m, "local", "f0", {"a"}, {"b"})->mutable_node(), "Relu", {"a"}, {"b"});
  for (int k = 1; k <= 30; ++k) {
    const std::string name = std::string("f").append(std::to_string(k));
    const std::string callee = std::string("f").append(std::to_string(k - 1));
    auto* f = function(m, "local", name, {"a"}, {"b"});
    body_node(f->mutable_node(), callee, {"a"}, {"t"}, "local");
    body_node(f->mutable_node(), callee, {"t"}, {"b"}, "local");
  }
  m.input("x", {"1", "8"});
  m.node("f30", "call", {"x"}, {"y"})->set_domain("local");
  m.output("y");
  return m;
}

// A Loop of 64 iterations whose body concatenates the carried value with itself: 2^64 x 8.
Model hostile_loop_doubling() {
  Model m("hostile_loop_doubling");
  m.input("x", {"1", "8"});
  m.const_ints("trips", {64}, true);
  auto* body = subgraph(m.node("Loop", "loop", {"trips", "", "x"}, {"y"}), "body");
  for (const char* in : {"i", "c", "v"}) body->add_input()->set_name(in);
  Model::attr(body_node(body->mutable_node(), "Concat", {"v", "v"}, {"v2"}), "axis", int64_t{0});
  body->add_output()->set_name("c");
  body->add_output()->set_name("v2");
  m.output("y");
  return m;
}

// Loops that are while loops: no trip count; and a condition computed from the data.
Model hostile_while_loop(bool data_cond) {
  Model m(data_cond ? "hostile_loop_data_cond" : "hostile_while_loop");
  m.input("x", {"1", "8"});
  m.const_ints("trips", {4}, true);
  auto* t = m.node("Constant", "true", {}, {"true"})->add_attribute();
  t->set_name("value");
  t->set_type(onnx::AttributeProto::TENSOR);
  t->mutable_t()->set_data_type(onnx::TensorProto::BOOL);
  t->mutable_t()->add_int32_data(1);
  auto* body = subgraph(m.node("Loop", "loop", {data_cond ? "trips" : "", "true", "x"}, {"y"}), "body");
  for (const char* in : {"i", "c", "v"}) body->add_input()->set_name(in);
  body_node(body->mutable_node(), "Relu", {"v"}, {"v2"});
  Model::attr(body_node(body->mutable_node(), "ReduceMax", {"v2"}, {"mx"}), "keepdims", int64_t{0});
  body_node(body->mutable_node(), "Cast", {"mx"}, {"c2"});
  Model::attr(body->mutable_node(body->node_size() - 1), "to", int64_t{onnx::TensorProto::BOOL});
  body->add_output()->set_name("c2");
  body->add_output()->set_name("v2");
  m.output("y");
  return m;
}

// An Einsum of three operands that sums a letter over one of them (j of the first).
Model hostile_einsum_three() {
  Model m("hostile_einsum_three");
  m.input("x", {"2", "4", "8"});
  m.weight("b", {8, 16});
  m.weight("c", {16, 4});
  auto* a = m.node("Einsum", "einsum", {"x", "b", "c"}, {"y"})->add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("aij,kl,lm->akm");
  m.output("y");
  return m;
}

}  // namespace onnx_models
