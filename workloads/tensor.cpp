#include "tensor.h"

#include "npusim/checked.h"
#include "npusim/name_table.h"

namespace npusim::workloads {

unsigned dtype_bits(DType d) {
  switch (d) {
    case DType::kInt4:
      return 4;
    case DType::kInt8:
      return 8;
    case DType::kInt16:
      return 16;
    case DType::kInt32:
      return 32;
    case DType::kFp16:
      return 16;
    case DType::kBf16:
      return 16;
    case DType::kFp32:
      return 32;
  }
  NPUSIM_ASSERT(false, "unknown dtype");
}

namespace {
// Columns: dtype, name.
constexpr Named<DType> kDtypeNames[] = {{DType::kInt4, "int4"},   {DType::kInt8, "int8"}, {DType::kInt16, "int16"},
                                        {DType::kInt32, "int32"}, {DType::kFp16, "fp16"}, {DType::kBf16, "bf16"},
                                        {DType::kFp32, "fp32"}};
// Columns: precision, name, weight, activation, KV cache, bias dtype.
struct PrecisionRow {
  Precision value;
  std::string_view name;
  PrecisionDtypes dtypes;
};
constexpr PrecisionRow kPrecisions[] = {
    {Precision::kW8A8, "w8a8", {DType::kInt8, DType::kInt8, DType::kInt8, DType::kInt32, DType::kInt8}},
    {Precision::kW8A16, "w8a16", {DType::kInt8, DType::kInt16, DType::kInt16, DType::kInt32, DType::kInt8}},
    {Precision::kW4A16, "w4a16", {DType::kInt4, DType::kInt16, DType::kInt16, DType::kInt32, DType::kInt4}},
    {Precision::kFp16, "fp16", {DType::kFp16, DType::kFp16, DType::kFp16, DType::kFp16, DType::kFp16}},
};
}  // namespace

std::string_view dtype_name(DType d) { return row_of(kDtypeNames, d).name; }
std::optional<DType> dtype_from_name(std::string_view name) { return value_named(kDtypeNames, name); }

std::string_view tensor_kind_name(TensorKind k) {
  switch (k) {
    case TensorKind::kWeight:
      return "weight";
    case TensorKind::kActivation:
      return "activation";
    case TensorKind::kKvCache:
      return "kv_cache";
  }
  NPUSIM_ASSERT(false, "unknown tensor kind");
}

PrecisionDtypes precision_dtypes(Precision p) { return row_of(kPrecisions, p).dtypes; }
std::string_view precision_name(Precision p) { return row_of(kPrecisions, p).name; }
std::optional<Precision> precision_from_name(std::string_view name) { return value_named(kPrecisions, name); }

PrecisionDtypes PrecisionSpec::dtypes() const {
  PrecisionDtypes d = precision_dtypes(base);
  if (weight) d.weight = *weight;
  if (activation) d.activation = *activation;
  if (kv_cache) d.kv_cache = *kv_cache;
  // Bias at accumulator width: int32 after integer weights, fp16 after float weights.
  bool float_weights = d.weight == DType::kFp16 || d.weight == DType::kBf16 || d.weight == DType::kFp32;
  d.bias = float_weights ? DType::kFp16 : DType::kInt32;
  d.vocab = vocab ? *vocab : d.weight;
  return d;
}

std::string PrecisionSpec::name() const {
  std::string s(precision_name(base));
  if (weight) s += ",weight=" + std::string(dtype_name(*weight));
  if (activation) s += ",activation=" + std::string(dtype_name(*activation));
  if (kv_cache) s += ",kv_cache=" + std::string(dtype_name(*kv_cache));
  if (vocab) s += ",vocab=" + std::string(dtype_name(*vocab));
  return s;
}

PrecisionSpec parse_precision_spec(std::string_view text, std::string_view what) {
  const std::string rule =
      "expected BASE[,KIND=DTYPE]... with BASE one of w8a8, w8a16, w4a16, fp16, KIND one of weight, activation, "
      "kv_cache, vocab (an LLM's embedding and lm_head tables) and DTYPE one of int4, int8, int16, int32, fp16, bf16, "
      "fp32 (e.g. w4a16,kv_cache=int8)";
  auto fail = [&](const std::string& why) -> PrecisionSpec {
    throw InputError(std::string(what) + ": " + why + "; " + rule);
  };
  PrecisionSpec spec;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (first) {
      auto p = precision_from_name(part);
      if (!p) return fail("unknown precision '" + std::string(part) + "'");
      spec.base = *p;
      first = false;
    } else {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) return fail("override '" + std::string(part) + "' has no '='");
      std::string_view kind = part.substr(0, eq), dt = part.substr(eq + 1);
      auto d = dtype_from_name(dt);
      if (!d) return fail("unknown dtype '" + std::string(dt) + "'");
      std::optional<DType>* slot = kind == "weight"       ? &spec.weight
                                   : kind == "activation" ? &spec.activation
                                   : kind == "kv_cache"   ? &spec.kv_cache
                                   : kind == "vocab"      ? &spec.vocab
                                                          : nullptr;
      if (!slot) return fail("unknown tensor kind '" + std::string(kind) + "'");
      if (*slot) return fail("'" + std::string(kind) + "' is overridden twice");
      *slot = *d;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return spec;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

Tensor make_tensor(std::string name, Shape shape, DType dtype, TensorKind kind, std::string_view what) {
  uint64_t elems = 1;
  for (uint64_t d : shape) {
    if (d == 0)
      throw InputError(std::string(what) + ": tensor '" + name + "' has shape " + shape_str(shape) +
                       ": every dimension must be >= 1");
    auto e = checked_mul(elems, d);
    if (!e)
      throw InputError(std::string(what) + ": tensor '" + name + "' has shape " + shape_str(shape) +
                       ": element count overflows 64 bits");
    elems = *e;
  }
  auto bits = checked_mul(elems, dtype_bits(dtype));
  if (!bits)
    throw InputError(std::string(what) + ": tensor '" + name + "' has shape " + shape_str(shape) +
                     ": byte count overflows 64 bits");
  Tensor t{std::move(name), std::move(shape), dtype, kind, elems, ceil_div(*bits, 8)};
  return t;
}

}  // namespace npusim::workloads
