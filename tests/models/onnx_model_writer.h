#pragma once
// The ONNX test-model writer shared by make_onnx_models.cpp and onnx_models_control_flow.cpp: a
// ModelProto built node by node with the ONNX protobuf API (no Python needed).
#include <onnx/onnx_pb.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace onnx_models {

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
  // An INT64 Constant node (1-D, or a scalar when `scalar`), as torch writes shape arithmetic.
  void const_ints(const std::string& name, const Dims& values, bool scalar = false) {
    auto* n = node("Constant", name, {}, {name});
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(values.size()));
    std::string raw;
    for (int64_t v : values) raw.append(reinterpret_cast<const char*>(&v), 8);
    t->set_raw_data(raw);
  }
  // A FLOAT Constant node of `dims` filled with `value` (a scalar when dims is empty).
  void const_float(const std::string& name, const Dims& dims, float value) {
    auto* n = node("Constant", name, {}, {name});
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t count = 1;
    for (int64_t d : dims) t->add_dims(d), count *= d;
    std::string raw;
    for (int64_t k = 0; k < count; ++k) raw.append(reinterpret_cast<const char*>(&value), 4);
    t->set_raw_data(raw);
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

// A node of a function body or subgraph (no Model helper: those add to the main graph).
inline onnx::NodeProto* body_node(google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes, const std::string& op,
                                  const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                                  const std::string& domain = "") {
  auto* n = nodes->Add();
  n->set_op_type(op);
  n->set_domain(domain);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline onnx::FunctionProto* function(Model& m, const std::string& domain, const std::string& name,
                                     const std::vector<std::string>& ins, const std::vector<std::string>& outs) {
  auto* f = m.m.add_functions();
  f->set_name(name);
  f->set_domain(domain);
  for (const auto& i : ins) f->add_input(i);
  for (const auto& o : outs) f->add_output(o);
  auto* op = f->add_opset_import();
  op->set_domain("");
  op->set_version(17);
  return f;
}

// A FLOAT scalar Constant in a body whose value is `v`, or the caller's attribute `ref` when given.
inline void body_scalar(google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes, const std::string& out, float v,
                        const std::string& ref = "") {
  auto* a = body_node(nodes, "Constant", {}, {out})->add_attribute();
  a->set_name("value_float");
  a->set_type(onnx::AttributeProto::FLOAT);
  if (ref.empty())
    a->set_f(v);
  else
    a->set_ref_attr_name(ref);
}

// A branch or loop body attribute of node `n`.
inline onnx::GraphProto* subgraph(onnx::NodeProto* n, const std::string& attr) {
  auto* a = n->add_attribute();
  a->set_name(attr);
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name(attr);
  return a->mutable_g();
}

// Model-local functions and control flow (onnx_models_control_flow.cpp).
Model torch_local_functions();
Model torch_control_flow();
Model hostile_if_data_cond();
Model hostile_if_shape_cycle();
Model hostile_function_if_recursion();
Model hostile_function_bomb();
Model hostile_loop_doubling();
Model hostile_while_loop(bool data_cond);
Model hostile_einsum_three();

}  // namespace onnx_models
