#include "openai_clip.h"

#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

constexpr uint64_t kEmbed = 512, kLayers = 12;
constexpr uint64_t kTextWidth = 512, kTextHeads = 8, kContext = 77, kVocab = 49408;
constexpr uint64_t kImage = 224, kPatch = 16, kVisionWidth = 768, kVisionHeads = 12;

// openai's ResidualAttentionBlock: x + attn(ln_1(x)), then x + mlp(ln_2(x)) with c_fc 4x,
// QuickGELU, c_proj. nn.MultiheadAttention's fused in_proj (with bias) as three linears.
TensorId resblock(GraphBuilder& b, const std::string& p, TensorId x, uint64_t width, uint64_t heads) {
  AttentionSpec spec;
  spec.heads = heads;
  spec.qkv_bias = true;
  spec.q = "in_proj_q", spec.k = "in_proj_k", spec.v = "in_proj_v", spec.out = "out_proj";
  TensorId h = b.layer_norm(p + "ln_1", x);
  x = b.add(p + "attn.residual", x, multi_head_attention(b, p + "attn", h, h, spec));
  h = b.layer_norm(p + "ln_2", x);
  h = b.quick_gelu(p + "mlp.gelu", b.linear(p + "mlp.c_fc", h, 4 * width));
  return b.add(p + "mlp.residual", x, b.linear(p + "mlp.c_proj", h, width));
}

// features / features.norm(dim=-1): the vector work of an RMS norm without its weight.
TensorId l2_normalize(GraphBuilder& b, const std::string& name, TensorId x) { return b.rms_norm(name, x, false); }

// The text tower on `b`: [B, 77] token ids -> [B, 512] L2-normalised features.
TensorId text_tower(GraphBuilder& b, uint64_t batch) {
  TensorId table = b.weight("token_embedding.weight", {kVocab, kTextWidth});
  TensorId x = b.gather("token_embedding", table, {batch, kContext});
  x = b.add("positional_embedding.add", x, b.weight("positional_embedding", {kContext, kTextWidth}));
  for (uint64_t l = 0; l < kLayers; ++l)
    x = resblock(b, "transformer.resblocks." + std::to_string(l) + ".", x, kTextWidth, kTextHeads);
  x = b.layer_norm("ln_final", x);
  x = b.slice("eot_token.select", x, 1, kContext - 1, 1);  // x[arange(B), text.argmax(-1)]
  x = b.reshape("eot_token.flatten", x, {static_cast<int64_t>(batch), static_cast<int64_t>(kTextWidth)});
  x = b.linear("text_projection", x, kEmbed, false);  // x @ text_projection [512, 512]
  return l2_normalize(b, "normalize", x);
}

// The image tower on `b`: [B, 3, 224, 224] -> [B, 512] L2-normalised features; `prefix` names
// its normalisation apart from the text tower's when both are in one graph.
TensorId image_tower(GraphBuilder& b, uint64_t batch, const std::string& prefix = "") {
  constexpr uint64_t kTokens = (kImage / kPatch) * (kImage / kPatch) + 1;
  TensorId x = b.input("image", {batch, 3, kImage, kImage});
  x = b.conv2d("visual.conv1", x, kVisionWidth, kPatch, kPatch, kPatch, 0, 1, false);
  x = to_tokens(b, "visual.conv1.tokens", x);  // [B, 196, 768]
  TensorId cls = b.weight("visual.class_embedding", {1, 1, kVisionWidth});
  if (batch > 1) cls = b.copy("visual.class_embedding.expand", cls, {batch, 1, kVisionWidth});
  x = b.concat("visual.class_embedding.concat", {cls, x}, 1);
  x = b.add("visual.positional_embedding.add", x, b.weight("visual.positional_embedding", {kTokens, kVisionWidth}));
  x = b.layer_norm("visual.ln_pre", x);
  for (uint64_t l = 0; l < kLayers; ++l)
    x = resblock(b, "visual.transformer.resblocks." + std::to_string(l) + ".", x, kVisionWidth, kVisionHeads);
  x = b.slice("visual.class_token.select", x, 1, 0, 1);  // x[:, 0, :]
  x = b.reshape("visual.class_token.flatten", x, {static_cast<int64_t>(batch), static_cast<int64_t>(kVisionWidth)});
  x = b.layer_norm("visual.ln_post", x);
  x = b.linear("visual.proj", x, kEmbed, false);  // x @ proj [768, 512]
  return l2_normalize(b, prefix + "normalize", x);
}

}  // namespace

Graph build_openai_clip_text_encoder(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits) {
  GraphBuilder b("openai_clip_text_encoder", precision, limits);
  text_tower(b, batch);
  return b.finish();
}

Graph build_openai_clip_image_encoder(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits) {
  GraphBuilder b("openai_clip_image_encoder", precision, limits);
  image_tower(b, batch);
  return b.finish();
}

Graph build_openai_clip(uint64_t batch, const PrecisionSpec& precision, const GraphLimits& limits) {
  GraphBuilder b("openai_clip", precision, limits);
  TensorId text = text_tower(b, batch);
  TensorId image = image_tower(b, batch, "visual.");
  // image_features * logit_scale.exp() @ text_features.t(): the exp of one scalar is folded.
  image = b.mul("logit_scale.mul", image, b.weight("logit_scale", {1}));
  b.matmul("logits_per_image", image, text, true);
  return b.finish();
}

std::vector<std::string> openai_clip_notes(bool text, uint64_t batch) {
  const std::string b = "batch " + std::to_string(batch);
  if (text)
    return {"one text encoding: " + b + ", 77 tokens (OpenAI CLIP ViT-B/16)",
            "causal mask folded into the softmax; the end-of-text row is selected after ln_final (a one-row copy); "
            "projection to 512 and L2 normalisation (counted as a weightless RMS norm)"};
  return {"one image encoding: " + b + ", 224x224 RGB image (OpenAI CLIP ViT-B/16)",
          "patch embedding as a 16x16 stride-16 conv without bias; class token joined by a concat; projection of "
          "the class token to 512 and L2 normalisation (counted as a weightless RMS norm)"};
}

std::vector<std::string> openai_clip_pair_notes(uint64_t batch) {
  const std::string n = std::to_string(batch), s = batch == 1 ? "" : "s";
  return {"one image-text similarity as AI Hub's OpenAI-Clip runs it: " + n + " image" + s + " (224x224 RGB) and " + n +
              " text" + s + " (77 tokens), both towers in one graph (OpenAI CLIP ViT-B/16)",
          "each tower as clip-vit-b-16-text-encoder / -image-encoder; then image features x exp(logit_scale) "
          "(the exp of the scalar folded) @ text features^T: [images, texts] logits"};
}

}  // namespace npusim::workloads
