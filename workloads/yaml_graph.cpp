#include "yaml_graph.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>

#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"

namespace npusim::workloads {

namespace {

constexpr uint64_t kMaxYamlGraphBytes = 16 << 20;
constexpr uint64_t kMaxDim = uint64_t{1} << 40;  // any larger dimension is a typo, not a model

// One layer being read: checks keys and converts values, naming file:line on error.
class LayerReader {
 public:
  LayerReader(const YAML::Node& node, std::string file, std::string path)
      : n_(node), file_(std::move(file)), path_(std::move(path)) {}

  // `at` is the node to locate; its text is quoted as the value unless it is a key itself.
  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& rule,
                         bool at_is_key = false) const {
    std::string where = file_ + (at.Mark().line >= 0 ? ":" + std::to_string(at.Mark().line + 1) : "") + ": ";
    std::string value = at.IsScalar() && !at_is_key ? " = \"" + excerpt(at.Scalar()) + "\"" : "";
    // The top level has no path of its own: its keys are named bare ("layers", not "graph.layers").
    std::string name = path_.empty() || key.empty() ? path_ + key : path_ + "." + key;
    throw InputError(where + name + value + (name.empty() && value.empty() ? "" : ": ") + rule);
  }
  // About the node as a whole: its value is not echoed (a text file given as a graph is one
  // scalar, and `graph --model .env` printed the secrets in it).
  [[noreturn]] void fail(const std::string& rule) const { fail(n_, "", rule, true); }

  YAML::Node get(const std::string& key, bool required) const {
    YAML::Node v = n_[key];
    if (!v && required) fail(n_, key, "required key is missing");
    return v;
  }
  std::string str(const std::string& key) const {
    YAML::Node v = get(key, true);
    if (!v.IsScalar() || v.Scalar().empty()) fail(v, key, "expected a name");
    return v.Scalar();
  }
  uint64_t uint(const std::string& key, std::optional<uint64_t> def, uint64_t min = 1) const {
    YAML::Node v = get(key, !def);
    if (!v) return *def;
    return to_uint(v, key, min);
  }
  uint64_t to_uint(const YAML::Node& v, const std::string& key, uint64_t min) const {
    if (!v.IsScalar()) fail(v, key, "expected an integer");
    const std::string& s = v.Scalar();
    uint64_t x = 0;
    bool ok = !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
    if (ok) x = std::stoull(s);
    if (!ok || x < min || x > kMaxDim)
      fail(v, key, "expected an integer in " + std::to_string(min) + " .. " + std::to_string(kMaxDim));
    return x;
  }
  int64_t sint(const YAML::Node& v, const std::string& key) const {
    if (!v.IsScalar()) fail(v, key, "expected an integer");
    const std::string& s = v.Scalar();
    std::string digits = s.starts_with('-') ? s.substr(1) : s;
    if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
      fail(v, key, "expected an integer");
    return std::stoll(s);
  }
  bool flag(const std::string& key, bool def) const {
    YAML::Node v = get(key, false);
    if (!v) return def;
    if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) fail(v, key, "expected true or false");
    return v.Scalar() == "true";
  }
  Shape shape(const std::string& key) const {
    YAML::Node v = get(key, true);
    if (!v.IsSequence() || v.size() == 0 || v.size() > 8) fail(v, key, "expected a list of 1 to 8 dimensions");
    Shape s;
    for (const auto& d : v) s.push_back(to_uint(d, key, 1));
    return s;
  }
  std::vector<int64_t> int_list(const std::string& key) const {
    YAML::Node v = get(key, true);
    if (!v.IsSequence() || v.size() == 0 || v.size() > 8) fail(v, key, "expected a list of 1 to 8 integers");
    std::vector<int64_t> out;
    for (const auto& d : v) out.push_back(sint(d, key));
    return out;
  }
  // Keys outside `allowed` are typos: name the first with a hint, before anything is read.
  // A key given twice is an error too (yaml-cpp would keep the last silently).
  void check_keys(const std::vector<std::string>& allowed, const std::string& rule = "unknown key") const {
    std::map<std::string, int> seen;  // key -> its first line
    for (const auto& kv : n_) {
      std::string k = kv.first.Scalar();
      if (auto [it, fresh] = seen.emplace(k, kv.first.Mark().line + 1); !fresh)
        fail(kv.first, k, "key given twice (first at line " + std::to_string(it->second) + ")", true);
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      std::string hint = did_you_mean(k, allowed);
      fail(kv.first, k, rule + (hint.empty() ? "" : "; did you mean " + hint + "?"), true);
    }
  }

 private:
  YAML::Node n_;  // a handle: copies share the node
  std::string file_;
  std::string path_;
};

struct OpSpec {
  std::string name;
  std::vector<std::string> keys;  // beyond name and op; "input" or "inputs" included
  std::function<TensorId(GraphBuilder&, const LayerReader&, const std::string&,
                         const std::function<TensorId(const std::string&)>&)>
      build;
};

// Columns: op name, keys it takes, how it is built.
const std::vector<OpSpec>& op_specs() {
  using Lookup = std::function<TensorId(const std::string&)>;
  static const std::vector<OpSpec> specs = [] {
    std::vector<OpSpec> s;
    auto one = [](const LayerReader& r, const Lookup& t) { return t(r.str("input")); };
    auto two = [](const LayerReader& r, const Lookup& t) {
      YAML::Node v = r.get("inputs", true);
      if (!v.IsSequence() || v.size() != 2 || !v[0].IsScalar() || !v[1].IsScalar())
        r.fail(v, "inputs", "expected a list of two tensor names");
      std::pair<TensorId, TensorId> p{t(v[0].Scalar()), t(v[1].Scalar())};
      return p;
    };
    s.push_back({"conv2d",
                 {"input", "out_channels", "kernel", "stride", "padding", "groups", "bias"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   uint64_t k = r.uint("kernel", std::nullopt);
                   return b.conv2d(n, one(r, t), r.uint("out_channels", std::nullopt), k, k, r.uint("stride", 1),
                                   r.uint("padding", 0, 0), r.uint("groups", 1), r.flag("bias", true));
                 }});
    s.push_back({"linear",
                 {"input", "out_features", "bias"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.linear(n, one(r, t), r.uint("out_features", std::nullopt), r.flag("bias", true));
                 }});
    s.push_back({"matmul",
                 {"inputs", "transpose_b"},
                 [two](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   auto [a, bb] = two(r, t);
                   return b.matmul(n, a, bb, r.flag("transpose_b", false));
                 }});
    s.push_back({"attention_score",
                 {"inputs"},
                 [two](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   auto [q, k] = two(r, t);
                   return b.attention_score(n, q, k);
                 }});
    s.push_back({"attention_context",
                 {"inputs"},
                 [two](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   auto [p, v] = two(r, t);
                   return b.attention_context(n, p, v);
                 }});
    s.push_back({"group_norm",
                 {"input", "groups", "affine"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.group_norm(n, one(r, t), r.uint("groups", std::nullopt), r.flag("affine", true));
                 }});
    s.push_back({"layer_norm",
                 {"input", "affine"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.layer_norm(n, one(r, t), r.flag("affine", true));
                 }});
    s.push_back({"rms_norm",
                 {"input", "affine"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.rms_norm(n, one(r, t), r.flag("affine", true));
                 }});
    using Unary = TensorId (GraphBuilder::*)(const std::string&, TensorId);
    const std::pair<const char*, Unary> unaries[] = {{"softmax", &GraphBuilder::softmax},
                                                     {"silu", &GraphBuilder::silu},
                                                     {"gelu", &GraphBuilder::gelu},
                                                     {"quick_gelu", &GraphBuilder::quick_gelu},
                                                     {"geglu", &GraphBuilder::geglu},
                                                     {"relu", &GraphBuilder::relu},
                                                     {"relu6", &GraphBuilder::relu6},
                                                     {"sigmoid", &GraphBuilder::sigmoid},
                                                     {"hard_sigmoid", &GraphBuilder::hard_sigmoid},
                                                     {"hard_swish", &GraphBuilder::hard_swish},
                                                     {"global_avg_pool", &GraphBuilder::global_avg_pool}};
    // fn is copied out of the binding: clang 14 cannot capture structured bindings.
    for (const auto& [name, f] : unaries)
      s.push_back({name,
                   {"input"},
                   [one, fn = f](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                     return (b.*fn)(n, one(r, t));
                   }});
    using Binary = TensorId (GraphBuilder::*)(const std::string&, TensorId, TensorId);
    const std::pair<const char*, Binary> binaries[] = {{"add", &GraphBuilder::add}, {"mul", &GraphBuilder::mul}};
    for (const auto& [name, f] : binaries)
      s.push_back({name,
                   {"inputs"},
                   [two, fn = f](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                     auto [x, y] = two(r, t);
                     return (b.*fn)(n, x, y);
                   }});
    using Pool = TensorId (GraphBuilder::*)(const std::string&, TensorId, uint64_t, uint64_t, uint64_t);
    const std::pair<const char*, Pool> pools[] = {{"max_pool2d", &GraphBuilder::max_pool2d},
                                                  {"avg_pool2d", &GraphBuilder::avg_pool2d}};
    for (const auto& [name, f] : pools)
      s.push_back({name,
                   {"input", "kernel", "stride", "padding"},
                   [one, fn = f](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                     uint64_t k = r.uint("kernel", std::nullopt);
                     return (b.*fn)(n, one(r, t), k, r.uint("stride", k), r.uint("padding", 0, 0));
                   }});
    s.push_back({"upsample_nearest",
                 {"input", "factor"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.upsample_nearest(n, one(r, t), r.uint("factor", 2));
                 }});
    s.push_back({"concat",
                 {"inputs", "axis"},
                 [](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   YAML::Node v = r.get("inputs", true);
                   if (!v.IsSequence() || v.size() < 2)
                     r.fail(v, "inputs", "expected a list of at least two tensor names");
                   std::vector<TensorId> xs;
                   for (const auto& x : v) {
                     if (!x.IsScalar()) r.fail(v, "inputs", "expected a list of at least two tensor names");
                     xs.push_back(t(x.Scalar()));
                   }
                   YAML::Node ax = r.get("axis", false);
                   return b.concat(n, xs, ax ? r.sint(ax, "axis") : 1);
                 }});
    s.push_back({"reshape",
                 {"input", "shape"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   return b.reshape(n, one(r, t), r.int_list("shape"));
                 }});
    s.push_back({"transpose",
                 {"input", "perm"},
                 [one](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup& t) {
                   std::vector<uint64_t> perm;
                   for (int64_t p : r.int_list("perm")) {
                     if (p < 0) r.fail("perm entries must be >= 0");
                     perm.push_back(static_cast<uint64_t>(p));
                   }
                   return b.transpose(n, one(r, t), perm);
                 }});
    s.push_back({"gather",
                 {"table_shape", "indices_shape"},
                 [](GraphBuilder& b, const LayerReader& r, const std::string& n, const Lookup&) {
                   Shape table = r.shape("table_shape");
                   if (table.size() != 2) r.fail("table_shape must be [rows, dim]");
                   return b.gather(n, b.weight(n + ".weight", table), r.shape("indices_shape"));
                 }});
    return s;
  }();
  return specs;
}

std::string read_graph_file(const std::string& path) {
  return read_text_file<InputError>(path, "a YAML graph file", kMaxYamlGraphBytes, "a YAML graph");
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& s : op_specs()) names.push_back(s.name);
  return names;
}

}  // namespace

Graph load_yaml_graph(const std::string& path, const std::optional<PrecisionSpec>& precision) {
  return load_yaml_graph_text(read_graph_file(path), path, precision);
}

Graph load_yaml_graph_text_from_file(const std::string& path, const std::string& display_name,
                                     const std::optional<PrecisionSpec>& precision, const GraphLimits& limits) {
  return load_yaml_graph_text(read_graph_file(path), display_name, precision, limits);
}

Graph load_yaml_graph_text(const std::string& yaml, const std::string& file,
                           const std::optional<PrecisionSpec>& precision, const GraphLimits& limits) {
  YAML::Node root = load_yaml<InputError>(yaml, file, kGraphYaml);
  if (root.IsNull()) throw InputError(file + ": file is empty; expected a layer graph (graph, inputs, layers)");
  LayerReader top(root, file, "");
  if (!root.IsMap()) top.fail("expected a mapping with graph, inputs and layers");

  top.check_keys({"graph", "precision", "inputs", "layers"});
  YAML::Node graph_name = top.get("graph", true);
  if (!graph_name.IsScalar()) top.fail(graph_name, "graph", "expected the graph's name");
  PrecisionSpec p = Precision::kW8A8;
  if (YAML::Node pn = top.get("precision", false)) {
    if (!pn.IsScalar()) top.fail(pn, "precision", "expected a precision such as w8a8 or w4a16,kv_cache=int8");
    try {
      p = parse_precision_spec(pn.Scalar(), pn.Scalar());
    } catch (const InputError& e) {
      top.fail(pn, "precision", e.what());
    }
  }
  if (precision) p = *precision;
  GraphBuilder b(graph_name.Scalar(), p, limits);

  YAML::Node inputs = top.get("inputs", true);
  YAML::Node layers = top.get("layers", true);
  if (!inputs.IsSequence()) top.fail(inputs, "inputs", "expected a list of {name, shape}");
  if (!layers.IsSequence() || layers.size() == 0) top.fail(layers, "layers", "expected a non-empty list of layers");

  for (size_t i = 0; i < inputs.size(); ++i) {
    LayerReader r(inputs[i], file, "inputs[" + std::to_string(i) + "]");
    if (!inputs[i].IsMap()) r.fail("expected a mapping {name, shape}");
    r.check_keys({"name", "shape", "kind"});
    std::string name = r.str("name");
    Shape shape = r.shape("shape");
    TensorKind kind = TensorKind::kActivation;
    if (YAML::Node k = r.get("kind", false)) {
      if (!k.IsScalar() || (k.Scalar() != "activation" && k.Scalar() != "kv_cache"))
        r.fail(k, "kind", "expected activation or kv_cache");
      kind = k.Scalar() == "kv_cache" ? TensorKind::kKvCache : TensorKind::kActivation;
    }
    try {
      b.input(name, shape, kind);
    } catch (const InputError& e) {
      r.fail(e.what());
    }
  }

  for (size_t i = 0; i < layers.size(); ++i) {
    YAML::Node layer = layers[i];
    LayerReader r(layer, file, "layers[" + std::to_string(i) + "]");
    if (!layer.IsMap()) r.fail("expected a mapping {name, op, ...}");
    std::string name = r.str("name");
    YAML::Node op = r.get("op", true);
    const OpSpec* spec = nullptr;
    for (const auto& s : op_specs())
      if (op.IsScalar() && s.name == op.Scalar()) spec = &s;
    if (!spec) {
      std::string hint = op.IsScalar() ? did_you_mean(op.Scalar(), op_names()) : "";
      r.fail(op, "op",
             "unknown op" + (hint.empty() ? " (see `npusim graph --explain-ops`)" : "; did you mean " + hint + "?"));
    }
    std::vector<std::string> allowed = {"name", "op"};
    allowed.insert(allowed.end(), spec->keys.begin(), spec->keys.end());
    r.check_keys(allowed, "unknown key for op " + spec->name);
    auto lookup = [&](const std::string& tensor) -> TensorId {
      auto id = b.find(tensor);
      if (!id) r.fail("refers to tensor '" + tensor + "', which no earlier input or layer defines");
      return *id;
    };
    try {
      spec->build(b, r, name, lookup);
    } catch (const YAML::Exception& e) {
      r.fail(e.msg);
    } catch (const InputError& e) {
      std::string msg = e.what();
      if (msg.rfind(file, 0) == 0) throw;  // already located
      r.fail(msg);
    }
  }
  return b.finish();
}

std::string explain_yaml_ops() {
  std::string out;
  for (const auto& s : op_specs()) {
    out += s.name + ":";
    for (const auto& k : s.keys) out += " " + k;
    out += "\n";
  }
  return out;
}

}  // namespace npusim::workloads
