#pragma once
// The ONNX importer's parts, shared by its files: onnx_tensor.cpp (bounds-checked tensor
// decoding), onnx_infer.cpp (npusim's own shape inference and constant folding, one function per
// op), onnx_ops.cpp (the op table and the builder ops each node becomes) and onnx_import.cpp
// (graph checks and assembly). ONNX's library shape inference is never called: it is not safe on
// hostile files (Debian's ONNX 1.12 crashes on several), and folding must know every shape anyway.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph.h"
#include "model_registry.h"

namespace npusim::workloads::onnx_detail {

// Values with at most this many elements, known before the run, are folded (their elements
// computed); larger ones keep only their shape. Shape subgraphs hold a handful of elements.
inline constexpr uint64_t kMaxFoldElems = 1 << 16;

// One value of the graph: its static shape and ONNX element type; for values known before the run
// (computed only from initializers, constants and shapes) whether they are, and, when small enough,
// their elements.
struct Val {
  Shape shape;
  int elem = onnx::TensorProto::FLOAT;  // onnx::TensorProto::DataType
  bool is_static = false;               // known before the run: never costed
  bool has_data = false;                // elements known (ints or reals, by elem)
  std::vector<int64_t> ints;            // integer and bool elements
  std::vector<double> reals;            // floating-point elements
  bool from_initializer = false;        // computed from an initializer (parameters)
  bool all_zero = false;                // a constant known to be all zeros
  int producer = -1;                    // node index; -1 for graph inputs and initializers
};

bool is_integral(int elem);
size_t elem_bytes(int elem);  // bytes per element; 1 for types npusim does not decode
bool is_real(int elem);
std::string elem_name(int elem);
uint64_t elem_count(const Shape& s);  // 0 when the product overflows 64 bits (callers check shapes first)

// Decodes an initializer or Constant's tensor: shape, and elements when it holds at most
// kMaxFoldElems of them in the file. Every length is checked against the shape (raw_data's size
// must be elements x element size exactly); external data is never read. Throws InputError
// prefixed by `what`.
Val decode_tensor(const onnx::TensorProto& t, const std::string& what);

class Importer;

// The node being inferred: operands, attributes and outputs, with errors naming the node.
struct Node {
  Importer& im;
  int index;
  const onnx::NodeProto& n;

  [[noreturn]] void fail(const std::string& msg) const;
  bool has(int k) const { return k < n.input_size() && !n.input(k).empty(); }
  const Val& in(int k) const;
  Val& out(int k);  // creates output k (its name must not be empty)
  int outputs() const { return n.output_size(); }
  // The elements of operand k as integers; an error naming the chain when they depend on data.
  const std::vector<int64_t>& ints(int k, const std::string& what) const;
  std::vector<double> reals(int k, const std::string& what) const;  // any numeric type
  const onnx::AttributeProto* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  std::optional<std::vector<int64_t>> attr_ints(const std::string& name) const;
  std::string attr_str(const std::string& name, const std::string& fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  // Axis `a` of a rank-`rank` tensor, negative counting from the end; an error when out of range.
  uint64_t axis(int64_t a, size_t rank, const std::string& what) const;
  // Elements of `s`; an error when they overflow or their bytes at `elem` exceed the tensor limit.
  uint64_t checked_elems(const Shape& s, const std::string& what, int elem = onnx::TensorProto::UINT8) const;
};

using InferFn = void (*)(Node&);
using BuildFn = void (*)(Importer&, int node, const std::string& name);

// One row per supported op. Columns: op type, the ONNX domains it is accepted from besides the
// default one (com.microsoft for contrib ops), operand counts, npusim's shape rule (with folding),
// and the builder ops it becomes when its inputs are known only at run time (null: never costed).
struct OpRule {
  std::string_view op;
  bool microsoft = false;
  int min_inputs = 1;
  int max_inputs = 1;  // -1: any number
  InferFn infer = nullptr;
  BuildFn build = nullptr;
};
const OpRule* find_rule(const std::string& domain, const std::string& op);
// Standard ops npusim does not cost but whose output has its first input's shape, so that
// --allow-unknown-ops can count them as generic vector ops.
bool keeps_input_shape(const std::string& op);

// Helpers of the shape rules (onnx_infer.cpp).
Val& make_out(Node& c, int k, Shape s, int elem);  // output k of shape s, checked against the tensor limit
bool foldable(const Val& o);                       // small enough to compute its elements
std::vector<uint64_t> strides_of(const Shape& s);  // row-major, in elements
// For each element of `out`, the index of the element of `in` (numpy-broadcast to `out`) it reads.
std::vector<size_t> broadcast_map(const Shape& in, const Shape& out);
Shape broadcast(const Node& c, const std::vector<Shape>& shapes);  // numpy rules; an error when they do not
// Sets o's elements to in's through `map` (output element -> input element).
void gather_data(const Val& in, Val& o, const std::vector<size_t>& map);
void copy_data(const Val& in, Val& o);

// Shape rules (onnx_infer*.cpp), one per family of ops.
void infer_same(Node& c);  // unary elementwise, norms, softmax, activations
void infer_cast(Node& c);
void infer_eltwise(Node& c);
void infer_reduce(Node& c);
void infer_reshape(Node& c);
void infer_flatten(Node& c);
void infer_squeeze(Node& c);
void infer_unsqueeze(Node& c);
void infer_shape(Node& c);
void infer_size(Node& c);
void infer_constant(Node& c);
void infer_constant_of_shape(Node& c);
void infer_range(Node& c);
void infer_gather(Node& c);
void infer_slice(Node& c);
void infer_concat(Node& c);
void infer_split(Node& c);
void infer_expand(Node& c);
void infer_tile(Node& c);
void infer_transpose(Node& c);
void infer_pad(Node& c);
void infer_trilu(Node& c);
void infer_depth_to_space(Node& c);
void infer_space_to_depth(Node& c);
void infer_conv(Node& c);
void infer_gemm(Node& c);
void infer_matmul(Node& c);
void infer_resize(Node& c);
void infer_layer_norm(Node& c);
void infer_einsum(Node& c);

// A recognised multi-node pattern, built as one builder layer at its first node: `input` is the
// layer's input, `tail` the node whose output is the layer's, `groups` GroupNorm's group count.
struct Pattern {
  std::string kind;
  std::string input;
  int tail = -1;
  uint64_t groups = 0;
};
void recognise_patterns(Importer& im);  // onnx_patterns.cpp: fills pattern_at, marks nodes fused
void build_pattern(Importer& im, int head, const Pattern& p, const std::string& name);
void build_generic_op(Importer& im, int i, const std::string& name);  // onnx_ops.cpp

// Expansion of model-local functions (ModelProto.functions), If and Loop into plain nodes
// (onnx_expand.cpp). Calls are inlined as their body, recursively, attribute references resolved
// from the call; an If becomes its taken branch and a Loop its body once per iteration, when the
// importer has folded the condition or trip count. Inlined names get a prefix unique to the
// expansion. Bounds: calls, branches and bodies nest at most kMaxExpansionDepth deep, a function
// calling itself (directly or through others) is an error, and at most `max_nodes` nodes of
// kMaxExpansionBytes in all are made.
// Errors are InputErrors naming the node. The nodes made live as long as the Expander.
inline constexpr int kMaxExpansionDepth = 32;
inline constexpr uint64_t kMaxExpansionBytes = uint64_t{256} << 20;  // serialized size of the nodes made
struct Renaming;
class Expander {
 public:
  Expander(const onnx::ModelProto& m, uint64_t max_nodes);
  bool is_control_flow(const onnx::NodeProto& n) const;  // If or Loop of the default domain
  // `nodes` with every call of a model-local function replaced by its body (If and Loop kept).
  std::vector<const onnx::NodeProto*> expand_calls(const std::vector<const onnx::NodeProto*>& nodes);
  // If node `n`: the nodes of its then branch (`taken`) or else branch, writing the If's outputs.
  std::vector<const onnx::NodeProto*> inline_if(const onnx::NodeProto& n, bool taken);
  // Loop node `n`: its body `trips` times, each iteration reading the previous one's carried
  // values; scan outputs concatenated. Appends to `conds` each iteration's condition output
  // (but the last's) when the Loop has a condition input: the importer checks they fold to true.
  std::vector<const onnx::NodeProto*> unroll_loop(const onnx::NodeProto& n, uint64_t trips, int opset,
                                                  std::vector<std::string>& conds);
  const std::map<std::string, int>& expanded() const { return expanded_; }  // "If", "Loop", "function call" -> count

 private:
  onnx::NodeProto& make(int depth);
  void charge(const onnx::NodeProto& n);
  Renaming renaming(const std::string& prefix);
  void check_depth(const onnx::NodeProto& n, int depth) const;
  int depth(const onnx::NodeProto* n) const;
  void emit(const onnx::NodeProto* n, int depth, std::vector<std::string>& chain,
            std::vector<const onnx::NodeProto*>& out);
  void inline_graph(const onnx::GraphProto& body, Renaming& r, const std::vector<std::string>& outs, int depth,
                    std::vector<const onnx::NodeProto*>& out);

  std::map<std::string, const onnx::FunctionProto*> functions_;        // "domain.name" -> function
  std::map<std::string, std::vector<onnx::AttributeProto>> defaults_;  // "domain.name" -> attribute defaults
  google::protobuf::Arena arena_;                                      // the nodes made: allocated and freed in bulk
  std::unordered_map<const onnx::NodeProto*, int> depth_;              // nodes made; others are at depth 0
  std::map<std::string, int> expanded_;
  std::unordered_map<std::string, std::string> bases_;  // value made -> its name before any prefix
  std::unordered_set<std::string> prefixes_;
  uint64_t max_nodes_, made_ = 0, bytes_ = 0;
  int calls_ = 0;
};

// The imported graph's state, shared by the files of the importer.
class Importer {
 public:
  Importer(onnx::ModelProto& model, std::string display, const ModelOptions& opts);
  LoadedModel run();

  [[noreturn]] void fail(const std::string& msg) const;
  [[noreturn]] void fail_node(int i, const std::string& msg) const;
  std::string label(int i) const;
  std::string label(const onnx::NodeProto& n, int i) const;
  // How value `v` came to depend on run-time data: "'v' <- node 'a' (Op) <- input 'x'".
  std::string data_chain(const std::string& v) const;

  const Val& val(int i, const std::string& v) const;  // an operand of node i (defined)
  Val& def(int i, const std::string& v);              // defines output v of node i
  bool is_static(const std::string& v) const;
  Shape shape(int i, const std::string& v) const { return val(i, v).shape; }
  // The builder tensor of operand v of node i. Static operands become weight tensors: parameters
  // when they come from an initializer or feed a weight input (`weight_role`), constants otherwise;
  // integer and all-zero constants are never parameters.
  TensorId value(int i, const std::string& v, bool weight_role = false);
  // Operands not known before the run, plus static operands that are not scalars.
  std::vector<TensorId> dynamic_operands(int i, bool drop_scalar_constants);
  std::optional<int> sole_consumer(const std::string& v) const;
  const std::vector<int>& consumers(const std::string& v) const;  // nodes reading v, in order
  std::string unique_name(const std::string& base) const;
  void set_output(int i, int k, TensorId t);
  void fuse(int node, TensorId t);  // node's work is part of an op already built; its output is t
  const onnx::AttributeProto* attr(int i, const std::string& name) const;
  int64_t attr_int(int i, const std::string& name, int64_t fallback) const;
  std::vector<int64_t> attr_ints(int i, const std::string& name) const;
  std::string attr_str(int i, const std::string& name, const std::string& fallback) const;
  const std::string& op(int i) const { return nodes_[static_cast<size_t>(i)]->op_type(); }
  const onnx::NodeProto& node(int i) const { return *nodes_[static_cast<size_t>(i)]; }
  int node_count() const { return static_cast<int>(nodes_.size()); }

  GraphBuilder b;
  int opset = 0;
  std::vector<bool> fused;                    // nodes absorbed into an earlier op
  std::map<std::string, int> generic_counts;  // op -> nodes counted as generic vector ops
  std::map<std::string, int> weight_uses;     // static operand -> MAC ops using it
  std::map<std::string, int> patterns;        // recognised multi-node patterns -> count
  std::map<int, Pattern> pattern_at;          // first node of a recognised pattern -> the pattern
  const ModelOptions& opts;

 private:
  friend struct Node;
  void check_header();
  void check_attributes(const onnx::GraphProto& g, const std::string& where, uint64_t& nodes) const;
  void bind_inputs();
  void infer_all();
  void add_node(const onnx::NodeProto* n);
  void expand(const onnx::NodeProto& n);
  void fail_unsupported() const;
  void infer_pending();
  void infer_node(int i);
  void import_node(int i);
  std::vector<std::string> notes() const;

  onnx::ModelProto& m_;
  const onnx::GraphProto& g_;
  // The nodes in order, after expansion of functions, If and Loop (the expander owns those made).
  std::vector<const onnx::NodeProto*> nodes_;
  Expander expander_;
  std::vector<std::vector<const onnx::NodeProto*>> pending_;     // expansions not yet added, innermost last
  std::vector<std::pair<std::string, std::string>> loop_conds_;  // a Loop's label, a condition that must fold to true
  size_t inferred_ = 0;                                          // nodes_[0, inferred_) are inferred
  std::unordered_set<std::string> defined_, statics_;            // values defined so far; those known before the run
  std::map<std::string, std::vector<std::string>> unsupported_;  // op type -> node labels
  std::vector<bool> node_static_;
  std::string display_;
  std::vector<const OpRule*> rules_;  // per node; null when unsupported
  std::unordered_map<std::string, Val> vals_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> declared_;  // value_info and graph outputs
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_map<std::string, TensorId> tensors_;
  std::vector<std::string> bound_dims_;
  int folded_ = 0, external_ = 0;
};

}  // namespace npusim::workloads::onnx_detail
