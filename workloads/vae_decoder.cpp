#include "vae_decoder.h"

#include "diffusers_config.h"
#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// Every key an AutoencoderKL config.json may hold (diffusers 0.6 - 0.3x).
const std::vector<std::string_view> kVaeKeys = {
    // written by diffusers' ConfigMixin
    "_class_name", "_diffusers_version", "_name_or_path", "_use_default_values",
    // AutoencoderKL.__init__ arguments
    "in_channels", "out_channels", "down_block_types", "up_block_types", "block_out_channels", "layers_per_block",
    "act_fn", "latent_channels", "norm_num_groups", "sample_size", "scaling_factor", "shift_factor", "latents_mean",
    "latents_std", "force_upcast", "use_quant_conv", "use_post_quant_conv", "mid_block_add_attention"};

// diffusers' Attention as the VAE mid block builds it: one head over all H*W positions,
// biased projections, a GroupNorm in front and the input added back.
TensorId vae_attention(GraphBuilder& b, const std::string& prefix, TensorId x, uint64_t groups) {
  const Shape s = b.shape(x);
  TensorId t = b.group_norm(prefix + ".group_norm", x, groups);
  t = to_tokens(b, prefix + ".to_tokens", t);
  t = multi_head_attention(b, prefix, t, t, AttentionSpec{.heads = 1, .qkv_bias = true});
  t = from_tokens(b, prefix + ".from_tokens", t, s[2], s[3]);
  return b.add(prefix + ".residual", t, x);
}

}  // namespace

VaeDecoderConfig load_vae_config(const std::string& path) {
  ConfigMap c = load_config_file(path);
  c.check_known_keys(kVaeKeys, "AutoencoderKL");
  if (!c.is_null("_class_name")) c.require_one_of("_class_name", {"AutoencoderKL"});
  c.require_one_of("act_fn", {"silu"}, "silu");

  VaeDecoderConfig v;
  v.source = path;
  v.latent_channels = c.positive_int("latent_channels", 4);
  v.out_channels = c.positive_int("out_channels", 3);
  v.block_out_channels = c.positive_int_list("block_out_channels", {{64}});
  const size_t n = v.block_out_channels.size();
  v.layers_per_block = c.positive_int("layers_per_block", 1);
  v.norm_num_groups = c.positive_int("norm_num_groups", 32);
  v.use_post_quant_conv = c.boolean("use_post_quant_conv", true);
  v.mid_block_add_attention = c.boolean("mid_block_add_attention", true);
  std::vector<std::string> up = c.string_list("up_block_types", {{"UpDecoderBlock2D"}});
  if (up.size() != n) c.fail("up_block_types", "expected one block type per entry of block_out_channels");
  for (const std::string& t : up)
    if (t != "UpDecoderBlock2D")
      c.fail("up_block_types", "block type '" + t + "' is not supported (expected UpDecoderBlock2D)");
  for (uint64_t ch : v.block_out_channels)
    if (ch % v.norm_num_groups != 0)
      c.fail("norm_num_groups", "must divide every entry of block_out_channels, not " + std::to_string(ch));
  if (!c.is_null("sample_size")) {
    std::vector<uint64_t> hw = c.positive_int_or_list("sample_size", 2);
    v.sample_h = hw[0], v.sample_w = hw[1];
  }

  // Encoder-side or pipeline-side: typed, but they do not change the decoder.
  c.positive_int("in_channels", 3);
  c.string_list("down_block_types", {{"DownEncoderBlock2D"}});
  c.boolean("use_quant_conv", true);
  c.boolean("force_upcast", true);
  c.number("scaling_factor", 0.18215);
  if (!c.is_null("shift_factor")) c.number("shift_factor");
  for (const char* key : {"_diffusers_version", "_name_or_path"})
    if (!c.is_null(key)) c.string(key);
  return v;
}

Graph build_vae_decoder(const VaeDecoderConfig& cfg, const VaeDecoderInputs& in, const PrecisionSpec& precision,
                        const GraphLimits& limits) {
  const size_t n = cfg.block_out_channels.size();
  const std::string where = "VAE config" + (cfg.source.empty() ? "" : " " + cfg.source) + ": ";
  if (n == 0) throw InputError(where + "block_out_channels is empty");
  const uint64_t scale = uint64_t{1} << (n - 1);  // one x2 upsampler per up block but the last
  uint64_t lh = in.latent_h, lw = in.latent_w;
  if (lh == 0 || lw == 0) {
    if (cfg.sample_h == 0 || cfg.sample_w == 0)
      throw InputError(where + "no latent size given and the config's sample_size is null");
    if (cfg.sample_h % scale != 0 || cfg.sample_w % scale != 0)
      throw InputError(where + "sample_size " + std::to_string(cfg.sample_h) + "x" + std::to_string(cfg.sample_w) +
                       " is not a multiple of the decoder's upscale " + std::to_string(scale));
    lh = lh ? lh : cfg.sample_h / scale;
    lw = lw ? lw : cfg.sample_w / scale;
  }

  GraphBuilder b("vae_decoder", precision, limits);
  const uint64_t groups = cfg.norm_num_groups;
  TensorId h = b.input("latents", {in.batch, cfg.latent_channels, lh, lw});
  if (cfg.use_post_quant_conv) h = b.conv2d("post_quant_conv", h, cfg.latent_channels, 1, 1);

  const uint64_t top = cfg.block_out_channels.back();
  h = b.conv2d("decoder.conv_in", h, top, 3, 3, 1, 1);
  h = resnet_block_2d(b, "decoder.mid_block.resnets.0", h, top, groups, std::nullopt);
  if (cfg.mid_block_add_attention) h = vae_attention(b, "decoder.mid_block.attentions.0", h, groups);
  h = resnet_block_2d(b, "decoder.mid_block.resnets.1", h, top, groups, std::nullopt);

  for (size_t i = 0; i < n; ++i) {
    const std::string p = "decoder.up_blocks." + std::to_string(i) + ".";
    const uint64_t out = cfg.block_out_channels[n - 1 - i];
    for (uint64_t j = 0; j <= cfg.layers_per_block; ++j)
      h = resnet_block_2d(b, p + "resnets." + std::to_string(j), h, out, groups, std::nullopt);
    if (i + 1 < n) h = upsample_2d(b, p + "upsamplers.0", h);
  }

  h = b.group_norm("decoder.conv_norm_out", h, groups);
  h = b.silu("decoder.conv_act", h);
  b.conv2d("decoder.conv_out", h, cfg.out_channels, 3, 3, 1, 1);
  return b.finish();
}

}  // namespace npusim::workloads
