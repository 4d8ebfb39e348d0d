#pragma once
// OpenAI CLIP ViT-B/16 (github.com/openai/CLIP, model.py with the ViT-B/16 checkpoint's dims:
// image 224, patch 16, vision width 768 x 12 layers x 12 heads; text width 512 x 12 layers x
// 8 heads, context 77, vocab 49408; embedding 512), as Qualcomm AI Hub runs it: a text encoder
// and an image encoder, each ending in its projection to the 512-wide joint embedding and an
// L2 normalisation.
#include <cstdint>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// Text: [B, 77] token ids -> [B, 512] features. The end-of-text token's row is selected after
// ln_final (its position depends on the text: modelled as a one-row slice).
Graph build_openai_clip_text_encoder(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits = {});
// Image: [B, 3, 224, 224] -> [B, 512] features.
Graph build_openai_clip_image_encoder(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits = {});

// Both towers in one graph, as AI Hub's OpenAI-Clip component runs them: [B] images and [B]
// texts -> [B, B] logits (image features x exp(logit_scale) @ text features^T).
Graph build_openai_clip(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits = {});

std::vector<std::string> openai_clip_notes(bool text, uint64_t batch);
std::vector<std::string> openai_clip_pair_notes(uint64_t batch);

}  // namespace npusim::workloads
