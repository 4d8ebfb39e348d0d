// The ONNX op table (op -> shape rule and builder ops) and the builder ops each node becomes when
// its value is known only at run time.
#include <algorithm>
#include <array>

#include "nn_blocks.h"
#include "npusim/checked.h"
#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

namespace {

Shape shape_of(Importer& im, int i, int k) { return im.shape(i, im.node(i).input(k)); }
bool has_input(Importer& im, int i, int k) { return k < im.node(i).input_size() && !im.node(i).input(k).empty(); }

void build_alias(Importer& im, int i, const std::string&) {
  const auto& n = im.node(i);
  im.set_output(i, 0, im.value(i, n.input(0)));
}

void build_view(Importer& im, int i, const std::string& name) {
  const Shape s = im.shape(i, im.node(i).output(0));
  im.set_output(i, 0, im.b.reshape(name, im.value(i, im.node(i).input(0)), std::vector<int64_t>(s.begin(), s.end())));
}

void build_copy(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  TensorId x = im.value(i, n.input(0));
  for (int k = 0; k < n.output_size(); ++k)
    if (!n.output(k).empty())
      im.set_output(
          i, k, im.b.copy(k == 0 ? name : im.unique_name(name + "." + std::to_string(k)), x, im.shape(i, n.output(k))));
}

void build_gather(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  const Shape ts = shape_of(im, i, 0);
  if (im.is_static(n.input(0)) && ts.size() == 2 && im.attr_int(i, "axis", 0) == 0)  // a table looked up at run time
    return im.set_output(i, 0,
                         im.b.gather(name, im.value(i, n.input(0), true), shape_of(im, i, 1),
                                     n.input_size() > 1 && im.is_static(n.input(1))));
  build_copy(im, i, name);
}

void build_unary(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  TensorId x = im.value(i, n.input(0));
  if (n.op_type() == "Sigmoid") {  // x * sigmoid(x) is SiLU when the product is the sigmoid's only use
    auto mul = im.sole_consumer(n.output(0));
    if (mul && im.op(*mul) == "Mul" && im.node(*mul).input_size() == 2) {
      const auto& mn = im.node(*mul);
      if ((mn.input(0) == n.input(0) && mn.input(1) == n.output(0)) ||
          (mn.input(1) == n.input(0) && mn.input(0) == n.output(0))) {
        TensorId t = im.b.silu(name, x);
        im.fuse(*mul, t);
        ++im.patterns["x * Sigmoid(x) as silu"];
        return im.set_output(i, 0, t);
      }
    }
  }
  im.set_output(i, 0, im.b.unary(name, x));
}

void build_eltwise(Importer& im, int i, const std::string& name) {
  const std::string& op = im.op(i);
  std::vector<TensorId> xs = im.dynamic_operands(i, true);
  if (xs.size() == 2 && op == "Add") return im.set_output(i, 0, im.b.add(name, xs[0], xs[1]));
  if (xs.size() == 2 && op == "Mul") return im.set_output(i, 0, im.b.mul(name, xs[0], xs[1]));
  im.set_output(i, 0, im.b.elementwise(name, xs));
}

void build_reduce(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  const bool arg = n.op_type() == "ArgMax" || n.op_type() == "ArgMin";
  std::vector<int64_t> axes;
  if (arg)
    axes = {im.attr_int(i, "axis", 0)};
  else if (has_input(im, i, 1))
    axes = im.val(i, n.input(1)).ints;  // folded by infer_reduce
  else
    axes = im.attr_ints(i, "axes");
  TensorId x = im.value(i, n.input(0));
  if (axes.empty() && im.attr_int(i, "noop_with_empty_axes", 0) != 0) return im.set_output(i, 0, x);
  im.set_output(i, 0, im.b.reduce(name, x, axes, im.attr_int(i, "keepdims", 1) != 0));
}

void build_generic(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  std::vector<TensorId> xs = im.dynamic_operands(i, false);
  for (int k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;
    im.set_output(i, k,
                  im.b.generic_vector(k == 0 ? name : im.unique_name(name + "." + std::to_string(k)), xs,
                                      im.shape(i, n.output(k))));
  }
  ++im.generic_counts[(n.domain().empty() ? "" : n.domain() + ".") + n.op_type()];
}

// A 3-D convolution whose kernel tiles the depth (stride = kernel, no padding or dilation in depth,
// no groups), as video and vision-language patch embeddings use it (Qwen2-VL's [2, 14, 14]
// patches): each output depth slice is a 2-D convolution over kernel-depth x C input channels, so
// the input is viewed as [N x D', C x kd, H, W] (a layout change) and the output back as
// [N, K, D', P, Q]. MACs and weights are the 3-D convolution's.
void build_conv3d_patches(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  const Shape xs = shape_of(im, i, 0), ws = shape_of(im, i, 1), out = im.shape(i, n.output(0));
  std::vector<int64_t> strides = im.attr_ints(i, "strides"), dil = im.attr_ints(i, "dilations"),
                       pads = im.attr_ints(i, "pads");
  if (strides.empty()) strides.assign(3, 1);
  if (pads.empty()) pads.assign(6, 0);
  const bool patches = im.attr_int(i, "group", 1) == 1 && strides[0] == static_cast<int64_t>(ws[2]) && pads[0] == 0 &&
                       pads[3] == 0 && strides[1] == strides[2] &&
                       std::all_of(dil.begin(), dil.end(), [](int64_t d) { return d == 1; }) &&
                       im.attr_str(i, "auto_pad", "NOTSET") == "NOTSET" && pads[1] == pads[2] && pads[1] == pads[4] &&
                       pads[1] == pads[5];
  if (!patches)
    im.fail_node(i, "a 3-D convolution is supported only when its kernel tiles the depth (depth stride = kernel " +
                        std::to_string(ws[2]) +
                        ", no depth padding, dilation or groups, equal H and W strides and padding); got input " +
                        shape_str(xs) + ", weights " + shape_str(ws));
  ++im.weight_uses[n.input(1)];
  auto dims = [](std::initializer_list<uint64_t> d) { return std::vector<int64_t>(d.begin(), d.end()); };
  TensorId x = im.b.reshape(im.unique_name(name + ".slices"), im.value(i, n.input(0)),
                            dims({xs[0] * out[2], xs[1] * ws[2], xs[3], xs[4]}));
  TensorId y = im.b.conv2d(name, x, ws[0], ws[3], ws[4], static_cast<uint64_t>(strides[1]),
                           static_cast<uint64_t>(pads[1]), 1, has_input(im, i, 2));
  im.set_output(i, 0, im.b.reshape(im.unique_name(name + ".ncdhw"), y, std::vector<int64_t>(out.begin(), out.end())));
}

void build_conv(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  if (!im.is_static(n.input(1)))
    im.fail_node(i, "the weights are computed at run time from activations; npusim needs them as an initializer");
  const Shape ws = shape_of(im, i, 1);
  TensorId x = im.value(i, n.input(0));
  const Shape xs = im.b.shape(x), out = im.shape(i, n.output(0));
  if (xs.size() == 5) return build_conv3d_patches(im, i, name);
  if (xs.size() != 4 && xs.size() != 3)
    im.fail_node(i, "only 1-D, 2-D and 3-D patch convolutions are supported, got input " + shape_str(xs));
  const size_t sp = xs.size() - 2;
  std::vector<int64_t> strides = im.attr_ints(i, "strides"), dil = im.attr_ints(i, "dilations");
  if (strides.empty()) strides.assign(sp, 1);
  for (int64_t d : dil)
    if (d != 1) im.fail_node(i, "dilated convolution is not supported");
  if (sp == 2 && strides[0] != strides[1])
    im.fail_node(i, "strides must be equal on H and W (npusim's conv2d has one stride)");
  // Symmetric padding only: explicit pads, or SAME padding as infer_conv computed it.
  const uint64_t s = static_cast<uint64_t>(strides[0]);
  std::vector<int64_t> pads = im.attr_ints(i, "pads");
  if (pads.empty()) pads.assign(2 * sp, 0);
  const std::string auto_pad = im.attr_str(i, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") pads.assign(2 * sp, 0);
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
    for (size_t d = 0; d < sp; ++d) {
      const uint64_t in = xs[2 + d], need = (ceil_div(in, s) - 1) * s + ws[2 + d];
      const uint64_t total = need > in ? need - in : 0;
      pads[d] = static_cast<int64_t>(total / 2);
      pads[d + sp] = static_cast<int64_t>(total - total / 2);
    }
  for (size_t d = 0; d < 2 * sp; ++d)
    if (pads[d] != pads[0])
      im.fail_node(i,
                   "padding must be equal on all sides (npusim's conv pads symmetrically); pad the input with a "
                   "Pad op instead");
  const std::array<int64_t, 1> pad{pads[0]};
  const int64_t group = im.attr_int(i, "group", 1);
  ++im.weight_uses[n.input(1)];  // the builder creates the conv's weights (and bias) under its name
  const bool bias = has_input(im, i, 2);
  const auto ug = static_cast<uint64_t>(group), up = static_cast<uint64_t>(pad[0]);
  if (sp == 1) {  // the builder's conv1d runs on [N, C, 1, L]
    if (ug != 1) im.fail_node(i, "grouped 1-D convolution is not supported");
    TensorId x4 =
        im.b.reshape(im.unique_name(name + ".nc1l"), x,
                     {static_cast<int64_t>(xs[0]), static_cast<int64_t>(xs[1]), 1, static_cast<int64_t>(xs[2])});
    TensorId y = im.b.conv1d(name, x4, ws[0], ws[2], s, up, bias);
    return im.set_output(i, 0,
                         im.b.reshape(im.unique_name(name + ".ncl"), y, std::vector<int64_t>(out.begin(), out.end())));
  }
  im.set_output(i, 0, im.b.conv2d(name, x, ws[0], ws[2], ws[3], s, up, ug, bias));
}

// y = x @ W (+ bias) with W static [K, N] ([N, K] when transposed): a linear layer; the bias is
// Gemm's C or the only consumer's Add of a static [N].
bool try_linear(Importer& im, int i, const std::string& name, TensorId x, const std::string& w, bool transpose_w,
                const std::string& bias_input) {
  const auto& n = im.node(i);
  if (!im.is_static(w)) return false;
  const Shape ws = im.shape(i, w), xs = im.b.shape(x);
  if (ws.size() != 2 || xs.empty()) return false;
  const uint64_t nout = transpose_w ? ws[0] : ws[1];
  std::string bias = bias_input;
  int add = -1;
  if (bias.empty()) {
    const int c = im.sole_consumer(n.output(0)).value_or(-1);
    if (c >= 0 && im.op(c) == "Add" && im.node(c).input_size() == 2) {
      const auto& an = im.node(c);
      const std::string& other = an.input(0) == n.output(0) ? an.input(1) : an.input(0);
      if (im.is_static(other) && im.shape(c, other) == Shape{nout}) bias = other, add = c;
    }
  }
  const bool static_bias = !bias.empty() && im.is_static(bias) && im.shape(i, bias) == Shape{nout};
  ++im.weight_uses[w];  // the builder creates the linear's weights (and bias) under its name
  TensorId t = im.b.linear(name, x, nout, static_bias);
  if (!bias.empty() && !static_bias) t = im.b.add(im.unique_name(name + ".add_bias"), t, im.value(i, bias));
  im.set_output(i, 0, t);
  if (add >= 0) im.fuse(add, t);
  return true;
}

// Activation x activation product with numpy batch broadcasting: a rank-2 (or broadcast) right
// operand is a view of [K, N] against all of the left's rows; a left operand broadcast over the
// right's batch is copied to it (the only case that moves data).
TensorId matmul_any(Importer& im, int i, const std::string& name, TensorId a, TensorId b, const Shape& out) {
  Shape sa = im.b.shape(a), sb = im.b.shape(b);
  auto view = [&](const std::string& suffix, TensorId t, const Shape& s) {
    return im.b.shape(t) == s
               ? t
               : im.b.reshape(im.unique_name(name + suffix), t, std::vector<int64_t>(s.begin(), s.end()));
  };
  if (sa.size() == 1) sa.insert(sa.begin(), 1), a = view(".a2d", a, sa);
  if (sb.size() == 1) sb.push_back(1), b = view(".b2d", b, sb);
  const uint64_t m = sa[sa.size() - 2], k = sa.back(), nn = sb.back();
  uint64_t bb = 1;
  for (size_t d = 0; d + 2 < sb.size(); ++d) bb *= sb[d];
  TensorId t;
  if (bb == 1) {  // the right operand has no batch: all rows of the left against one [K, N]
    const uint64_t rows = elem_count(sa) / k;
    TensorId a2 = view(".rows", a, {rows, k});
    t = im.b.matmul(name, a2, view(".kn", b, {k, nn}));
  } else {
    Shape batch(out.begin(), out.end());
    if (im.shape(i, im.node(i).input(0)).size() > 1 && im.shape(i, im.node(i).input(1)).size() > 1) {
      batch.pop_back(), batch.pop_back();
    } else {
      batch.resize(sb.size() - 2);
      std::copy(sb.begin(), sb.end() - 2, batch.begin());
    }
    Shape fa = batch, fb = batch;
    fa.push_back(m), fa.push_back(k), fb.push_back(k), fb.push_back(nn);
    auto fit = [&](const std::string& suffix, TensorId t0, const Shape& full) {
      const Shape s = im.b.shape(t0);
      if (elem_count(s) == elem_count(full)) return view(suffix, t0, full);
      return im.b.copy(im.unique_name(name + suffix), t0, full);  // broadcast over the batch
    };
    t = im.b.matmul(name, fit(".a_bcast", a, fa), fit(".b_bcast", b, fb));
  }
  return view(".out", t, out);
}

void build_matmul(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  TensorId x = im.value(i, n.input(0));
  if (!im.is_static(n.input(0)) && try_linear(im, i, name, x, n.input(1), false, "")) return;
  im.set_output(i, 0, matmul_any(im, i, name, x, im.value(i, n.input(1), true), im.shape(i, n.output(0))));
}

void build_gemm(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  TensorId x = im.value(i, n.input(0));
  if (im.attr_int(i, "transA", 0) != 0) x = im.b.transpose(im.unique_name(name + ".transA"), x, {1, 0});
  const bool tb = im.attr_int(i, "transB", 0) != 0;
  const std::string c = has_input(im, i, 2) ? n.input(2) : "";
  if (!im.is_static(n.input(0)) && try_linear(im, i, name, x, n.input(1), tb, c)) return;
  TensorId t = im.b.matmul(name, x, im.value(i, n.input(1), true), tb);
  if (!c.empty()) t = im.b.add(im.unique_name(name + ".add_bias"), t, im.value(i, c, true));
  im.set_output(i, 0, t);
}

void build_resize(Importer& im, int i, const std::string& name) {
  const std::string mode = im.attr_str(i, "mode", "nearest");
  if (mode != "nearest") im.fail_node(i, "mode '" + mode + "' is not supported: npusim models nearest upsampling only");
  TensorId x = im.value(i, im.node(i).input(0));
  const Shape xs = im.b.shape(x), out = im.shape(i, im.node(i).output(0));
  const bool ok = xs.size() == 4 && out.size() == 4 && out[0] == xs[0] && out[1] == xs[1] && out[2] % xs[2] == 0 &&
                  out[3] % xs[3] == 0 && out[2] / xs[2] == out[3] / xs[3] && out[2] >= xs[2];
  if (!ok)
    im.fail_node(i, "only NCHW nearest upsampling by the same whole factor on H and W is supported, got " +
                        shape_str(xs) + " -> " + shape_str(out));
  const uint64_t factor = out[2] / xs[2];
  im.set_output(i, 0, factor == 1 ? x : im.b.upsample_nearest(name, x, factor));
}

void build_softmax(Importer& im, int i, const std::string& name) {
  im.set_output(i, 0, im.b.softmax(name, im.value(i, im.node(i).input(0))));
}

// Norms as the builder's layers, whose scale and bias are the model's parameters.
void build_norm(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  const std::string& op = n.op_type();
  TensorId x = im.value(i, n.input(0));
  const bool affine = has_input(im, i, 1);
  if (op == "LayerNormalization") return im.set_output(i, 0, im.b.layer_norm(name, x, affine));
  if (op == "RMSNormalization" || op == "SimplifiedLayerNormalization")
    return im.set_output(i, 0, im.b.rms_norm(name, x, affine));
  const Shape xs = im.b.shape(x);
  if (op == "GroupNormalization") {
    const int64_t groups = im.attr_int(i, "num_groups", 0);
    if (groups < 1) im.fail_node(i, "num_groups must be >= 1");
    return im.set_output(i, 0, im.b.group_norm(name, x, static_cast<uint64_t>(groups), affine));
  }
  if (xs.size() < 2) im.fail_node(i, "needs an input with a channel dim (N, C, ...), got " + shape_str(xs));
  if (op == "InstanceNormalization") return im.set_output(i, 0, im.b.group_norm(name, x, xs[1], affine));
  // BatchNormalization, inference: folded into a per-channel scale and shift.
  Shape ws(xs.size() - 1, 1);
  ws[0] = xs[1];
  TensorId scale = im.b.weight(name + ".weight", ws), shift = im.b.bias(name + ".bias", ws);
  im.set_output(i, 0, im.b.elementwise(name, {x, scale, shift}));
}

void build_gelu(Importer& im, int i, const std::string& name) {
  TensorId x = im.value(i, im.node(i).input(0));
  im.set_output(i, 0, im.op(i) == "QuickGelu" ? im.b.quick_gelu(name, x) : im.b.gelu(name, x));
}

void build_concat(Importer& im, int i, const std::string& name) {
  std::vector<TensorId> xs = im.dynamic_operands(i, false);
  im.set_output(i, 0, xs.size() == 1 ? xs[0] : im.b.concat(name, xs, im.attr_int(i, "axis", 0)));
}

void build_transpose(Importer& im, int i, const std::string& name) {
  TensorId x = im.value(i, im.node(i).input(0));
  const size_t r = im.b.shape(x).size();
  std::vector<int64_t> perm = im.attr_ints(i, "perm");
  std::vector<uint64_t> p;
  if (perm.empty())
    for (size_t d = r; d-- > 0;) p.push_back(d);
  for (int64_t d : perm) p.push_back(static_cast<uint64_t>(d));  // validated by infer_transpose
  im.set_output(i, 0, permute(im.b, name, x, p));
}

// One two-operand step of an Einsum: every letter is a batch (both operands and the output), a row
// (first operand and output), a column (second and output) or a contraction (both operands only);
// the operands are viewed as [B, M, K] and [B, K, N] (a layout change the exporter's equation
// already states), so the MACs are B * M * N * K. The result has the dims of `to`'s letters.
TensorId einsum_pair(Importer& im, int i, const std::string& name, const std::string& eq, TensorId a,
                     const std::string& ta, TensorId b, const std::string& tb, const std::string& to) {
  const Shape sa = im.b.shape(a), sb = im.b.shape(b);
  std::map<char, uint64_t> size;
  uint64_t bsz = 1, m = 1, nn = 1, k = 1;
  for (size_t d = 0; d < ta.size(); ++d) {
    size[ta[d]] = sa[d];
    const bool in_b = tb.find(ta[d]) != std::string::npos, in_o = to.find(ta[d]) != std::string::npos;
    if (in_b && in_o)
      bsz *= sa[d];
    else if (in_o)
      m *= sa[d];
    else if (in_b)
      k *= sa[d];
    else
      im.fail_node(i, "equation '" + eq + "' sums letter " + std::string(1, ta[d]) +
                          " over one operand only, which npusim does not model");
  }
  for (size_t d = 0; d < tb.size(); ++d) {
    size.emplace(tb[d], sb[d]);
    const bool in_a = ta.find(tb[d]) != std::string::npos, in_o = to.find(tb[d]) != std::string::npos;
    if (!in_a && in_o)
      nn *= sb[d];
    else if (!in_a)
      im.fail_node(i, "equation '" + eq + "' sums letter " + std::string(1, tb[d]) +
                          " over one operand only, which npusim does not model");
  }
  auto view = [&](const std::string& suffix, TensorId t, const Shape& s) {
    return im.b.reshape(im.unique_name(name + suffix), t, std::vector<int64_t>(s.begin(), s.end()));
  };
  Shape out;
  for (char ch : to) out.push_back(size.at(ch));
  const TensorId va = view(".a", a, {bsz, m, k});
  const TensorId vb = view(".b", b, {bsz, k, nn});
  return view(".out", im.b.matmul(im.unique_name(name), va, vb), out);
}

// Einsum: two operands as one matmul; more are contracted pairwise left to right, each step
// keeping the letters a later operand or the output still needs (in order of appearance).
void build_einsum(Importer& im, int i, const std::string& name) {
  const auto& n = im.node(i);
  std::string eq = im.attr_str(i, "equation", "");
  std::erase(eq, ' ');
  const size_t arrow = eq.find("->");
  std::vector<std::string> terms(1);
  for (char ch : eq.substr(0, arrow))
    if (ch == ',')
      terms.emplace_back();
    else
      terms.back() += ch;
  if (terms.size() < 2)
    im.fail_node(i, "equation '" + eq + "' has one operand (a transpose, trace or sum), which npusim does not model");
  std::string rhs;  // validated by infer_einsum
  if (arrow != std::string::npos) {
    rhs = eq.substr(arrow + 2);
  } else {
    std::map<char, int> uses;
    for (const auto& t : terms)
      for (char ch : t) ++uses[ch];
    for (const auto& [ch, count] : uses)
      if (count == 1) rhs += ch;
  }
  TensorId acc = im.value(i, n.input(0));
  std::string cur = terms[0];
  for (size_t t = 1; t < terms.size(); ++t) {
    std::string needed = rhs, to;
    for (size_t later = t + 1; later < terms.size(); ++later) needed += terms[later];
    if (t + 1 == terms.size()) {
      to = rhs;
    } else {
      for (char ch : cur + terms[t])
        if (needed.find(ch) != std::string::npos && to.find(ch) == std::string::npos) to += ch;
    }
    acc = einsum_pair(im, i, terms.size() == 2 ? name : name + ".step" + std::to_string(t), eq, acc, cur,
                      im.value(i, n.input(static_cast<int>(t))), terms[t], to);
    cur = to;
  }
  im.set_output(i, 0, acc);
}

// Columns: op, com.microsoft too, min and max operands, shape rule, builder ops.
const OpRule kRules[] = {
    // Known before the run: folded, never costed.
    {"Constant", false, 0, 0, infer_constant, nullptr},
    {"Shape", false, 1, 1, infer_shape, nullptr},
    {"Size", false, 1, 1, infer_size, nullptr},
    {"ConstantOfShape", false, 1, 1, infer_constant_of_shape, build_copy},
    {"Range", false, 3, 3, infer_range, build_copy},
    // Elementwise functions of one tensor.
    {"Sigmoid", false, 1, 1, infer_same, build_unary},
    {"Tanh", false, 1, 1, infer_same, build_unary},
    {"Erf", false, 1, 1, infer_same, build_unary},
    {"Sqrt", false, 1, 1, infer_same, build_unary},
    {"Relu", false, 1, 1, infer_same, build_unary},
    {"Exp", false, 1, 1, infer_same, build_unary},
    {"Log", false, 1, 1, infer_same, build_unary},
    {"Neg", false, 1, 1, infer_same, build_unary},
    {"Abs", false, 1, 1, infer_same, build_unary},
    {"Reciprocal", false, 1, 1, infer_same, build_unary},
    {"Clip", false, 1, 3, infer_same, build_unary},
    {"Elu", false, 1, 1, infer_same, build_unary},
    {"Selu", false, 1, 1, infer_same, build_unary},
    {"Celu", false, 1, 1, infer_same, build_unary},
    {"LeakyRelu", false, 1, 1, infer_same, build_unary},
    {"PRelu", false, 2, 2, infer_same, build_eltwise},
    {"Softplus", false, 1, 1, infer_same, build_unary},
    {"Softsign", false, 1, 1, infer_same, build_unary},
    {"HardSigmoid", false, 1, 1, infer_same, build_unary},
    {"HardSwish", false, 1, 1, infer_same, build_unary},
    {"Mish", false, 1, 1, infer_same, build_unary},
    {"Sin", false, 1, 1, infer_same, build_unary},
    {"Cos", false, 1, 1, infer_same, build_unary},
    {"Floor", false, 1, 1, infer_same, build_unary},
    {"Ceil", false, 1, 1, infer_same, build_unary},
    {"Round", false, 1, 1, infer_same, build_unary},
    {"Sign", false, 1, 1, infer_same, build_unary},
    {"Not", false, 1, 1, infer_same, build_unary},
    {"IsNaN", false, 1, 1, infer_same, build_unary},
    {"IsInf", false, 1, 1, infer_same, build_unary},
    {"ThresholdedRelu", false, 1, 1, infer_same, build_unary},
    {"Gelu", true, 1, 1, infer_same, build_gelu},
    {"FastGelu", true, 1, 2, infer_same, build_gelu},
    {"QuickGelu", true, 1, 1, infer_same, build_gelu},
    // Elementwise over broadcast operands.
    {"Add", false, 2, 2, infer_eltwise, build_eltwise},
    {"Sub", false, 2, 2, infer_eltwise, build_eltwise},
    {"Mul", false, 2, 2, infer_eltwise, build_eltwise},
    {"Div", false, 2, 2, infer_eltwise, build_eltwise},
    {"Pow", false, 2, 2, infer_eltwise, build_eltwise},
    {"Mod", false, 2, 2, infer_eltwise, build_eltwise},
    {"Max", false, 1, -1, infer_eltwise, build_eltwise},
    {"Min", false, 1, -1, infer_eltwise, build_eltwise},
    {"Sum", false, 1, -1, infer_eltwise, build_eltwise},
    {"Mean", false, 1, -1, infer_eltwise, build_eltwise},
    {"Equal", false, 2, 2, infer_eltwise, build_eltwise},
    {"Less", false, 2, 2, infer_eltwise, build_eltwise},
    {"Greater", false, 2, 2, infer_eltwise, build_eltwise},
    {"LessOrEqual", false, 2, 2, infer_eltwise, build_eltwise},
    {"GreaterOrEqual", false, 2, 2, infer_eltwise, build_eltwise},
    {"And", false, 2, 2, infer_eltwise, build_eltwise},
    {"Or", false, 2, 2, infer_eltwise, build_eltwise},
    {"Xor", false, 2, 2, infer_eltwise, build_eltwise},
    {"Where", false, 3, 3, infer_eltwise, build_eltwise},
    {"BitShift", false, 2, 2, infer_eltwise, build_eltwise},
    // Reductions.
    {"ReduceMean", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceSum", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceMax", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceMin", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceProd", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceL1", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceL2", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceLogSum", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceLogSumExp", false, 1, 2, infer_reduce, build_reduce},
    {"ReduceSumSquare", false, 1, 2, infer_reduce, build_reduce},
    {"ArgMax", false, 1, 1, infer_reduce, build_reduce},
    {"ArgMin", false, 1, 1, infer_reduce, build_reduce},
    // Views (no data moves) and free aliases (dtypes come from the precision).
    {"Reshape", false, 2, 2, infer_reshape, build_view},
    {"Squeeze", false, 1, 2, infer_squeeze, build_view},
    {"Unsqueeze", false, 1, 2, infer_unsqueeze, build_view},
    {"Flatten", false, 1, 1, infer_flatten, build_view},
    {"Identity", false, 1, 1, infer_same, build_alias},
    {"Dropout", false, 1, 3, infer_same, build_alias},
    {"Cast", false, 1, 1, infer_cast, build_alias},
    {"CastLike", false, 2, 2, infer_cast, build_alias},
    // Data movement writing a part or a broadcast of the input.
    {"Slice", false, 1, 5, infer_slice, build_copy},
    {"Split", false, 1, 2, infer_split, build_copy},
    {"Pad", false, 1, 4, infer_pad, build_copy},
    {"Expand", false, 2, 2, infer_expand, build_copy},
    {"Tile", false, 2, 2, infer_tile, build_copy},
    {"DepthToSpace", false, 1, 1, infer_depth_to_space, build_copy},
    {"SpaceToDepth", false, 1, 1, infer_space_to_depth, build_copy},
    {"Trilu", false, 1, 2, infer_trilu, build_copy},
    {"Gather", false, 2, 2, infer_gather, build_gather},
    {"Concat", false, 1, -1, infer_concat, build_concat},
    {"Transpose", false, 1, 1, infer_transpose, build_transpose},
    // MACs, norms, resampling.
    {"Conv", false, 2, 3, infer_conv, build_conv},
    {"Gemm", false, 2, 3, infer_gemm, build_gemm},
    {"MatMul", false, 2, 2, infer_matmul, build_matmul},
    {"Einsum", false, 1, -1, infer_einsum, build_einsum},
    {"Softmax", false, 1, 1, infer_same, build_softmax},
    {"LogSoftmax", false, 1, 1, infer_same, build_softmax},
    {"LayerNormalization", false, 1, 3, infer_layer_norm, build_norm},
    {"GroupNormalization", false, 3, 3, infer_same, build_norm},
    {"InstanceNormalization", false, 3, 3, infer_same, build_norm},
    {"RMSNormalization", true, 1, 2, infer_layer_norm, build_norm},
    {"SimplifiedLayerNormalization", true, 1, 2, infer_layer_norm, build_norm},
    {"BatchNormalization", false, 5, 5, infer_same, build_norm},
    {"Resize", false, 1, 4, infer_resize, build_resize},
    {"Upsample", false, 1, 2, infer_resize, build_resize},
};

}  // namespace

void build_generic_op(Importer& im, int i, const std::string& name) { build_generic(im, i, name); }

const OpRule* find_rule(const std::string& domain, const std::string& op) {
  const bool standard = domain.empty() || domain == "ai.onnx";
  if (!standard && domain != "com.microsoft") return nullptr;
  for (const OpRule& r : kRules)
    if (r.op == op) return standard || r.microsoft ? &r : nullptr;
  return nullptr;
}

bool keeps_input_shape(const std::string& op) {
  static const std::array<std::string_view, 8> kSame = {
      "Hardmax", "LpNormalization", "MeanVarianceNormalization", "Shrink", "CumSum", "ReverseSequence", "Bernoulli",
      "Acos"};
  return std::find(kSame.begin(), kSame.end(), op) != kSame.end();
}

}  // namespace npusim::workloads::onnx_detail
