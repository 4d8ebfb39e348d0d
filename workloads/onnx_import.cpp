#include "onnx_import.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "nn_blocks.h"
#include "npusim/checked.h"
#include "npusim/file_io.h"

namespace npusim::workloads {

namespace {

// The newest default-domain opset this ONNX library knows; shapes of newer models are
// inferred with its rules.
int known_opset() {
  const auto& map = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = map.find("");
  return it == map.end() ? 0 : it->second.second;
}

// Ops newer than this ONNX library (1.12 knows opset 17), each mapped to a known op with the
// same output shape and arity, used only while shapes are inferred.
const std::map<std::string, std::string> kInferAs = {
    {"GroupNormalization", "InstanceNormalization"},  // opset 18: [N, C, ...] -> same
    {"Gelu", "Relu"},                                 // opset 20
    {"RMSNormalization", "LayerNormalization"},       // opset 23
    {"SimplifiedLayerNormalization", "LayerNormalization"},
};

// Elementwise functions of one tensor: a unary op each (activation cost class).
const std::set<std::string> kUnaryOps = {"Sigmoid",
                                         "Tanh",
                                         "Erf",
                                         "Sqrt",
                                         "Relu",
                                         "Exp",
                                         "Log",
                                         "Neg",
                                         "Abs",
                                         "Reciprocal",
                                         "Clip",
                                         "Elu",
                                         "Selu",
                                         "Celu",
                                         "LeakyRelu",
                                         "PRelu",
                                         "Softplus",
                                         "Softsign",
                                         "HardSigmoid",
                                         "HardSwish",
                                         "Mish",
                                         "Sin",
                                         "Cos",
                                         "Floor",
                                         "Ceil",
                                         "Round",
                                         "Sign",
                                         "Not",
                                         "IsNaN",
                                         "IsInf",
                                         "ThresholdedRelu"};
// Elementwise over broadcast operands.
const std::set<std::string> kEltwiseOps = {"Add",     "Sub",     "Mul", "Div",  "Pow",         "Max",
                                           "Min",     "Mod",     "Sum", "Mean", "Equal",       "Less",
                                           "Greater", "And",     "Or",  "Xor",  "LessOrEqual", "GreaterOrEqual",
                                           "Where",   "BitShift"};
const std::set<std::string> kReduceOps = {"ReduceMean",      "ReduceSum",       "ReduceMax", "ReduceMin",
                                          "ReduceProd",      "ReduceL1",        "ReduceL2",  "ReduceLogSum",
                                          "ReduceLogSumExp", "ReduceSumSquare", "ArgMax",    "ArgMin"};
// Shape changes without data movement.
const std::set<std::string> kViewOps = {"Reshape", "Squeeze", "Unsqueeze", "Flatten"};
// Outputs forwarded unchanged: dtypes come from the precision, so a cast moves nothing.
const std::set<std::string> kAliasOps = {"Identity", "Dropout", "Cast", "CastLike"};
// Data movement writing a part or a broadcast of the input.
const std::set<std::string> kCopyOps = {"Slice", "Split", "Pad", "Expand", "Tile", "DepthToSpace", "SpaceToDepth"};
const std::set<std::string> kOtherOps = {"Conv",
                                         "Gemm",
                                         "MatMul",
                                         "Softmax",
                                         "LogSoftmax",
                                         "LayerNormalization",
                                         "GroupNormalization",
                                         "InstanceNormalization",
                                         "RMSNormalization",
                                         "SimplifiedLayerNormalization",
                                         "BatchNormalization",
                                         "Resize",
                                         "Upsample",
                                         "Concat",
                                         "Transpose",
                                         "Gather",
                                         "Gelu",
                                         "FastGelu",
                                         "QuickGelu"};
// Ops whose outputs are known before the run (shape computations): folded, never counted.
const std::set<std::string> kStaticOps = {"Constant", "Shape", "Size"};

bool supported(const std::string& op) {
  return kUnaryOps.contains(op) || kEltwiseOps.contains(op) || kReduceOps.contains(op) || kViewOps.contains(op) ||
         kAliasOps.contains(op) || kCopyOps.contains(op) || kOtherOps.contains(op) || kStaticOps.contains(op);
}

class Importer {
 public:
  Importer(onnx::ModelProto& model, std::string display, const ModelOptions& opts)
      : m_(model),
        g_(*model.mutable_graph()),
        display_(std::move(display)),
        opts_(opts),
        b_(model.graph().name().empty() ? std::filesystem::path(display_).stem().string() : model.graph().name(),
           opts.precision.value_or(PrecisionSpec(Precision::kW8A8)), opts.limits) {}

  LoadedModel run();

 private:
  [[noreturn]] void fail(const std::string& msg) const { throw InputError(display_ + ": " + msg); }
  [[noreturn]] void fail_node(int i, const std::string& msg) const { fail(label(i) + ": " + msg); }
  std::string label(int i) const {
    const onnx::NodeProto& n = g_.node(i);
    return (n.name().empty() ? "node #" + std::to_string(i) : "node '" + n.name() + "'") + " (" + op_type_[i] + ")";
  }

  void check_header();
  void check_conv_ranks();
  void check_attributes(const onnx::GraphProto& g, const std::string& where, uint64_t& nodes) const;
  void bind_inputs();
  void infer_shapes();
  void find_static();
  void check_supported();
  void import_node(int i);

  // Value lookups.
  bool is_static(const std::string& v) const { return static_.contains(v); }
  std::optional<Shape> inferred(const std::string& v) const;
  Shape need_shape(int i, const std::string& v) const;
  std::optional<std::vector<int64_t>> static_ints(const std::string& v) const;
  TensorId value(int i, const std::string& v);  // builder tensor of an operand (weights created lazily)
  std::vector<TensorId> dynamic_operands(int i, bool drop_scalar_constants);
  const onnx::TensorProto* initializer(const std::string& v) const {
    auto it = init_.find(v);
    return it == init_.end() ? nullptr : it->second;
  }
  // The only node consuming `v`, if it is consumed once and is not a graph output.
  std::optional<int> sole_consumer(const std::string& v) const;
  std::string unique_name(const std::string& base) const;
  void set_output(int i, int k, TensorId t);

  // Ops, each building node i as builder op `name`.
  void conv(int i, const std::string& name);
  // MatMul / Gemm: linear when the right operand is a constant [K, N] ([N, K] if transpose_b).
  void linear_or_matmul(int i, const std::string& name, bool transpose_b, const std::string& bias_input);
  void resize(int i, const std::string& name);
  void reduce(int i, const std::string& name);
  void generic(int i, const std::string& name);

  const onnx::AttributeProto* attr(int i, const std::string& name) const {
    for (const auto& a : g_.node(i).attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t attr_int(int i, const std::string& name, int64_t fallback) const {
    const auto* a = attr(i, name);
    return a ? a->i() : fallback;
  }
  std::vector<int64_t> attr_ints(int i, const std::string& name) const {
    const auto* a = attr(i, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
  }
  std::string attr_str(int i, const std::string& name, const std::string& fallback) const {
    const auto* a = attr(i, name);
    return a ? a->s() : fallback;
  }

  onnx::ModelProto& m_;
  onnx::GraphProto& g_;
  std::string display_;
  const ModelOptions& opts_;
  GraphBuilder b_;
  std::vector<std::string> op_type_;  // per node, before any renaming for inference
  std::unordered_map<std::string, const onnx::TensorProto*> init_;
  std::unordered_map<std::string, Shape> input_shapes_;  // graph inputs, dims bound
  std::unordered_map<std::string, const onnx::TypeProto*> types_;
  std::unordered_set<std::string> static_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_map<std::string, TensorId> values_;
  std::vector<bool> fused_;  // nodes absorbed into an earlier op (bias add, silu's multiply)
  std::map<std::string, int> generic_counts_;
  std::map<std::string, int> weight_uses_;  // initializer -> MAC ops using it
  std::vector<std::string> bound_dims_;
  int opset_ = 0;
  int folded_ = 0, fused_count_ = 0, external_ = 0;
};

// Attributes that ONNX 1.12's shape inference divides by or sizes loops with unchecked (a Conv
// with strides 0 dies of SIGFPE inside it), so they are checked first, in subgraphs too. The
// nodes of all subgraphs count against the op limit before anything is inferred.
void Importer::check_attributes(const onnx::GraphProto& g, const std::string& where, uint64_t& nodes) const {
  static const std::set<std::string> kPositiveLists = {"strides", "dilations", "kernel_shape"};
  static const std::set<std::string> kPositive = {"group", "blocksize"};
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    const std::string node = where + (n.name().empty() ? "node #" + std::to_string(i) : "node '" + n.name() + "'") +
                             " (" + n.op_type() + ")";
    if (++nodes > opts_.limits.max_ops)
      fail("more than " + std::to_string(opts_.limits.max_ops) +
           " nodes (subgraphs included), the limit on a graph's size; raise it with --max-ops N");
    const bool standard = n.domain().empty() || n.domain() == "ai.onnx";
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (standard && kPositiveLists.contains(a.name()))
        for (int64_t v : a.ints())
          if (v < 1)
            fail(node + ": attribute " + a.name() + " has " + std::to_string(v) + "; every value must be >= 1");
      if (standard && kPositive.contains(a.name()) && a.i() < 1)
        fail(node + ": attribute " + a.name() + " = " + std::to_string(a.i()) + "; it must be >= 1");
      if (a.has_g()) check_attributes(a.g(), node + " > ", nodes);
      for (const onnx::GraphProto& sub : a.graphs()) check_attributes(sub, node + " > ", nodes);
    }
  }
}

void Importer::check_header() {
  if (!m_.has_graph() || g_.node_size() == 0)
    fail("not an ONNX model with a graph: it has no nodes (a truncated or corrupt file?)");
  uint64_t nodes = 0;
  check_attributes(g_, "", nodes);
  for (const auto& o : m_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = static_cast<int>(o.version());
  for (int i = 0; i < g_.node_size(); ++i) op_type_.push_back(g_.node(i).op_type());
  for (const auto& t : g_.initializer()) {
    for (int64_t d : t.dims())
      if (d < 0) fail("initializer '" + t.name() + "' has a negative dim " + std::to_string(d));
    if (t.data_location() == onnx::TensorProto::EXTERNAL) ++external_;
    init_[t.name()] = &t;
    static_.insert(t.name());
  }
}

// ONNX 1.12's Conv/pool shape inference reads the weights' spatial dims for every input dim
// without checking that the ranks agree (a 3-D input with 4-D weights read out of bounds), so
// Conv and ConvTranspose whose input rank is declared are checked before inference: the input
// and weight ranks must match, and kernel_shape, strides and dilations must have one value per
// spatial dim (pads two).
void Importer::check_conv_ranks() {
  std::unordered_map<std::string, int> rank;  // declared: graph inputs and value_info
  for (const auto& v : g_.input())
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      rank[v.name()] = v.type().tensor_type().shape().dim_size();
  for (const auto& v : g_.value_info())
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      rank[v.name()] = v.type().tensor_type().shape().dim_size();
  for (int i = 0; i < g_.node_size(); ++i) {
    const onnx::NodeProto& n = g_.node(i);
    if (n.op_type() != "Conv" && n.op_type() != "ConvTranspose") continue;
    if (!(n.domain().empty() || n.domain() == "ai.onnx") || n.input_size() < 2) continue;
    const onnx::TensorProto* w = initializer(n.input(1));
    if (!w) continue;
    const int wr = w->dims_size();
    if (wr < 3) fail_node(i, "weights '" + n.input(1) + "' have rank " + std::to_string(wr) + ", expected 3 or more");
    if (auto it = rank.find(n.input(0)); it != rank.end() && it->second != wr)
      fail_node(i, "input '" + n.input(0) + "' has rank " + std::to_string(it->second) + " but the weights have rank " +
                       std::to_string(wr));
    for (const auto& a : n.attribute()) {
      const int want = a.name() == "pads" ? 2 * (wr - 2) : wr - 2;
      if ((a.name() == "kernel_shape" || a.name() == "strides" || a.name() == "dilations" || a.name() == "pads") &&
          a.ints_size() != want)
        fail_node(i, "attribute " + a.name() + " has " + std::to_string(a.ints_size()) + " values, expected " +
                         std::to_string(want) + " for " + std::to_string(wr - 2) + " spatial dims");
    }
  }
}

// Binds every symbolic input dim from --dim, collecting every unbound one into one error.
void Importer::bind_inputs() {
  std::vector<std::string> missing;
  std::set<std::string> used;
  for (auto& in : *g_.mutable_input()) {
    if (init_.contains(in.name())) continue;  // old-style models list initializers as inputs
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
      fail("input '" + in.name() + "' has no tensor shape; npusim needs every input's rank and dims");
    Shape shape;
    auto* dims = in.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim();
    for (int d = 0; d < dims->size(); ++d) {
      auto& dim = (*dims)[d];
      if (dim.has_dim_value()) {
        if (dim.dim_value() <= 0)
          fail("input '" + in.name() + "' dim " + std::to_string(d) + " is " + std::to_string(dim.dim_value()) +
               ": every dim must be >= 1");
        shape.push_back(static_cast<uint64_t>(dim.dim_value()));
        continue;
      }
      const std::string sym = dim.has_dim_param() ? dim.dim_param() : "";
      auto it = sym.empty() ? opts_.dims.end() : opts_.dims.find(sym);
      if (it == opts_.dims.end()) {
        missing.push_back("input '" + in.name() + "' dim " + std::to_string(d) +
                          (sym.empty() ? " has no size and no name (it cannot be bound; fix the model's input shape)"
                                       : " is symbolic '" + sym + "': pass --dim " + sym + "=N"));
        continue;
      }
      if (it->second == 0) fail("--dim " + sym + "=0: sizes must be at least 1");
      used.insert(sym);
      dim.set_dim_value(static_cast<int64_t>(it->second));
      shape.push_back(it->second);
    }
    input_shapes_[in.name()] = shape;
    static_.erase(in.name());
  }
  if (!missing.empty()) {
    std::string msg;
    for (const auto& s : missing) msg += (msg.empty() ? "" : "; ") + s;
    fail(msg);
  }
  for (const auto& [name, value] : opts_.dims) {
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

void Importer::infer_shapes() {
  // Ops too new for the library stand in as known ops while shapes are inferred, then get
  // their own type, domain and attributes back.
  std::map<int, onnx::NodeProto> originals;
  for (int i = 0; i < g_.node_size(); ++i) {
    onnx::NodeProto& n = *g_.mutable_node(i);
    auto it = kInferAs.find(n.op_type());
    if (it == kInferAs.end() || !(n.domain().empty() || n.domain() == "ai.onnx" || n.domain() == "com.microsoft"))
      continue;
    originals[i] = n;
    n.set_op_type(it->second);
    n.set_domain("");
    n.clear_attribute();  // the stand-in's defaults keep the shape
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0, /*data_propagation=*/true);
    onnx::shape_inference::InferShapes(m_, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    fail(std::string("ONNX shape inference failed: ") + e.what());
  }
  for (auto& [i, n] : originals) g_.mutable_node(i)->Swap(&n);
  for (const auto& v : g_.input()) types_[v.name()] = &v.type();
  for (const auto& v : g_.value_info()) types_[v.name()] = &v.type();
  for (const auto& v : g_.output()) {
    types_.emplace(v.name(), &v.type());
    graph_outputs_.insert(v.name());
  }
}

// Marks values known before the run: initializers, constants, shapes, and everything computed
// only from those (shape arithmetic, weight transposes). Also checks the nodes are in
// topological order and every operand is defined, as the ONNX spec requires.
void Importer::find_static() {
  std::unordered_set<std::string> defined(static_.begin(), static_.end());
  for (const auto& [name, shape] : input_shapes_) defined.insert(name);
  fused_.assign(g_.node_size(), false);
  for (int i = 0; i < g_.node_size(); ++i) {
    const auto& n = g_.node(i);
    bool all_static = true;
    for (const auto& in : n.input()) {
      if (in.empty()) continue;  // an omitted optional input
      if (!defined.contains(in))
        fail_node(i, "input '" + in + "' is not a graph input, an initializer or an earlier node's output " +
                         "(a malformed or truncated file?)");
      consumers_[in].push_back(i);
      all_static = all_static && is_static(in);
    }
    const bool st = kStaticOps.contains(op_type_[i]) || (all_static && n.op_type() != "RandomNormalLike");
    if (st) ++folded_;
    for (const auto& out : n.output()) {
      if (out.empty()) continue;
      defined.insert(out);
      if (st) static_.insert(out);
    }
  }
  for (const auto& out : g_.output())
    if (!defined.contains(out.name())) fail("graph output '" + out.name() + "' is not produced by any node");
}

void Importer::check_supported() {
  std::map<std::string, std::vector<std::string>> unsupported;  // op type -> node labels
  for (int i = 0; i < g_.node_size(); ++i) {
    const auto& n = g_.node(i);
    bool st = !n.output().empty() && std::all_of(n.output().begin(), n.output().end(),
                                                 [&](const std::string& o) { return o.empty() || is_static(o); });
    if (st) continue;
    const bool known_domain = n.domain().empty() || n.domain() == "ai.onnx" || n.domain() == "com.microsoft";
    bool has_subgraph = false;
    for (const auto& a : n.attribute()) has_subgraph = has_subgraph || a.has_g() || a.graphs_size() > 0;
    if (known_domain && supported(op_type_[i]) && !has_subgraph) continue;
    unsupported[(n.domain().empty() ? "" : n.domain() + ".") + op_type_[i]].push_back(label(i));
  }
  if (unsupported.empty() || opts_.allow_unknown_ops) return;
  std::string list;
  for (const auto& [op, nodes] : unsupported)
    list += (list.empty() ? "" : "; ") + op + " at " + nodes[0] +
            (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "");
  fail("unsupported ONNX op(s): " + list +
       ". Pass --allow-unknown-ops to count each as a generic vector op over its output "
       "elements, or replace them in the model");
}

std::optional<Shape> Importer::inferred(const std::string& v) const {
  if (auto it = input_shapes_.find(v); it != input_shapes_.end()) return it->second;
  if (const onnx::TensorProto* t = initializer(v)) return Shape(t->dims().begin(), t->dims().end());
  auto it = types_.find(v);
  if (it == types_.end() || !it->second->has_tensor_type() || !it->second->tensor_type().has_shape())
    return std::nullopt;
  Shape s;
  for (const auto& d : it->second->tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) return std::nullopt;
    s.push_back(static_cast<uint64_t>(d.dim_value()));
  }
  return s;
}

Shape Importer::need_shape(int i, const std::string& v) const {
  auto s = inferred(v);
  if (!s)
    fail_node(i, "the shape of '" + v +
                     "' cannot be inferred (it depends on data, or on an op the ONNX library does not know); make "
                     "the model's shapes static (e.g. run onnxsim with the input shapes) or bind its symbolic dims "
                     "with --dim");
  return *s;
}

// Small integer tensors held in the file (axes, shapes); nullopt if computed or external.
std::optional<std::vector<int64_t>> Importer::static_ints(const std::string& v) const {
  const onnx::TensorProto* t = initializer(v);
  for (int i = 0; !t && i < g_.node_size(); ++i)
    if (op_type_[i] == "Constant" && g_.node(i).output_size() == 1 && g_.node(i).output(0) == v)
      if (const auto* a = attr(i, "value"); a && a->has_t()) t = &a->t();
  if (!t || t->data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  uint64_t elems = 1;
  for (int64_t d : t->dims()) elems = d >= 0 && d <= 4096 ? elems * static_cast<uint64_t>(d) : 1u << 20;
  if (elems > 4096) return std::nullopt;
  std::vector<int64_t> out;
  if (t->data_type() == onnx::TensorProto::INT64) {
    if (!t->raw_data().empty()) {
      if (t->raw_data().size() != elems * 8) return std::nullopt;
      out.resize(elems);
      std::memcpy(out.data(), t->raw_data().data(), elems * 8);  // ONNX raw data is little-endian
    } else {
      out.assign(t->int64_data().begin(), t->int64_data().end());
    }
  } else if (t->data_type() == onnx::TensorProto::INT32 && t->raw_data().empty()) {
    out.assign(t->int32_data().begin(), t->int32_data().end());
  } else {
    return std::nullopt;
  }
  if (out.size() != elems) return std::nullopt;
  return out;
}

std::string Importer::unique_name(const std::string& base) const {
  auto free = [&](const std::string& n) { return !b_.find(n) && !b_.find(n + ".weight") && !b_.find(n + ".bias"); };
  if (free(base)) return base;
  for (int k = 1;; ++k)
    if (free(base + "." + std::to_string(k))) return base + "." + std::to_string(k);
}

TensorId Importer::value(int i, const std::string& v) {
  if (auto it = values_.find(v); it != values_.end()) return it->second;
  TensorId t;
  if (auto it = input_shapes_.find(v); it != input_shapes_.end()) {
    t = b_.input(unique_name(v), it->second);
  } else if (is_static(v)) {
    Shape s = need_shape(i, v);
    if (s.empty()) s = {1};  // a scalar
    t = b_.weight(unique_name(v), s);
  } else {
    fail_node(i, "operand '" + v + "' has no value (an unsupported op produced it?)");
  }
  values_[v] = t;
  return t;
}

// The operands that are not known before the run, plus constants that are not scalars
// (those are weights the op reads). Scalar constants are immediates.
std::vector<TensorId> Importer::dynamic_operands(int i, bool drop_scalar_constants) {
  std::vector<TensorId> out;
  for (const auto& in : g_.node(i).input()) {
    if (in.empty()) continue;
    if (is_static(in) && drop_scalar_constants) {
      const std::optional<Shape> s = inferred(in);
      if (s && std::all_of(s->begin(), s->end(), [](uint64_t d) { return d == 1; })) continue;  // an immediate
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

void Importer::set_output(int i, int k, TensorId t) {
  const std::string& out = g_.node(i).output(k);
  if (out.empty()) return;
  if (auto s = inferred(out); s && !s->empty() && *s != b_.shape(t))
    fail_node(i, "npusim computes output shape " + shape_str(b_.shape(t)) + " but ONNX infers " + shape_str(*s));
  values_[out] = t;
}

void Importer::conv(int i, const std::string& name) {
  const auto& n = g_.node(i);
  if (n.input_size() < 2) fail_node(i, "needs an input and weights");
  if (!is_static(n.input(1))) fail_node(i, "the weights are computed at run time; npusim needs them as an initializer");
  const Shape ws = need_shape(i, n.input(1));
  TensorId x = value(i, n.input(0));
  const Shape xs = b_.shape(x);
  if (xs.size() != 4 || ws.size() != 4)
    fail_node(i, "only 2-D convolutions are supported (NCHW input, 4-D weights), got input " + shape_str(xs) +
                     " and weights " + shape_str(ws));
  const int64_t group = attr_int(i, "group", 1);
  std::vector<int64_t> strides = attr_ints(i, "strides"), pads = attr_ints(i, "pads"), dil = attr_ints(i, "dilations");
  if (strides.empty()) strides = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (group < 1 || strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1)
    fail_node(i, "group must be >= 1 and strides equal on H and W (npusim's conv2d has one stride)");
  for (int64_t d : dil)
    if (d != 1) fail_node(i, "dilated convolution is not supported");
  const std::string auto_pad = attr_str(i, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") pads = {0, 0, 0, 0};
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const uint64_t s = static_cast<uint64_t>(strides[0]);
    for (int d = 0; d < 2; ++d) {
      uint64_t in = xs[2 + d], k = ws[2 + d];
      uint64_t need = (ceil_div(in, s) - 1) * s + k;
      uint64_t total = need > in ? need - in : 0;
      pads[d] = static_cast<int64_t>(total / 2);
      pads[d + 2] = static_cast<int64_t>(total - total / 2);
    }
  }
  if (pads.size() != 4 || pads[0] < 0 || pads[0] != pads[1] || pads[0] != pads[2] || pads[0] != pads[3])
    fail_node(i,
              "padding must be equal on all sides (npusim's conv2d pads symmetrically); pad the input with a "
              "Pad op instead");
  if (ws[1] * static_cast<uint64_t>(group) != xs[1])
    fail_node(i, "weights " + shape_str(ws) + " with group " + std::to_string(group) + " do not match input " +
                     shape_str(xs));
  ++weight_uses_[n.input(1)];
  const bool bias = n.input_size() >= 3 && !n.input(2).empty();
  set_output(i, 0,
             b_.conv2d(name, x, ws[0], ws[2], ws[3], static_cast<uint64_t>(strides[0]), static_cast<uint64_t>(pads[0]),
                       static_cast<uint64_t>(group), bias));
}

void Importer::linear_or_matmul(int i, const std::string& name, bool transpose_b, const std::string& bias_input) {
  const auto& n = g_.node(i);
  if (n.input_size() < 2) fail_node(i, "needs two operands");
  const std::string &a = n.input(0), &bm = n.input(1);
  TensorId x = value(i, a);
  const Shape xs = b_.shape(x);
  if (is_static(bm) && !is_static(a)) {
    const Shape ws = need_shape(i, bm);
    if (ws.size() == 2) {
      const uint64_t k = transpose_b ? ws[1] : ws[0], nout = transpose_b ? ws[0] : ws[1];
      if (xs.empty() || xs.back() != k)
        fail_node(i, "input " + shape_str(xs) + " does not match weights " + shape_str(ws));
      ++weight_uses_[bm];
      // A bias: Gemm's C, or a following Add of a constant [N] that only this op feeds.
      std::string bias = bias_input;
      int add = -1;  // the fused Add node
      if (bias.empty() && n.output_size() == 1) {
        const int c = sole_consumer(n.output(0)).value_or(-1);
        if (c >= 0 && op_type_[c] == "Add" && g_.node(c).input_size() == 2) {
          const auto& an = g_.node(c);
          std::string other = an.input(0) == n.output(0) ? an.input(1) : an.input(0);
          if (is_static(other) && inferred(other) == Shape{nout}) bias = other, add = c;
        }
      }
      const bool static_bias = !bias.empty() && is_static(bias) && inferred(bias) == Shape{nout};
      TensorId t = b_.linear(name, x, nout, static_bias);
      if (!bias.empty() && !static_bias) t = b_.add(unique_name(name + ".add_bias"), t, value(i, bias));
      set_output(i, 0, t);
      if (add >= 0) {
        fused_[add] = true;
        ++fused_count_;
        values_[g_.node(add).output(0)] = t;
      }
      return;
    }
  }
  const Shape bs = need_shape(i, bm);
  if (xs.size() < 2 || bs.size() != xs.size())
    fail_node(i, "operands " + shape_str(xs) + " and " + shape_str(bs) +
                     " need the same rank >= 2 (batch broadcasting and 1-D operands are not supported)");
  TensorId t = b_.matmul(name, x, value(i, bm), transpose_b);
  if (!bias_input.empty()) t = b_.add(unique_name(name + ".add_bias"), t, value(i, bias_input));
  set_output(i, 0, t);
}

void Importer::resize(int i, const std::string& name) {
  const std::string mode = attr_str(i, "mode", "nearest");
  if (mode != "nearest") fail_node(i, "mode '" + mode + "' is not supported: npusim models nearest upsampling only");
  TensorId x = value(i, g_.node(i).input(0));
  const Shape xs = b_.shape(x), out = need_shape(i, g_.node(i).output(0));
  const bool ok = xs.size() == 4 && out.size() == 4 && out[0] == xs[0] && out[1] == xs[1] && out[2] % xs[2] == 0 &&
                  out[3] % xs[3] == 0 && out[2] / xs[2] == out[3] / xs[3];
  if (!ok)
    fail_node(i, "only NCHW nearest upsampling by the same whole factor on H and W is supported, got " + shape_str(xs) +
                     " -> " + shape_str(out));
  const uint64_t factor = out[2] / xs[2];
  set_output(i, 0, factor == 1 ? x : b_.upsample_nearest(name, x, factor));
}

void Importer::reduce(int i, const std::string& name) {
  const auto& n = g_.node(i);
  std::vector<int64_t> axes;
  bool keepdims = attr_int(i, "keepdims", 1) != 0;
  if (op_type_[i] == "ArgMax" || op_type_[i] == "ArgMin") {
    axes = {attr_int(i, "axis", 0)};
  } else if (n.input_size() >= 2 && !n.input(1).empty()) {
    auto v = static_ints(n.input(1));
    if (!v) fail_node(i, "axes must be a constant");
    axes = *v;
  } else {
    axes = attr_ints(i, "axes");
  }
  TensorId x = value(i, n.input(0));
  if (axes.empty() && attr_int(i, "noop_with_empty_axes", 0) != 0) return set_output(i, 0, x);
  set_output(i, 0, b_.reduce(name, x, axes, keepdims));
}

void Importer::generic(int i, const std::string& name) {
  const auto& n = g_.node(i);
  std::vector<TensorId> xs = dynamic_operands(i, false);
  for (int k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;
    Shape s = need_shape(i, n.output(k));
    set_output(i, k, b_.generic_vector(k == 0 ? name : unique_name(name + "." + std::to_string(k)), xs, s));
  }
  ++generic_counts_[(n.domain().empty() ? "" : n.domain() + ".") + op_type_[i]];
}

void Importer::import_node(int i) {
  const auto& n = g_.node(i);
  const std::string& op = op_type_[i];
  const bool all_static = std::all_of(n.output().begin(), n.output().end(),
                                      [&](const std::string& o) { return o.empty() || is_static(o); });
  if (all_static || fused_[i]) return;
  if (n.output_size() == 0) return;
  const std::string name = unique_name(n.name().empty() ? op + "_" + std::to_string(i) : n.name());
  const bool known_domain = n.domain().empty() || n.domain() == "ai.onnx" || n.domain() == "com.microsoft";
  bool has_subgraph = false;
  for (const auto& a : n.attribute()) has_subgraph = has_subgraph || a.has_g() || a.graphs_size() > 0;
  if (!known_domain || !supported(op) || has_subgraph) return generic(i, name);
  const int min_inputs = op == "Concat" ? 1 : kEltwiseOps.contains(op) && op != "Sum" && op != "Mean" ? 2 : 1;
  if (n.input_size() < min_inputs || n.input(0).empty())
    fail_node(i, "has " + std::to_string(n.input_size()) + " inputs, expected at least " + std::to_string(min_inputs));
  const std::string& in0 = n.input(0);
  const std::string& out0 = n.output(0);

  if (op == "Conv") return conv(i, name);
  if (op == "MatMul") return linear_or_matmul(i, name, false, "");
  if (op == "Gemm") {
    if (attr_int(i, "transA", 0) != 0) fail_node(i, "transA = 1 is not supported");
    return linear_or_matmul(i, name, attr_int(i, "transB", 0) != 0, n.input_size() >= 3 ? n.input(2) : "");
  }
  if (op == "Resize" || op == "Upsample") return resize(i, name);
  if (kReduceOps.contains(op)) return reduce(i, name);
  if (kAliasOps.contains(op)) return set_output(i, 0, value(i, in0));
  if (kViewOps.contains(op)) {
    const Shape s = need_shape(i, out0);
    return set_output(i, 0, b_.reshape(name, value(i, in0), std::vector<int64_t>(s.begin(), s.end())));
  }
  if (kCopyOps.contains(op) || (op == "Gather" && !is_static(in0))) {
    TensorId x = value(i, in0);
    for (int k = 0; k < n.output_size(); ++k)
      if (!n.output(k).empty())
        set_output(i, k,
                   b_.copy(k == 0 ? name : unique_name(name + "." + std::to_string(k)), x, need_shape(i, n.output(k))));
    return;
  }
  if (op == "Gather") {  // a constant table looked up by run-time indices
    if (n.input_size() < 2) fail_node(i, "needs data and indices");
    const Shape ts = need_shape(i, in0);
    if (ts.size() != 2 || attr_int(i, "axis", 0) != 0) {
      return set_output(i, 0, b_.copy(name, value(i, in0), need_shape(i, out0)));
    }
    Shape idx = need_shape(i, n.input(1));
    return set_output(i, 0, b_.gather(name, value(i, in0), idx));
  }
  if (kEltwiseOps.contains(op)) {
    std::vector<TensorId> xs = dynamic_operands(i, true);
    if (xs.size() == 2 && op == "Add") return set_output(i, 0, b_.add(name, xs[0], xs[1]));
    if (xs.size() == 2 && op == "Mul") return set_output(i, 0, b_.mul(name, xs[0], xs[1]));
    return set_output(i, 0, b_.elementwise(name, xs));
  }
  TensorId x = value(i, in0);
  const bool affine = n.input_size() >= 2 && !n.input(1).empty();
  if (op == "Sigmoid") {  // x * sigmoid(x) is SiLU when the product is the sigmoid's only use
    auto mul = sole_consumer(out0);
    if (mul && op_type_[*mul] == "Mul" && g_.node(*mul).input_size() == 2) {
      const auto& mn = g_.node(*mul);
      if ((mn.input(0) == in0 && mn.input(1) == out0) || (mn.input(1) == in0 && mn.input(0) == out0)) {
        TensorId t = b_.silu(name, x);
        fused_[*mul] = true;
        ++fused_count_;
        values_[mn.output(0)] = t;
        return set_output(i, 0, t);
      }
    }
  }
  if (op == "Gelu" || op == "FastGelu") return set_output(i, 0, b_.gelu(name, x));
  if (op == "QuickGelu") return set_output(i, 0, b_.quick_gelu(name, x));
  if (kUnaryOps.contains(op)) return set_output(i, 0, b_.unary(name, x));
  if (op == "Softmax" || op == "LogSoftmax") return set_output(i, 0, b_.softmax(name, x));
  if (op == "LayerNormalization") return set_output(i, 0, b_.layer_norm(name, x, affine));
  if (op == "RMSNormalization" || op == "SimplifiedLayerNormalization")
    return set_output(i, 0, b_.rms_norm(name, x, affine));
  const Shape xs = b_.shape(x);
  if (op == "GroupNormalization") {
    // Weights as the builder's group_norm: [C] scale and bias (opset 21's layout).
    const int64_t groups = attr_int(i, "num_groups", 0);
    if (groups < 1) fail_node(i, "num_groups must be >= 1");
    return set_output(i, 0, b_.group_norm(name, x, static_cast<uint64_t>(groups), affine));
  }
  if (xs.size() < 2) fail_node(i, "needs an input with a channel dim (N, C, ...), got " + shape_str(xs));
  if (op == "InstanceNormalization") return set_output(i, 0, b_.group_norm(name, x, xs[1], affine));
  if (op == "BatchNormalization") {  // inference: folded into a per-channel scale and shift
    Shape ws(xs.size() - 1, 1);
    ws[0] = xs[1];
    TensorId scale = b_.weight(name + ".weight", ws), shift = b_.bias(name + ".bias", ws);
    return set_output(i, 0, b_.elementwise(name, {x, scale, shift}));
  }
  if (op == "Concat") {
    std::vector<TensorId> xs2 = dynamic_operands(i, false);
    if (!attr(i, "axis")) fail_node(i, "has no axis attribute");
    return set_output(i, 0, xs2.size() == 1 ? xs2[0] : b_.concat(name, xs2, attr_int(i, "axis", 0)));
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = attr_ints(i, "perm");
    if (perm.empty())
      for (size_t d = xs.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
    std::vector<uint64_t> p;
    for (int64_t d : perm) {
      if (d < 0 || d >= static_cast<int64_t>(xs.size())) fail_node(i, "perm has an out-of-range axis");
      p.push_back(static_cast<uint64_t>(d));
    }
    return set_output(i, 0, permute(b_, name, x, p));
  }
  NPUSIM_ASSERT(false, "supported ONNX op without a handler: " + op);
}

LoadedModel Importer::run() {
  check_header();
  bind_inputs();
  check_conv_ranks();
  infer_shapes();
  find_static();
  check_supported();
  for (int i = 0; i < g_.node_size(); ++i) {
    try {
      import_node(i);
    } catch (const InputError& e) {
      const std::string what = e.what();
      if (what.starts_with(display_ + ": ")) throw;
      fail_node(i, what);
    }
  }
  LoadedModel lm{b_.finish(), display_, {}};
  auto& notes = lm.notes;
  notes.push_back("imported from ONNX (ir_version " + std::to_string(m_.ir_version()) + ", opset " +
                  std::to_string(opset_) + "): " + std::to_string(g_.node_size()) + " nodes, " +
                  std::to_string(folded_) + " of them constants or shape computations, folded and not counted");
  if (opset_ > known_opset())
    notes.push_back("the model's opset " + std::to_string(opset_) + " is newer than the ONNX library's " +
                    std::to_string(known_opset()) + ": shapes were inferred with its rules");
  if (!bound_dims_.empty()) {
    std::string s;
    for (const auto& d : bound_dims_) s += (s.empty() ? "" : ", ") + d;
    notes.push_back("symbolic input dims bound by --dim: " + s);
  }
  notes.push_back("weights: shapes from the initializers, dtypes from the precision (the file's dtypes are ignored)" +
                  (external_ ? "; " + std::to_string(external_) +
                                   " initializers keep their data in external files, "
                                   "which are not read"
                             : std::string()));
  if (fused_count_)
    notes.push_back(std::to_string(fused_count_) +
                    " nodes fused: MatMul + Add of a constant [N] into linear with bias, x * Sigmoid(x) into silu");
  notes.push_back(
      "Cast, Identity and Dropout are free (dtypes come from the precision); Reshape, Squeeze, Unsqueeze and "
      "Flatten are views; Slice, Split, Pad, Expand, Tile and Gather of activations are copies (op kind copy)");
  for (const auto& [w, uses] : weight_uses_)
    if (uses > 1)
      notes.push_back("weight '" + w + "' is shared by " + std::to_string(uses) + " ops and counted once per op");
  if (!generic_counts_.empty()) {
    std::string s;
    for (const auto& [op, count] : generic_counts_) s += (s.empty() ? "" : ", ") + op + " x" + std::to_string(count);
    notes.push_back("unsupported ops counted as generic vector ops over their output elements (--allow-unknown-ops): " +
                    s);
  }
  return lm;
}

}  // namespace

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
  Importer imp(model, display, opts);
  return imp.run();
}

bool looks_like_onnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  return in.get(c) && c == 0x08;
}

}  // namespace npusim::workloads
