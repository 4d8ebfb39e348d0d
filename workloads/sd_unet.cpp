#include "sd_unet.h"

#include <optional>

#include "diffusers_config.h"
#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// Every key a UNet2DConditionModel config.json may hold (diffusers 0.6 - 0.3x).
const std::vector<std::string_view> kUNetKeys = {
    // written by diffusers' ConfigMixin
    "_class_name", "_diffusers_version", "_name_or_path", "_use_default_values",
    // UNet2DConditionModel.__init__ arguments
    "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift",
    "down_block_types", "mid_block_type", "up_block_types", "only_cross_attention", "block_out_channels",
    "layers_per_block", "downsample_padding", "mid_block_scale_factor", "dropout", "act_fn", "norm_num_groups",
    "norm_eps", "cross_attention_dim", "transformer_layers_per_block", "reverse_transformer_layers_per_block",
    "encoder_hid_dim", "encoder_hid_dim_type", "attention_head_dim", "num_attention_heads", "dual_cross_attention",
    "use_linear_projection", "class_embed_type", "addition_embed_type", "addition_time_embed_dim", "num_class_embeds",
    "upcast_attention", "resnet_time_scale_shift", "resnet_skip_time_act", "resnet_out_scale_factor",
    "time_embedding_type", "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act", "time_cond_proj_dim",
    "conv_in_kernel", "conv_out_kernel", "projection_class_embeddings_input_dim", "attention_type",
    "class_embeddings_concat", "mid_block_only_cross_attention", "cross_attention_norm",
    "addition_embed_type_num_heads"};

// Block types: true for the cross-attention variant, false for the plain one.
std::vector<bool> block_types(const ConfigMap& c, const std::string& key, const std::vector<std::string>& fallback,
                              std::string_view cross, std::string_view plain, size_t n) {
  std::vector<std::string> types = c.string_list(key, fallback);
  if (types.size() != n)
    c.fail(key, "expected one block type per entry of block_out_channels (" + std::to_string(n) + ")");
  std::vector<bool> out;
  for (const std::string& t : types) {
    if (t != cross && t != plain)
      c.fail(key, "block type '" + t + "' is not supported (expected " + std::string(cross) + " or " +
                      std::string(plain) + ")");
    out.push_back(t == cross);
  }
  return out;
}

void check_unsupported(const ConfigMap& c) {
  if (!c.is_null("addition_embed_type")) {
    std::string v = c.string("addition_embed_type");
    if (v != "text_time")
      c.fail("addition_embed_type", "addition_embed_type '" + v +
                                        "' is not supported (only null or text_time, SDXL's pooled-text and "
                                        "time-ids embedding)");
  } else {
    c.require_null("projection_class_embeddings_input_dim",
                   "only used with addition_embed_type text_time (class embeddings are not supported yet)");
  }
  for (const char* key : {"class_embed_type", "num_class_embeds"})
    c.require_null(key, "class embeddings are not supported yet");
  for (const char* key : {"encoder_hid_dim", "encoder_hid_dim_type"})
    c.require_null(key, "an encoder_hid_proj is not supported yet");
  for (const char* key : {"time_embedding_act_fn", "timestep_post_act", "time_cond_proj_dim"})
    c.require_null(key, "only the plain linear-SiLU-linear time embedding is supported");
  c.require_null("reverse_transformer_layers_per_block", "only null (the up blocks mirror the down blocks)");
  c.require_null("cross_attention_norm", "only null (no norm on encoder_hidden_states) is supported");
  c.require_false("dual_cross_attention", "dual cross-attention is not supported");
  c.require_false("class_embeddings_concat", "class embeddings are not supported yet");
  c.require_false("resnet_skip_time_act", "only false (SiLU before time_emb_proj) is supported");
  c.require_false("mid_block_only_cross_attention", "only-cross-attention blocks are not supported");
  c.require_one_of("act_fn", {"silu"}, "silu");
  c.require_one_of("mid_block_type", {"UNetMidBlock2DCrossAttn"}, "UNetMidBlock2DCrossAttn");
  c.require_one_of("time_embedding_type", {"positional"}, "positional");
  c.require_one_of("resnet_time_scale_shift", {"default"}, "default");
  c.require_one_of("attention_type", {"default"}, "default");
  if (c.nonnegative_int("downsample_padding", 1) != 1)
    c.fail("downsample_padding", "only 1 (a symmetric pad of the stride-2 conv) is supported");
  // Output scales other than 1 would add a scalar divide npusim cannot express without a weight.
  c.require_number("mid_block_scale_factor", 1.0, 1.0);
  c.require_number("resnet_out_scale_factor", 1.0, 1.0);
}

// Typed but without effect on the graph: numerics, training-only and timestep-sinusoid knobs.
void check_cosmetic(const ConfigMap& c) {
  for (const char* key : {"norm_eps", "dropout", "freq_shift"}) c.number(key, 0.0);
  for (const char* key : {"center_input_sample", "flip_sin_to_cos"}) c.boolean(key, false);
  if (!c.is_null("upcast_attention")) c.boolean("upcast_attention");
  if (!c.is_null("addition_time_embed_dim")) c.positive_int("addition_time_embed_dim");
  if (!c.is_null("addition_embed_type_num_heads")) c.positive_int("addition_embed_type_num_heads");
  for (const char* key : {"_diffusers_version", "_name_or_path"})
    if (!c.is_null(key)) c.string(key);
}

TensorId basic_transformer_block(GraphBuilder& b, const std::string& prefix, TensorId x, TensorId context,
                                 uint64_t heads) {
  const std::string p = prefix + ".";
  const uint64_t dim = b.shape(x).back();
  const AttentionSpec spec{.heads = heads, .qkv_bias = false};
  TensorId n = b.layer_norm(p + "norm1", x);
  x = b.add(p + "attn1.residual", multi_head_attention(b, p + "attn1", n, n, spec), x);
  n = b.layer_norm(p + "norm2", x);
  x = b.add(p + "attn2.residual", multi_head_attention(b, p + "attn2", n, context, spec), x);
  n = b.layer_norm(p + "norm3", x);
  TensorId f = b.linear(p + "ff.net.0.proj", n, 2 * 4 * dim);  // GEGLU: both halves of the 4x inner dim
  f = b.geglu(p + "ff.net.0.geglu", f);
  f = b.linear(p + "ff.net.2", f, dim);
  return b.add(p + "ff.residual", f, x);
}

TensorId transformer_2d(GraphBuilder& b, const UNetConfig& cfg, const std::string& prefix, TensorId x, TensorId context,
                        uint64_t heads, uint64_t layers) {
  const Shape s = b.shape(x);
  const uint64_t channels = s[1], h = s[2], w = s[3];
  const std::string p = prefix + ".";
  TensorId t = b.group_norm(p + "norm", x, cfg.norm_num_groups);
  if (cfg.use_linear_projection) {
    t = b.linear(p + "proj_in", to_tokens(b, p + "to_tokens", t), channels);
  } else {
    t = to_tokens(b, p + "to_tokens", b.conv2d(p + "proj_in", t, channels, 1, 1));
  }
  for (uint64_t l = 0; l < layers; ++l)
    t = basic_transformer_block(b, p + "transformer_blocks." + std::to_string(l), t, context, heads);
  if (cfg.use_linear_projection) {
    t = from_tokens(b, p + "from_tokens", b.linear(p + "proj_out", t, channels), h, w);
  } else {
    t = b.conv2d(p + "proj_out", from_tokens(b, p + "from_tokens", t, h, w), channels, 1, 1);
  }
  return b.add(p + "residual", t, x);
}

// Whether block i's head count is used: by its down or mirrored up block, or by the mid block.
bool uses_attention(const UNetConfig& cfg, size_t i) {
  const size_t n = cfg.block_out_channels.size();
  return cfg.down_cross_attention[i] || cfg.up_cross_attention[n - 1 - i] || i + 1 == n;
}

void validate(const UNetConfig& cfg) {
  const std::string where = "UNet config" + (cfg.source.empty() ? "" : " " + cfg.source) + ": ";
  const size_t n = cfg.block_out_channels.size();
  if (n == 0) throw InputError(where + "block_out_channels is empty");
  if (cfg.down_cross_attention.size() != n || cfg.up_cross_attention.size() != n || cfg.layers_per_block.size() != n ||
      cfg.attention_heads.size() != n || cfg.transformer_layers_per_block.size() != n)
    throw InputError(where + "down/up block types, layers_per_block, attention heads and transformer layers need " +
                     std::to_string(n) + " entries each, one per block_out_channels entry");
  for (uint64_t k : {cfg.conv_in_kernel, cfg.conv_out_kernel})
    if (k % 2 == 0)
      throw InputError(where + "conv_in_kernel and conv_out_kernel must be odd, got " + std::to_string(k));
  for (size_t i = 0; i < n; ++i) {
    if (uses_attention(cfg, i) && cfg.block_out_channels[i] % cfg.attention_heads[i] != 0)
      throw InputError(where + "block " + std::to_string(i) + ": " + std::to_string(cfg.attention_heads[i]) +
                       " attention heads do not divide " + std::to_string(cfg.block_out_channels[i]) +
                       " channels (attention_head_dim is the number of heads when num_attention_heads is null)");
  }
}

}  // namespace

UNetConfig load_unet_config(const std::string& path) {
  ConfigMap c = load_config_file(path);
  c.check_known_keys(kUNetKeys, "UNet2DConditionModel");
  if (!c.is_null("_class_name")) c.require_one_of("_class_name", {"UNet2DConditionModel"});
  check_unsupported(c);
  check_cosmetic(c);

  UNetConfig u;
  u.source = path;
  u.in_channels = c.positive_int("in_channels", 4);
  u.out_channels = c.positive_int("out_channels", 4);
  u.block_out_channels = c.positive_int_list("block_out_channels", {{320, 640, 1280, 1280}});
  const size_t n = u.block_out_channels.size();
  u.down_cross_attention = block_types(
      c, "down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"},
      "CrossAttnDownBlock2D", "DownBlock2D", n);
  u.up_cross_attention =
      block_types(c, "up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"},
                  "CrossAttnUpBlock2D", "UpBlock2D", n);
  for (bool only_cross : c.boolean_or_list("only_cross_attention", n, false))
    if (only_cross) c.fail("only_cross_attention", "only false is supported (attn1 is self-attention)");
  u.layers_per_block = c.positive_int_or_list("layers_per_block", n, 2);
  u.norm_num_groups = c.positive_int("norm_num_groups", 32);
  u.transformer_layers_per_block = c.positive_int_or_list("transformer_layers_per_block", n, 1);
  std::vector<uint64_t> cross_dims = c.positive_int_or_list("cross_attention_dim", n, 1280);
  for (uint64_t d : cross_dims)
    if (d != cross_dims[0])
      c.fail("cross_attention_dim", "per-block values must be equal: encoder_hidden_states is a single tensor");
  u.cross_attention_dim = cross_dims[0];
  // diffusers' naming trap: with num_attention_heads null, attention_head_dim is the head count.
  u.attention_heads = c.is_null("num_attention_heads") ? c.positive_int_or_list("attention_head_dim", n, 8)
                                                       : c.positive_int_or_list("num_attention_heads", n);
  u.use_linear_projection = c.boolean("use_linear_projection", false);
  u.time_embed_dim = c.positive_int_or_null("time_embedding_dim").value_or(4 * u.block_out_channels[0]);
  u.conv_in_kernel = c.positive_int("conv_in_kernel", 3);
  u.conv_out_kernel = c.positive_int("conv_out_kernel", 3);
  if (u.conv_in_kernel % 2 == 0) c.fail("conv_in_kernel", "expected an odd kernel size (padding keeps the size)");
  if (u.conv_out_kernel % 2 == 0) c.fail("conv_out_kernel", "expected an odd kernel size (padding keeps the size)");
  if (!c.is_null("sample_size")) {
    std::vector<uint64_t> hw = c.positive_int_or_list("sample_size", 2);
    u.sample_h = hw[0], u.sample_w = hw[1];
  }
  for (size_t i = 0; i < n; ++i)
    if (uses_attention(u, i) && u.block_out_channels[i] % u.attention_heads[i] != 0)
      c.fail(c.is_null("num_attention_heads") ? "attention_head_dim" : "num_attention_heads",
             "block " + std::to_string(i) + ": " + std::to_string(u.attention_heads[i]) + " heads do not divide its " +
                 std::to_string(u.block_out_channels[i]) + " channels");
  for (uint64_t ch : u.block_out_channels)
    if (ch % u.norm_num_groups != 0)
      c.fail("norm_num_groups", "must divide every entry of block_out_channels, not " + std::to_string(ch));
  if (!c.is_null("addition_embed_type")) {  // text_time, the only value check_unsupported lets through
    const std::string needed = "needed by addition_embed_type text_time";
    if (c.is_null("addition_time_embed_dim")) c.fail("addition_time_embed_dim", needed);
    if (c.is_null("projection_class_embeddings_input_dim")) c.fail("projection_class_embeddings_input_dim", needed);
    u.addition_time_embed_dim = c.positive_int("addition_time_embed_dim");
    u.add_embedding_input_dim = c.positive_int("projection_class_embeddings_input_dim");
    // The input is the pooled text embedding followed by one sinusoid per time id.
    if (u.add_embedding_input_dim <= u.addition_time_embed_dim)
      c.fail("projection_class_embeddings_input_dim",
             "must exceed addition_time_embed_dim (" + std::to_string(u.addition_time_embed_dim) +
                 "): it holds the pooled text embedding and the time ids' sinusoids");
  }
  return u;
}

Graph build_unet(const UNetConfig& cfg, const UNetInputs& in, const PrecisionSpec& precision,
                 const GraphLimits& limits) {
  validate(cfg);
  const size_t n = cfg.block_out_channels.size();
  const uint64_t lh = in.latent_h ? in.latent_h : cfg.sample_h;
  const uint64_t lw = in.latent_w ? in.latent_w : cfg.sample_w;
  if (lh == 0 || lw == 0) throw InputError("UNet: no latent size given and the config's sample_size is null");
  const uint64_t align = uint64_t{1} << (n - 1);  // one stride-2 downsampler per block but the last
  if (lh % align != 0 || lw % align != 0)
    throw InputError("UNet: latent " + std::to_string(lh) + "x" + std::to_string(lw) + " must be a multiple of " +
                     std::to_string(align) + " in both dims (" + std::to_string(n - 1) +
                     " downsamplers); diffusers' odd-size upsampling is not modelled");

  GraphBuilder b("unet", precision, limits);
  TensorId sample = b.input("sample", {in.batch, cfg.in_channels, lh, lw});
  TensorId time_proj = b.input("time_proj", {in.batch, cfg.block_out_channels[0]});
  TensorId context = b.input("encoder_hidden_states", {in.batch, in.text_tokens, cfg.cross_attention_dim});
  std::optional<TensorId> add_embeds;
  if (cfg.add_embedding_input_dim) add_embeds = b.input("add_embeds", {in.batch, cfg.add_embedding_input_dim});

  TensorId temb = b.linear("time_embedding.linear_1", time_proj, cfg.time_embed_dim);
  temb = b.silu("time_embedding.act", temb);
  temb = b.linear("time_embedding.linear_2", temb, cfg.time_embed_dim);
  if (add_embeds) {  // SDXL: emb = emb + add_embedding(concat(text_embeds, add_time_proj(time_ids)))
    TensorId aug = b.linear("add_embedding.linear_1", *add_embeds, cfg.time_embed_dim);
    aug = b.silu("add_embedding.act", aug);
    aug = b.linear("add_embedding.linear_2", aug, cfg.time_embed_dim);
    temb = b.add("add_embedding.add", temb, aug);
  }

  const uint64_t groups = cfg.norm_num_groups;
  TensorId h = b.conv2d("conv_in", sample, cfg.block_out_channels[0], cfg.conv_in_kernel, cfg.conv_in_kernel, 1,
                        cfg.conv_in_kernel / 2);
  std::vector<TensorId> skips = {h};  // diffusers' down_block_res_samples
  for (size_t i = 0; i < n; ++i) {
    const std::string p = "down_blocks." + std::to_string(i) + ".";
    const uint64_t out = cfg.block_out_channels[i];
    for (uint64_t j = 0; j < cfg.layers_per_block[i]; ++j) {
      h = resnet_block_2d(b, p + "resnets." + std::to_string(j), h, out, groups, temb);
      if (cfg.down_cross_attention[i])
        h = transformer_2d(b, cfg, p + "attentions." + std::to_string(j), h, context, cfg.attention_heads[i],
                           cfg.transformer_layers_per_block[i]);
      skips.push_back(h);
    }
    if (i + 1 < n) {
      h = b.conv2d(p + "downsamplers.0.conv", h, out, 3, 3, 2, 1);
      skips.push_back(h);
    }
  }

  const uint64_t mid = cfg.block_out_channels.back();
  h = resnet_block_2d(b, "mid_block.resnets.0", h, mid, groups, temb);
  h = transformer_2d(b, cfg, "mid_block.attentions.0", h, context, cfg.attention_heads.back(),
                     cfg.transformer_layers_per_block.back());
  h = resnet_block_2d(b, "mid_block.resnets.1", h, mid, groups, temb);

  for (size_t i = 0; i < n; ++i) {
    const size_t mirror = n - 1 - i;  // the down block this up block reverses
    const std::string p = "up_blocks." + std::to_string(i) + ".";
    const uint64_t out = cfg.block_out_channels[mirror];
    for (uint64_t j = 0; j <= cfg.layers_per_block[mirror]; ++j) {
      const std::string r = p + "resnets." + std::to_string(j);
      NPUSIM_ASSERT(!skips.empty(), "up blocks consume exactly the down blocks' skip connections");
      h = b.concat(r + ".concat", {h, skips.back()}, 1);
      skips.pop_back();
      h = resnet_block_2d(b, r, h, out, groups, temb);
      if (cfg.up_cross_attention[i])
        h = transformer_2d(b, cfg, p + "attentions." + std::to_string(j), h, context, cfg.attention_heads[mirror],
                           cfg.transformer_layers_per_block[mirror]);
    }
    if (i + 1 < n) h = upsample_2d(b, p + "upsamplers.0", h);
  }
  NPUSIM_ASSERT(skips.empty(), "every skip connection is consumed");

  h = b.group_norm("conv_norm_out", h, groups);
  h = b.silu("conv_act", h);
  b.conv2d("conv_out", h, cfg.out_channels, cfg.conv_out_kernel, cfg.conv_out_kernel, 1, cfg.conv_out_kernel / 2);
  return b.finish();
}

}  // namespace npusim::workloads
