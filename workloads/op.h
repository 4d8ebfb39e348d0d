#pragma once
// Operators of the layer graph. Loop bounds are kept so mappers can tile them; MAC and
// vector element counts are computed (overflow-checked) when the op is built.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tensor.h"

namespace npusim::workloads {

enum class OpKind : uint8_t {
  kConv2d,            // NCHW conv with stride, padding, groups
  kLinear,            // y[..., N] = x[..., K] * W[N, K]^T (+ b)
  kMatmul,            // batched, both operands activations: [.., M, K] x [.., K, N]
  kAttentionScore,    // Q[B,H,M,D] x K[B,H,N,D]^T -> S[B,H,M,N]
  kAttentionContext,  // P[B,H,M,N] x V[B,H,N,D] -> O[B,H,M,D]
  kGroupNorm,
  kLayerNorm,
  kRmsNorm,
  kSoftmax,  // over the last dim
  kSilu,
  kGelu,
  kQuickGelu,  // x * sigmoid(1.702 x), CLIP's activation
  kRelu,
  kRelu6,        // min(max(x, 0), 6), MobileNet-v2's activation
  kSigmoid,      // squeeze-excite gates (EfficientNet)
  kHardSigmoid,  // relu6(x + 3) / 6 (MobileNet-v3)
  kHardSwish,    // x * relu6(x + 3) / 6 (MobileNet-v3)
  kGeglu,        // [..., 2F] -> gelu(a) * b -> [..., F]
  kAdd,
  kMul,
  kMaxPool2d,      // NCHW window max: one vector element per window element read
  kAvgPool2d,      // NCHW window mean, padding counted as zeros (PyTorch's count_include_pad)
  kGlobalAvgPool,  // NCHW -> [N, C, 1, 1] mean over H, W: one vector element per input element
  kUpsampleNearest,
  kConcat,
  kReshape,    // a view: no data moves
  kTranspose,  // data movement
  kGather,     // embedding lookup: reads only the rows it needs
  kSlice,      // a contiguous range along one axis: reads and copies only that range
  // Generic kinds for imported graphs (ONNX) whose ops have no dedicated kind above.
  kUnary,          // elementwise function of one tensor (sigmoid, tanh, erf, sqrt, relu, ...)
  kEltwise,        // elementwise over broadcast operands (sub, div, pow, where, x + constant, ...)
  kReduce,         // reduction over axes (reduce_mean, ...): one vector element per input element
  kCopy,           // output copied from part or a broadcast of the input (slice, split, pad, expand)
  kGenericVector,  // an op npusim does not model, counted as one vector element per output element
};
std::string_view op_kind_name(OpKind k);

// What executes an op.
enum class OpClass : uint8_t { kMac, kVector, kDataMovement };
// Which per-element cost of the vector unit applies (hardware config `vector_unit.cost.*`).
enum class VectorClass : uint8_t { kNone, kNorm, kSoftmax, kActivation, kEltwise };

OpClass op_class(OpKind k);
VectorClass vector_class(OpKind k);
std::string_view op_class_name(OpClass c);
std::string_view vector_class_name(VectorClass c);

// conv2d loop bounds: out[n][k][p][q] += in[n][g*C/G + c][p*sh + r - ph][q*sw + s - pw] * w[k][c][r][s]
struct ConvBounds {
  uint64_t n = 1, c = 1, h = 1, w = 1;  // input
  uint64_t k = 1, p = 1, q = 1;         // output channels and spatial size
  uint64_t r = 1, s = 1;                // kernel
  uint64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, groups = 1;
};

// matmul-like loop bounds: out[b][m][n] += a[b][m][k] * b[b][k][n]
struct MatmulBounds {
  uint64_t batch = 1, m = 1, n = 1, k = 1;
};

using OpId = uint32_t;

struct Op {
  std::string name;
  OpKind kind = OpKind::kAdd;
  std::vector<TensorId> inputs;  // activations / KV cache first, then weights (as built)
  std::vector<TensorId> outputs;
  ConvBounds conv;            // valid for kConv2d and the window pools (k = c, r x s window, groups = c)
  MatmulBounds mm;            // valid for kLinear, kMatmul, kAttention*
  uint64_t groups = 1;        // kGroupNorm
  int64_t axis = 0;           // kConcat, kSlice
  uint64_t macs = 0;          // multiply-accumulates
  uint64_t vector_elems = 0;  // elements passed through the vector unit (cost class above)
  uint64_t moved_bytes = 0;   // kDataMovement: bytes copied (0 for a view)
  // kGather: the indices are fixed when the model is compiled (positions 0..T-1, a relative
  // position index), not an input of the run (token ids): a table lookup then folds.
  bool constant_indices = false;
};

}  // namespace npusim::workloads
