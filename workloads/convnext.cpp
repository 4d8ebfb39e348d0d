// torchvision's convnext_tiny: stages of depths [3, 3, 9, 3] and widths [96, 192, 384, 768].
#include "nn_blocks.h"
#include "torchvision_models.h"

namespace npusim::workloads {

namespace {

// torchvision's LayerNorm2d: NCHW -> NHWC, LayerNorm over C, -> NCHW (two transposes, as the
// reference runs it).
TensorId layer_norm_2d(GraphBuilder& b, const std::string& name, TensorId x) {
  TensorId t = permute(b, name + ".to_nhwc", x, {0, 2, 3, 1});
  t = b.layer_norm(name, t);
  return permute(b, name + ".to_nchw", t, {0, 3, 1, 2});
}

// CNBlock: depthwise 7x7, NHWC LayerNorm, Linear 4x, GELU, Linear, NCHW, layer scale, residual.
TensorId cn_block(GraphBuilder& b, const std::string& p, TensorId x, uint64_t dim) {
  TensorId h = b.conv2d(p + "block.0", x, dim, 7, 7, 1, 3, dim);
  h = permute(b, p + "block.1", h, {0, 2, 3, 1});
  h = b.layer_norm(p + "block.2", h);
  h = b.gelu(p + "block.4", b.linear(p + "block.3", h, 4 * dim));
  h = b.linear(p + "block.5", h, dim);
  h = permute(b, p + "block.6", h, {0, 3, 1, 2});
  h = b.mul(p + "layer_scale.mul", h, b.weight(p + "layer_scale", {dim, 1, 1}));
  return b.add(p + "residual", x, h);  // stochastic depth is an identity at inference
}

}  // namespace

Graph build_convnext_tiny(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  constexpr uint64_t kDepths[] = {3, 3, 9, 3}, kDims[] = {96, 192, 384, 768};
  GraphBuilder b("convnext_tiny", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = b.conv2d("features.0.0", x, kDims[0], 4, 4, 4, 0);  // stem: 4x4 patchify
  x = layer_norm_2d(b, "features.0.1", x);
  for (uint64_t s = 0; s < 4; ++s) {
    const std::string stage = "features." + std::to_string(2 * s + 1) + ".";
    for (uint64_t i = 0; i < kDepths[s]; ++i) x = cn_block(b, stage + std::to_string(i) + ".", x, kDims[s]);
    if (s == 3) break;
    const std::string down = "features." + std::to_string(2 * s + 2) + ".";
    x = layer_norm_2d(b, down + "0", x);
    x = b.conv2d(down + "1", x, kDims[s + 1], 2, 2, 2, 0);
  }
  x = b.global_avg_pool("avgpool", x);
  x = layer_norm_2d(b, "classifier.0", x);  // on [N, 768, 1, 1]: the permutes are views
  x = b.reshape("classifier.1", x, {static_cast<int64_t>(in.batch), -1});
  b.linear("classifier.2", x, 1000);
  return b.finish();
}

}  // namespace npusim::workloads
