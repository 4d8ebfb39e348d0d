#pragma once
// The layer graph: a Boost.Graph DAG whose vertices are ops and whose edges carry the
// tensor flowing from producer to consumer. Immutable once built by GraphBuilder.
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "op.h"
#include "tensor.h"

namespace npusim::workloads {

// Budgets a layer graph must fit, so a hostile or mistyped model is refused with a message
// (InputError) instead of building a graph that takes gigabytes or a mapping that never ends.
// The defaults hold every built-in model with a wide margin: SDXL's UNet has 3,042 ops and
// Llama-3-8B's prefill 1,028; the largest tensor is Llama-3-8B's embedding table (1 GiB at fp16).
struct GraphLimits {
  uint64_t max_ops = 200'000;                     // ops in one graph (--max-ops)
  uint64_t max_tensor_bytes = uint64_t{1} << 40;  // bytes of any one tensor, 1 TiB (--max-tensor-bytes)
};

struct TensorEdge {
  TensorId tensor = 0;
};

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Op, TensorEdge>;

inline constexpr uint32_t kNoOp = UINT32_MAX;

// Lifetime of a tensor over the topological order, as positions in that order.
// first: position of the producer (for graph inputs and weights: of the first consumer).
// last: position of the last consumer; graph outputs live to the end of the order.
struct TensorLiveness {
  uint32_t first = 0;
  uint32_t last = 0;
  bool graph_input = false;   // not produced by any op (model input, weight, KV cache)
  bool graph_output = false;  // produced but never consumed
};

// Bytes an op touches, split by role and kind (a gather reads only the rows it needs).
struct OperandBytes {
  uint64_t read[kNumTensorKinds] = {0, 0, 0};  // indexed by TensorKind
  uint64_t written = 0;
  uint64_t total_read() const { return read[0] + read[1] + read[2]; }
};

class Graph {
 public:
  const std::string& name() const { return name_; }
  Precision precision() const { return precision_.base; }
  const PrecisionSpec& precision_spec() const { return precision_; }
  size_t num_ops() const { return boost::num_vertices(*g_); }
  const Op& op(OpId id) const { return (*g_)[id]; }
  const Tensor& tensor(TensorId id) const { return tensors_.at(id); }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  // The op that produces `t`, or kNoOp for graph inputs and weights.
  OpId producer(TensorId t) const { return producer_.at(t); }
  const BoostGraph& boost_graph() const { return *g_; }

  // Ops in a topological order: among ready ops, the one added first (builder order).
  const std::vector<OpId>& topological_order() const { return topo_; }
  // Per tensor, indexed by TensorId; computed from the Boost graph's edges.
  std::vector<TensorLiveness> liveness() const;

  // Whether op `id` moves no data: a reshape, or a slice read in place. A slice whose output
  // has exactly one reader, a MAC op (matmul, linear, conv, attention), at the slice's own dtype
  // and kind, is read by that op's DMA at the range's offset with the source's strides, as NPU
  // compilers do for the q, k, v of a fused qkv projection: no copy layer runs. Any other slice
  // (read by a vector op, by several ops, or stored as KV cache) is a copy. Every memory
  // strategy and report reads this one answer.
  bool is_view(OpId id) const { return view_.at(id) != 0; }
  // Bytes op `id` reads and writes; none for a view.
  OperandBytes operand_bytes(OpId id) const;
  uint64_t total_macs() const;
  // The tensor named `name`, if any.
  std::optional<TensorId> find_tensor(const std::string& name) const;
  uint64_t param_count() const;        // elements of all weight tensors that are parameters
  uint64_t constant_elements() const;  // elements of weight tensors that are constants, not parameters
  // Ops the builder folded: computed from weights and constants alone, so a deployment compiler
  // evaluates them once (GraphBuilder::finish); their results are constants.
  const std::vector<std::string>& folded_ops() const { return folded_; }

 private:
  friend class GraphBuilder;
  std::string name_;
  std::vector<std::string> folded_;
  PrecisionSpec precision_;
  // Shared and immutable once built: Boost 1.74's adjacency_list has no move constructor (its
  // swap copies too), so a Graph holding it by value copied every op on each move; a copied
  // Graph shares the ops it cannot change.
  std::shared_ptr<const BoostGraph> g_ = std::make_shared<const BoostGraph>();
  std::vector<Tensor> tensors_;
  std::vector<OpId> producer_;
  std::vector<OpId> topo_;
  std::vector<char> view_;  // per op: is_view
};

// Builds a Graph op by op with shape inference. Every method checks its operands and throws
// InputError naming the op on a shape mismatch or an overflowing count.
class GraphBuilder {
 public:
  GraphBuilder(std::string name, const PrecisionSpec& precision, GraphLimits limits = {});

  Precision precision() const { return precision_.base; }
  const PrecisionDtypes& dtypes() const { return dtypes_; }
  // Valid until the next tensor is added (tensors live in a growing vector).
  const Tensor& tensor(TensorId id) const { return tensors_.at(id); }
  // A copy: callers keep shapes across calls that add tensors (weights, outputs).
  Shape shape(TensorId id) const { return tensors_.at(id).shape; }
  // Finds a tensor by name (graph inputs and op outputs are named like their op).
  std::optional<TensorId> find(const std::string& name) const;

  // Graph inputs. Activations and KV cache take the precision's dtypes unless given.
  TensorId input(const std::string& name, Shape shape, TensorKind kind = TensorKind::kActivation);
  TensorId weight(const std::string& name, Shape shape);
  // A weight at the precision's vocab dtype: an LLM's token embedding or lm_head table.
  TensorId vocab_weight(const std::string& name, Shape shape);
  TensorId bias(const std::string& name, Shape shape);
  // A constant read like a weight but not a parameter (not counted by param_count).
  TensorId constant(const std::string& name, Shape shape);

  // MAC ops. conv2d and linear create their weight (and bias) tensors "<name>.weight"/".bias".
  TensorId conv2d(const std::string& name, TensorId x, uint64_t out_channels, uint64_t kernel_h, uint64_t kernel_w,
                  uint64_t stride = 1, uint64_t padding = 0, uint64_t groups = 1, bool bias = true);
  // A 1-D convolution over x [N, C, 1, L] (NCHW with H = 1; weight [out, C, 1, kernel]): a conv2d
  // with a 1 x kernel window padded only along L.
  TensorId conv1d(const std::string& name, TensorId x, uint64_t out_channels, uint64_t kernel, uint64_t stride = 1,
                  uint64_t padding = 0, bool bias = true);
  TensorId linear(const std::string& name, TensorId x, uint64_t out_features, bool bias = true);
  // A bias-free linear whose weight is an existing [out_features, in] weight tensor (tied
  // embeddings): no new parameters, and the shared weight's bytes are read as usual.
  TensorId linear_shared(const std::string& name, TensorId x, TensorId weight);
  TensorId matmul(const std::string& name, TensorId a, TensorId b, bool transpose_b = false);
  TensorId attention_score(const std::string& name, TensorId q, TensorId k);
  TensorId attention_context(const std::string& name, TensorId probs, TensorId v);

  // Vector ops. Norms with affine=true create "<name>.weight" (and ".bias" except RMS norm).
  TensorId group_norm(const std::string& name, TensorId x, uint64_t groups, bool affine = true);
  TensorId layer_norm(const std::string& name, TensorId x, bool affine = true);
  TensorId rms_norm(const std::string& name, TensorId x, bool affine = true);
  TensorId softmax(const std::string& name, TensorId x);
  TensorId silu(const std::string& name, TensorId x);
  TensorId gelu(const std::string& name, TensorId x);
  TensorId quick_gelu(const std::string& name, TensorId x);
  TensorId geglu(const std::string& name, TensorId x);
  TensorId relu(const std::string& name, TensorId x);
  TensorId relu6(const std::string& name, TensorId x);
  TensorId sigmoid(const std::string& name, TensorId x);
  TensorId hard_sigmoid(const std::string& name, TensorId x);
  TensorId hard_swish(const std::string& name, TensorId x);
  // Pooling over NCHW windows (PyTorch MaxPool2d/AvgPool2d, floor mode): one vector element per
  // window element read; global_avg_pool is AdaptiveAvgPool2d(1): [N, C, H, W] -> [N, C, 1, 1].
  TensorId max_pool2d(const std::string& name, TensorId x, uint64_t kernel, uint64_t stride, uint64_t padding = 0);
  TensorId avg_pool2d(const std::string& name, TensorId x, uint64_t kernel, uint64_t stride, uint64_t padding = 0);
  TensorId global_avg_pool(const std::string& name, TensorId x);
  TensorId add(const std::string& name, TensorId a, TensorId b);  // numpy broadcasting
  TensorId mul(const std::string& name, TensorId a, TensorId b);
  // Generic kinds for imported graphs. unary: one activation-class function per element.
  // elementwise: one or more operands broadcast together (numpy rules), one element per output.
  // reduce: over `axes` (negative counts from the end; empty = all), one element per input.
  // generic_vector: an op npusim does not model, one element per element of `out_shape`.
  TensorId unary(const std::string& name, TensorId x);
  TensorId elementwise(const std::string& name, const std::vector<TensorId>& xs);
  TensorId reduce(const std::string& name, TensorId x, const std::vector<int64_t>& axes, bool keepdims);
  TensorId generic_vector(const std::string& name, const std::vector<TensorId>& xs, Shape out_shape);

  // Data movement.
  TensorId upsample_nearest(const std::string& name, TensorId x, uint64_t factor);
  TensorId concat(const std::string& name, const std::vector<TensorId>& xs, int64_t axis);
  TensorId reshape(const std::string& name, TensorId x, std::vector<int64_t> shape);  // one -1 allowed
  TensorId transpose(const std::string& name, TensorId x, const std::vector<uint64_t>& perm);
  // Looks up rows of `table` ([rows, dim], a weight) for indices of shape `index_shape`: an
  // input of the run (token ids), or with `constant_indices` fixed at compile time (positions
  // 0..T-1, a relative position index), which finish() then folds into a constant.
  TensorId gather(const std::string& name, TensorId table, const Shape& index_shape, bool constant_indices = false);
  // x[..., start : start + length, ...] along `axis` (a copy of only that range).
  TensorId slice(const std::string& name, TensorId x, int64_t axis, uint64_t start, uint64_t length);

  // Makes the output of a (non-view) op a KV-cache tensor: kind kKvCache and the precision's
  // KV dtype, so the op writes it at that width and its readers count KV-cache bytes.
  void store_as_kv_cache(TensorId t);

  // Writes `out_shape` from part of x (slice, split) or a broadcast of it (expand, pad); reads
  // at most as many elements as it writes.
  TensorId copy(const std::string& name, TensorId x, Shape out_shape);

  // Folds the ops computed from weights and constants alone (a deployment compiler evaluates
  // them once: a relative-position bias gathered from its table and permuted, a mask built
  // from constants): they are dropped, and their outputs become constants (weights that are
  // not parameters). Then checks the graph is a DAG and computes the topological order. The
  // builder is spent after.
  Graph finish();

 private:
  void fold_constants();
  TensorId add_tensor(Tensor t);
  TensorId add_op(Op op, Shape out_shape, DType out_dtype);
  TensorId unary_vector(const std::string& name, OpKind kind, TensorId x, Shape out_shape, uint64_t elems);
  TensorId pool2d(const std::string& name, OpKind kind, TensorId x, uint64_t kernel, uint64_t stride, uint64_t padding);
  TensorId eltwise(const std::string& name, OpKind kind, const std::vector<TensorId>& xs);
  void check_name(const std::string& name) const;
  [[noreturn]] void fail(const std::string& op, const std::string& msg) const;
  uint64_t mul_or_fail(const std::string& op, std::initializer_list<uint64_t> factors) const;

  std::string name_;
  PrecisionSpec precision_;
  PrecisionDtypes dtypes_;
  GraphLimits limits_;
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, TensorId> by_name_;  // every tensor name, for find() and duplicates
  std::vector<Op> ops_;
  std::vector<OpId> producer_;
  std::vector<std::string> folded_;
};

}  // namespace npusim::workloads
