// Expansion of model-local functions, If and Loop into plain nodes, before shapes are inferred:
// a call is replaced by the function's body, an If by its taken branch, a Loop by its body once
// per iteration. Every inlined value gets a prefix unique to the expansion, so two calls of one
// function (or two iterations of one body) never define the same value; the prefix replaces an
// earlier one (a value keeps its base name), so names grow with the nesting depth, not faster.
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <unordered_set>

#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

// How an inlined body's names become the caller's: `map` first (formal inputs to actual operands,
// body outputs to the caller's outputs), then `prefix` + the base name for names the body defines
// (`local`, or every name when `all_local`), other names unchanged (outer-scope values of a
// subgraph). `bases` maps each name made to its base name (the name before any prefix).
struct Renaming {
  std::string prefix;
  std::unordered_map<std::string, std::string> map;
  std::unordered_set<std::string> local;
  bool all_local = false;
  std::unordered_map<std::string, std::string>* bases = nullptr;

  std::string operator()(const std::string& s) const {
    if (s.empty()) return s;
    if (auto it = map.find(s); it != map.end()) return it->second;
    if (!all_local && !local.contains(s)) return s;
    auto b = bases->find(s);
    std::string base = b == bases->end() ? s : b->second;
    std::string out = prefix + base;
    bases->emplace(out, std::move(base));
    return out;
  }
};

namespace {

std::string call_label(const onnx::NodeProto& n) {
  return (n.name().empty() ? std::string("a node") : "node '" + n.name() + "'") + " (" + n.op_type() + ")";
}

std::string function_key(const std::string& domain, const std::string& name) {
  return (domain.empty() ? "" : domain + ".") + name;
}

void collect_defined(const onnx::GraphProto& g, std::unordered_set<std::string>& out);

void collect_defined(const onnx::NodeProto& n, std::unordered_set<std::string>& out) {
  for (const auto& o : n.output())
    if (!o.empty()) out.insert(o);
  for (const auto& a : n.attribute()) {
    if (a.has_g()) collect_defined(a.g(), out);
    for (const auto& sub : a.graphs()) collect_defined(sub, out);
  }
}

// Every name a graph defines: its inputs, initializers and node outputs, subgraphs included.
void collect_defined(const onnx::GraphProto& g, std::unordered_set<std::string>& out) {
  for (const auto& v : g.input()) out.insert(v.name());
  for (const auto& t : g.initializer()) out.insert(t.name());
  for (const auto& n : g.node()) collect_defined(n, out);
}

void rename_graph(onnx::GraphProto& g, const Renaming& r);

// Renames a node's values, in its subgraphs too; its own name only at the top level (`top`): a
// subgraph's nodes are named when their If or Loop is expanded.
void rename_node(onnx::NodeProto& n, const Renaming& r, bool top) {
  for (auto& s : *n.mutable_input()) s = r(s);
  for (auto& s : *n.mutable_output()) s = r(s);
  if (top) n.set_name(r.prefix + (n.name().empty() ? n.op_type() : n.name()));
  for (auto& a : *n.mutable_attribute()) {
    if (a.has_g()) rename_graph(*a.mutable_g(), r);
    for (auto& sub : *a.mutable_graphs()) rename_graph(sub, r);
  }
}

void rename_graph(onnx::GraphProto& g, const Renaming& r) {
  for (auto& v : *g.mutable_input()) v.set_name(r(v.name()));
  for (auto& v : *g.mutable_output()) v.set_name(r(v.name()));
  for (auto& v : *g.mutable_value_info()) v.set_name(r(v.name()));
  for (auto& t : *g.mutable_initializer()) t.set_name(r(t.name()));
  for (auto& n : *g.mutable_node()) rename_node(n, r, false);
}

// Replaces each attribute that refers to the calling node's (ref_attr_name) by the caller's
// attribute of that name, else the function's default (`defaults`), renamed; drops it when neither
// has one (the op's own default applies). Subgraphs inside the body refer to the same caller.
void resolve_refs(onnx::NodeProto& n, const onnx::NodeProto& call, const std::vector<onnx::AttributeProto>& defaults) {
  auto* attrs = n.mutable_attribute();
  for (int k = 0; k < attrs->size();) {
    onnx::AttributeProto& a = attrs->at(k);
    if (a.ref_attr_name().empty()) {
      if (a.has_g())
        for (auto& inner : *a.mutable_g()->mutable_node()) resolve_refs(inner, call, defaults);
      for (auto& sub : *a.mutable_graphs())
        for (auto& inner : *sub.mutable_node()) resolve_refs(inner, call, defaults);
      ++k;
      continue;
    }
    auto named = [&](const onnx::AttributeProto& c) { return c.name() == a.ref_attr_name(); };
    const onnx::AttributeProto* from = nullptr;
    if (auto it = std::find_if(call.attribute().begin(), call.attribute().end(), named); it != call.attribute().end())
      from = &*it;
    else if (auto d = std::find_if(defaults.begin(), defaults.end(), named); d != defaults.end())
      from = &*d;
    if (!from) {
      attrs->DeleteSubrange(k, 1);
      continue;
    }
    const std::string name = a.name();
    a = *from;
    a.set_name(name);
    ++k;
  }
}

// A function's attribute defaults: FunctionProto.attribute_proto (field 11, ONNX 1.13 and later),
// which Debian's ONNX 1.12 does not know, so it is read from the unknown fields.
std::vector<onnx::AttributeProto> attribute_defaults(const onnx::FunctionProto& f) {
  std::vector<onnx::AttributeProto> out;
  const auto& unknown = f.unknown_fields();
  for (int k = 0; k < unknown.field_count(); ++k) {
    const auto& field = unknown.field(k);
    if (field.number() != 11 || field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    onnx::AttributeProto a;
    if (a.ParseFromString(field.length_delimited()) && !a.name().empty()) out.push_back(std::move(a));
  }
  return out;
}

const onnx::GraphProto* graph_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name && a.has_g()) return &a.g();
  return nullptr;
}

}  // namespace

Expander::Expander(const onnx::ModelProto& m, uint64_t max_nodes) : max_nodes_(max_nodes) {
  for (const auto& f : m.functions()) {
    const std::string key = function_key(f.domain(), f.name());
    functions_.emplace(key, &f);
    defaults_.emplace(key, attribute_defaults(f));
  }
}

bool Expander::is_control_flow(const onnx::NodeProto& n) const {
  return (n.domain().empty() || n.domain() == "ai.onnx") && (n.op_type() == "If" || n.op_type() == "Loop") &&
         !functions_.contains(function_key(n.domain(), n.op_type()));
}

int Expander::depth(const onnx::NodeProto* n) const {
  auto it = depth_.find(n);
  return it == depth_.end() ? 0 : it->second;
}

onnx::NodeProto& Expander::make(int depth) {
  if (++made_ > max_nodes_)
    throw InputError("expanding model-local functions, If and Loop gives more than " + std::to_string(max_nodes_) +
                     " nodes, the limit on a graph's size; raise it with --max-ops N");
  onnx::NodeProto& n = *google::protobuf::Arena::CreateMessage<onnx::NodeProto>(&arena_);
  depth_[&n] = depth;
  return n;
}

// Counts a node made against the byte budget (long names or constants copied many times).
void Expander::charge(const onnx::NodeProto& n) {
  bytes_ += n.ByteSizeLong();
  if (bytes_ > kMaxExpansionBytes)
    throw InputError("expanding model-local functions, If and Loop makes more than " +
                     std::to_string(kMaxExpansionBytes >> 20) +
                     " MiB of nodes (long names or constants copied into every call or iteration)");
}

// "prefix/" for the nodes and values an expansion makes, made unique with a counter when taken.
Renaming Expander::renaming(const std::string& prefix) {
  Renaming r;
  r.bases = &bases_;
  r.prefix = prefix + "/";
  if (!prefixes_.insert(r.prefix).second) {
    r.prefix = prefix + "#" + std::to_string(++calls_) + "/";
    prefixes_.insert(r.prefix);
  }
  return r;
}

void Expander::check_depth(const onnx::NodeProto& n, int depth) const {
  if (depth > kMaxExpansionDepth)
    throw InputError(call_label(n) + ": functions, If branches and Loop bodies nest more than " +
                     std::to_string(kMaxExpansionDepth) + " deep when expanded (an If or Loop that expands itself?)");
}

void Expander::emit(const onnx::NodeProto* n, int depth, std::vector<std::string>& chain,
                    std::vector<const onnx::NodeProto*>& out) {
  auto it = functions_.find(function_key(n->domain(), n->op_type()));
  if (it == functions_.end()) {
    out.push_back(n);
    return;
  }
  const onnx::FunctionProto& f = *it->second;
  const std::string key = it->first;
  if (std::find(chain.begin(), chain.end(), key) != chain.end()) {
    std::string cycle;
    for (auto c = std::find(chain.begin(), chain.end(), key); c != chain.end(); ++c) cycle += *c + " -> ";
    throw InputError(call_label(*n) + ": model-local function " + key +
                     (chain.back() == key ? " calls itself" : " calls itself through another") + " (" + cycle + key +
                     "): npusim inlines every call, so a recursive function never ends");
  }
  check_depth(*n, depth + 1);
  if (n->input_size() > f.input_size() || n->output_size() > f.output_size())
    throw InputError(call_label(*n) + ": calls model-local function " + key + " with " +
                     std::to_string(n->input_size()) + " inputs and " + std::to_string(n->output_size()) +
                     " outputs; it has " + std::to_string(f.input_size()) + " and " + std::to_string(f.output_size()));
  Renaming r = renaming(n->name().empty() ? key : n->name());
  r.all_local = true;
  for (int k = 0; k < f.input_size(); ++k) r.map[f.input(k)] = k < n->input_size() ? n->input(k) : std::string();
  for (int k = 0; k < f.output_size() && k < n->output_size(); ++k)
    if (!n->output(k).empty() && !r.map.contains(f.output(k))) r.map[f.output(k)] = n->output(k);
  ++expanded_["function call"];
  chain.push_back(key);
  for (const auto& body : f.node()) {
    onnx::NodeProto& copy = make(depth + 1);
    copy = body;
    resolve_refs(copy, *n, defaults_.at(key));
    rename_node(copy, r, true);
    charge(copy);
    emit(&copy, depth + 1, chain, out);
  }
  chain.pop_back();
  // A formal output that is a formal input (or listed twice) is not written by a body node.
  for (int k = 0; k < f.output_size() && k < n->output_size(); ++k)
    if (!n->output(k).empty() && r(f.output(k)) != n->output(k)) {
      onnx::NodeProto& id = make(depth + 1);
      id.set_op_type("Identity");
      id.set_name(r.prefix + "output" + std::to_string(k));
      id.add_input(r(f.output(k)));
      id.add_output(n->output(k));
      out.push_back(&id);
    }
}

std::vector<const onnx::NodeProto*> Expander::expand_calls(const std::vector<const onnx::NodeProto*>& nodes) {
  std::vector<const onnx::NodeProto*> out;
  out.reserve(nodes.size());
  std::vector<std::string> chain;
  for (const auto* n : nodes) emit(n, depth(n), chain, out);
  return out;
}

// Appends the nodes of `body` renamed by `r` (its initializers as Constant nodes), function calls
// expanded, at `depth`; then, for each body output k, writes it to `outs[k]` (a rename when a body
// node defines it, else an Identity).
void Expander::inline_graph(const onnx::GraphProto& body, Renaming& r, const std::vector<std::string>& outs, int depth,
                            std::vector<const onnx::NodeProto*>& out) {
  std::unordered_set<std::string> node_outputs;
  for (const auto& n : body.node())
    for (const auto& o : n.output())
      if (!o.empty()) node_outputs.insert(o);
  for (size_t k = 0; k < outs.size(); ++k) {
    const std::string& o = body.output(static_cast<int>(k)).name();
    if (!outs[k].empty() && node_outputs.contains(o) && !r.map.contains(o)) r.map[o] = outs[k];
  }
  std::vector<const onnx::NodeProto*> nodes;
  for (const auto& t : body.initializer()) {
    onnx::NodeProto& c = make(depth);
    c.set_op_type("Constant");
    c.set_name(r.prefix + t.name());
    c.add_output(r(t.name()));
    auto* a = c.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    *a->mutable_t() = t;
    a->mutable_t()->set_name(r(t.name()));
    charge(c);
    nodes.push_back(&c);
  }
  for (const auto& n : body.node()) {
    onnx::NodeProto& copy = make(depth);
    copy = n;
    rename_node(copy, r, true);
    charge(copy);
    nodes.push_back(&copy);
  }
  std::vector<std::string> chain;
  for (const auto* n : nodes) emit(n, depth, chain, out);
  for (size_t k = 0; k < outs.size(); ++k) {
    const std::string from = r(body.output(static_cast<int>(k)).name());
    if (outs[k].empty() || from == outs[k]) continue;
    onnx::NodeProto& id = make(depth);
    id.set_op_type("Identity");
    id.set_name(r.prefix + "output" + std::to_string(k));
    id.add_input(from);
    id.add_output(outs[k]);
    out.push_back(&id);
  }
}

std::vector<const onnx::NodeProto*> Expander::inline_if(const onnx::NodeProto& n, bool taken) {
  const int d = depth(&n) + 1;
  check_depth(n, d);
  const char* which = taken ? "then_branch" : "else_branch";
  const onnx::GraphProto* branch = graph_attr(n, which);
  if (!branch) throw InputError(call_label(n) + ": has no " + which + " graph");
  if (branch->input_size() != 0)
    throw InputError(call_label(n) + ": its " + which + " has inputs; an If branch has none");
  if (branch->output_size() != n.output_size())
    throw InputError(call_label(n) + ": its " + which + " has " + std::to_string(branch->output_size()) +
                     " outputs, the node " + std::to_string(n.output_size()));
  Renaming r = renaming((n.name().empty() ? std::string("If") : n.name()) + "/" + which);
  collect_defined(*branch, r.local);
  ++expanded_["If"];
  std::vector<const onnx::NodeProto*> out;
  inline_graph(*branch, r, {n.output().begin(), n.output().end()}, d, out);
  return out;
}

std::vector<const onnx::NodeProto*> Expander::unroll_loop(const onnx::NodeProto& n, uint64_t trips, int opset,
                                                          std::vector<std::string>& conds) {
  const int d = depth(&n) + 1;
  check_depth(n, d);
  const onnx::GraphProto* body = graph_attr(n, "body");
  if (!body) throw InputError(call_label(n) + ": has no body graph");
  const int carried = n.input_size() - 2;
  if (carried < 0 || body->input_size() != carried + 2 || body->output_size() < carried + 1 ||
      n.output_size() > body->output_size() - 1)
    throw InputError(call_label(n) + ": its body has " + std::to_string(body->input_size()) + " inputs and " +
                     std::to_string(body->output_size()) + " outputs for " + std::to_string(n.input_size()) +
                     " node inputs and " + std::to_string(n.output_size()) + " outputs");
  const int scans = body->output_size() - 1 - carried;
  const uint64_t per_trip = static_cast<uint64_t>(body->node_size() + body->initializer_size() + 2 + 2 * scans);
  if (trips > 0 && per_trip > 0 && (max_nodes_ - std::min(made_, max_nodes_)) / per_trip < trips)
    throw InputError(call_label(n) + ": unrolling " + std::to_string(trips) + " iterations of its " +
                     std::to_string(body->node_size()) + "-node body gives more than " + std::to_string(max_nodes_) +
                     " nodes, the limit on a graph's size; raise it with --max-ops N");
  if (trips == 0 && scans > 0)
    throw InputError(call_label(n) +
                     ": runs 0 iterations, so its scan outputs are empty; npusim models no empty "
                     "tensors");
  const std::string base = n.name().empty() ? std::string("Loop") : n.name();
  ++expanded_["Loop"];
  std::vector<const onnx::NodeProto*> out;
  auto constant = [&](const std::string& name, int type, int64_t v, const std::vector<int64_t>& dims) {
    onnx::NodeProto& c = make(d);
    c.set_op_type("Constant");
    c.set_name(name);
    c.add_output(name);
    auto* a = c.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(type);
    for (int64_t dim : dims) t->add_dims(dim);
    if (type == onnx::TensorProto::BOOL)
      t->add_int32_data(static_cast<int32_t>(v));
    else
      t->add_int64_data(v);
    out.push_back(&c);
  };
  std::vector<std::string> state(n.input().begin() + 2, n.input().end());
  std::vector<std::vector<std::string>> scanned(static_cast<size_t>(scans));
  std::unordered_set<std::string> local;
  collect_defined(*body, local);
  for (uint64_t t = 0; t < trips; ++t) {
    Renaming r = renaming(base + "/iter" + std::to_string(t));
    r.local = local;
    constant(r.prefix + "iteration", onnx::TensorProto::INT64, static_cast<int64_t>(t), {});
    constant(r.prefix + "condition", onnx::TensorProto::BOOL, 1, {});
    r.map[body->input(0).name()] = r.prefix + "iteration";
    r.map[body->input(1).name()] = r.prefix + "condition";
    for (int k = 0; k < carried; ++k) r.map[body->input(k + 2).name()] = state[static_cast<size_t>(k)];
    const bool last = t + 1 == trips;
    std::vector<std::string> outs(static_cast<size_t>(body->output_size()));
    for (int k = 0; k < carried && last; ++k)
      if (k < n.output_size()) outs[static_cast<size_t>(k + 1)] = n.output(k);
    inline_graph(*body, r, outs, d, out);
    if (!n.input(1).empty() && !last) conds.push_back(r(body->output(0).name()));
    for (int k = 0; k < carried; ++k) {
      const std::string& o = outs[static_cast<size_t>(k + 1)];
      state[static_cast<size_t>(k)] = o.empty() ? r(body->output(k + 1).name()) : o;
    }
    for (int s = 0; s < scans; ++s) {
      onnx::NodeProto& u = make(d);
      u.set_op_type("Unsqueeze");
      u.set_name(r.prefix + "scan" + std::to_string(s));
      u.add_input(r(body->output(1 + carried + s).name()));
      u.add_output(u.name());
      if (opset >= 13) {
        constant(u.name() + ".axes", onnx::TensorProto::INT64, 0, {1});
        u.add_input(u.name() + ".axes");
      } else {
        auto* a = u.add_attribute();
        a->set_name("axes");
        a->set_type(onnx::AttributeProto::INTS);
        a->add_ints(0);
      }
      out.push_back(&u);
      scanned[static_cast<size_t>(s)].push_back(u.name());
    }
  }
  for (int k = 0; k < carried && trips == 0; ++k)
    if (k < n.output_size() && !n.output(k).empty()) {
      onnx::NodeProto& id = make(d);
      id.set_op_type("Identity");
      id.set_name(base + "/output" + std::to_string(k));
      id.add_input(state[static_cast<size_t>(k)]);
      id.add_output(n.output(k));
      out.push_back(&id);
    }
  for (int s = 0; s < scans; ++s) {
    if (carried + s >= n.output_size() || n.output(carried + s).empty()) continue;
    onnx::NodeProto& c = make(d);
    c.set_op_type("Concat");
    c.set_name(base + "/scan" + std::to_string(s));
    for (const auto& v : scanned[static_cast<size_t>(s)]) c.add_input(v);
    c.add_output(n.output(carried + s));
    auto* a = c.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(0);
    out.push_back(&c);
  }
  return out;
}

}  // namespace npusim::workloads::onnx_detail
