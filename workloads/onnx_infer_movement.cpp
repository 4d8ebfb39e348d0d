// npusim's shape rules for the ONNX ops that move data (Gather, Slice, Concat, Split, Expand,
// Tile, Transpose, Pad, Trilu, DepthToSpace, SpaceToDepth), folding their values when known.
#include <algorithm>

#include "npusim/checked.h"
#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

using TP = onnx::TensorProto;

void infer_gather(Node& c) {
  const Val x = c.in(0), idx = c.in(1);
  const uint64_t axis = c.axis(c.attr_int("axis", 0), x.shape.size(), "axis");
  Shape out(x.shape.begin(), x.shape.begin() + static_cast<int64_t>(axis));
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), x.shape.begin() + static_cast<int64_t>(axis) + 1, x.shape.end());
  Val& o = make_out(c, 0, out, x.elem);
  if (!idx.has_data) return;
  const int64_t dim = static_cast<int64_t>(x.shape[axis]);
  for (int64_t i : idx.ints)
    if (i < -dim || i >= dim)
      c.fail("index " + std::to_string(i) + " is out of range for dim " + std::to_string(axis) + " of size " +
             std::to_string(dim));
  if (!x.has_data || !foldable(o)) return;
  uint64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  std::vector<size_t> map;
  for (uint64_t a = 0; a < outer; ++a)
    for (int64_t i : idx.ints)
      for (uint64_t b = 0; b < inner; ++b)
        map.push_back((a * x.shape[axis] + static_cast<uint64_t>(i < 0 ? i + dim : i)) * inner + b);
  gather_data(x, o, map);
}

void infer_slice(Node& c) {
  const Val x = c.in(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.has(1)) {
    starts = c.ints(1, "starts");
    ends = c.ints(2, "ends");
    if (c.has(3)) axes = c.ints(3, "axes");
    if (c.has(4)) steps = c.ints(4, "steps");
  } else {  // opset < 10: attributes
    starts = c.attr_ints("starts").value_or(std::vector<int64_t>{});
    ends = c.attr_ints("ends").value_or(std::vector<int64_t>{});
    axes = c.attr_ints("axes").value_or(std::vector<int64_t>{});
  }
  const size_t r = x.shape.size();
  if (axes.empty())
    for (size_t d = 0; d < starts.size(); ++d) axes.push_back(static_cast<int64_t>(d));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    c.fail("starts, ends, axes and steps must have the same length");
  std::vector<int64_t> first(r, 0), step(r, 1);
  Shape out = x.shape;
  std::vector<bool> seen(r, false);
  for (size_t k = 0; k < starts.size(); ++k) {
    const uint64_t a = c.axis(axes[k], r, "axes");
    if (seen[a]) c.fail("axes name dim " + std::to_string(a) + " twice");
    seen[a] = true;
    const int64_t dim = static_cast<int64_t>(x.shape[a]), st = steps[k];
    if (st == 0) c.fail("steps must not be 0");
    int64_t s = starts[k], e = ends[k];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    __int128 count = 0;  // 128 bits: steps may be INT64_MIN
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (static_cast<__int128>(e) - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, std::max<int64_t>(dim - 1, 0));
      e = std::clamp<int64_t>(e, -1, dim - 1);
      count = s > e && dim > 0 ? (static_cast<__int128>(s) - e - 1) / -static_cast<__int128>(st) + 1 : 0;
    }
    first[a] = s, step[a] = st, out[a] = static_cast<uint64_t>(count);
  }
  Val& o = make_out(c, 0, out, x.elem);
  if (!x.has_data || !foldable(o)) return;
  const auto ost = strides_of(out), ist = strides_of(x.shape);
  std::vector<size_t> map(elem_count(out));
  for (size_t e = 0; e < map.size(); ++e) {
    size_t src = 0;
    for (size_t d = 0; d < r; ++d)
      src += static_cast<size_t>(first[d] + static_cast<int64_t>((e / ost[d]) % out[d]) * step[d]) * ist[d];
    map[e] = src;
  }
  gather_data(x, o, map);
}

void infer_concat(Node& c) {
  std::vector<Val> ins;
  for (int k = 0; k < c.n.input_size(); ++k)
    if (c.has(k)) ins.push_back(c.in(k));
  if (ins.empty()) c.fail("needs at least one operand");
  if (!c.attr("axis")) c.fail("has no axis attribute");
  const size_t r = ins[0].shape.size();
  const uint64_t a = c.axis(c.attr_int("axis", 0), r, "axis");
  Shape out = ins[0].shape;
  out[a] = 0;
  for (const Val& v : ins) {
    if (v.shape.size() != r)
      c.fail("operands " + shape_str(ins[0].shape) + " and " + shape_str(v.shape) + " differ in rank");
    for (size_t d = 0; d < r; ++d)
      if (d != a && v.shape[d] != ins[0].shape[d])
        c.fail("operands " + shape_str(ins[0].shape) + " and " + shape_str(v.shape) + " differ outside axis " +
               std::to_string(a));
    auto s = checked_add(out[a], v.shape[a]);
    if (!s) c.fail("concatenated size overflows 64 bits");
    out[a] = *s;
  }
  Val& o = make_out(c, 0, out, ins[0].elem);
  if (!std::all_of(ins.begin(), ins.end(), [](const Val& v) { return v.has_data; }) || !foldable(o)) return;
  uint64_t outer = 1;
  for (size_t d = 0; d < a; ++d) outer *= out[d];
  o.has_data = true;
  for (uint64_t blk = 0; blk < outer; ++blk)
    for (const Val& v : ins) {
      const uint64_t chunk = elem_count(v.shape) / std::max<uint64_t>(outer, 1);
      for (uint64_t k = 0; k < chunk; ++k) {
        if (is_integral(v.elem))
          o.ints.push_back(v.ints.at(blk * chunk + k));
        else
          o.reals.push_back(v.reals.at(blk * chunk + k));
      }
    }
}

void infer_split(Node& c) {
  const Val x = c.in(0);
  const uint64_t a = c.axis(c.attr_int("axis", 0), x.shape.size(), "axis");
  std::vector<int64_t> parts = c.has(1) ? c.ints(1, "split") : c.attr_ints("split").value_or(std::vector<int64_t>{});
  const uint64_t outs = static_cast<uint64_t>(c.outputs());
  if (parts.empty()) {
    const uint64_t num = c.attr("num_outputs") ? static_cast<uint64_t>(c.attr_int("num_outputs", 1)) : outs;
    if (num == 0 || num != outs) c.fail("num_outputs must equal the number of outputs");
    const uint64_t each = ceil_div(x.shape[a], num);
    for (uint64_t k = 0; k < num; ++k)
      parts.push_back(static_cast<int64_t>(std::min(each, x.shape[a] - std::min(x.shape[a], k * each))));
  }
  if (parts.size() != outs)
    c.fail("split has " + std::to_string(parts.size()) + " sizes for " + std::to_string(outs) + " outputs");
  uint64_t total = 0;
  for (int64_t p : parts) {
    if (p < 0) c.fail("split sizes must not be negative");
    total += static_cast<uint64_t>(p);
  }
  if (total != x.shape[a])
    c.fail("split sizes add up to " + std::to_string(total) + ", not dim " + std::to_string(a) + " = " +
           std::to_string(x.shape[a]));
  for (int k = 0; k < c.outputs(); ++k) {
    if (c.n.output(k).empty()) continue;
    Shape s = x.shape;
    s[a] = static_cast<uint64_t>(parts[static_cast<size_t>(k)]);
    make_out(c, k, s, x.elem);
  }
}

void infer_expand(Node& c) {
  const Val x = c.in(0);
  Shape want;
  for (int64_t d : c.ints(1, "shape")) {
    if (d < 0) c.fail("shape has a negative dim " + std::to_string(d));
    want.push_back(static_cast<uint64_t>(d));
  }
  const Shape out = broadcast(c, {x.shape, want});
  Val& o = make_out(c, 0, out, x.elem);
  if (x.has_data && foldable(o)) gather_data(x, o, broadcast_map(x.shape, out));
  o.all_zero = x.all_zero;
}

void infer_tile(Node& c) {
  const Val x = c.in(0);
  const std::vector<int64_t> reps = c.ints(1, "repeats");
  if (reps.size() != x.shape.size()) c.fail("repeats must have one value per input dim");
  Shape out;
  for (size_t d = 0; d < reps.size(); ++d) {
    if (reps[d] < 0) c.fail("repeats must not be negative");
    auto p = checked_mul(x.shape[d], static_cast<uint64_t>(reps[d]));
    if (!p) c.fail("tiled size overflows 64 bits");
    out.push_back(*p);
  }
  Val& o = make_out(c, 0, out, x.elem);
  if (!x.has_data || !foldable(o)) return;
  const auto ost = strides_of(out), ist = strides_of(x.shape);
  std::vector<size_t> map(elem_count(out));
  for (size_t e = 0; e < map.size(); ++e) {
    size_t src = 0;
    for (size_t d = 0; d < out.size(); ++d) src += ((e / ost[d]) % out[d] % x.shape[d]) * ist[d];
    map[e] = src;
  }
  gather_data(x, o, map);
}

void infer_transpose(Node& c) {
  const Val x = c.in(0);
  const size_t r = x.shape.size();
  std::vector<int64_t> perm = c.attr_ints("perm").value_or(std::vector<int64_t>{});
  if (perm.empty())
    for (size_t d = r; d-- > 0;) perm.push_back(static_cast<int64_t>(d));
  if (perm.size() != r) c.fail("perm has " + std::to_string(perm.size()) + " axes for rank " + std::to_string(r));
  std::vector<bool> seen(r, false);
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(r) || seen[static_cast<size_t>(p)]) c.fail("perm is not a permutation");
    seen[static_cast<size_t>(p)] = true;
    out.push_back(x.shape[static_cast<size_t>(p)]);
  }
  Val& o = make_out(c, 0, out, x.elem);
  if (!x.has_data || !foldable(o)) return;
  const auto ost = strides_of(out), ist = strides_of(x.shape);
  std::vector<size_t> map(elem_count(out));
  for (size_t e = 0; e < map.size(); ++e) {
    size_t src = 0;
    for (size_t d = 0; d < r; ++d) src += ((e / ost[d]) % out[d]) * ist[static_cast<size_t>(perm[d])];
    map[e] = src;
  }
  gather_data(x, o, map);
}

void infer_pad(Node& c) {
  const Val x = c.in(0);
  const size_t r = x.shape.size();
  std::vector<int64_t> pads = c.has(1) ? c.ints(1, "pads") : c.attr_ints("pads").value_or(std::vector<int64_t>{});
  std::vector<int64_t> axes;
  if (c.has(3))
    axes = c.ints(3, "axes");
  else
    for (size_t d = 0; d < r; ++d) axes.push_back(static_cast<int64_t>(d));
  if (pads.size() != 2 * axes.size()) c.fail("pads must have two values per padded axis");
  Shape out = x.shape;
  for (size_t k = 0; k < axes.size(); ++k) {
    const uint64_t a = c.axis(axes[k], r, "axes");
    const __int128 v = static_cast<__int128>(out[a]) + pads[k] + pads[k + axes.size()];
    if (v < 0 || v > static_cast<__int128>(UINT64_MAX)) c.fail("padded dim " + std::to_string(a) + " is out of range");
    out[a] = static_cast<uint64_t>(v);
  }
  make_out(c, 0, out, x.elem);
}

void infer_trilu(Node& c) {
  const Val x = c.in(0);
  if (x.shape.size() < 2) c.fail("needs an input of rank 2 or more");
  const int64_t k = c.has(1) ? c.ints(1, "k").at(0) : 0;
  const bool upper = c.attr_int("upper", 1) != 0;
  Val& o = make_out(c, 0, x.shape, x.elem);
  if (!x.has_data) return;
  const uint64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
  copy_data(x, o);
  for (size_t e = 0; e < elem_count(x.shape); ++e) {
    const auto i = static_cast<int64_t>((e / cols) % rows), j = static_cast<int64_t>(e % cols);
    const bool keep = upper ? j - i >= k : j - i <= k;
    if (keep) continue;
    if (!o.ints.empty()) o.ints[e] = 0;
    if (!o.reals.empty()) o.reals[e] = 0;
  }
}

void infer_depth_to_space(Node& c) {
  const Val x = c.in(0);
  if (x.shape.size() != 4) c.fail("needs a 4-D input, got " + shape_str(x.shape));
  const int64_t b = c.attr_int("blocksize", 0);
  if (b < 1) c.fail("blocksize must be >= 1");
  auto bb = checked_mul(static_cast<uint64_t>(b), static_cast<uint64_t>(b));
  auto h = checked_mul(x.shape[2], static_cast<uint64_t>(b)), w = checked_mul(x.shape[3], static_cast<uint64_t>(b));
  if (!bb || !h || !w) c.fail("blocksize " + std::to_string(b) + " overflows the output size");
  if (x.shape[1] % *bb != 0)
    c.fail("channels " + std::to_string(x.shape[1]) + " are not a multiple of blocksize^2 = " + std::to_string(*bb));
  make_out(c, 0, {x.shape[0], x.shape[1] / *bb, *h, *w}, x.elem);
}

void infer_space_to_depth(Node& c) {
  const Val x = c.in(0);
  if (x.shape.size() != 4) c.fail("needs a 4-D input, got " + shape_str(x.shape));
  const int64_t b = c.attr_int("blocksize", 0);
  if (b < 1) c.fail("blocksize must be >= 1");
  const auto ub = static_cast<uint64_t>(b);
  auto bb = checked_mul(ub, ub);
  if (!bb || x.shape[2] % ub != 0 || x.shape[3] % ub != 0)
    c.fail("blocksize " + std::to_string(b) + " must divide H and W of " + shape_str(x.shape));
  auto ch = checked_mul(x.shape[1], *bb);
  if (!ch) c.fail("blocksize " + std::to_string(b) + " overflows the channel count");
  make_out(c, 0, {x.shape[0], *ch, x.shape[2] / ub, x.shape[3] / ub}, x.elem);
}

}  // namespace npusim::workloads::onnx_detail
