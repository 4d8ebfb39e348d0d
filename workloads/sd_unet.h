#pragma once
// The layer graph of a diffusers UNet2DConditionModel (Stable Diffusion 1.x / 2.x and SDXL UNets),
// built from the model's own config.json.
#include <cstdint>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// The structure-relevant part of a UNet2DConditionModel config, resolved per block. Vectors
// indexed by block are in down-block order; the up blocks and mid block read them reversed /
// last, as diffusers does.
struct UNetConfig {
  std::string source;  // the file it was loaded from, for messages; empty when built in code
  uint64_t in_channels = 4;
  uint64_t out_channels = 4;
  std::vector<uint64_t> block_out_channels;
  std::vector<bool> down_cross_attention;  // CrossAttnDownBlock2D (true) or DownBlock2D
  std::vector<bool> up_cross_attention;    // in up order: CrossAttnUpBlock2D (true) or UpBlock2D
  std::vector<uint64_t> layers_per_block;  // resnets of down block i; its up mirror has one more
  std::vector<uint64_t> attention_heads;   // heads of block i's Transformer2DModels (head dim = channels / heads)
  std::vector<uint64_t> transformer_layers_per_block;  // BasicTransformerBlocks per Transformer2DModel; mid: last
  uint64_t cross_attention_dim = 768;                  // feature dim of encoder_hidden_states
  uint64_t norm_num_groups = 32;
  bool use_linear_projection = false;  // proj_in / proj_out as linear instead of 1x1 conv
  uint64_t time_embed_dim = 1280;      // time_embedding output; its input is block_out_channels[0]
  uint64_t conv_in_kernel = 3;
  uint64_t conv_out_kernel = 3;
  uint64_t sample_h = 0, sample_w = 0;  // latent size from sample_size; 0 when it is null
  // SDXL's addition_embed_type "text_time": an add_embedding (linear-SiLU-linear to time_embed_dim)
  // of this many input features, added to the time embedding. 0: none.
  uint64_t add_embedding_input_dim = 0;
  uint64_t addition_time_embed_dim = 0;  // sinusoid width per time id (SDXL: 6 ids x 256)
};

struct UNetInputs {
  uint64_t batch = 1;
  uint64_t latent_h = 0, latent_w = 0;  // 0: the config's sample_size
  uint64_t text_tokens = 77;            // sequence length of encoder_hidden_states
};

// Reads a diffusers UNet2DConditionModel config.json (or YAML with the same keys). Throws
// InputError naming file:line, key and rule for malformed, unknown or unsupported values.
UNetConfig load_unet_config(const std::string& path);

// Graph inputs: "sample" [B, in, H, W], "time_proj" [B, block_out_channels[0]] (the sinusoidal
// timestep projection, computed off the accelerator), "encoder_hidden_states"
// [B, text_tokens, cross_attention_dim] and, with a text_time addition embedding, "add_embeds"
// [B, add_embedding_input_dim] (pooled text embeds concatenated with the time ids' sinusoids,
// diffusers' add_time_proj, also computed off the accelerator). Output: conv_out [B, out, H, W]. The latent size must
// be a multiple of 2^(number of downsamplers). Throws InputError on an inconsistent config.
// `limits` bound the graph (GraphBuilder refuses more ops or larger tensors).
Graph build_unet(const UNetConfig& cfg, const UNetInputs& in, const PrecisionSpec& precision,
                 const GraphLimits& limits = {});

}  // namespace npusim::workloads
