#pragma once
// The layer graph of a transformers CLIPTextModel (the Stable Diffusion 1.x text encoder),
// built from the model's own config.json.
#include <cstdint>
#include <string>

#include "graph.h"

namespace npusim::workloads {

// The structure-relevant part of a CLIPTextConfig. Defaults are transformers' defaults.
struct ClipTextConfig {
  std::string source;  // the file it was loaded from, for messages; empty when built in code
  uint64_t vocab_size = 49408;
  uint64_t hidden_size = 512;
  uint64_t intermediate_size = 2048;
  uint64_t num_attention_heads = 8;
  uint64_t num_hidden_layers = 12;
  uint64_t max_position_embeddings = 77;
  bool quick_gelu = true;  // hidden_act: quick_gelu (true) or gelu
};

struct TextEncoderInputs {
  uint64_t batch = 1;
  uint64_t tokens = 77;  // at most max_position_embeddings
};

// Reads a CLIPTextModel config.json (CLIPTextConfig keys at the top level, or a CLIPConfig whose
// text_config holds them). Throws InputError naming file:line, key and rule for malformed,
// unknown or unsupported values.
ClipTextConfig load_clip_text_config(const std::string& path);

// No activation inputs: token and position embeddings are gathers of [B, tokens] and
// [1, tokens] rows (token ids are not data the NPU computes on; the causal mask is free).
// Output: text_model.final_layer_norm [B, tokens, hidden_size] (last_hidden_state).
// `limits` bound the graph (GraphBuilder refuses more ops or larger tensors).
Graph build_clip_text_encoder(const ClipTextConfig& cfg, const TextEncoderInputs& in, const PrecisionSpec& precision,
                              const GraphLimits& limits = {});

}  // namespace npusim::workloads
