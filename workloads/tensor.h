#pragma once
// Tensors of the layer graph: shape, dtype and kind (weight / activation / KV cache).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "npusim/error.h"

namespace npusim::workloads {

// A user's model (YAML graph, model config, ONNX) is wrong: shapes, names, attributes.
class InputError : public UserError {
 public:
  using UserError::UserError;
};

enum class DType : uint8_t { kInt4, kInt8, kInt16, kInt32, kFp16, kBf16, kFp32 };
unsigned dtype_bits(DType d);
std::string_view dtype_name(DType d);
std::optional<DType> dtype_from_name(std::string_view name);

// Distinct kinds so DRAM traffic can be broken down by them.
enum class TensorKind : uint8_t { kWeight, kActivation, kKvCache };
inline constexpr int kNumTensorKinds = 3;
std::string_view tensor_kind_name(TensorKind k);

// Numeric precision of a run: sets the dtype of weights, activations and KV cache.
enum class Precision : uint8_t { kW8A8, kW8A16, kW4A16, kFp16 };
inline constexpr Precision kAllPrecisions[] = {Precision::kW8A8, Precision::kW8A16, Precision::kW4A16,
                                               Precision::kFp16};
struct PrecisionDtypes {
  DType weight;
  DType activation;
  DType kv_cache;
  DType bias;   // accumulator-width bias: int32 for integer weights, fp16 otherwise
  DType vocab;  // an LLM's vocabulary tables (token embedding, lm_head): the weight dtype unless overridden
};
PrecisionDtypes precision_dtypes(Precision p);
std::string_view precision_name(Precision p);
std::optional<Precision> precision_from_name(std::string_view name);

// A precision with optional per-tensor-kind dtype overrides: "w4a16,kv_cache=int8". `vocab`
// overrides the weight dtype of an LLM's vocabulary tables only (token embedding and lm_head):
// deployed 4-bit LLMs often keep them at 8 bits (AI Hub: "w4a16 + w8a16 (few layers)").
struct PrecisionSpec {
  Precision base = Precision::kW8A8;
  std::optional<DType> weight, activation, kv_cache, vocab;

  PrecisionSpec() = default;
  PrecisionSpec(Precision p) : base(p) {}  // implicit: a plain precision is a spec without overrides
  PrecisionDtypes dtypes() const;          // base dtypes with the overrides applied
  std::string name() const;                // "w4a16" or "w4a16,kv_cache=int8"
  bool operator==(const PrecisionSpec&) const = default;
};
// Parses "BASE[,KIND=DTYPE]..." with KIND one of weight, activation, kv_cache. Throws
// InputError saying what was expected, prefixed by `what` (e.g. "--precision w9a9").
PrecisionSpec parse_precision_spec(std::string_view text, std::string_view what);

using Shape = std::vector<uint64_t>;
using TensorId = uint32_t;
std::string shape_str(const Shape& s);  // "[1, 320, 64, 64]"

struct Tensor {
  std::string name;
  Shape shape;
  DType dtype = DType::kInt8;
  TensorKind kind = TensorKind::kActivation;
  uint64_t elems = 0;       // product of shape, overflow-checked at creation
  uint64_t size_bytes = 0;  // ceil(elems * bits / 8)
  // Weights only: a trained parameter (counted by param_count), or a constant the model computes
  // from its shapes (an attention mask, a zero tensor), which is read like a weight but is not one.
  bool parameter = true;
};

// Builds a tensor, checking that every dim is >= 1 and that elems and bytes fit in 64 bits.
// Throws InputError naming `what` otherwise.
Tensor make_tensor(std::string name, Shape shape, DType dtype, TensorKind kind, std::string_view what);

}  // namespace npusim::workloads
