// Bounds-checked decoding of ONNX tensors (initializers and Constant values), and the node
// context the shape rules read their operands and attributes through.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "npusim/checked.h"
#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

using TP = onnx::TensorProto;

bool is_integral(int elem) {
  switch (elem) {
    case TP::UINT8:
    case TP::INT8:
    case TP::UINT16:
    case TP::INT16:
    case TP::INT32:
    case TP::INT64:
    case TP::BOOL:
    case TP::UINT32:
    case TP::UINT64:
      return true;
    default:
      return false;
  }
}

bool is_real(int elem) {
  return elem == TP::FLOAT || elem == TP::DOUBLE || elem == TP::FLOAT16 || elem == TP::BFLOAT16;
}

std::string elem_name(int elem) {
  return TP::DataType_IsValid(elem) ? TP::DataType_Name(static_cast<TP::DataType>(elem))
                                    : "type " + std::to_string(elem);
}

uint64_t elem_count(const Shape& s) {
  uint64_t n = 1;
  for (uint64_t d : s) {
    auto p = checked_mul(n, d);
    if (!p) return 0;
    n = *p;
  }
  return n;
}

namespace {

// Bytes per element in raw_data; 0 for types npusim does not decode (strings, complex, 4-bit).
size_t raw_size(int elem) {
  switch (elem) {
    case TP::UINT8:
    case TP::INT8:
    case TP::BOOL:
      return 1;
    case TP::UINT16:
    case TP::INT16:
    case TP::FLOAT16:
    case TP::BFLOAT16:
      return 2;
    case TP::INT32:
    case TP::UINT32:
    case TP::FLOAT:
      return 4;
    case TP::INT64:
    case TP::UINT64:
    case TP::DOUBLE:
      return 8;
    default:
      return 0;
  }
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // ONNX raw data is little-endian, as is every host npusim builds on
  return v;
}

double half_to_double(uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (e == 0) return sign * std::ldexp(m, -24);
  if (e == 31) return m ? NAN : sign * INFINITY;
  return sign * std::ldexp(m + 1024, e - 25);
}

}  // namespace

size_t elem_bytes(int elem) { return std::max<size_t>(raw_size(elem), 1); }

Val decode_tensor(const TP& t, const std::string& what) {
  Val v;
  v.elem = t.data_type();
  uint64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) throw InputError(what + " has a negative dim " + std::to_string(d));
    auto p = checked_mul(n, static_cast<uint64_t>(d));
    if (!p) throw InputError(what + ": the element count of its dims overflows 64 bits");
    n = *p;
    v.shape.push_back(static_cast<uint64_t>(d));
  }
  if (t.data_location() == TP::EXTERNAL) return v;  // never read
  const std::string& raw = t.raw_data();
  const size_t es = raw_size(v.elem);
  if (!raw.empty()) {
    if (es == 0) return v;
    auto bytes = checked_mul(n, es);
    if (!bytes || raw.size() != *bytes)
      throw InputError(what + ": raw_data holds " + std::to_string(raw.size()) + " bytes but " + elem_name(v.elem) +
                       " " + shape_str(v.shape) + " needs " + (bytes ? std::to_string(*bytes) : "more than 2^64") +
                       " (" + std::to_string(es) + " per element)");
    v.all_zero = raw.find_first_not_of('\0') == std::string::npos;
    if (n > kMaxFoldElems) return v;
    v.has_data = true;
    for (size_t k = 0; k < n; ++k) {
      const char* p = raw.data() + k * es;
      switch (v.elem) {
        case TP::UINT8:
        case TP::BOOL:
          v.ints.push_back(load<uint8_t>(p));
          break;
        case TP::INT8:
          v.ints.push_back(load<int8_t>(p));
          break;
        case TP::UINT16:
          v.ints.push_back(load<uint16_t>(p));
          break;
        case TP::INT16:
          v.ints.push_back(load<int16_t>(p));
          break;
        case TP::INT32:
          v.ints.push_back(load<int32_t>(p));
          break;
        case TP::UINT32:
          v.ints.push_back(load<uint32_t>(p));
          break;
        case TP::INT64:
          v.ints.push_back(load<int64_t>(p));
          break;
        case TP::UINT64:
          v.ints.push_back(static_cast<int64_t>(load<uint64_t>(p)));
          break;
        case TP::FLOAT:
          v.reals.push_back(load<float>(p));
          break;
        case TP::DOUBLE:
          v.reals.push_back(load<double>(p));
          break;
        case TP::FLOAT16:
          v.reals.push_back(half_to_double(load<uint16_t>(p)));
          break;
        case TP::BFLOAT16:
          v.reals.push_back(static_cast<double>(std::bit_cast<float>(uint32_t{load<uint16_t>(p)} << 16)));
          break;
        default:
          v.has_data = false;
      }
    }
    return v;
  }
  // Typed fields: the one the type uses must hold exactly n elements (or none: a declared shape).
  auto typed = [&](auto& field, auto convert) {
    if (field.empty()) return;
    if (static_cast<uint64_t>(field.size()) != n)
      throw InputError(what + ": holds " + std::to_string(field.size()) + " elements but " + elem_name(v.elem) + " " +
                       shape_str(v.shape) + " needs " + std::to_string(n));
    v.all_zero = true;
    for (const auto& x : field) v.all_zero = v.all_zero && x == 0;
    if (n > kMaxFoldElems) return;
    v.has_data = true;
    for (const auto& x : field) convert(x);
  };
  auto to_int = [&](auto x) { v.ints.push_back(static_cast<int64_t>(x)); };
  auto to_real = [&](auto x) { v.reals.push_back(static_cast<double>(x)); };
  switch (v.elem) {
    case TP::INT64:
      typed(t.int64_data(), to_int);
      break;
    case TP::UINT32:
    case TP::UINT64:
      typed(t.uint64_data(), to_int);
      break;
    case TP::INT32:
    case TP::INT16:
    case TP::INT8:
    case TP::UINT16:
    case TP::UINT8:
    case TP::BOOL:
      typed(t.int32_data(), to_int);
      break;
    case TP::FLOAT16:
      typed(t.int32_data(), [&](int32_t x) { v.reals.push_back(half_to_double(static_cast<uint16_t>(x))); });
      break;
    case TP::FLOAT:
      typed(t.float_data(), to_real);
      break;
    case TP::DOUBLE:
      typed(t.double_data(), to_real);
      break;
    default:
      break;
  }
  if (n == 0) v.has_data = true;
  return v;
}

// ---- Node ----

void Node::fail(const std::string& msg) const { im.fail_node(index, msg); }

const Val& Node::in(int k) const {
  if (!has(k)) fail("operand " + std::to_string(k) + " is missing");
  return im.val(index, n.input(k));
}

Val& Node::out(int k) {
  if (k >= n.output_size() || n.output(k).empty()) fail("output " + std::to_string(k) + " is missing");
  return im.def(index, n.output(k));
}

const std::vector<int64_t>& Node::ints(int k, const std::string& what) const {
  const Val& v = in(k);
  if (!v.has_data) {
    if (!v.is_static)
      fail(what + " '" + n.input(k) +
           "' depends on run-time data, so the output shape is not static: " + im.data_chain(n.input(k)));
    fail(what + " '" + n.input(k) + "' is a constant npusim cannot read (external, over " +
         std::to_string(kMaxFoldElems) + " elements, or of type " + elem_name(v.elem) + ")");
  }
  if (!is_integral(v.elem)) fail(what + " '" + n.input(k) + "' must be an integer tensor, got " + elem_name(v.elem));
  return v.ints;
}

std::vector<double> Node::reals(int k, const std::string& what) const {
  const Val& v = in(k);
  if (is_integral(v.elem)) {
    const auto& i = ints(k, what);
    return std::vector<double>(i.begin(), i.end());
  }
  if (!v.has_data) {
    if (!v.is_static)
      fail(what + " '" + n.input(k) +
           "' depends on run-time data, so the output shape is not static: " + im.data_chain(n.input(k)));
    fail(what + " '" + n.input(k) + "' is a constant npusim cannot read");
  }
  return v.reals;
}

const onnx::AttributeProto* Node::attr(const std::string& name) const { return im.attr(index, name); }
int64_t Node::attr_int(const std::string& name, int64_t fallback) const { return im.attr_int(index, name, fallback); }
std::optional<std::vector<int64_t>> Node::attr_ints(const std::string& name) const {
  if (!attr(name)) return std::nullopt;
  return im.attr_ints(index, name);
}
std::string Node::attr_str(const std::string& name, const std::string& fallback) const {
  return im.attr_str(index, name, fallback);
}
float Node::attr_float(const std::string& name, float fallback) const {
  const auto* a = attr(name);
  return a ? a->f() : fallback;
}

uint64_t Node::axis(int64_t a, size_t rank, const std::string& what) const {
  const auto r = static_cast<int64_t>(rank);
  if (a < -r || a >= r)
    fail(what + " = " + std::to_string(a) + " is out of range for rank " + std::to_string(rank) + " (allowed " +
         std::to_string(-r) + " .. " + std::to_string(r - 1) + ")");
  return static_cast<uint64_t>(a < 0 ? a + r : a);
}

uint64_t Node::checked_elems(const Shape& s, const std::string& what, int elem) const {
  uint64_t n = 1;
  for (uint64_t d : s) {
    auto p = checked_mul(n, d);
    if (!p) fail(what + " " + shape_str(s) + ": its element count overflows 64 bits");
    n = *p;
  }
  auto bytes = checked_mul(n, elem_bytes(elem));
  if (!bytes || *bytes > im.opts.limits.max_tensor_bytes)
    fail(what + " " + shape_str(s) + " has " + std::to_string(n) + " elements of " + elem_name(elem) +
         ", more than the limit of " + std::to_string(im.opts.limits.max_tensor_bytes) +
         " bytes per tensor (raise it with --max-tensor-bytes)");
  return n;
}

}  // namespace npusim::workloads::onnx_detail
