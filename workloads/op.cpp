#include "op.h"

#include "npusim/name_table.h"

namespace npusim::workloads {

namespace {
// Columns: kind, name, class, vector cost class.
struct OpRow {
  OpKind value;
  std::string_view name;
  OpClass cls;
  VectorClass vcls;
};
constexpr OpRow kOps[] = {
    {OpKind::kConv2d, "conv2d", OpClass::kMac, VectorClass::kNone},
    {OpKind::kLinear, "linear", OpClass::kMac, VectorClass::kNone},
    {OpKind::kMatmul, "matmul", OpClass::kMac, VectorClass::kNone},
    {OpKind::kAttentionScore, "attention_score", OpClass::kMac, VectorClass::kNone},
    {OpKind::kAttentionContext, "attention_context", OpClass::kMac, VectorClass::kNone},
    {OpKind::kGroupNorm, "group_norm", OpClass::kVector, VectorClass::kNorm},
    {OpKind::kLayerNorm, "layer_norm", OpClass::kVector, VectorClass::kNorm},
    {OpKind::kRmsNorm, "rms_norm", OpClass::kVector, VectorClass::kNorm},
    {OpKind::kSoftmax, "softmax", OpClass::kVector, VectorClass::kSoftmax},
    {OpKind::kSilu, "silu", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kGelu, "gelu", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kQuickGelu, "quick_gelu", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kGeglu, "geglu", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kRelu, "relu", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kRelu6, "relu6", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kSigmoid, "sigmoid", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kHardSigmoid, "hard_sigmoid", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kHardSwish, "hard_swish", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kAdd, "add", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kMul, "mul", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kMaxPool2d, "max_pool2d", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kAvgPool2d, "avg_pool2d", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kGlobalAvgPool, "global_avg_pool", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kUpsampleNearest, "upsample_nearest", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kConcat, "concat", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kReshape, "reshape", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kTranspose, "transpose", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kGather, "gather", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kSlice, "slice", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kUnary, "unary", OpClass::kVector, VectorClass::kActivation},
    {OpKind::kEltwise, "eltwise", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kReduce, "reduce", OpClass::kVector, VectorClass::kEltwise},
    {OpKind::kCopy, "copy", OpClass::kDataMovement, VectorClass::kNone},
    {OpKind::kGenericVector, "generic_vector", OpClass::kVector, VectorClass::kEltwise},
};

const OpRow& row(OpKind k) { return row_of(kOps, k); }
}  // namespace

std::string_view op_kind_name(OpKind k) { return row(k).name; }
OpClass op_class(OpKind k) { return row(k).cls; }
VectorClass vector_class(OpKind k) { return row(k).vcls; }

std::string_view op_class_name(OpClass c) {
  switch (c) {
    case OpClass::kMac:
      return "mac";
    case OpClass::kVector:
      return "vector";
    case OpClass::kDataMovement:
      return "data_movement";
  }
  NPUSIM_ASSERT(false, "unknown op class");
}

std::string_view vector_class_name(VectorClass c) {
  switch (c) {
    case VectorClass::kNone:
      return "none";
    case VectorClass::kNorm:
      return "norm";
    case VectorClass::kSoftmax:
      return "softmax";
    case VectorClass::kActivation:
      return "activation";
    case VectorClass::kEltwise:
      return "eltwise";
  }
  NPUSIM_ASSERT(false, "unknown vector class");
}

}  // namespace npusim::workloads
