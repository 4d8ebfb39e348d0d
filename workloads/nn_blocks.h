#pragma once
// Building blocks shared by the model builders (SD UNet, VAE decoder, CLIP text encoder), each
// emitting the ops of one PyTorch module. `prefix` is the module's path (e.g.
// "down_blocks.0.resnets.1"); ops and weights are named below it like the PyTorch state dict.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// Permutes x's axes: a transpose (data movement), or a reshape (a view) when only size-1 axes
// change place, since then no element moves.
TensorId permute(GraphBuilder& b, const std::string& name, TensorId x, const std::vector<uint64_t>& perm);

// NCHW -> [B, H*W, C] tokens (diffusers' permute(0, 2, 3, 1).reshape and view + transpose).
TensorId to_tokens(GraphBuilder& b, const std::string& name, TensorId x);
// [B, H*W, C] tokens -> NCHW.
TensorId from_tokens(GraphBuilder& b, const std::string& name, TensorId t, uint64_t h, uint64_t w);

// Projection names and biases of one attention module.
struct AttentionSpec {
  uint64_t heads = 1;
  bool qkv_bias = false;  // the output projection always has a bias
  std::string q = "to_q", k = "to_k", v = "to_v", out = "to_out.0";
};

// Multi-head attention on x [B, S, C] attending to context [B, T, Cc] (pass x again for
// self-attention): q/k/v projections to C, heads split to [B, H, S, C/H], scores, softmax,
// context, heads merged back and the output projection to C. The 1/sqrt(d) scale and masks
// are folded into the softmax. Returns [B, S, C].
TensorId multi_head_attention(GraphBuilder& b, const std::string& prefix, TensorId x, TensorId context,
                              const AttentionSpec& spec);

// diffusers ResnetBlock2D (time_embedding_norm "default", output scale 1, eval-mode dropout):
// norm1, SiLU, conv1 3x3, [+ time_emb_proj(SiLU(temb)) broadcast over H, W], norm2, SiLU,
// conv2 3x3, and a 1x1 conv_shortcut on x when its channels differ from out_channels.
// temb is the [B, T] time embedding, or nullopt for resnets without one (the VAE's).
TensorId resnet_block_2d(GraphBuilder& b, const std::string& prefix, TensorId x, uint64_t out_channels,
                         uint64_t norm_groups, std::optional<TensorId> temb);

// diffusers Upsample2D with use_conv: nearest x2, then a 3x3 conv keeping the channels.
// `prefix` is the module path, e.g. "up_blocks.0.upsamplers.0".
TensorId upsample_2d(GraphBuilder& b, const std::string& prefix, TensorId x);

}  // namespace npusim::workloads
