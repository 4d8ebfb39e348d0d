#include <algorithm>
#include <unordered_set>

#include "graph.h"
#include "npusim/checked.h"
#include "npusim/text.h"

namespace npusim::workloads {

namespace {
Op new_op(const std::string& name, OpKind kind) {
  Op op;
  op.name = name;
  op.kind = kind;
  return op;
}
}  // namespace

GraphBuilder::GraphBuilder(std::string name, const PrecisionSpec& precision, GraphLimits limits)
    : name_(std::move(name)), precision_(precision), dtypes_(precision.dtypes()), limits_(limits) {
  if (!valid_utf8(name_) || std::any_of(name_.begin(), name_.end(), [](char c) { return c >= 0 && c < 0x20; }))
    throw InputError("graph name '" + escape_bytes(name_) + "' is not printable UTF-8 text");
}

void GraphBuilder::fail(const std::string& op, const std::string& msg) const {
  throw InputError("graph '" + name_ + "': op '" + op + "': " + msg);
}

uint64_t GraphBuilder::mul_or_fail(const std::string& op, std::initializer_list<uint64_t> factors) const {
  uint64_t r = 1;
  for (uint64_t f : factors) {
    auto m = checked_mul(r, f);
    if (!m) fail(op, "operation count overflows 64 bits");
    r = *m;
  }
  return r;
}

std::optional<TensorId> GraphBuilder::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? std::nullopt : std::optional<TensorId>(it->second);
}

void GraphBuilder::check_name(const std::string& name) const {
  if (name.empty()) throw InputError("graph '" + name_ + "': an op or tensor has an empty name");
  // Names reach JSON, CSV and terminals: control characters and broken UTF-8 stop here.
  if (!valid_utf8(name) || std::any_of(name.begin(), name.end(), [](char c) { return c >= 0 && c < 0x20; }))
    throw InputError("graph '" + escape_bytes(name_) + "': name '" + escape_bytes(name) +
                     "' is not printable UTF-8 text");
  if (find(name)) throw InputError("graph '" + name_ + "': name '" + name + "' is used twice");
}

TensorId GraphBuilder::add_tensor(Tensor t) {
  if (t.size_bytes > limits_.max_tensor_bytes)
    throw InputError("graph '" + name_ + "': tensor '" + t.name + "' " + shape_str(t.shape) + " is " +
                     std::to_string(t.size_bytes) + " bytes, more than the limit of " +
                     std::to_string(limits_.max_tensor_bytes) +
                     " bytes per tensor (a typo in a size?); raise it with --max-tensor-bytes N");
  by_name_.emplace(t.name, static_cast<TensorId>(tensors_.size()));
  tensors_.push_back(std::move(t));
  producer_.push_back(kNoOp);
  return static_cast<TensorId>(tensors_.size() - 1);
}

TensorId GraphBuilder::input(const std::string& name, Shape shape, TensorKind kind) {
  check_name(name);
  DType dt = kind == TensorKind::kKvCache  ? dtypes_.kv_cache
             : kind == TensorKind::kWeight ? dtypes_.weight
                                           : dtypes_.activation;
  return add_tensor(make_tensor(name, std::move(shape), dt, kind, "graph '" + name_ + "'"));
}

TensorId GraphBuilder::weight(const std::string& name, Shape shape) {
  return input(name, std::move(shape), TensorKind::kWeight);
}

TensorId GraphBuilder::vocab_weight(const std::string& name, Shape shape) {
  check_name(name);
  return add_tensor(make_tensor(name, std::move(shape), dtypes_.vocab, TensorKind::kWeight, "graph '" + name_ + "'"));
}

TensorId GraphBuilder::constant(const std::string& name, Shape shape) {
  check_name(name);
  Tensor t = make_tensor(name, std::move(shape), dtypes_.weight, TensorKind::kWeight, "graph '" + name_ + "'");
  t.parameter = false;
  return add_tensor(std::move(t));
}

TensorId GraphBuilder::bias(const std::string& name, Shape shape) {
  check_name(name);
  return add_tensor(make_tensor(name, std::move(shape), dtypes_.bias, TensorKind::kWeight, "graph '" + name_ + "'"));
}

TensorId GraphBuilder::add_op(Op op, Shape out_shape, DType out_dtype) {
  if (ops_.size() >= limits_.max_ops)
    throw InputError("graph '" + name_ + "': more than " + std::to_string(limits_.max_ops) +
                     " ops, the limit on a graph's size (a typo in a layer count?); raise it with --max-ops N");
  check_name(op.name);
  for (TensorId in : op.inputs) NPUSIM_ASSERT(in < tensors_.size(), "op input refers to an unknown tensor");
  TensorId out = add_tensor(make_tensor(op.name, std::move(out_shape), out_dtype, TensorKind::kActivation,
                                        "graph '" + name_ + "': op '" + op.name + "'"));
  producer_[out] = static_cast<OpId>(ops_.size());
  op.outputs.push_back(out);
  if (op.kind == OpKind::kTranspose || op.kind == OpKind::kConcat || op.kind == OpKind::kUpsampleNearest ||
      op.kind == OpKind::kGather || op.kind == OpKind::kSlice || op.kind == OpKind::kCopy)
    op.moved_bytes = tensors_[out].size_bytes;
  ops_.push_back(std::move(op));
  return out;
}

TensorId GraphBuilder::conv2d(const std::string& name, TensorId x, uint64_t out_channels, uint64_t kernel_h,
                              uint64_t kernel_w, uint64_t stride, uint64_t padding, uint64_t groups, bool with_bias) {
  const Shape& s = shape(x);
  if (s.size() != 4) fail(name, "conv2d input must be NCHW (4 dims), got " + shape_str(s));
  if (stride == 0) fail(name, "stride must be >= 1");
  if (groups == 0 || out_channels == 0 || kernel_h == 0 || kernel_w == 0)
    fail(name, "groups, out_channels and kernel must be >= 1");
  if (s[1] % groups != 0 || out_channels % groups != 0)
    fail(name, "groups = " + std::to_string(groups) + " must divide in_channels = " + std::to_string(s[1]) +
                   " and out_channels = " + std::to_string(out_channels));
  ConvBounds b;
  b.n = s[0], b.c = s[1], b.h = s[2], b.w = s[3];
  b.k = out_channels, b.r = kernel_h, b.s = kernel_w;
  b.stride_h = b.stride_w = stride, b.pad_h = b.pad_w = padding, b.groups = groups;
  auto padded_h = checked_add(b.h, 2 * padding), padded_w = checked_add(b.w, 2 * padding);
  if (padding > (UINT64_MAX >> 2) || !padded_h || !padded_w) fail(name, "padding overflows");
  if (*padded_h < kernel_h || *padded_w < kernel_w)
    fail(name, "kernel " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) +
                   " is larger than the padded input " + std::to_string(*padded_h) + "x" + std::to_string(*padded_w));
  b.p = (*padded_h - kernel_h) / stride + 1;
  b.q = (*padded_w - kernel_w) / stride + 1;
  Op op = new_op(name, OpKind::kConv2d);
  op.conv = b;
  op.macs = mul_or_fail(name, {b.n, b.k, b.p, b.q, b.c / groups, b.r, b.s});
  op.inputs.push_back(x);
  op.inputs.push_back(weight(name + ".weight", {out_channels, b.c / groups, kernel_h, kernel_w}));
  if (with_bias) op.inputs.push_back(bias(name + ".bias", {out_channels}));
  return add_op(std::move(op), {b.n, b.k, b.p, b.q}, dtypes_.activation);
}

TensorId GraphBuilder::conv1d(const std::string& name, TensorId x, uint64_t out_channels, uint64_t kernel,
                              uint64_t stride, uint64_t padding, bool with_bias) {
  const Shape s = shape(x);
  if (s.size() != 4 || s[2] != 1) fail(name, "conv1d input must be [N, C, 1, L], got " + shape_str(s));
  if (stride == 0 || out_channels == 0 || kernel == 0) fail(name, "stride, out_channels and kernel must be >= 1");
  if (padding > (UINT64_MAX >> 2) || s[3] + 2 * padding < kernel)
    fail(name, "kernel " + std::to_string(kernel) + " is larger than the padded input " + shape_str(s));
  ConvBounds b;
  b.n = s[0], b.c = s[1], b.h = 1, b.w = s[3];
  b.k = out_channels, b.r = 1, b.s = kernel;
  b.stride_h = 1, b.stride_w = stride, b.pad_h = 0, b.pad_w = padding;
  b.p = 1;
  b.q = (s[3] + 2 * padding - kernel) / stride + 1;
  Op op = new_op(name, OpKind::kConv2d);
  op.conv = b;
  op.macs = mul_or_fail(name, {b.n, b.k, b.q, b.c, kernel});
  op.inputs.push_back(x);
  op.inputs.push_back(weight(name + ".weight", {out_channels, b.c, 1, kernel}));
  if (with_bias) op.inputs.push_back(bias(name + ".bias", {out_channels}));
  return add_op(std::move(op), {b.n, b.k, 1, b.q}, dtypes_.activation);
}

TensorId GraphBuilder::linear(const std::string& name, TensorId x, uint64_t out_features, bool with_bias) {
  const Shape& s = shape(x);
  if (s.empty()) fail(name, "linear input must have at least one dim");
  if (out_features == 0) fail(name, "out_features must be >= 1");
  uint64_t rows = tensor(x).elems / s.back();
  Op op = new_op(name, OpKind::kLinear);
  op.mm = {.batch = 1, .m = rows, .n = out_features, .k = s.back()};
  op.macs = mul_or_fail(name, {rows, out_features, s.back()});
  Shape out = s;
  out.back() = out_features;
  op.inputs.push_back(x);
  op.inputs.push_back(weight(name + ".weight", {out_features, s.back()}));
  if (with_bias) op.inputs.push_back(bias(name + ".bias", {out_features}));
  return add_op(std::move(op), std::move(out), dtypes_.activation);
}

TensorId GraphBuilder::linear_shared(const std::string& name, TensorId x, TensorId w) {
  const Shape &s = shape(x), &sw = shape(w);
  if (s.empty()) fail(name, "linear input must have at least one dim");
  if (tensor(w).kind != TensorKind::kWeight || sw.size() != 2 || sw[1] != s.back())
    fail(name, "shared weight '" + tensor(w).name + "' must be a [out, " + std::to_string(s.back()) + "] weight, got " +
                   shape_str(sw));
  uint64_t rows = tensor(x).elems / s.back();
  Op op = new_op(name, OpKind::kLinear);
  op.mm = {.batch = 1, .m = rows, .n = sw[0], .k = s.back()};
  op.macs = mul_or_fail(name, {rows, sw[0], s.back()});
  Shape out = s;
  out.back() = sw[0];
  op.inputs = {x, w};
  return add_op(std::move(op), std::move(out), dtypes_.activation);
}

namespace {
// Batch dims of two matmul operands must match exactly (no broadcasting across batch).
bool same_batch(const Shape& a, const Shape& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end() - 2, b.begin());
}
uint64_t batch_of(const Shape& a) {
  uint64_t r = 1;
  for (size_t i = 0; i + 2 < a.size(); ++i) r *= a[i];  // bounded by the tensor's checked elems
  return r;
}
}  // namespace

TensorId GraphBuilder::matmul(const std::string& name, TensorId a, TensorId b, bool transpose_b) {
  const Shape &sa = shape(a), &sb = shape(b);
  if (sa.size() < 2 || !same_batch(sa, sb))
    fail(name, "matmul operands need >= 2 dims and equal batch dims, got " + shape_str(sa) + " and " + shape_str(sb));
  uint64_t m = sa[sa.size() - 2], k = sa.back();
  uint64_t kb = transpose_b ? sb.back() : sb[sb.size() - 2];
  uint64_t n = transpose_b ? sb[sb.size() - 2] : sb.back();
  if (k != kb) fail(name, "inner dims differ: " + shape_str(sa) + " x " + shape_str(sb) + (transpose_b ? "^T" : ""));
  Op op = new_op(name, OpKind::kMatmul);
  op.mm = {.batch = batch_of(sa), .m = m, .n = n, .k = k};
  op.macs = mul_or_fail(name, {op.mm.batch, m, n, k});
  op.inputs = {a, b};
  Shape out = sa;
  out.back() = n;
  return add_op(std::move(op), std::move(out), dtypes_.activation);
}

TensorId GraphBuilder::attention_score(const std::string& name, TensorId q, TensorId k) {
  const Shape &sq = shape(q), &sk = shape(k);
  if (sq.size() != 4 || sk.size() != 4 || sq[0] != sk[0] || sq[1] != sk[1] || sq[3] != sk[3])
    fail(name, "attention_score needs Q [B,H,M,D] and K [B,H,N,D], got " + shape_str(sq) + " and " + shape_str(sk));
  Op op = new_op(name, OpKind::kAttentionScore);
  op.mm = {.batch = sq[0] * sq[1], .m = sq[2], .n = sk[2], .k = sq[3]};
  op.macs = mul_or_fail(name, {sq[0], sq[1], sq[2], sk[2], sq[3]});
  op.inputs = {q, k};
  return add_op(std::move(op), {sq[0], sq[1], sq[2], sk[2]}, dtypes_.activation);
}

TensorId GraphBuilder::attention_context(const std::string& name, TensorId probs, TensorId v) {
  const Shape &sp = shape(probs), &sv = shape(v);
  if (sp.size() != 4 || sv.size() != 4 || sp[0] != sv[0] || sp[1] != sv[1] || sp[3] != sv[2])
    fail(name, "attention_context needs P [B,H,M,N] and V [B,H,N,D], got " + shape_str(sp) + " and " + shape_str(sv));
  Op op = new_op(name, OpKind::kAttentionContext);
  op.mm = {.batch = sp[0] * sp[1], .m = sp[2], .n = sv[3], .k = sp[3]};
  op.macs = mul_or_fail(name, {sp[0], sp[1], sp[2], sp[3], sv[3]});
  op.inputs = {probs, v};
  return add_op(std::move(op), {sp[0], sp[1], sp[2], sv[3]}, dtypes_.activation);
}

TensorId GraphBuilder::unary_vector(const std::string& name, OpKind kind, TensorId x, Shape out_shape, uint64_t elems) {
  Op op = new_op(name, kind);
  op.vector_elems = elems;
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(out_shape), dtypes_.activation);
}

TensorId GraphBuilder::group_norm(const std::string& name, TensorId x, uint64_t groups, bool affine) {
  const Shape& s = shape(x);
  if (s.size() < 2) fail(name, "group_norm input needs a channel dim (N, C, ...), got " + shape_str(s));
  if (groups == 0 || s[1] % groups != 0)
    fail(name, "groups = " + std::to_string(groups) + " must divide channels = " + std::to_string(s[1]));
  Op op = new_op(name, OpKind::kGroupNorm);
  op.groups = groups;
  op.vector_elems = tensor(x).elems;
  op.inputs.push_back(x);
  if (affine) {
    op.inputs.push_back(weight(name + ".weight", {s[1]}));
    op.inputs.push_back(weight(name + ".bias", {s[1]}));
  }
  return add_op(std::move(op), s, dtypes_.activation);
}

TensorId GraphBuilder::layer_norm(const std::string& name, TensorId x, bool affine) {
  const Shape& s = shape(x);
  if (s.empty()) fail(name, "layer_norm input needs at least one dim");
  Op op = new_op(name, OpKind::kLayerNorm);
  op.vector_elems = tensor(x).elems;
  op.inputs.push_back(x);
  if (affine) {
    op.inputs.push_back(weight(name + ".weight", {s.back()}));
    op.inputs.push_back(weight(name + ".bias", {s.back()}));
  }
  return add_op(std::move(op), s, dtypes_.activation);
}

TensorId GraphBuilder::rms_norm(const std::string& name, TensorId x, bool affine) {
  const Shape& s = shape(x);
  if (s.empty()) fail(name, "rms_norm input needs at least one dim");
  Op op = new_op(name, OpKind::kRmsNorm);
  op.vector_elems = tensor(x).elems;
  op.inputs.push_back(x);
  if (affine) op.inputs.push_back(weight(name + ".weight", {s.back()}));
  return add_op(std::move(op), s, dtypes_.activation);
}

TensorId GraphBuilder::softmax(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kSoftmax, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::silu(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kSilu, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::gelu(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kGelu, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::quick_gelu(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kQuickGelu, x, shape(x), tensor(x).elems);
}

TensorId GraphBuilder::relu(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kRelu, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::relu6(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kRelu6, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::sigmoid(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kSigmoid, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::hard_sigmoid(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kHardSigmoid, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::hard_swish(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kHardSwish, x, shape(x), tensor(x).elems);
}

TensorId GraphBuilder::pool2d(const std::string& name, OpKind kind, TensorId x, uint64_t kernel, uint64_t stride,
                              uint64_t padding) {
  const Shape s = shape(x);
  if (s.size() != 4) fail(name, "pooling input must be NCHW (4 dims), got " + shape_str(s));
  if (kernel == 0 || stride == 0) fail(name, "kernel and stride must be >= 1");
  // PyTorch: padding at most half the kernel, so every window holds an input element.
  if (padding > kernel / 2 || padding > (UINT64_MAX >> 2))
    fail(name, "padding = " + std::to_string(padding) + " must be at most half the kernel " + std::to_string(kernel));
  if (s[2] + 2 * padding < kernel || s[3] + 2 * padding < kernel)
    fail(name, "kernel " + std::to_string(kernel) + " is larger than the padded input " + shape_str(s));
  ConvBounds b;
  b.n = s[0], b.c = s[1], b.h = s[2], b.w = s[3], b.k = s[1], b.groups = s[1];
  b.r = b.s = kernel, b.stride_h = b.stride_w = stride, b.pad_h = b.pad_w = padding;
  b.p = (s[2] + 2 * padding - kernel) / stride + 1;
  b.q = (s[3] + 2 * padding - kernel) / stride + 1;
  Op op = new_op(name, kind);
  op.conv = b;
  op.vector_elems = mul_or_fail(name, {b.n, b.c, b.p, b.q, kernel, kernel});
  op.inputs.push_back(x);
  return add_op(std::move(op), {b.n, b.c, b.p, b.q}, dtypes_.activation);
}
TensorId GraphBuilder::max_pool2d(const std::string& name, TensorId x, uint64_t kernel, uint64_t stride,
                                  uint64_t padding) {
  return pool2d(name, OpKind::kMaxPool2d, x, kernel, stride, padding);
}
TensorId GraphBuilder::avg_pool2d(const std::string& name, TensorId x, uint64_t kernel, uint64_t stride,
                                  uint64_t padding) {
  return pool2d(name, OpKind::kAvgPool2d, x, kernel, stride, padding);
}
TensorId GraphBuilder::global_avg_pool(const std::string& name, TensorId x) {
  const Shape s = shape(x);
  if (s.size() != 4) fail(name, "global_avg_pool input must be NCHW (4 dims), got " + shape_str(s));
  return unary_vector(name, OpKind::kGlobalAvgPool, x, {s[0], s[1], 1, 1}, tensor(x).elems);
}

TensorId GraphBuilder::geglu(const std::string& name, TensorId x) {
  Shape s = shape(x);
  if (s.empty() || s.back() % 2 != 0) fail(name, "geglu needs an even last dim, got " + shape_str(s));
  s.back() /= 2;
  uint64_t out_elems = tensor(x).elems / 2;  // one gelu and one multiply per output element
  return unary_vector(name, OpKind::kGeglu, x, std::move(s), out_elems);
}

TensorId GraphBuilder::eltwise(const std::string& name, OpKind kind, const std::vector<TensorId>& xs) {
  if (xs.empty()) fail(name, "an elementwise op needs at least one operand");
  size_t rank = 0;
  for (TensorId x : xs) rank = std::max(rank, shape(x).size());
  Shape out(rank, 1);
  for (TensorId x : xs) {
    const Shape& s = shape(x);
    for (size_t i = 0; i < s.size(); ++i) {
      uint64_t& o = out[rank - s.size() + i];
      if (s[i] != o && s[i] != 1 && o != 1) {
        std::string shapes;
        for (TensorId y : xs) shapes += (shapes.empty() ? "" : " and ") + shape_str(shape(y));
        fail(name, "shapes " + shapes + " do not broadcast");
      }
      o = std::max(o, s[i]);
    }
  }
  Op op = new_op(name, kind);
  op.inputs = xs;
  TensorId out_id = add_op(std::move(op), std::move(out), dtypes_.activation);
  ops_.back().vector_elems = tensors_[out_id].elems;
  return out_id;
}

TensorId GraphBuilder::add(const std::string& name, TensorId a, TensorId b) {
  return eltwise(name, OpKind::kAdd, {a, b});
}
TensorId GraphBuilder::mul(const std::string& name, TensorId a, TensorId b) {
  return eltwise(name, OpKind::kMul, {a, b});
}
TensorId GraphBuilder::unary(const std::string& name, TensorId x) {
  return unary_vector(name, OpKind::kUnary, x, shape(x), tensor(x).elems);
}
TensorId GraphBuilder::elementwise(const std::string& name, const std::vector<TensorId>& xs) {
  return eltwise(name, OpKind::kEltwise, xs);
}

TensorId GraphBuilder::reduce(const std::string& name, TensorId x, const std::vector<int64_t>& axes, bool keepdims) {
  const Shape& s = shape(x);
  const int64_t rank = static_cast<int64_t>(s.size());
  std::vector<bool> reduced(s.size(), axes.empty());
  for (int64_t a : axes) {
    int64_t ax = a < 0 ? a + rank : a;
    if (ax < 0 || ax >= rank)
      fail(name, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    reduced[ax] = true;
  }
  Shape out;
  for (size_t i = 0; i < s.size(); ++i)
    if (!reduced[i])
      out.push_back(s[i]);
    else if (keepdims)
      out.push_back(1);
  return unary_vector(name, OpKind::kReduce, x, std::move(out), tensor(x).elems);
}

TensorId GraphBuilder::generic_vector(const std::string& name, const std::vector<TensorId>& xs, Shape out_shape) {
  Op op = new_op(name, OpKind::kGenericVector);
  op.inputs = xs;
  TensorId out_id = add_op(std::move(op), std::move(out_shape), dtypes_.activation);
  ops_.back().vector_elems = tensors_[out_id].elems;
  return out_id;
}

TensorId GraphBuilder::upsample_nearest(const std::string& name, TensorId x, uint64_t factor) {
  Shape s = shape(x);
  if (s.size() != 4) fail(name, "upsample_nearest input must be NCHW, got " + shape_str(s));
  if (factor == 0) fail(name, "factor must be >= 1");
  s[2] = mul_or_fail(name, {s[2], factor});
  s[3] = mul_or_fail(name, {s[3], factor});
  Op op = new_op(name, OpKind::kUpsampleNearest);
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(s), tensor(x).dtype);
}

TensorId GraphBuilder::concat(const std::string& name, const std::vector<TensorId>& xs, int64_t axis) {
  if (xs.size() < 2) fail(name, "concat needs at least two inputs");
  Shape out = shape(xs[0]);
  int64_t rank = static_cast<int64_t>(out.size());
  int64_t ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank)
    fail(name, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  for (size_t i = 1; i < xs.size(); ++i) {
    const Shape& s = shape(xs[i]);
    bool ok = s.size() == out.size();
    for (int64_t d = 0; ok && d < rank; ++d) ok = d == ax || s[d] == out[d];
    if (!ok)
      fail(name, "concat inputs " + shape_str(out) + " and " + shape_str(s) + " differ off axis " + std::to_string(ax));
    auto sum = checked_add(out[ax], s[ax]);
    if (!sum) fail(name, "concat size overflows");
    out[ax] = *sum;
  }
  Op op = new_op(name, OpKind::kConcat);
  op.axis = ax;
  op.inputs = xs;
  return add_op(std::move(op), std::move(out), tensor(xs[0]).dtype);
}

TensorId GraphBuilder::reshape(const std::string& name, TensorId x, std::vector<int64_t> dims) {
  uint64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0) fail(name, "reshape allows at most one -1");
      infer = static_cast<int>(i);
    } else if (dims[i] <= 0) {
      fail(name, "reshape dims must be >= 1 or -1, got " + std::to_string(dims[i]));
    } else {
      known = mul_or_fail(name, {known, static_cast<uint64_t>(dims[i])});
    }
  }
  uint64_t elems = tensor(x).elems;
  Shape out(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) out[i] = static_cast<uint64_t>(dims[i]);
  if (infer >= 0) {
    if (elems % known != 0) fail(name, "cannot infer -1: " + std::to_string(elems) + " elements");
    out[infer] = elems / known;
    known = elems;
  }
  if (known != elems)
    fail(name, "reshape of " + shape_str(shape(x)) + " to " + shape_str(out) + " changes the element count");
  Op op = new_op(name, OpKind::kReshape);
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(out), tensor(x).dtype);
}

TensorId GraphBuilder::transpose(const std::string& name, TensorId x, const std::vector<uint64_t>& perm) {
  const Shape& s = shape(x);
  std::vector<uint64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool ok = perm.size() == s.size();
  for (size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == i;
  if (!ok) fail(name, "perm must be a permutation of 0.." + std::to_string(s.size()) + "-1");
  Shape out(s.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = s[perm[i]];
  Op op = new_op(name, OpKind::kTranspose);
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(out), tensor(x).dtype);
}

TensorId GraphBuilder::gather(const std::string& name, TensorId table, const Shape& index_shape,
                              bool constant_indices) {
  const Shape& s = shape(table);
  if (s.size() != 2 || tensor(table).kind != TensorKind::kWeight)
    fail(name, "gather needs a [rows, dim] weight table, got " + shape_str(s));
  Shape out = index_shape;
  out.push_back(s[1]);
  Op op = new_op(name, OpKind::kGather);
  op.inputs.push_back(table);
  op.constant_indices = constant_indices;
  return add_op(std::move(op), std::move(out), dtypes_.activation);
}

TensorId GraphBuilder::slice(const std::string& name, TensorId x, int64_t axis, uint64_t start, uint64_t length) {
  Shape out = shape(x);
  int64_t rank = static_cast<int64_t>(out.size());
  int64_t ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank)
    fail(name, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (length == 0 || start >= out[ax] || length > out[ax] - start)
    fail(name, "range [" + std::to_string(start) + ", " + std::to_string(start) + " + " + std::to_string(length) +
                   ") is empty or outside dim " + std::to_string(ax) + " of " + shape_str(out));
  out[ax] = length;
  Op op = new_op(name, OpKind::kSlice);
  op.axis = ax;
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(out), tensor(x).dtype);
}

void GraphBuilder::store_as_kv_cache(TensorId t) {
  NPUSIM_ASSERT(t < tensors_.size(), "store_as_kv_cache of an unknown tensor");
  const Tensor& old = tensors_[t];
  if (producer_[t] == kNoOp || ops_[producer_[t]].kind == OpKind::kReshape)
    fail(old.name, "only the output of an op that writes data can be stored as KV cache");
  tensors_[t] = make_tensor(old.name, old.shape, dtypes_.kv_cache, TensorKind::kKvCache, "graph '" + name_ + "'");
  Op& op = ops_[producer_[t]];
  if (op_class(op.kind) == OpClass::kDataMovement) op.moved_bytes = tensors_[t].size_bytes;  // now at the KV dtype
}

TensorId GraphBuilder::copy(const std::string& name, TensorId x, Shape out_shape) {
  Op op = new_op(name, OpKind::kCopy);
  op.inputs.push_back(x);
  return add_op(std::move(op), std::move(out_shape), tensor(x).dtype);
}

}  // namespace npusim::workloads
