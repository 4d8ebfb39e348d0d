// torchvision's mobile CNNs: MobileNet-v2, MobileNet-v3-Large and EfficientNet-B0 (width and depth
// multipliers 1.0), each an ImageNet classifier with 1000 classes.
#include "torchvision_models.h"

namespace npusim::workloads {

namespace {

int64_t as_dim(uint64_t v) { return static_cast<int64_t>(v); }

// Global pool, flatten: [N, C, H, W] -> [N, C].
TensorId pool_flatten(GraphBuilder& b, TensorId x, uint64_t batch) {
  TensorId p = b.global_avg_pool("avgpool", x);
  return b.reshape("flatten", p, {as_dim(batch), -1});
}

}  // namespace

Graph build_mobilenet_v2(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  // torchvision inverted_residual_setting. Columns: expand ratio t, output channels c, repeats n, stride s.
  struct Stage {
    uint64_t t, c, n, s;
  };
  constexpr Stage kStages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                               {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  GraphBuilder b("mobilenet_v2", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = conv_bn_act(b, "features.0.0", x, 32, 3, 2, 1, Act::kRelu6);
  uint64_t channels = 32, index = 1;
  for (const Stage& st : kStages) {
    for (uint64_t i = 0; i < st.n; ++i, ++index) {
      const std::string p = "features." + std::to_string(index) + ".conv.";
      const uint64_t stride = i == 0 ? st.s : 1, hidden = channels * st.t;
      TensorId h = x;
      uint64_t layer = 0;
      if (st.t != 1) h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, hidden, 1, 1, 1, Act::kRelu6);
      h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, hidden, 3, stride, hidden, Act::kRelu6);
      h = conv_bn_act(b, p + std::to_string(layer), h, st.c, 1, 1, 1, Act::kNone);  // linear bottleneck
      if (stride == 1 && channels == st.c) h = b.add("features." + std::to_string(index) + ".residual", x, h);
      x = h;
      channels = st.c;
    }
  }
  x = conv_bn_act(b, "features.18.0", x, 1280, 1, 1, 1, Act::kRelu6);
  b.linear("classifier.1", pool_flatten(b, x, in.batch), 1000);
  return b.finish();
}

Graph build_mobilenet_v3_large(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  // torchvision _mobilenet_v3_conf("mobilenet_v3_large"). Columns: kernel, expanded channels,
  // output channels, squeeze-excite, hard-swish (else ReLU), stride.
  struct Block {
    uint64_t kernel, expanded, out;
    bool se, hs;
    uint64_t stride;
  };
  constexpr Block kBlocks[] = {
      {3, 16, 16, false, false, 1}, {3, 64, 24, false, false, 2}, {3, 72, 24, false, false, 1},
      {5, 72, 40, true, false, 2},  {5, 120, 40, true, false, 1}, {5, 120, 40, true, false, 1},
      {3, 240, 80, false, true, 2}, {3, 200, 80, false, true, 1}, {3, 184, 80, false, true, 1},
      {3, 184, 80, false, true, 1}, {3, 480, 112, true, true, 1}, {3, 672, 112, true, true, 1},
      {5, 672, 160, true, true, 2}, {5, 960, 160, true, true, 1}, {5, 960, 160, true, true, 1},
  };
  GraphBuilder b("mobilenet_v3_large", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = conv_bn_act(b, "features.0.0", x, 16, 3, 2, 1, Act::kHardSwish);
  uint64_t channels = 16, index = 1;
  for (const Block& k : kBlocks) {
    const std::string p = "features." + std::to_string(index++) + ".block.";
    const Act act = k.hs ? Act::kHardSwish : Act::kRelu;
    TensorId h = x;
    uint64_t layer = 0;
    if (k.expanded != channels) h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, k.expanded, 1, 1, 1, act);
    h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, k.expanded, k.kernel, k.stride, k.expanded, act);
    // SqueezeExcitation(expanded, _make_divisible(expanded // 4, 8)): ReLU, then Hardsigmoid.
    if (k.se)
      h = squeeze_excite(b, p + std::to_string(layer++), h, make_divisible(static_cast<double>(k.expanded / 4)),
                         Act::kRelu, true);
    h = conv_bn_act(b, p + std::to_string(layer) + ".0", h, k.out, 1, 1, 1, Act::kNone);
    if (k.stride == 1 && channels == k.out) h = b.add("features." + std::to_string(index - 1) + ".residual", x, h);
    x = h;
    channels = k.out;
  }
  x = conv_bn_act(b, "features.16.0", x, 6 * 160, 1, 1, 1, Act::kHardSwish);
  x = b.linear("classifier.0", pool_flatten(b, x, in.batch), 1280);
  x = b.hard_swish("classifier.1", x);
  b.linear("classifier.3", x, 1000);
  return b.finish();
}

Graph build_efficientnet_b0(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  // torchvision _efficientnet_conf("efficientnet_b0"): MBConvConfig columns: expand ratio, kernel,
  // stride, input channels, output channels, layers.
  struct Stage {
    uint64_t expand, kernel, stride, in, out, layers;
  };
  constexpr Stage kStages[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                               {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                               {6, 3, 1, 192, 320, 1}};
  GraphBuilder b("efficientnet_b0", precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = conv_bn_act(b, "features.0.0", x, 32, 3, 2, 1, Act::kSilu);
  for (uint64_t s = 0; s < std::size(kStages); ++s) {
    const Stage& st = kStages[s];
    for (uint64_t i = 0; i < st.layers; ++i) {
      const std::string p = "features." + std::to_string(s + 1) + "." + std::to_string(i) + ".block.";
      const uint64_t cin = i == 0 ? st.in : st.out, stride = i == 0 ? st.stride : 1;
      const uint64_t expanded = make_divisible(static_cast<double>(cin * st.expand));
      TensorId h = x;
      uint64_t layer = 0;
      if (expanded != cin) h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, expanded, 1, 1, 1, Act::kSilu);
      h = conv_bn_act(b, p + std::to_string(layer++) + ".0", h, expanded, st.kernel, stride, expanded, Act::kSilu);
      // SqueezeExcitation(expanded, max(1, input_channels // 4), SiLU), sigmoid gate.
      h = squeeze_excite(b, p + std::to_string(layer++), h, std::max<uint64_t>(1, cin / 4), Act::kSilu, false);
      h = conv_bn_act(b, p + std::to_string(layer) + ".0", h, st.out, 1, 1, 1, Act::kNone);
      // Stochastic depth is an identity at inference.
      if (stride == 1 && cin == st.out)
        h = b.add("features." + std::to_string(s + 1) + "." + std::to_string(i) + ".residual", x, h);
      x = h;
    }
  }
  x = conv_bn_act(b, "features.8.0", x, 4 * 320, 1, 1, 1, Act::kSilu);
  b.linear("classifier.1", pool_flatten(b, x, in.batch), 1000);
  return b.finish();
}

}  // namespace npusim::workloads
