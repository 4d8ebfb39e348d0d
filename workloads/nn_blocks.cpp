#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

std::vector<int64_t> dims_of(const Shape& s) { return std::vector<int64_t>(s.begin(), s.end()); }

// [B, S, H*D] -> [B, H, S, D]
TensorId split_heads(GraphBuilder& b, const std::string& name, TensorId x, uint64_t heads) {
  const Shape s = b.shape(x);
  auto h = static_cast<int64_t>(heads);
  TensorId r =
      b.reshape(name + ".reshape", x,
                {static_cast<int64_t>(s[0]), static_cast<int64_t>(s[1]), h, static_cast<int64_t>(s[2] / heads)});
  return permute(b, name + ".permute", r, {0, 2, 1, 3});
}

// [B, H, S, D] -> [B, S, H*D]
TensorId merge_heads(GraphBuilder& b, const std::string& name, TensorId x) {
  TensorId t = permute(b, name + ".permute", x, {0, 2, 1, 3});
  const Shape s = b.shape(t);
  return b.reshape(name + ".reshape", t,
                   {static_cast<int64_t>(s[0]), static_cast<int64_t>(s[1]), static_cast<int64_t>(s[2] * s[3])});
}

}  // namespace

TensorId permute(GraphBuilder& b, const std::string& name, TensorId x, const std::vector<uint64_t>& perm) {
  const Shape s = b.shape(x);  // a copy: builder calls may reallocate the tensor table
  std::vector<uint64_t> kept_before, kept_after;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1) kept_before.push_back(i);
  for (uint64_t p : perm)
    if (p < s.size() && s[p] != 1) kept_after.push_back(p);
  if (perm.size() != s.size() || kept_before != kept_after) return b.transpose(name, x, perm);
  std::vector<int64_t> out;
  for (uint64_t p : perm) out.push_back(static_cast<int64_t>(s[p]));
  return b.reshape(name, x, out);
}

TensorId to_tokens(GraphBuilder& b, const std::string& name, TensorId x) {
  TensorId t = permute(b, name, x, {0, 2, 3, 1});
  const Shape s = b.shape(t);
  return b.reshape(name + ".reshape", t,
                   {static_cast<int64_t>(s[0]), static_cast<int64_t>(s[1] * s[2]), static_cast<int64_t>(s[3])});
}

TensorId from_tokens(GraphBuilder& b, const std::string& name, TensorId t, uint64_t h, uint64_t w) {
  const Shape s = b.shape(t);
  TensorId r = b.reshape(
      name + ".reshape", t,
      {static_cast<int64_t>(s[0]), static_cast<int64_t>(h), static_cast<int64_t>(w), static_cast<int64_t>(s.back())});
  return permute(b, name, r, {0, 3, 1, 2});
}

TensorId multi_head_attention(GraphBuilder& b, const std::string& prefix, TensorId x, TensorId context,
                              const AttentionSpec& spec) {
  const uint64_t channels = b.shape(x).back();
  if (spec.heads == 0 || channels % spec.heads != 0)
    throw InputError("'" + prefix + "': " + std::to_string(spec.heads) + " attention heads do not divide " +
                     std::to_string(channels) + " channels");
  const std::string p = prefix + ".";
  TensorId q = b.linear(p + spec.q, x, channels, spec.qkv_bias);
  TensorId k = b.linear(p + spec.k, context, channels, spec.qkv_bias);
  TensorId v = b.linear(p + spec.v, context, channels, spec.qkv_bias);
  q = split_heads(b, p + spec.q, q, spec.heads);
  k = split_heads(b, p + spec.k, k, spec.heads);
  v = split_heads(b, p + spec.v, v, spec.heads);
  TensorId scores = b.attention_score(p + "scores", q, k);
  TensorId probs = b.softmax(p + "softmax", scores);
  TensorId ctx = b.attention_context(p + "context", probs, v);
  return b.linear(p + spec.out, merge_heads(b, p + "context", ctx), channels, true);
}

TensorId resnet_block_2d(GraphBuilder& b, const std::string& prefix, TensorId x, uint64_t out_channels,
                         uint64_t norm_groups, std::optional<TensorId> temb) {
  const std::string p = prefix + ".";
  TensorId h = b.group_norm(p + "norm1", x, norm_groups);
  h = b.silu(p + "norm1.act", h);
  h = b.conv2d(p + "conv1", h, out_channels, 3, 3, 1, 1);
  if (temb) {
    TensorId t = b.silu(p + "time_emb_act", *temb);
    t = b.linear(p + "time_emb_proj", t, out_channels);
    std::vector<int64_t> dims = dims_of(b.shape(t));
    dims.insert(dims.end(), {1, 1});  // [B, C] -> [B, C, 1, 1], broadcast over H and W
    t = b.reshape(p + "time_emb_proj.reshape", t, dims);
    h = b.add(p + "time_emb_add", h, t);
  }
  h = b.group_norm(p + "norm2", h, norm_groups);
  h = b.silu(p + "norm2.act", h);
  h = b.conv2d(p + "conv2", h, out_channels, 3, 3, 1, 1);
  TensorId shortcut = x;
  if (b.shape(x)[1] != out_channels) shortcut = b.conv2d(p + "conv_shortcut", x, out_channels, 1, 1);
  return b.add(p + "residual", shortcut, h);
}

TensorId upsample_2d(GraphBuilder& b, const std::string& prefix, TensorId x) {
  TensorId up = b.upsample_nearest(prefix + ".interpolate", x, 2);
  return b.conv2d(prefix + ".conv", up, b.shape(x)[1], 3, 3, 1, 1);
}

}  // namespace npusim::workloads
