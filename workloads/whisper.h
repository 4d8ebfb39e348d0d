#pragma once
// OpenAI Whisper (github.com/openai/whisper, the English-only tiny.en and base.en checkpoints),
// split as Qualcomm AI Hub runs it on phones: an encoder over 30 s of audio (80 x 3000 log-mel)
// that also computes every decoder layer's cross-attention K/V, and a decoder that emits one
// token from its self-attention KV cache and the cross-attention K/V.
//
// The architecture is openai/whisper's model.py with the checkpoint's ModelDimensions (no config
// file): pre-LayerNorm blocks, query/value/out projections with biases and the key without,
// GELU MLPs of 4 x width, the encoder's sinusoidal position table (a constant, not a parameter) and
// the decoder's learned one, logits through the token embedding (tied).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// openai/whisper ModelDimensions. Columns as in the checkpoint.
struct WhisperDims {
  std::string_view name;  // "tiny.en", "base.en"
  uint64_t n_mels = 80, n_vocab = 51864, n_audio_ctx = 1500, n_text_ctx = 448;
  uint64_t n_state = 384, n_head = 6, n_layer = 4;  // audio and text share them in tiny/base
};
const WhisperDims* find_whisper_dims(std::string_view name);  // nullptr for other names

struct WhisperInputs {
  uint64_t batch = 1;
  uint64_t context = 448;  // decoder: self-attention positions in the KV cache (the new token's included)
};

// Encoder: input "mel" [B, 80, 1, 3000] (NCHW with H = 1, so the two conv1d are conv2d); outputs
// the cross-attention caches decoder.blocks.N.cross_attn.key/value [B, heads, 1500, D] (kKvCache).
Graph build_whisper_encoder(const WhisperDims& d, const WhisperInputs& in, const PrecisionSpec& precision,
                            const GraphLimits& limits = {});
// Decoder, one token: inputs the per-layer caches decoder.blocks.N.attn.k_cache/v_cache
// [B, heads, context, D] and cross_attn.key/value [B, heads, 1500, D]; output logits [B, 1, vocab].
// Throws InputError when context exceeds n_text_ctx.
Graph build_whisper_decoder(const WhisperDims& d, const WhisperInputs& in, const PrecisionSpec& precision,
                            const GraphLimits& limits = {});

std::vector<std::string> whisper_notes(const WhisperDims& d, bool encoder, const WhisperInputs& in);

}  // namespace npusim::workloads
