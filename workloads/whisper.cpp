#include "whisper.h"

#include <algorithm>

#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// openai/whisper's _MODELS checkpoints' dims (tiny.en: 384 wide, 6 heads, 4 layers; base.en: 512, 8, 6).
const WhisperDims kDims[] = {
    {.name = "tiny.en", .n_state = 384, .n_head = 6, .n_layer = 4},
    {.name = "base.en", .n_state = 512, .n_head = 8, .n_layer = 6},
};

std::vector<int64_t> dims_of(std::initializer_list<uint64_t> d) { return std::vector<int64_t>(d.begin(), d.end()); }

// [B, T, H*D] -> [B, H, T, D]
TensorId heads_first(GraphBuilder& b, const std::string& name, TensorId x, uint64_t heads) {
  const Shape s = b.shape(x);
  TensorId r = b.reshape(name + ".heads", x, dims_of({s[0], s[1], heads, s[2] / heads}));
  return permute(b, name + ".transpose", r, {0, 2, 1, 3});
}

// [B, H, T, D] -> [B, T, H*D]
TensorId heads_last(GraphBuilder& b, const std::string& name, TensorId x) {
  const Shape s = b.shape(x);
  TensorId t = permute(b, name + ".transpose", x, {0, 2, 1, 3});
  return b.reshape(name + ".merge", t, dims_of({s[0], s[2], s[1] * s[3]}));
}

// Scores, softmax (the q*k scale folded in) and context on q [B, H, T, D] and k, v [B, H, N, D],
// then the out projection: [B, T, C].
TensorId attend(GraphBuilder& b, const std::string& p, TensorId q, TensorId k, TensorId v, uint64_t width) {
  TensorId s = b.softmax(p + "softmax", b.attention_score(p + "scores", q, k));
  TensorId o = b.attention_context(p + "context", s, v);
  return b.linear(p + "out", heads_last(b, p + "context", o), width);
}

// The MLP half of a ResidualAttentionBlock: mlp_ln, Linear 4x, GELU, Linear, residual.
TensorId mlp(GraphBuilder& b, const std::string& p, TensorId x, uint64_t width) {
  TensorId h = b.layer_norm(p + "mlp_ln", x);
  h = b.gelu(p + "mlp.1", b.linear(p + "mlp.0", h, 4 * width));
  return b.add(p + "mlp.residual", x, b.linear(p + "mlp.2", h, width));
}

}  // namespace

const WhisperDims* find_whisper_dims(std::string_view name) {
  auto it = std::find_if(std::begin(kDims), std::end(kDims), [&](const WhisperDims& d) { return d.name == name; });
  return it == std::end(kDims) ? nullptr : &*it;
}

Graph build_whisper_encoder(const WhisperDims& d, const WhisperInputs& in, const PrecisionSpec& precision,
                            const GraphLimits& limits) {
  const uint64_t w = d.n_state, batch = in.batch;
  GraphBuilder b("whisper_" + std::string(d.name) + "_encoder", precision, limits);
  // Two conv1d (kernel 3, padding 1; the second stride 2) with GELU: 3000 frames -> 1500.
  TensorId x = b.input("mel", {batch, d.n_mels, 1, 2 * d.n_audio_ctx});
  x = b.gelu("encoder.conv1.act", b.conv1d("encoder.conv1", x, w, 3, 1, 1));
  x = b.gelu("encoder.conv2.act", b.conv1d("encoder.conv2", x, w, 3, 2, 1));
  x = to_tokens(b, "encoder.permute", x);  // [B, 1500, C]
  x = b.add("encoder.positional_embedding.add", x, b.input("encoder.positional_embedding", {d.n_audio_ctx, w}));
  for (uint64_t l = 0; l < d.n_layer; ++l) {
    const std::string p = "encoder.blocks." + std::to_string(l) + ".";
    TensorId h = b.layer_norm(p + "attn_ln", x);
    TensorId q = heads_first(b, p + "attn.query", b.linear(p + "attn.query", h, w), d.n_head);
    TensorId k = heads_first(b, p + "attn.key", b.linear(p + "attn.key", h, w, false), d.n_head);
    TensorId v = heads_first(b, p + "attn.value", b.linear(p + "attn.value", h, w), d.n_head);
    x = b.add(p + "attn.residual", x, attend(b, p + "attn.", q, k, v, w));
    x = mlp(b, p, x, w);
  }
  x = b.layer_norm("encoder.ln_post", x);
  // Each decoder layer's cross-attention K (no bias) and V over the audio, written as KV cache.
  for (uint64_t l = 0; l < d.n_layer; ++l) {
    const std::string p = "decoder.blocks." + std::to_string(l) + ".cross_attn.";
    TensorId k = b.transpose(p + "key.cache_write",
                             b.reshape(p + "key.heads", b.linear(p + "key", x, w, false),
                                       dims_of({batch, d.n_audio_ctx, d.n_head, w / d.n_head})),
                             {0, 2, 1, 3});
    b.store_as_kv_cache(k);
    TensorId v = b.transpose(p + "value.cache_write",
                             b.reshape(p + "value.heads", b.linear(p + "value", x, w),
                                       dims_of({batch, d.n_audio_ctx, d.n_head, w / d.n_head})),
                             {0, 2, 1, 3});
    b.store_as_kv_cache(v);
  }
  return b.finish();
}

Graph build_whisper_decoder(const WhisperDims& d, const WhisperInputs& in, const PrecisionSpec& precision,
                            const GraphLimits& limits) {
  if (in.context > d.n_text_ctx)
    throw InputError("whisper " + std::string(d.name) + " decoder: context = " + std::to_string(in.context) +
                     " exceeds n_text_ctx = " + std::to_string(d.n_text_ctx));
  const uint64_t w = d.n_state, batch = in.batch, hd = w / d.n_head;
  GraphBuilder b("whisper_" + std::string(d.name) + "_decoder", precision, limits);
  TensorId table = b.weight("decoder.token_embedding.weight", {d.n_vocab, w});
  TensorId x = b.gather("decoder.token_embedding", table, {batch, 1});
  // The learned position table: the row of this step's position.
  TensorId pos = b.gather("decoder.positional_embedding",
                          b.weight("decoder.positional_embedding.weight", {d.n_text_ctx, w}), {batch, 1});
  x = b.add("decoder.positional_embedding.add", x, pos);
  for (uint64_t l = 0; l < d.n_layer; ++l) {
    const std::string p = "decoder.blocks." + std::to_string(l) + ".";
    // Self-attention over the KV cache; the new token's K/V are written to it in place.
    TensorId h = b.layer_norm(p + "attn_ln", x);
    TensorId q = heads_first(b, p + "attn.query", b.linear(p + "attn.query", h, w), d.n_head);
    TensorId k_new = b.transpose(
        p + "attn.k_cache_write",
        b.reshape(p + "attn.key.heads", b.linear(p + "attn.key", h, w, false), dims_of({batch, 1, d.n_head, hd})),
        {0, 2, 1, 3});
    b.store_as_kv_cache(k_new);
    TensorId v_new = b.transpose(
        p + "attn.v_cache_write",
        b.reshape(p + "attn.value.heads", b.linear(p + "attn.value", h, w), dims_of({batch, 1, d.n_head, hd})),
        {0, 2, 1, 3});
    b.store_as_kv_cache(v_new);
    TensorId kc = b.input(p + "attn.k_cache", {batch, d.n_head, in.context, hd}, TensorKind::kKvCache);
    TensorId vc = b.input(p + "attn.v_cache", {batch, d.n_head, in.context, hd}, TensorKind::kKvCache);
    x = b.add(p + "attn.residual", x, attend(b, p + "attn.", q, kc, vc, w));
    // Cross-attention over the encoder's K/V.
    h = b.layer_norm(p + "cross_attn_ln", x);
    q = heads_first(b, p + "cross_attn.query", b.linear(p + "cross_attn.query", h, w), d.n_head);
    TensorId ck = b.input(p + "cross_attn.key", {batch, d.n_head, d.n_audio_ctx, hd}, TensorKind::kKvCache);
    TensorId cv = b.input(p + "cross_attn.value", {batch, d.n_head, d.n_audio_ctx, hd}, TensorKind::kKvCache);
    x = b.add(p + "cross_attn.residual", x, attend(b, p + "cross_attn.", q, ck, cv, w));
    x = mlp(b, p, x, w);
  }
  x = b.layer_norm("decoder.ln", x);
  b.linear_shared("decoder.logits", x, table);  // x @ token_embedding.weight^T
  return b.finish();
}

std::vector<std::string> whisper_notes(const WhisperDims& d, bool encoder, const WhisperInputs& in) {
  const std::string batch = "batch " + std::to_string(in.batch);
  if (encoder)
    return {"one encoding of 30 s of audio: " + batch + ", 80x3000 log-mel -> " + std::to_string(d.n_audio_ctx) +
                " frames (whisper " + std::string(d.name) + ")",
            "conv1d as conv2d over [B, 80, 1, 3000]; the sinusoidal position table is a constant input; also "
            "computes every decoder layer's cross-attention K/V (as AI Hub splits Whisper)"};
  return {"one decoder step: " + batch + ", one token, self-attention KV cache of " + std::to_string(in.context) +
              " positions (whisper " + std::string(d.name) + ")",
          "cross-attention K/V of the 1500 audio frames are cache inputs from the encoder; logits through the tied "
          "token embedding; the softmax scale is folded in"};
}

}  // namespace npusim::workloads
