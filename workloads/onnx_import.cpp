#include "onnx_import.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "npusim/file_io.h"
#include "onnx_internal.h"

namespace npusim::workloads {

namespace onnx_detail {

Importer::Importer(onnx::ModelProto& model, std::string display, const ModelOptions& o)
    : b(model.graph().name().empty() ? std::filesystem::path(display).stem().string() : model.graph().name(),
        o.precision.value_or(PrecisionSpec(Precision::kW8A8)), o.limits),
      opts(o),
      m_(model),
      g_(model.graph()),
      expander_(model, o.limits.max_ops),
      display_(std::move(display)) {}

void Importer::fail(const std::string& msg) const { throw InputError(display_ + ": " + msg); }
void Importer::fail_node(int i, const std::string& msg) const { fail(label(i) + ": " + msg); }

std::string Importer::label(int i) const { return label(*nodes_[static_cast<size_t>(i)], i); }

std::string Importer::label(const onnx::NodeProto& n, int i) const {
  return (n.name().empty() ? "node #" + std::to_string(i) : "node '" + n.name() + "'") + " (" + n.op_type() + ")";
}

std::string Importer::data_chain(const std::string& v) const {
  std::string chain = "'" + v + "'";
  std::string cur = v;
  for (int step = 0; step < 12; ++step) {
    auto it = vals_.find(cur);
    if (it == vals_.end() || it->second.producer < 0) {
      chain += " <- graph input '" + cur + "'";
      return chain;
    }
    const int p = it->second.producer;
    chain += " <- " + label(p);
    std::string next;
    for (const auto& in : nodes_[static_cast<size_t>(p)]->input())
      if (!in.empty() && !is_static(in)) {
        next = in;
        break;
      }
    if (next.empty()) return chain;
    cur = next;
  }
  return chain + " <- ...";
}

const Val& Importer::val(int i, const std::string& v) const {
  auto it = vals_.find(v);
  if (it == vals_.end())
    fail_node(i, "the shape of '" + v +
                     "' cannot be inferred: it comes from an op npusim has no shape rule for (declare its shape in "
                     "the graph's value_info, or replace the op)");
  return it->second;
}

Val& Importer::def(int i, const std::string& v) {
  Val& out = vals_[v];
  out.producer = i;
  return out;
}

bool Importer::is_static(const std::string& v) const {
  auto it = vals_.find(v);
  return it != vals_.end() && it->second.is_static;
}

TensorId Importer::value(int i, const std::string& v, bool weight_role) {
  if (auto it = tensors_.find(v); it != tensors_.end()) return it->second;
  const Val& x = val(i, v);
  TensorId t;
  if (x.producer < 0 && !x.is_static) {
    t = b.input(unique_name(v), x.shape);
  } else if (x.is_static) {
    Shape s = x.shape.empty() ? Shape{1} : x.shape;  // a scalar
    const bool param = !is_integral(x.elem) && !x.all_zero && (x.from_initializer || weight_role);
    t = param ? b.weight(unique_name(v), s) : b.constant(unique_name(v), s);
  } else {
    fail_node(i, "operand '" + v + "' has no value (an unsupported op produced it?)");
  }
  tensors_[v] = t;
  return t;
}

std::vector<TensorId> Importer::dynamic_operands(int i, bool drop_scalar_constants) {
  std::vector<TensorId> out;
  for (const auto& in : nodes_[static_cast<size_t>(i)]->input()) {
    if (in.empty()) continue;
    if (is_static(in) && drop_scalar_constants) {
      const Shape& s = val(i, in).shape;
      if (std::all_of(s.begin(), s.end(), [](uint64_t d) { return d == 1; })) continue;  // an immediate
    }
    out.push_back(value(i, in));
  }
  return out;
}

std::optional<int> Importer::sole_consumer(const std::string& v) const {
  auto it = consumers_.find(v);
  if (graph_outputs_.contains(v) || it == consumers_.end() || it->second.size() != 1) return std::nullopt;
  return it->second[0];
}

const std::vector<int>& Importer::consumers(const std::string& v) const {
  static const std::vector<int> kNone;
  auto it = consumers_.find(v);
  return it == consumers_.end() ? kNone : it->second;
}

std::string Importer::unique_name(const std::string& base) const {
  auto free = [&](const std::string& n) { return !b.find(n) && !b.find(n + ".weight") && !b.find(n + ".bias"); };
  if (free(base)) return base;
  for (int k = 1;; ++k)
    if (free(base + "." + std::to_string(k))) return base + "." + std::to_string(k);
}

void Importer::set_output(int i, int k, TensorId t) {
  const std::string& out = nodes_[static_cast<size_t>(i)]->output(k);
  if (out.empty()) return;
  const Shape& want = val(i, out).shape;
  if (!want.empty() && want != b.shape(t))
    fail_node(i, "npusim's builder computes output shape " + shape_str(b.shape(t)) + " but the ONNX rules give " +
                     shape_str(want));
  tensors_[out] = t;
}

void Importer::fuse(int node, TensorId t) {
  fused[node] = true;
  for (const auto& o : nodes_[static_cast<size_t>(node)]->output())
    if (!o.empty()) tensors_[o] = t;
}

const onnx::AttributeProto* Importer::attr(int i, const std::string& name) const {
  for (const auto& a : nodes_[static_cast<size_t>(i)]->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t Importer::attr_int(int i, const std::string& name, int64_t fallback) const {
  const auto* a = attr(i, name);
  return a ? a->i() : fallback;
}
std::vector<int64_t> Importer::attr_ints(int i, const std::string& name) const {
  const auto* a = attr(i, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}
std::string Importer::attr_str(int i, const std::string& name, const std::string& fallback) const {
  const auto* a = attr(i, name);
  return a ? a->s() : fallback;
}

// Counts the nodes of every subgraph against the op limit (subgraphs are never inferred: a node
// holding one is unsupported, so their depth costs nothing beyond this walk, which protobuf's
// nesting limit of 100 bounds).
void Importer::check_attributes(const onnx::GraphProto& g, const std::string& where, uint64_t& nodes) const {
  for (int i = 0; i < g.node_size(); ++i) {
    if (++nodes > opts.limits.max_ops)
      fail("more than " + std::to_string(opts.limits.max_ops) +
           " nodes (subgraphs included), the limit on a graph's size; raise it with --max-ops N");
    const onnx::NodeProto& n = g.node(i);
    const std::string node = where + (n.name().empty() ? "node #" + std::to_string(i) : "node '" + n.name() + "'") +
                             " (" + n.op_type() + ")";
    const bool standard = n.domain().empty() || n.domain() == "ai.onnx";
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (standard && (a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape"))
        for (int64_t v : a.ints())
          if (v < 1)
            fail(node + ": attribute " + a.name() + " has " + std::to_string(v) + "; every value must be >= 1");
      if (standard && (a.name() == "group" || a.name() == "blocksize") && a.i() < 1)
        fail(node + ": attribute " + a.name() + " = " + std::to_string(a.i()) + "; it must be >= 1");
      if (a.has_g()) check_attributes(a.g(), node + " > ", nodes);
      for (const onnx::GraphProto& sub : a.graphs()) check_attributes(sub, node + " > ", nodes);
    }
  }
}

// Reads the opset and the initializers, and checks that every value is defined once, before its
// use, and that no node writes its own input.
void Importer::check_header() {
  if (!m_.has_graph() || g_.node_size() == 0)
    fail("not an ONNX model with a graph: it has no nodes (a truncated or corrupt file?)");
  uint64_t nodes = 0;
  check_attributes(g_, "", nodes);
  for (const auto& o : m_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<int>(o.version());
  for (const auto& t : g_.initializer()) {
    if (vals_.contains(t.name())) fail("initializer '" + t.name() + "' is given twice");
    Val v;
    try {
      v = decode_tensor(t, "initializer '" + t.name() + "'");
    } catch (const InputError& e) {
      fail(e.what());
    }
    v.is_static = v.from_initializer = true;
    if (t.data_location() == onnx::TensorProto::EXTERNAL) ++external_;
    vals_[t.name()] = std::move(v);
  }
}

// Binds every symbolic input dim from --dim, collecting every unbound one into one error.
void Importer::bind_inputs() {
  std::vector<std::string> missing;
  std::set<std::string> used;
  for (const auto& in : g_.input()) {
    if (vals_.contains(in.name()) && vals_[in.name()].from_initializer) continue;  // old-style: initializers listed
    if (vals_.contains(in.name())) fail("graph input '" + in.name() + "' is listed twice");
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
      fail("input '" + in.name() + "' has no tensor shape; npusim needs every input's rank and dims");
    Val v;
    v.elem = in.type().tensor_type().elem_type();
    const auto& dims = in.type().tensor_type().shape().dim();
    for (int d = 0; d < dims.size(); ++d) {
      const auto& dim = dims[d];
      if (dim.has_dim_value()) {
        if (dim.dim_value() <= 0)
          fail("input '" + in.name() + "' dim " + std::to_string(d) + " is " + std::to_string(dim.dim_value()) +
               ": every dim must be >= 1");
        v.shape.push_back(static_cast<uint64_t>(dim.dim_value()));
        continue;
      }
      const std::string sym = dim.has_dim_param() ? dim.dim_param() : "";
      auto it = sym.empty() ? opts.dims.end() : opts.dims.find(sym);
      if (it == opts.dims.end()) {
        missing.push_back("input '" + in.name() + "' dim " + std::to_string(d) +
                          (sym.empty() ? " has no size and no name (it cannot be bound; fix the model's input shape)"
                                       : " is symbolic '" + sym + "': pass --dim " + sym + "=N"));
        continue;
      }
      if (it->second == 0) fail("--dim " + sym + "=0: sizes must be at least 1");
      used.insert(sym);
      v.shape.push_back(it->second);
    }
    if (v.shape.size() == static_cast<size_t>(dims.size()))  // overflowing byte counts, as the builder says them
      make_tensor(in.name(), v.shape, b.dtypes().activation, TensorKind::kActivation, display_);
    vals_[in.name()] = std::move(v);
  }
  if (!missing.empty()) {
    std::string msg;
    for (const auto& s : missing) msg += (msg.empty() ? "" : "; ") + s;
    fail(msg);
  }
  for (const auto& [name, value] : opts.dims) {
    if (used.contains(name)) {
      bound_dims_.push_back(name + "=" + std::to_string(value));
      continue;
    }
    std::string list;
    for (const auto& u : used) list += (list.empty() ? "" : ", ") + u;
    fail("--dim " + name + "=" + std::to_string(value) + ": the model has no symbolic input dim named '" + name + "'" +
         (list.empty() ? "" : " (it uses: " + list + ")"));
  }
}

// Adds node `n` (no If, Loop or call) after the others: checks its operands are defined earlier
// (the ONNX spec's topological order) and its outputs once, and notes whether it is unsupported.
void Importer::add_node(const onnx::NodeProto* np) {
  const int i = static_cast<int>(nodes_.size());
  nodes_.push_back(np);
  fused.push_back(false);
  rules_.push_back(nullptr);
  node_static_.push_back(false);
  const auto& n = *np;
  bool all_static = true;
  for (const auto& in : n.input()) {
    if (in.empty()) continue;  // an omitted optional input
    if (!defined_.contains(in)) {
      if (std::find(n.output().begin(), n.output().end(), in) != n.output().end())
        fail_node(i, "writes its own input '" + in + "'");
      fail_node(i, "input '" + in + "' is not a graph input, an initializer or an earlier node's output " +
                       "(a malformed or truncated file?)");
    }
    consumers_[in].push_back(i);
    all_static = all_static && statics_.contains(in);
  }
  const std::string& op = n.op_type();
  node_static_[i] = op == "Constant" || op == "Shape" || op == "Size" ||
                    (all_static && !op.starts_with("Random") && op != "Multinomial");
  if (node_static_[i]) ++folded_;
  for (const auto& out : n.output()) {
    if (out.empty()) continue;
    if (!defined_.insert(out).second)
      fail_node(i, "output '" + out + "' is already defined (by an input, an initializer or an earlier node)");
    if (node_static_[i]) statics_.insert(out);
  }
  bool has_subgraph = false;
  for (const auto& a : n.attribute()) has_subgraph = has_subgraph || a.has_g() || a.graphs_size() > 0;
  rules_[i] = has_subgraph ? nullptr : find_rule(n.domain(), op);
  if (!rules_[i] && !node_static_[i])
    unsupported_[(n.domain().empty() ? "" : n.domain() + ".") + op].push_back(label(i));
}

void Importer::fail_unsupported() const {
  if (unsupported_.empty() || opts.allow_unknown_ops) return;
  std::string list;
  for (const auto& [op, nodes] : unsupported_)
    list += (list.empty() ? "" : "; ") + op + " at " + nodes[0] +
            (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "");
  fail("unsupported ONNX op(s): " + list +
       ". Pass --allow-unknown-ops to count each as a generic vector op over its output elements, or replace them "
       "in the model");
}

// Infers the shapes of the nodes added since the last call, in order.
void Importer::infer_pending() {
  fail_unsupported();
  for (; inferred_ < nodes_.size(); ++inferred_) {
    const int i = static_cast<int>(inferred_);
    infer_node(i);
    for (const auto& out : nodes_[inferred_]->output()) {
      auto it = vals_.find(out);
      if (out.empty() || it == vals_.end()) continue;
      Val& v = it->second;
      v.is_static = node_static_[i];
      v.producer = i;
      if (!v.is_static) {
        v.has_data = false, v.ints.clear(), v.reals.clear();
        if (std::find(v.shape.begin(), v.shape.end(), 0) != v.shape.end())
          fail_node(i, "output '" + out + "' has shape " + shape_str(v.shape) +
                           ": npusim models no empty tensors computed at run time");
      }
      for (const auto& in : nodes_[inferred_]->input())
        if (!in.empty() && vals_.contains(in) && vals_.at(in).from_initializer) v.from_initializer = true;
    }
  }
}

// If or Loop node `n`: infers the nodes before it, folds its condition or trip count, and queues
// the nodes it expands into.
void Importer::expand(const onnx::NodeProto& n) {
  const std::string where = label(n, static_cast<int>(nodes_.size()));
  for (const auto& in : n.input())
    if (!in.empty() && !defined_.contains(in))
      fail(where + ": input '" + in + "' is not a graph input, an initializer or an earlier node's output " +
           "(a malformed or truncated file?)");
  infer_pending();
  // The one element of operand k, which must be known before the run.
  auto scalar = [&](int k, const std::string& what) -> int64_t {
    const std::string& v = n.input(k);
    auto it = vals_.find(v);
    if (it == vals_.end() || !it->second.is_static)
      fail(where + ": its " + what + " '" + v + "' is not known before the run (" + data_chain(v) +
           "); npusim expands an If or Loop only when its condition and trip count fold to constants");
    const Val& x = it->second;
    if (!x.has_data || elem_count(x.shape) != 1)
      fail(where + ": its " + what + " '" + v + "' has shape " + shape_str(x.shape) + "; it must hold one element");
    return x.ints.empty() ? (x.reals.empty() || x.reals[0] == 0.0 ? 0 : 1) : x.ints[0];
  };
  std::vector<const onnx::NodeProto*> body;
  try {
    if (n.op_type() == "If") {
      if (n.input_size() != 1 || n.input(0).empty()) fail(where + ": expected one input, the condition");
      body = expander_.inline_if(n, scalar(0, "condition") != 0);
    } else {
      if (n.input_size() < 2 || n.input(0).empty())
        fail(where + ": has no trip count (a while loop); npusim unrolls only loops with a constant trip count");
      int64_t trips = std::max<int64_t>(scalar(0, "trip count"), 0);
      if (!n.input(1).empty() && scalar(1, "condition") == 0) trips = 0;
      std::vector<std::string> conds;
      body = expander_.unroll_loop(n, static_cast<uint64_t>(trips), opset, conds);
      for (auto& c : conds) loop_conds_.emplace_back(where, std::move(c));
    }
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.starts_with(display_ + ": ")) throw;
    fail(what);
  }
  pending_.push_back(std::move(body));
}

// Adds every node, expanding functions, If and Loop, then infers each node's output shapes in
// order (the nodes before an If or Loop first, to fold its condition). Unsupported ops are listed
// together in one error.
void Importer::infer_all() {
  for (const auto& [name, v] : vals_) {
    defined_.insert(name);
    if (v.is_static) statics_.insert(name);
  }
  std::vector<const onnx::NodeProto*> top;
  for (const auto& n : g_.node()) top.push_back(&n);
  try {
    pending_.push_back(expander_.expand_calls(top));
  } catch (const InputError& e) {
    fail(e.what());
  }
  std::vector<size_t> next{0};  // per pending list, the next node
  while (!pending_.empty()) {
    if (next.back() == pending_.back().size()) {
      pending_.pop_back(), next.pop_back();
      continue;
    }
    const onnx::NodeProto* n = pending_.back()[next.back()++];
    if (!expander_.is_control_flow(*n)) {
      add_node(n);
      continue;
    }
    expand(*n);
    next.push_back(0);
  }
  for (const auto& out : g_.output()) {
    if (!defined_.contains(out.name())) fail("graph output '" + out.name() + "' is not produced by any node");
    graph_outputs_.insert(out.name());
  }
  infer_pending();
  for (const auto& [where, c] : loop_conds_) {
    if (!defined_.contains(c))
      fail(where + ": its body's condition output '" + c + "' is not defined by the body or before the Loop");
    auto it = vals_.find(c);
    if (it == vals_.end() || !it->second.is_static || !it->second.has_data)
      fail(where + ": its body's condition output '" + c + "' is not known before the run (" + data_chain(c) +
           "); npusim unrolls a Loop only when its condition folds to true in every iteration");
    const Val& v = it->second;
    if ((v.ints.empty() || v.ints[0] == 0) && (v.reals.empty() || v.reals[0] == 0.0))
      fail(where + ": its body's condition output '" + c +
           "' is false: the loop stops before its trip count, which npusim does not model");
  }
}

void Importer::infer_node(int i) {
  const auto& n = *nodes_[static_cast<size_t>(i)];
  if (const OpRule* r = rules_[i]) {
    if (n.input_size() < r->min_inputs || (r->max_inputs >= 0 && n.input_size() > r->max_inputs))
      fail_node(i, "has " + std::to_string(n.input_size()) + " inputs, expected " + std::to_string(r->min_inputs) +
                       (r->max_inputs == r->min_inputs ? ""
                        : r->max_inputs < 0            ? " or more"
                                                       : " to " + std::to_string(r->max_inputs)));
    for (int k = 0; k < r->min_inputs; ++k)
      if (n.input(k).empty() && !(r->op == "Clip" || r->op == "Resize"))
        fail_node(i, "required input " + std::to_string(k) + " is empty");
    if (n.output_size() == 0) fail_node(i, "has no outputs");
    Node c{*this, i, n};
    try {
      r->infer(c);
    } catch (const InputError& e) {
      const std::string what = e.what();
      if (what.starts_with(display_ + ": ")) throw;
      fail_node(i, what);
    }
    for (const auto& out : n.output())
      if (!out.empty() && !vals_.contains(out)) fail_node(i, "output '" + out + "' is not supported by npusim");
    return;
  }
  // Unsupported (allowed, or known before the run): a declared shape, or the input's for ops
  // that keep it; otherwise the output stays unknown and only a consumer that needs it fails.
  if (declared_.empty()) {
    for (const auto& v : g_.value_info()) declared_[v.name()] = &v;
    for (const auto& v : g_.output()) declared_[v.name()] = &v;
  }
  for (int k = 0; k < n.output_size(); ++k) {
    const std::string& out = n.output(k);
    if (out.empty()) continue;
    std::optional<Shape> s;
    if (auto it = declared_.find(out); it != declared_.end() && it->second->type().tensor_type().has_shape()) {
      Shape d;
      bool ok = true;
      for (const auto& dim : it->second->type().tensor_type().shape().dim()) {
        ok = ok && dim.has_dim_value() && dim.dim_value() >= 0;
        if (ok) d.push_back(static_cast<uint64_t>(dim.dim_value()));
      }
      if (ok) s = d;
    }
    if (!s && k == 0 && keeps_input_shape(n.op_type()) && (n.domain().empty() || n.domain() == "ai.onnx") &&
        n.input_size() > 0 && vals_.contains(n.input(0)))
      s = vals_.at(n.input(0)).shape;
    if (!s) {
      bool dyn = false;
      for (const auto& in : n.input()) dyn = dyn || (!in.empty() && !is_static(in));
      if (dyn && opts.allow_unknown_ops)
        fail_node(i, "the shape of '" + out +
                         "' cannot be inferred: npusim has no shape rule for this op (declare the output's shape "
                         "in the graph's value_info)");
      continue;
    }
    Node c{*this, i, n};
    c.checked_elems(*s, "output '" + out + "' of shape");
    def(i, out).shape = *s;
  }
}

void Importer::import_node(int i) {
  const auto& n = *nodes_[static_cast<size_t>(i)];
  const bool all_static = std::all_of(n.output().begin(), n.output().end(),
                                      [&](const std::string& o) { return o.empty() || is_static(o); });
  if (all_static || fused[i] || n.output_size() == 0) return;
  const std::string name = unique_name(n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name());
  if (auto it = pattern_at.find(i); it != pattern_at.end()) return build_pattern(*this, i, it->second, name);
  if (rules_[i] && rules_[i]->build) return rules_[i]->build(*this, i, name);
  build_generic_op(*this, i, name);
}

std::vector<std::string> Importer::notes() const {
  std::vector<std::string> notes;
  std::string expansions;
  for (const auto& [what, count] : expander_.expanded())
    expansions += (expansions.empty() ? " (expanding " : ", ") + std::to_string(count) + " x " + what;
  if (!expansions.empty()) expansions += ")";
  notes.push_back("imported from ONNX (ir_version " + std::to_string(m_.ir_version()) + ", opset " +
                  std::to_string(opset) + "): " + std::to_string(g_.node_size()) + " nodes" + expansions +
                  (expansions.empty() ? ", " : " into " + std::to_string(nodes_.size()) + " nodes, ") +
                  std::to_string(folded_) +
                  " of them constants or shape computations, folded and not counted; shapes inferred by npusim");
  if (!bound_dims_.empty()) {
    std::string s;
    for (const auto& d : bound_dims_) s += (s.empty() ? "" : ", ") + d;
    notes.push_back("symbolic input dims bound by --dim: " + s);
  }
  notes.push_back(
      "weights: shapes from the initializers, dtypes from the precision (the file's dtypes are ignored); "
      "initializers are parameters, Constants only when they feed a weight input, all-zero and integer constants "
      "never" +
      (external_ ? "; " + std::to_string(external_) +
                       " initializers keep their data in external files, "
                       "which are not read"
                 : std::string()));
  for (const auto& [p, count] : patterns) notes.push_back(std::to_string(count) + " x " + p + " recognised");
  notes.push_back(
      "Cast, Identity and Dropout are free (dtypes come from the precision); Reshape, Squeeze, Unsqueeze and "
      "Flatten are views; Slice, Split, Pad, Expand, Tile and Gather of activations are copies (op kind copy)");
  for (const auto& [w, uses] : weight_uses)
    if (uses > 1)
      notes.push_back("weight '" + w + "' is shared by " + std::to_string(uses) + " ops and counted once per op");
  if (!generic_counts.empty()) {
    std::string s;
    for (const auto& [op, count] : generic_counts) s += (s.empty() ? "" : ", ") + op + " x" + std::to_string(count);
    notes.push_back("unsupported ops counted as generic vector ops over their output elements (--allow-unknown-ops): " +
                    s);
  }
  return notes;
}

LoadedModel Importer::run() {
  check_header();
  bind_inputs();
  infer_all();
  recognise_patterns(*this);
  for (int i = 0; i < node_count(); ++i) {
    try {
      import_node(i);
    } catch (const InputError& e) {
      const std::string what = e.what();
      if (what.starts_with(display_ + ": ")) throw;
      fail_node(i, what);
    }
  }
  return LoadedModel{b.finish(), display_, notes()};
}

}  // namespace onnx_detail

LoadedModel import_onnx(const std::string& path, const std::string& display, const ModelOptions& opts,
                        uint64_t max_file_bytes) {
  std::string bytes = read_text_file<InputError>(
      path, "an ONNX model", max_file_bytes,
      "ONNX files (protobuf's own limit is 2 GiB); save the weights as external data, e.g. "
      "onnx.save_model(model, path, save_as_external_data=True): npusim reads only their shapes");
  return import_onnx_bytes(std::move(bytes), display, opts);
}

LoadedModel import_onnx_bytes(std::string bytes, const std::string& display, const ModelOptions& opts) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw InputError(display +
                     ": not a valid ONNX model: the protobuf does not parse (a truncated or corrupt file, or "
                     "subgraphs nested deeper than protobuf's limit of 100 messages?)");
  std::string().swap(bytes);
  if (model.ir_version() <= 0)
    throw InputError(display + ": not an ONNX model: it has no ir_version (a truncated or corrupt file?)");
  onnx_detail::Importer imp(model, display, opts);
  return imp.run();
}

bool looks_like_onnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  return in.get(c) && c == 0x08;
}

}  // namespace npusim::workloads
