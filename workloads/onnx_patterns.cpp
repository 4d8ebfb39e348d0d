// Multi-node patterns that are one layer in the framework, recognised in what exporters write and
// costed as the builders' layer (so their vector work matches): GELU written with Erf, GroupNorm
// exported as Reshape -> InstanceNormalization -> Reshape -> Mul -> Add, and LayerNorm / RMSNorm
// written out with ReduceMean, Pow and Sqrt.
#include <algorithm>
#include <cmath>

#include "onnx_internal.h"

namespace npusim::workloads::onnx_detail {

namespace {

struct Matcher {
  Importer& im;

  // The node consuming node i's only output, when it is its only consumer and has type `op`.
  std::optional<int> next(int i, const std::string& op) const {
    const auto& n = im.node(i);
    if (n.output_size() < 1 || n.output(0).empty()) return std::nullopt;
    auto c = im.sole_consumer(n.output(0));
    if (!c || im.op(*c) != op || im.fused[*c]) return std::nullopt;
    return c;
  }
  // The other operand of binary node i, given one of them.
  std::optional<std::string> other(int i, const std::string& one) const {
    const auto& n = im.node(i);
    if (n.input_size() != 2) return std::nullopt;
    if (n.input(0) == one) return n.input(1);
    if (n.input(1) == one) return n.input(0);
    return std::nullopt;
  }
  // The single element of a static operand, when known.
  std::optional<double> scalar(int i, const std::string& v) const {
    if (!im.is_static(v)) return std::nullopt;
    const Val& x = im.val(i, v);
    if (!x.has_data || x.ints.size() + x.reals.size() != 1) return std::nullopt;
    return x.reals.empty() ? static_cast<double>(x.ints[0]) : x.reals[0];
  }
  bool near(std::optional<double> v, double want) const { return v && std::fabs(*v - want) < 1e-3 * std::fabs(want); }
  // Reduces only the last axis (or the axes from `from` on) of its input, keeping dims.
  bool reduces_last(int i) const {
    const auto& n = im.node(i);
    const Shape xs = im.shape(i, n.input(0)), out = im.shape(i, n.output(0));
    if (xs.empty() || out.size() != xs.size() || out.back() != 1) return false;
    return std::equal(xs.begin(), xs.end() - 1, out.begin());
  }
  void claim(const std::vector<int>& nodes, int head, Pattern p) {
    for (int k : nodes)
      if (k != head) im.fused[k] = true;
    ++im.patterns[p.kind];
    im.pattern_at[head] = std::move(p);
  }

  // Div(x, sqrt 2) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5): GELU (torch's exact erf form).
  void gelu(int div) {
    const auto& d = im.node(div);
    if (d.input_size() != 2 || !near(scalar(div, d.input(1)), std::sqrt(2.0))) return;
    const std::string& x = d.input(0);
    auto erf = next(div, "Erf");
    auto add = erf ? next(*erf, "Add") : std::nullopt;
    auto one = add ? other(*add, im.node(*erf).output(0)) : std::nullopt;
    if (!one || !near(scalar(*add, *one), 1.0)) return;
    auto mul = next(*add, "Mul");
    if (!mul || other(*mul, im.node(*add).output(0)) != x) return;
    auto half = next(*mul, "Mul");
    auto h = half ? other(*half, im.node(*mul).output(0)) : std::nullopt;
    if (!h || !near(scalar(*half, *h), 0.5)) return;
    claim({div, *erf, *add, *mul, *half}, div, {"GELU (Erf form) as gelu", x, *half, 0});
  }

  // Reshape(x [N, C, ...] -> [N, G, -1]) -> InstanceNormalization -> Reshape(back) -> Mul(gamma
  // [C, 1, ...]) -> Add(beta): torch's GroupNorm export.
  void group_norm(int reshape) {
    const auto& r = im.node(reshape);
    const std::string& x = r.input(0);
    if (im.is_static(x)) return;
    const Shape xs = im.shape(reshape, x), rs = im.shape(reshape, r.output(0));
    if (xs.size() < 3 || rs.size() != 3 || rs[0] != xs[0]) return;
    auto inorm = next(reshape, "InstanceNormalization");
    auto back = inorm ? next(*inorm, "Reshape") : std::nullopt;
    if (!back || im.shape(*back, im.node(*back).output(0)) != xs) return;
    auto mul = next(*back, "Mul");
    auto gamma = mul ? other(*mul, im.node(*back).output(0)) : std::nullopt;
    if (!gamma || !im.is_static(*gamma)) return;
    auto add = next(*mul, "Add");
    auto beta = add ? other(*add, im.node(*mul).output(0)) : std::nullopt;
    if (!beta || !im.is_static(*beta)) return;
    const uint64_t groups = rs[1];
    if (groups == 0 || xs[1] % groups != 0) return;
    claim({reshape, *inorm, *back, *mul, *add}, reshape,
          {"GroupNorm (InstanceNormalization form) as group_norm", x, *add, groups});
  }

  // ReduceMean(x) -> Sub(x, mean) -> Pow(2) -> ReduceMean -> Add(eps) -> Sqrt -> Div(diff, .)
  // -> Mul(gamma) -> Add(beta): LayerNorm written out over the last axis.
  void layer_norm(int mean) {
    const auto& m = im.node(mean);
    const std::string& x = m.input(0);
    if (im.is_static(x) || !reduces_last(mean)) return;
    auto sub = next(mean, "Sub");
    if (!sub || im.node(*sub).input(0) != x) return;
    const std::string& diff = im.node(*sub).output(0);
    // diff feeds Pow and Div: two consumers, so walk by hand.
    int pow = -1, div = -1;
    if (im.consumers(diff).size() != 2) return;
    for (int k : im.consumers(diff)) {
      const auto& n = im.node(k);
      if (n.input_size() == 2 && n.input(0) == diff) {
        if (im.op(k) == "Pow" && near(scalar(k, n.input(1)), 2.0)) pow = k;
        if (im.op(k) == "Div") div = k;
      }
    }
    if (pow < 0 || div < 0) return;
    auto mean2 = next(pow, "ReduceMean");
    auto add = mean2 ? next(*mean2, "Add") : std::nullopt;
    auto sqrt = add ? next(*add, "Sqrt") : std::nullopt;
    if (!sqrt || im.sole_consumer(im.node(*sqrt).output(0)) != div) return;
    auto mul = next(div, "Mul");
    auto gamma = mul ? other(*mul, im.node(div).output(0)) : std::nullopt;
    if (!gamma || !im.is_static(*gamma)) return;
    auto addb = next(*mul, "Add");
    auto beta = addb ? other(*addb, im.node(*mul).output(0)) : std::nullopt;
    if (!beta || !im.is_static(*beta)) return;
    claim({mean, *sub, pow, *mean2, *add, *sqrt, div, *mul, *addb}, mean,
          {"LayerNorm (written out) as layer_norm", x, *addb, 0});
  }

  // Pow(x, 2) -> ReduceMean -> Add(eps) -> Sqrt -> Reciprocal (or Div(1, .)) -> Mul(x, .) ->
  // Mul(gamma): RMSNorm written out (Llama's).
  void rms_norm(int pow) {
    const auto& p = im.node(pow);
    if (p.input_size() != 2 || !near(scalar(pow, p.input(1)), 2.0)) return;
    const std::string& x = p.input(0);
    if (im.is_static(x)) return;
    auto mean = next(pow, "ReduceMean");
    if (!mean || !reduces_last(*mean)) return;
    auto add = next(*mean, "Add");
    auto sqrt = add ? next(*add, "Sqrt") : std::nullopt;
    if (!sqrt) return;
    std::optional<int> inv = next(*sqrt, "Reciprocal");
    if (!inv) inv = next(*sqrt, "Div");
    if (!inv) return;
    auto mul = next(*inv, "Mul");
    if (!mul || other(*mul, im.node(*inv).output(0)) != x) return;
    auto scale = next(*mul, "Mul");
    auto gamma = scale ? other(*scale, im.node(*mul).output(0)) : std::nullopt;
    if (!gamma || !im.is_static(*gamma)) return;
    claim({pow, *mean, *add, *sqrt, *inv, *mul, *scale}, pow, {"RMSNorm (written out) as rms_norm", x, *scale, 0});
  }
};

}  // namespace

void recognise_patterns(Importer& im) {
  Matcher m{im};
  for (int i = 0; i < static_cast<int>(im.fused.size()); ++i) {
    if (im.fused[i] || im.pattern_at.contains(i) || im.is_static(im.node(i).output_size() ? im.node(i).output(0) : ""))
      continue;
    const std::string& op = im.op(i);
    if (op == "Div") m.gelu(i);
    if (op == "Reshape") m.group_norm(i);
    if (op == "ReduceMean") m.layer_norm(i);
    if (op == "Pow") m.rms_norm(i);
  }
}

void build_pattern(Importer& im, int head, const Pattern& p, const std::string& name) {
  TensorId x = im.value(head, p.input);
  TensorId t;
  if (p.kind.starts_with("GELU"))
    t = im.b.gelu(name, x);
  else if (p.kind.starts_with("GroupNorm"))
    t = im.b.group_norm(name, x, p.groups, true);
  else if (p.kind.starts_with("LayerNorm"))
    t = im.b.layer_norm(name, x, true);
  else
    t = im.b.rms_norm(name, x, true);
  const Shape want = im.shape(p.tail, im.node(p.tail).output(0));
  if (want != im.b.shape(t))
    im.fail_node(head, "pattern " + p.kind + " gives " + shape_str(im.b.shape(t)) + ", the graph " + shape_str(want));
  im.fuse(p.tail, t);
}

}  // namespace npusim::workloads::onnx_detail
