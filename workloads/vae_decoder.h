#pragma once
// The layer graph of a diffusers AutoencoderKL's decode path (post_quant_conv + Decoder), built
// from the model's own config.json. The encoder is not modelled.
#include <cstdint>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// The structure-relevant part of an AutoencoderKL config.
struct VaeDecoderConfig {
  std::string source;  // the file it was loaded from, for messages; empty when built in code
  uint64_t latent_channels = 4;
  uint64_t out_channels = 3;
  std::vector<uint64_t> block_out_channels;  // encoder order; the decoder walks them reversed
  uint64_t layers_per_block = 2;             // each decoder up block has layers_per_block + 1 resnets
  uint64_t norm_num_groups = 32;
  bool use_post_quant_conv = true;
  bool mid_block_add_attention = true;
  uint64_t sample_h = 0, sample_w = 0;  // image size from sample_size; 0 when it is null
};

struct VaeDecoderInputs {
  uint64_t batch = 1;
  uint64_t latent_h = 0, latent_w = 0;  // 0: sample_size / 2^(up blocks - 1)
};

// Reads a diffusers AutoencoderKL config.json (or YAML with the same keys). Throws InputError
// naming file:line, key and rule for malformed, unknown or unsupported values.
VaeDecoderConfig load_vae_config(const std::string& path);

// Graph input: "latents" [B, latent_channels, h, w] (already divided by scaling_factor).
// Output: decoder.conv_out [B, out_channels, h * 2^(up blocks - 1), w * 2^(...)].
// `limits` bound the graph (GraphBuilder refuses more ops or larger tensors).
Graph build_vae_decoder(const VaeDecoderConfig& cfg, const VaeDecoderInputs& in, const PrecisionSpec& precision,
                        const GraphLimits& limits = {});

}  // namespace npusim::workloads
