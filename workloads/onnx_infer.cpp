// npusim's shape rules for the ONNX ops it supports, with constant folding of values known
// before the run (shape subgraphs): ONNX's broadcasting and negative-index rules, every count
// overflow-checked, every index bounds-checked.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "npusim/checked.h"
#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

using TP = onnx::TensorProto;

static bool all_data(const Node& c) {
  for (int k = 0; k < c.n.input_size(); ++k)
    if (c.has(k) && !c.in(k).has_data) return false;
  return true;
}

// Output k with a shape checked against the tensor limit, element type `elem`.
Val& make_out(Node& c, int k, Shape s, int elem) {
  c.checked_elems(s, "output '" + c.n.output(k) + "' of shape", elem);
  Val& o = c.out(k);
  o.shape = std::move(s);
  o.elem = elem;
  return o;
}

bool foldable(const Val& o) { return elem_count(o.shape) <= kMaxFoldElems; }

// Row-major strides.
std::vector<uint64_t> strides_of(const Shape& s) {
  std::vector<uint64_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

// For each element of `out`, the index of the element of `in` (broadcast to `out`) it reads.
std::vector<size_t> broadcast_map(const Shape& in, const Shape& out) {
  const size_t n = elem_count(out), off = out.size() - in.size();
  const auto ost = strides_of(out), ist = strides_of(in);
  std::vector<size_t> m(n);
  for (size_t e = 0; e < n; ++e) {
    size_t src = 0;
    for (size_t d = 0; d < in.size(); ++d) {
      const uint64_t i = (e / ost[d + off]) % out[d + off];
      if (in[d] != 1) src += i * ist[d];
    }
    m[e] = src;
  }
  return m;
}

Shape broadcast(const Node& c, const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const auto& s : shapes)
    for (size_t d = 0; d < s.size(); ++d) {
      uint64_t& o = out[rank - s.size() + d];
      if (s[d] == o || s[d] == 1) continue;
      if (o != 1) {
        std::string list;
        for (const auto& x : shapes) list += (list.empty() ? "" : " and ") + shape_str(x);
        c.fail("operands " + list + " do not broadcast (numpy rules)");
      }
      o = s[d];
    }
  return out;
}

// Copies the data of input `k` into output `o` through `map` (output element -> input element).
void gather_data(const Val& in, Val& o, const std::vector<size_t>& map) {
  o.has_data = true;
  o.ints.clear();
  o.reals.clear();
  for (size_t src : map) {
    if (is_integral(in.elem)) o.ints.push_back(in.ints.at(src));
    if (!is_integral(in.elem)) o.reals.push_back(in.reals.at(src));
  }
}

void copy_data(const Val& in, Val& o) {
  o.has_data = in.has_data;
  o.ints = in.ints;
  o.reals = in.reals;
  o.all_zero = in.all_zero;
}

static int64_t checked_op(const Node& c, const std::string& op, int64_t a, int64_t b) {
  int64_t r = 0;
  bool bad = false;
  if (op == "Add") bad = __builtin_add_overflow(a, b, &r);
  if (op == "Sub") bad = __builtin_sub_overflow(a, b, &r);
  if (op == "Mul") bad = __builtin_mul_overflow(a, b, &r);
  if (op == "Div" || op == "Mod") {
    if (b == 0) c.fail("integer division by zero while folding a constant");
    if (a == INT64_MIN && b == -1) bad = true;
    if (!bad && op == "Div") r = a / b;
    if (!bad && op == "Mod") {
      r = a % b;
      if (c.attr_int("fmod", 0) == 0 && r != 0 && ((r < 0) != (b < 0))) r += b;  // Python's sign rule
    }
  }
  if (bad)
    c.fail("integer overflow while folding a constant (" + std::to_string(a) + " " + op + " " + std::to_string(b) +
           ")");
  return r;
}

void infer_same(Node& c) {
  const Val& x = c.in(0);
  const int elem = c.n.op_type() == "Not" || c.n.op_type() == "IsNaN" || c.n.op_type() == "IsInf" ? TP::BOOL : x.elem;
  const Shape s = x.shape;
  const bool data = x.has_data;
  const std::vector<int64_t> xi = x.ints;
  const std::vector<double> xr = x.reals;
  for (int k = 0; k < c.outputs(); ++k) {
    if (c.n.output(k).empty()) continue;
    Val& o = make_out(c, k, s, k == 0 ? elem : (c.n.op_type() == "Dropout" ? TP::BOOL : TP::FLOAT));
    if (k != 0 || !data) continue;
    const std::string& op = c.n.op_type();
    if (op == "Identity" || op == "Dropout") {
      o.has_data = true, o.ints = xi, o.reals = xr;
    } else if (op == "Not") {
      o.has_data = true;
      for (int64_t v : xi) o.ints.push_back(v == 0);
    } else if (op == "Neg" || op == "Abs") {
      o.has_data = true;
      for (int64_t v : xi) {
        if (v == INT64_MIN) c.fail("integer overflow while folding a constant");
        o.ints.push_back(op == "Neg" ? -v : std::abs(v));
      }
      for (double v : xr) o.reals.push_back(op == "Neg" ? -v : std::fabs(v));
    } else if (is_real(elem)) {
      double (*f)(double) = nullptr;
      if (op == "Sqrt") f = [](double v) { return std::sqrt(v); };
      if (op == "Exp") f = [](double v) { return std::exp(v); };
      if (op == "Log") f = [](double v) { return std::log(v); };
      if (op == "Sin") f = [](double v) { return std::sin(v); };
      if (op == "Cos") f = [](double v) { return std::cos(v); };
      if (op == "Floor") f = [](double v) { return std::floor(v); };
      if (op == "Ceil") f = [](double v) { return std::ceil(v); };
      if (op == "Reciprocal") f = [](double v) { return 1.0 / v; };
      if (op == "Relu") f = [](double v) { return v > 0 ? v : 0.0; };
      if (!f) continue;
      o.has_data = true;
      for (double v : xr) o.reals.push_back(f(v));
    }
  }
}

void infer_cast(Node& c) {
  const Val& x = c.in(0);
  int to = c.n.op_type() == "CastLike" ? c.in(1).elem : static_cast<int>(c.attr_int("to", TP::FLOAT));
  if (!TP::DataType_IsValid(to) || to == TP::UNDEFINED)
    c.fail("attribute 'to' = " + std::to_string(to) + " is not an ONNX type");
  const Val src = x;
  Val& o = make_out(c, 0, src.shape, to);
  o.all_zero = src.all_zero;
  if (!src.has_data) return;
  o.has_data = true;
  if (is_integral(to)) {
    for (int64_t v : src.ints) o.ints.push_back(to == TP::BOOL ? v != 0 : v);
    for (double v : src.reals) {
      if (!(std::fabs(v) < 9.2e18)) c.fail("cannot cast " + std::to_string(v) + " to an integer while folding");
      o.ints.push_back(to == TP::BOOL ? v != 0 : static_cast<int64_t>(v));
    }
  } else if (is_real(to)) {
    for (int64_t v : src.ints) o.reals.push_back(static_cast<double>(v));
    o.reals.insert(o.reals.end(), src.reals.begin(), src.reals.end());
  } else {
    o.has_data = false;
  }
}

void infer_eltwise(Node& c) {
  const std::string& op = c.n.op_type();
  std::vector<Shape> shapes;
  for (int k = 0; k < c.n.input_size(); ++k)
    if (c.has(k)) shapes.push_back(c.in(k).shape);
  if (shapes.empty()) c.fail("needs at least one operand");
  const Shape out = broadcast(c, shapes);
  static const std::unordered_set<std::string> kCompare = {"Equal",          "Less", "Greater", "LessOrEqual",
                                                           "GreaterOrEqual", "And",  "Or",      "Xor"};
  const bool where = op == "Where";
  const int first = where ? 1 : 0;
  const int elem = kCompare.contains(op) ? TP::BOOL : c.in(first).elem;
  std::vector<Val> ins;  // copies: outputs may rehash the value table
  for (int k = 0; k < c.n.input_size(); ++k)
    if (c.has(k)) ins.push_back(c.in(k));
  Val& o = make_out(c, 0, out, elem);
  if (!all_data(c) || !foldable(o)) return;
  bool real = false;
  for (size_t k = first; k < ins.size(); ++k) real = real || !is_integral(ins[k].elem);
  std::vector<std::vector<size_t>> maps;
  for (const Val& v : ins) maps.push_back(broadcast_map(v.shape, out));
  const size_t n = elem_count(out);
  auto geti = [&](size_t k, size_t e) { return ins[k].ints.at(maps[k][e]); };
  auto getr = [&](size_t k, size_t e) {
    return is_integral(ins[k].elem) ? static_cast<double>(ins[k].ints.at(maps[k][e])) : ins[k].reals.at(maps[k][e]);
  };
  o.has_data = true;
  for (size_t e = 0; e < n; ++e) {
    if (where) {
      const bool cond = geti(0, e) != 0;
      if (real) o.reals.push_back(getr(cond ? 1 : 2, e));
      if (!real) o.ints.push_back(geti(cond ? 1 : 2, e));
      continue;
    }
    if (kCompare.contains(op)) {
      const double a = getr(0, e), b = ins.size() > 1 ? getr(1, e) : 0;
      bool r = false;
      if (op == "Equal") r = a == b;
      if (op == "Less") r = a < b;
      if (op == "Greater") r = a > b;
      if (op == "LessOrEqual") r = a <= b;
      if (op == "GreaterOrEqual") r = a >= b;
      if (op == "And") r = a != 0 && b != 0;
      if (op == "Or") r = a != 0 || b != 0;
      if (op == "Xor") r = (a != 0) != (b != 0);
      o.ints.push_back(r);
      continue;
    }
    if (real) {
      double acc = getr(0, e);
      for (size_t k = 1; k < ins.size(); ++k) {
        const double b = getr(k, e);
        if (op == "Add" || op == "Sum" || op == "Mean") acc += b;
        if (op == "Sub") acc -= b;
        if (op == "Mul") acc *= b;
        if (op == "Div") acc /= b;
        if (op == "Pow") acc = std::pow(acc, b);
        if (op == "Max") acc = std::max(acc, b);
        if (op == "Min") acc = std::min(acc, b);
        if (op == "Mod") acc = std::fmod(acc, b);
      }
      if (op == "Mean") acc /= static_cast<double>(ins.size());
      o.reals.push_back(acc);
      continue;
    }
    int64_t acc = geti(0, e);
    for (size_t k = 1; k < ins.size(); ++k) {
      const int64_t b = geti(k, e);
      if (op == "Max")
        acc = std::max(acc, b);
      else if (op == "Min")
        acc = std::min(acc, b);
      else if (op == "Sum")
        acc = checked_op(c, "Add", acc, b);
      else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Mod")
        acc = checked_op(c, op, acc, b);
      else {
        o.has_data = false;  // Pow, BitShift, Mean of integers: not needed for shapes
        o.ints.clear();
        return;
      }
    }
    o.ints.push_back(acc);
  }
}

void infer_reduce(Node& c) {
  const Shape xs = c.in(0).shape;
  const std::string& op = c.n.op_type();
  const bool arg = op == "ArgMax" || op == "ArgMin";
  const bool keep = c.attr_int("keepdims", 1) != 0;
  std::vector<int64_t> axes;
  if (arg)
    axes = {c.attr_int("axis", 0)};
  else if (c.has(1))
    axes = c.ints(1, "axes");
  else
    axes = c.attr_ints("axes").value_or(std::vector<int64_t>{});
  std::vector<bool> reduced(xs.size(), false);
  if (axes.empty()) {
    if (c.attr_int("noop_with_empty_axes", 0) != 0) return void(make_out(c, 0, xs, c.in(0).elem));
    reduced.assign(xs.size(), true);
  }
  for (int64_t a : axes) reduced[c.axis(a, xs.size(), "axes")] = true;
  Shape out;
  for (size_t d = 0; d < xs.size(); ++d)
    if (!reduced[d])
      out.push_back(xs[d]);
    else if (keep)
      out.push_back(1);
  make_out(c, 0, out, arg ? TP::INT64 : c.in(0).elem);
}

void infer_reshape(Node& c) {
  const Val x = c.in(0);
  const std::vector<int64_t> want = c.ints(1, "shape");
  std::string want_str;
  for (int64_t v : want) want_str += (want_str.empty() ? "[" : ", ") + std::to_string(v);
  want_str += "]";
  const bool allowzero = c.attr_int("allowzero", 0) != 0;
  Shape out;
  int infer_at = -1;
  uint64_t known = 1;
  for (size_t d = 0; d < want.size(); ++d) {
    int64_t v = want[d];
    if (v == -1) {
      if (infer_at >= 0) c.fail("shape " + want_str + " has more than one -1");
      infer_at = static_cast<int>(d);
      out.push_back(1);
      continue;
    }
    if (v == 0 && !allowzero) {
      if (d >= x.shape.size()) c.fail("shape has a 0 at dim " + std::to_string(d) + " beyond the input's rank");
      v = static_cast<int64_t>(x.shape[d]);
    }
    if (v < 0) c.fail("shape has an invalid dim " + std::to_string(v));
    out.push_back(static_cast<uint64_t>(v));
    auto p = checked_mul(known, static_cast<uint64_t>(v));
    if (!p) c.fail("shape's element count overflows 64 bits");
    known = *p;
  }
  const uint64_t n = c.checked_elems(x.shape, "input");
  if (infer_at >= 0) {
    if (known == 0 || n % known != 0)
      c.fail("cannot reshape " + shape_str(x.shape) + " to a shape with -1 and " + std::to_string(known) +
             " other elements");
    out[static_cast<size_t>(infer_at)] = n / known;
  } else if (known != n) {
    c.fail("cannot reshape " + shape_str(x.shape) + " (" + std::to_string(n) + " elements) to " + shape_str(out));
  }
  Val& o = make_out(c, 0, out, x.elem);
  copy_data(x, o);
}

void infer_flatten(Node& c) {
  const Val x = c.in(0);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  int64_t a = c.attr_int("axis", 1);
  if (a < -r || a > r) c.fail("axis = " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
  if (a < 0) a += r;
  Shape lo(x.shape.begin(), x.shape.begin() + a), hi(x.shape.begin() + a, x.shape.end());
  Val& o = make_out(c, 0, {c.checked_elems(lo, "dims"), c.checked_elems(hi, "dims")}, x.elem);
  copy_data(x, o);
}

void infer_squeeze(Node& c) {
  const Val x = c.in(0);
  std::vector<int64_t> axes = c.has(1) ? c.ints(1, "axes") : c.attr_ints("axes").value_or(std::vector<int64_t>{});
  std::vector<bool> drop(x.shape.size(), axes.empty());
  if (axes.empty())
    for (size_t d = 0; d < x.shape.size(); ++d) drop[d] = x.shape[d] == 1;
  for (int64_t a : axes) {
    const uint64_t d = c.axis(a, x.shape.size(), "axes");
    if (x.shape[d] != 1)
      c.fail("cannot squeeze dim " + std::to_string(d) + " of " + shape_str(x.shape) + ": it is not 1");
    drop[d] = true;
  }
  Shape out;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!drop[d]) out.push_back(x.shape[d]);
  Val& o = make_out(c, 0, out, x.elem);
  copy_data(x, o);
}

void infer_unsqueeze(Node& c) {
  const Val x = c.in(0);
  std::vector<int64_t> axes = c.has(1) ? c.ints(1, "axes") : c.attr_ints("axes").value_or(std::vector<int64_t>{});
  if (axes.empty()) c.fail("needs axes");
  const size_t rank = x.shape.size() + axes.size();
  std::vector<bool> added(rank, false);
  for (int64_t a : axes) {
    const uint64_t d = c.axis(a, rank, "axes");
    if (added[d]) c.fail("axes name dim " + std::to_string(d) + " twice");
    added[d] = true;
  }
  Shape out;
  size_t k = 0;
  for (size_t d = 0; d < rank; ++d) out.push_back(added[d] ? 1 : x.shape[k++]);
  Val& o = make_out(c, 0, out, x.elem);
  copy_data(x, o);
}

void infer_shape(Node& c) {
  const Shape xs = c.in(0).shape;
  const int64_t r = static_cast<int64_t>(xs.size());
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
  const int64_t lo = clamp(c.attr_int("start", 0)), hi = c.attr(std::string("end")) ? clamp(c.attr_int("end", r)) : r;
  Val& o = make_out(c, 0, {static_cast<uint64_t>(std::max<int64_t>(hi - lo, 0))}, TP::INT64);
  o.has_data = true;
  for (int64_t d = lo; d < hi; ++d) o.ints.push_back(static_cast<int64_t>(xs[static_cast<size_t>(d)]));
}

void infer_size(Node& c) {
  const uint64_t n = c.checked_elems(c.in(0).shape, "input");
  Val& o = make_out(c, 0, {}, TP::INT64);
  o.has_data = true;
  o.ints = {static_cast<int64_t>(n)};
}

void infer_constant(Node& c) {
  const onnx::AttributeProto* a = nullptr;
  for (const auto& at : c.n.attribute())
    if (at.name().starts_with("value") || at.name() == "sparse_value") a = &at;
  if (!a) c.fail("has no value attribute");
  Val v;
  const std::string what = "node output '" + (c.n.output_size() ? c.n.output(0) : std::string()) + "'";
  if (a->name() == "value") {
    if (!a->has_t()) c.fail("attribute value is not a tensor");
    v = decode_tensor(a->t(), what);
  } else if (a->name() == "value_int") {
    v.elem = TP::INT64, v.has_data = true, v.ints = {a->i()};
  } else if (a->name() == "value_ints") {
    v.elem = TP::INT64, v.has_data = true, v.ints.assign(a->ints().begin(), a->ints().end());
    v.shape = {v.ints.size()};
  } else if (a->name() == "value_float") {
    v.elem = TP::FLOAT, v.has_data = true, v.reals = {a->f()};
  } else if (a->name() == "value_floats") {
    v.elem = TP::FLOAT, v.has_data = true, v.reals.assign(a->floats().begin(), a->floats().end());
    v.shape = {v.reals.size()};
  } else {
    c.fail("attribute " + a->name() + " is not supported (sparse or string constants)");
  }
  if (v.has_data && !v.all_zero) {
    v.all_zero = std::all_of(v.ints.begin(), v.ints.end(), [](int64_t x) { return x == 0; }) &&
                 std::all_of(v.reals.begin(), v.reals.end(), [](double x) { return x == 0; });
  }
  Val& o = make_out(c, 0, v.shape, v.elem);
  copy_data(v, o);
}

void infer_constant_of_shape(Node& c) {
  const std::vector<int64_t> dims = c.ints(0, "shape");
  Shape s;
  for (int64_t d : dims) {
    if (d < 0) c.fail("shape has a negative dim " + std::to_string(d));
    s.push_back(static_cast<uint64_t>(d));
  }
  Val fill;
  fill.elem = TP::FLOAT, fill.has_data = true, fill.reals = {0.0};
  if (const auto* a = c.attr("value"); a && a->has_t()) fill = decode_tensor(a->t(), "attribute value");
  if (!fill.has_data || fill.ints.size() + fill.reals.size() != 1) c.fail("attribute value must hold one element");
  Val& o = make_out(c, 0, s, fill.elem);
  o.all_zero = (fill.ints.empty() || fill.ints[0] == 0) && (fill.reals.empty() || fill.reals[0] == 0);
  if (!foldable(o)) return;
  o.has_data = true;
  const uint64_t n = elem_count(s);
  if (!fill.ints.empty()) o.ints.assign(n, fill.ints[0]);
  if (!fill.reals.empty()) o.reals.assign(n, fill.reals[0]);
}

void infer_range(Node& c) {
  for (int k = 0; k < 3; ++k)
    if (elem_count(c.in(k).shape) != 1) c.fail("start, limit and delta must be scalars");
  const int elem = c.in(0).elem;
  uint64_t n = 0;
  Val tmp;
  if (is_integral(elem)) {
    const int64_t s = c.ints(0, "start")[0], l = c.ints(1, "limit")[0], d = c.ints(2, "delta")[0];
    if (d == 0) c.fail("delta is 0");
    const __int128 span = static_cast<__int128>(l) - s;
    const __int128 cnt = (span + (d > 0 ? d - 1 : d + 1)) / d;
    n = cnt > 0 ? static_cast<uint64_t>(std::min<__int128>(cnt, static_cast<__int128>(UINT64_MAX))) : 0;
    c.checked_elems({n}, "output '" + c.n.output(0) + "' of shape", elem);
    if (n <= kMaxFoldElems)
      for (uint64_t k = 0; k < n; ++k) tmp.ints.push_back(s + static_cast<int64_t>(k) * d);
  } else {
    const double s = c.reals(0, "start")[0], l = c.reals(1, "limit")[0], d = c.reals(2, "delta")[0];
    const double cnt = std::ceil((l - s) / d);
    if (d == 0 || !std::isfinite(cnt)) c.fail("start, limit and delta give no finite element count");
    if (cnt >= 1.8e19) c.fail("the output would have " + std::to_string(cnt) + " elements");
    n = cnt > 0 ? static_cast<uint64_t>(cnt) : 0;
    c.checked_elems({n}, "output '" + c.n.output(0) + "' of shape", elem);
    if (n <= kMaxFoldElems)
      for (uint64_t k = 0; k < n; ++k) tmp.reals.push_back(s + static_cast<double>(k) * d);
  }
  Val& o = make_out(c, 0, {n}, elem);
  o.has_data = n <= kMaxFoldElems;
  o.ints = std::move(tmp.ints);
  o.reals = std::move(tmp.reals);
}

}  // namespace npusim::workloads::onnx_detail
