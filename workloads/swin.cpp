// torchvision's swin_t: patch 4, embed 96, depths [2, 2, 6, 2], heads [3, 6, 12, 24], window 7x7,
// MLP ratio 4. Feature maps are NHWC between the stem and the head, as in torchvision.
#include "nn_blocks.h"
#include "torchvision_models.h"

namespace npusim::workloads {

namespace {

constexpr uint64_t kWindow = 7, kTokens = kWindow * kWindow;

std::vector<int64_t> dims(std::initializer_list<uint64_t> d) {
  std::vector<int64_t> out;
  for (uint64_t v : d) out.push_back(static_cast<int64_t>(v));
  return out;
}

// torchvision's shifted_window_attention on x [B, H, W, C] (H, W multiples of the window).
TensorId window_attention(GraphBuilder& b, const std::string& p, TensorId x, uint64_t heads, bool shifted) {
  const Shape s = b.shape(x);
  const uint64_t batch = s[0], h = s[1], w = s[2], c = s[3], hd = c / heads;
  const uint64_t windows = (h / kWindow) * (w / kWindow), bw = batch * windows;
  // torch.roll by -window/2 on H and W: a copy.
  if (shifted) x = b.copy(p + "roll", x, s);
  // Partition: [B, H/7, 7, W/7, 7, C] -> [B, H/7, W/7, 7, 7, C] -> [B*nW, 49, C].
  TensorId t = b.reshape(p + "partition.view", x, dims({batch, h / kWindow, kWindow, w / kWindow, kWindow, c}));
  t = b.transpose(p + "partition", t, {0, 1, 3, 2, 4, 5});
  t = b.reshape(p + "partition.reshape", t, dims({bw, kTokens, c}));
  // qkv (one linear with bias) -> [B*nW, 49, 3*heads, hd] -> [B*nW, 3*heads, 49, hd]; q, k, v are
  // slices of it (copies of each range).
  TensorId qkv = b.linear(p + "qkv", t, 3 * c);
  qkv = b.reshape(p + "qkv.heads", qkv, dims({bw, kTokens, 3 * heads, hd}));
  qkv = b.transpose(p + "qkv.transpose", qkv, {0, 2, 1, 3});
  TensorId q = b.slice(p + "q", qkv, 1, 0, heads);
  TensorId k = b.slice(p + "k", qkv, 1, heads, heads);
  TensorId v = b.slice(p + "v", qkv, 1, 2 * heads, heads);
  TensorId scores = b.attention_score(p + "scores", q, k);  // [B*nW, heads, 49, 49]
  // Relative position bias: table[index] -> [49, 49, heads] -> [heads, 49, 49], broadcast over windows.
  TensorId table = b.weight(p + "relative_position_bias_table", {(2 * kWindow - 1) * (2 * kWindow - 1), heads});
  // relative_position_index is a buffer: the lookup (and its permute) fold at compile time.
  TensorId bias = b.gather(p + "relative_position_bias", table, {kTokens, kTokens}, true);
  bias = b.transpose(p + "relative_position_bias.permute", bias, {2, 0, 1});
  scores = b.add(p + "relative_position_bias.add", scores, bias);
  if (shifted) {
    // The shift mask [nW, 1, 49, 49] (a constant buffer) added per window, broadcast over B and heads.
    TensorId mask = b.input(p + "attn_mask", {windows, 1, kTokens, kTokens});
    scores = b.reshape(p + "scores.windows", scores, dims({batch, windows, heads, kTokens, kTokens}));
    scores = b.add(p + "attn_mask.add", scores, mask);
    scores = b.reshape(p + "scores.flat", scores, dims({bw, heads, kTokens, kTokens}));
  }
  TensorId probs = b.softmax(p + "softmax", scores);  // the 1/sqrt(hd) scale of q folded in
  TensorId o = b.attention_context(p + "context", probs, v);
  o = b.transpose(p + "context.transpose", o, {0, 2, 1, 3});
  o = b.reshape(p + "context.merge", o, dims({bw, kTokens, c}));
  o = b.linear(p + "proj", o, c);
  // Reverse the partition (and the roll).
  o = b.reshape(p + "reverse.view", o, dims({batch, h / kWindow, w / kWindow, kWindow, kWindow, c}));
  o = b.transpose(p + "reverse", o, {0, 1, 3, 2, 4, 5});
  o = b.reshape(p + "reverse.reshape", o, dims({batch, h, w, c}));
  if (shifted) o = b.copy(p + "roll_back", o, s);
  return o;
}

TensorId swin_block(GraphBuilder& b, const std::string& p, TensorId x, uint64_t heads, bool shifted) {
  const uint64_t c = b.shape(x)[3];
  TensorId h = window_attention(b, p + "attn.", b.layer_norm(p + "norm1", x), heads, shifted);
  x = b.add(p + "residual_1", x, h);  // stochastic depth is an identity at inference
  h = b.layer_norm(p + "norm2", x);
  h = b.gelu(p + "mlp.1", b.linear(p + "mlp.0", h, 4 * c));
  h = b.linear(p + "mlp.3", h, c);
  return b.add(p + "residual_2", x, h);
}

// PatchMerging: the four 2x2-strided views concatenated on C (one rearranging copy), LayerNorm,
// Linear(4C, 2C) without bias.
TensorId patch_merging(GraphBuilder& b, const std::string& p, TensorId x) {
  const Shape s = b.shape(x);
  TensorId m = b.copy(p + "cat", x, {s[0], s[1] / 2, s[2] / 2, 4 * s[3]});
  m = b.layer_norm(p + "norm", m);
  return b.linear(p + "reduction", m, 2 * s[3], false);
}

}  // namespace

Graph build_swin_t(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  constexpr uint64_t kDepths[] = {2, 2, 6, 2}, kHeads[] = {3, 6, 12, 24}, kEmbed = 96, kPatch = 4;
  // Every stage's map must hold whole windows: 4 (patch) * 8 (three merges) * 7 = 224.
  if (in.resolution % (kPatch * 8 * kWindow) != 0)
    throw InputError("swin-t: resolution = " + std::to_string(in.resolution) +
                     " must be a multiple of 224 (whole 7x7 windows at every stage; padding is not modelled)");
  GraphBuilder b("swin_t", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = b.conv2d("features.0.0", x, kEmbed, kPatch, kPatch, kPatch, 0);
  x = permute(b, "features.0.1", x, {0, 2, 3, 1});
  x = b.layer_norm("features.0.2", x);
  for (uint64_t s = 0; s < 4; ++s) {
    const std::string stage = "features." + std::to_string(2 * s + 1) + ".";
    // torchvision: odd blocks shift by window/2, unless the window covers the whole map.
    const bool can_shift = b.shape(x)[1] > kWindow;
    for (uint64_t i = 0; i < kDepths[s]; ++i)
      x = swin_block(b, stage + std::to_string(i) + ".", x, kHeads[s], can_shift && i % 2 == 1);
    if (s < 3) x = patch_merging(b, "features." + std::to_string(2 * s + 2) + ".", x);
  }
  x = b.layer_norm("norm", x);
  x = permute(b, "permute", x, {0, 3, 1, 2});
  x = b.global_avg_pool("avgpool", x);
  x = b.reshape("flatten", x, {static_cast<int64_t>(in.batch), -1});
  b.linear("head", x, 1000);
  return b.finish();
}

}  // namespace npusim::workloads
