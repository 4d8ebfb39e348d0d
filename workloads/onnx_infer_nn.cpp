// npusim's shape rules for the ONNX ops with MACs or layouts (Conv, Gemm, MatMul, Einsum,
// Resize, LayerNormalization): ranks checked before any dim is read, counts overflow-checked.
#include <algorithm>
#include <cmath>

#include "npusim/checked.h"
#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

using TP = onnx::TensorProto;

void infer_conv(Node& c) {
  const Shape xs = c.in(0).shape, ws = c.in(1).shape;
  const int elem = c.in(0).elem;
  if (xs.size() < 3) c.fail("needs an input of rank 3 or more (N, C, spatial...), got " + shape_str(xs));
  if (ws.size() != xs.size())
    c.fail("weights " + shape_str(ws) + " and input " + shape_str(xs) + " must have the same rank");
  const size_t sp = xs.size() - 2;
  const int64_t group = c.attr_int("group", 1);
  if (group < 1) c.fail("group must be >= 1");
  const auto g = static_cast<uint64_t>(group);
  auto cin = checked_mul(ws[1], g);
  if (!cin || *cin != xs[1] || ws[0] % g != 0)
    c.fail("weights " + shape_str(ws) + " with group " + std::to_string(group) + " do not match input " +
           shape_str(xs));
  auto list = [&](const std::string& name, size_t n, int64_t fallback) {
    std::vector<int64_t> v = c.attr_ints(name).value_or(std::vector<int64_t>(n, fallback));
    if (v.size() != n)
      c.fail("attribute " + name + " has " + std::to_string(v.size()) + " values, expected " + std::to_string(n));
    return v;
  };
  const auto strides = list("strides", sp, 1), dil = list("dilations", sp, 1);
  if (auto k = c.attr_ints("kernel_shape"))
    for (size_t d = 0; d < sp; ++d)
      if (k->size() != sp || (*k)[d] != static_cast<int64_t>(ws[2 + d]))
        c.fail("kernel_shape does not match the weights " + shape_str(ws));
  std::vector<int64_t> pads = list("pads", 2 * sp, 0);
  const std::string auto_pad = c.attr_str("auto_pad", "NOTSET");
  Shape out = {xs[0], ws[0]};
  for (size_t d = 0; d < sp; ++d) {
    if (strides[d] < 1 || dil[d] < 1) c.fail("strides and dilations must be >= 1");
    if (pads[d] < 0 || pads[d + sp] < 0) c.fail("pads must not be negative");
    const __int128 in = xs[2 + d], s = strides[d];
    const __int128 k = (static_cast<__int128>(ws[2 + d]) - 1) * dil[d] + 1;
    __int128 o = 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      o = (in + s - 1) / s;
      const __int128 total = std::max<__int128>((o - 1) * s + k - in, 0);
      pads[d] = static_cast<int64_t>(auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2);
      pads[d + sp] = static_cast<int64_t>(total - pads[d]);
    } else {
      if (auto_pad == "VALID") pads[d] = pads[d + sp] = 0;
      const __int128 span = in + pads[d] + pads[d + sp] - k;
      if (span < 0)
        c.fail("kernel " + shape_str(ws) + " is larger than the padded input " + shape_str(xs) + " on spatial dim " +
               std::to_string(d));
      o = span / s + 1;
    }
    if (o > static_cast<__int128>(UINT64_MAX)) c.fail("padding overflows the output size");
    out.push_back(static_cast<uint64_t>(o));
  }
  make_out(c, 0, out, elem);
}

void infer_gemm(Node& c) {
  const Shape a = c.in(0).shape, b = c.in(1).shape;
  if (a.size() != 2 || b.size() != 2) c.fail("operands " + shape_str(a) + " and " + shape_str(b) + " must be 2-D");
  const bool ta = c.attr_int("transA", 0) != 0, tb = c.attr_int("transB", 0) != 0;
  const uint64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1], kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (k != kb)
    c.fail("operands " + shape_str(a) + " and " + shape_str(b) + " do not match (transA " + std::to_string(ta) +
           ", transB " + std::to_string(tb) + ")");
  if (c.has(2)) {
    const Shape cs = c.in(2).shape;
    for (size_t d = 0; d < cs.size(); ++d) {
      const uint64_t want = cs.size() - d == 1 ? n : m;
      if (cs.size() > 2 || (cs[d] != 1 && cs[d] != want))
        c.fail("C " + shape_str(cs) + " does not broadcast to [M, N]");
    }
  }
  make_out(c, 0, {m, n}, c.in(0).elem);
}

void infer_matmul(Node& c) {
  Shape a = c.in(0).shape, b = c.in(1).shape;
  if (a.empty() || b.empty()) c.fail("operands must have rank 1 or more");
  const bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    c.fail("operands " + shape_str(c.in(0).shape) + " and " + shape_str(c.in(1).shape) + " do not match");
  const size_t r = std::max(a.size(), b.size());
  Shape out(r - 2, 1);
  for (size_t d = 0; d + 2 < r; ++d) {
    const size_t da = d + a.size() - r, db = d + b.size() - r;
    const uint64_t x = d + a.size() >= r && da + 2 < a.size() ? a[da] : 1;
    const uint64_t y = d + b.size() >= r && db + 2 < b.size() ? b[db] : 1;
    if (x != y && x != 1 && y != 1)
      c.fail("batch dims of " + shape_str(c.in(0).shape) + " and " + shape_str(c.in(1).shape) + " do not broadcast");
    out[d] = std::max(x, y);
  }
  if (!a1) out.push_back(a[a.size() - 2]);
  if (!b1) out.push_back(b.back());
  make_out(c, 0, out, c.in(0).elem);
}

void infer_resize(Node& c) {
  const Val x = c.in(0);
  const bool upsample = c.n.op_type() == "Upsample";
  const int scales_at = upsample || c.n.input_size() == 2 ? 1 : 2;
  if (c.attr("axes")) c.fail("attribute axes is not supported");
  Shape out;
  if (!upsample && c.has(3)) {
    for (int64_t v : c.ints(3, "sizes")) {
      if (v < 0) c.fail("sizes must not be negative");
      out.push_back(static_cast<uint64_t>(v));
    }
  } else {
    std::vector<double> s;
    if (c.has(scales_at))
      s = c.reals(scales_at, "scales");
    else if (const auto* a = c.attr("scales"))
      s.assign(a->floats().begin(), a->floats().end());
    if (s.size() != x.shape.size()) c.fail("needs one scale per input dim, or sizes");
    for (size_t d = 0; d < s.size(); ++d) {
      const double v = std::floor(static_cast<double>(x.shape[d]) * s[d]);
      if (!(v >= 0 && v < 1.8e19)) c.fail("scale " + std::to_string(s[d]) + " gives no valid size");
      out.push_back(static_cast<uint64_t>(v));
    }
  }
  if (out.size() != x.shape.size()) c.fail("sizes must have one value per input dim");
  make_out(c, 0, out, x.elem);
}

void infer_layer_norm(Node& c) {
  const Val x = c.in(0);
  const uint64_t a = c.axis(c.attr_int("axis", -1), x.shape.size(), "axis");
  make_out(c, 0, x.shape, x.elem);
  Shape stat = x.shape;
  for (size_t d = a; d < stat.size(); ++d) stat[d] = 1;
  for (int k = 1; k < c.outputs(); ++k)
    if (!c.n.output(k).empty()) make_out(c, k, stat, TP::FLOAT);
}

// Einsum with one letter per dim and an explicit or implicit output (no ellipsis).
void infer_einsum(Node& c) {
  std::string eq = c.attr_str("equation", "");
  std::erase(eq, ' ');
  if (eq.find("...") != std::string::npos) c.fail("equation '" + eq + "': ellipsis is not supported");
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms(1);
  for (char ch : lhs)
    if (ch == ',')
      terms.emplace_back();
    else
      terms.back() += ch;
  if (static_cast<int>(terms.size()) != c.n.input_size())
    c.fail("equation '" + eq + "' has " + std::to_string(terms.size()) + " operands, the node " +
           std::to_string(c.n.input_size()));
  std::map<char, uint64_t> dims;
  std::map<char, int> uses;
  for (size_t t = 0; t < terms.size(); ++t) {
    const Shape s = c.in(static_cast<int>(t)).shape;
    if (terms[t].size() != s.size())
      c.fail("equation term '" + terms[t] + "' does not match operand shape " + shape_str(s));
    for (size_t d = 0; d < s.size(); ++d) {
      const char ch = terms[t][d];
      if (!std::isalpha(static_cast<unsigned char>(ch))) c.fail("equation '" + eq + "' is malformed");
      ++uses[ch];
      auto [it, fresh] = dims.emplace(ch, s[d]);
      if (!fresh && it->second != s[d]) {
        if (it->second == 1)
          it->second = s[d];
        else if (s[d] != 1)
          c.fail("equation '" + eq + "': letter " + std::string(1, ch) + " has sizes " + std::to_string(it->second) +
                 " and " + std::to_string(s[d]));
      }
    }
  }
  std::string rhs;
  if (arrow != std::string::npos)
    rhs = eq.substr(arrow + 2);
  else
    for (const auto& [ch, n] : uses)
      if (n == 1) rhs += ch;
  Shape out;
  for (char ch : rhs) {
    auto it = dims.find(ch);
    if (it == dims.end()) c.fail("equation '" + eq + "': output letter " + std::string(1, ch) + " is not an input's");
    out.push_back(it->second);
  }
  make_out(c, 0, out, c.in(0).elem);
}

}  // namespace npusim::workloads::onnx_detail
