// torchvision's vit_b_16: patch size 16, 12 layers, 12 heads, hidden 768, MLP 3072, 1000 classes.
#include "nn_blocks.h"
#include "torchvision_models.h"

namespace npusim::workloads {

Graph build_vit_b_16(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  constexpr uint64_t kPatch = 16, kLayers = 12, kHeads = 12, kHidden = 768, kMlp = 3072;
  if (in.resolution % kPatch != 0)
    throw InputError("vit-b-16: resolution = " + std::to_string(in.resolution) + " must be a multiple of the " +
                     std::to_string(kPatch) + "-pixel patch");
  const uint64_t side = in.resolution / kPatch, tokens = side * side + 1;
  const auto batch = static_cast<int64_t>(in.batch);
  GraphBuilder b("vit_b_16", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  // _process_input: conv_proj, then [N, 768, n_h, n_w] -> [N, n_h*n_w, 768].
  x = b.conv2d("conv_proj", x, kHidden, kPatch, kPatch, kPatch, 0);
  x = to_tokens(b, "conv_proj.tokens", x);
  // The class token is expanded over the batch and put in front of the patches.
  TensorId cls = b.weight("class_token", {1, 1, kHidden});
  if (in.batch > 1) cls = b.copy("class_token.expand", cls, {in.batch, 1, kHidden});
  x = b.concat("class_token.concat", {cls, x}, 1);
  // torchvision sizes pos_embedding by image_size: (resolution / 16)^2 + 1 positions.
  x = b.add("encoder.pos_embedding.add", x, b.weight("encoder.pos_embedding", {1, tokens, kHidden}));
  for (uint64_t l = 0; l < kLayers; ++l) {
    const std::string p = "encoder.layers.encoder_layer_" + std::to_string(l) + ".";
    TensorId h = b.layer_norm(p + "ln_1", x);
    // nn.MultiheadAttention: in_proj_weight [3*768, 768] (with bias) as three linears, out_proj with bias.
    AttentionSpec spec;
    spec.heads = kHeads;
    spec.qkv_bias = true;
    spec.q = "in_proj_q", spec.k = "in_proj_k", spec.v = "in_proj_v", spec.out = "out_proj";
    h = multi_head_attention(b, p + "self_attention", h, h, spec);
    x = b.add(p + "residual_1", x, h);
    h = b.layer_norm(p + "ln_2", x);
    h = b.gelu(p + "mlp.act", b.linear(p + "mlp.0", h, kMlp));
    h = b.linear(p + "mlp.3", h, kHidden);
    x = b.add(p + "residual_2", x, h);
  }
  x = b.layer_norm("encoder.ln", x);
  x = b.slice("class_token.select", x, 1, 0, 1);  // x[:, 0]
  x = b.reshape("class_token.flatten", x, {batch, static_cast<int64_t>(kHidden)});
  b.linear("heads.head", x, 1000);
  return b.finish();
}

}  // namespace npusim::workloads
