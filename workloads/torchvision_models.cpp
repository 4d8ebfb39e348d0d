#include "torchvision_models.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace npusim::workloads {

namespace {

using Builder = std::function<Graph(const VisionInputs&, const PrecisionSpec&, const GraphLimits&)>;

// Columns: built-in name, builder, the torchvision constructor it follows.
struct VisionModel {
  std::string_view name;
  Builder build;
  std::string_view source;
};

const std::vector<VisionModel>& models() {
  static const std::vector<VisionModel> kModels = {
      {"resnet18", [](auto& in, auto& p, auto& l) { return build_resnet(18, in, p, l); }, "torchvision resnet18"},
      {"resnet50", [](auto& in, auto& p, auto& l) { return build_resnet(50, in, p, l); }, "torchvision resnet50"},
      {"resnet101", [](auto& in, auto& p, auto& l) { return build_resnet(101, in, p, l); }, "torchvision resnet101"},
      {"mobilenet-v2", build_mobilenet_v2, "torchvision mobilenet_v2"},
      {"mobilenet-v3-large", build_mobilenet_v3_large, "torchvision mobilenet_v3_large"},
      {"efficientnet-b0", build_efficientnet_b0, "torchvision efficientnet_b0"},
      {"vit-b-16", build_vit_b_16, "torchvision vit_b_16"},
      {"convnext-tiny", build_convnext_tiny, "torchvision convnext_tiny"},
      {"swin-t", build_swin_t, "torchvision swin_t"},
  };
  return kModels;
}

const VisionModel* find_model(std::string_view name) {
  auto it = std::find_if(models().begin(), models().end(), [&](const VisionModel& m) { return m.name == name; });
  return it == models().end() ? nullptr : &*it;
}

// torchvision's BasicBlock (ResNet-18/34): 3x3 (stride), 3x3, identity or 1x1 downsample.
TensorId basic_block(GraphBuilder& b, const std::string& p, TensorId x, uint64_t planes, uint64_t stride) {
  TensorId h = conv_bn_act(b, p + "conv1", x, planes, 3, stride, 1, Act::kRelu);
  h = conv_bn_act(b, p + "conv2", h, planes, 3, 1, 1, Act::kNone);
  TensorId identity = x;
  if (stride != 1 || b.shape(x)[1] != planes)
    identity = conv_bn_act(b, p + "downsample.0", x, planes, 1, stride, 1, Act::kNone);
  return b.relu(p + "relu", b.add(p + "residual", h, identity));
}

// torchvision's Bottleneck (ResNet v1.5: the stride is on the 3x3): 1x1, 3x3 (stride), 1x1 to 4x planes.
TensorId bottleneck(GraphBuilder& b, const std::string& p, TensorId x, uint64_t planes, uint64_t stride) {
  constexpr uint64_t kExpansion = 4;
  TensorId h = conv_bn_act(b, p + "conv1", x, planes, 1, 1, 1, Act::kRelu);
  h = conv_bn_act(b, p + "conv2", h, planes, 3, stride, 1, Act::kRelu);
  h = conv_bn_act(b, p + "conv3", h, planes * kExpansion, 1, 1, 1, Act::kNone);
  TensorId identity = x;
  if (stride != 1 || b.shape(x)[1] != planes * kExpansion)
    identity = conv_bn_act(b, p + "downsample.0", x, planes * kExpansion, 1, stride, 1, Act::kNone);
  return b.relu(p + "relu", b.add(p + "residual", h, identity));
}

}  // namespace

std::vector<std::string_view> torchvision_model_names() {
  std::vector<std::string_view> names;
  for (const VisionModel& m : models()) names.push_back(m.name);
  return names;
}

bool is_torchvision_model(std::string_view name) { return find_model(name) != nullptr; }

Graph build_torchvision_model(std::string_view name, const VisionInputs& in, const PrecisionSpec& precision,
                              const GraphLimits& limits) {
  const VisionModel* m = find_model(name);
  NPUSIM_ASSERT(m != nullptr, "build_torchvision_model of an unknown name");
  if (in.batch == 0 || in.resolution == 0)
    throw InputError(std::string(name) + ": batch and resolution must be at least 1");
  // Every network here halves the image five times (ViT: 16x16 patches); smaller inputs end in
  // an empty feature map.
  if (in.resolution < 32)
    throw InputError(std::string(name) + ": resolution = " + std::to_string(in.resolution) +
                     " is too small (at least 32 pixels)");
  return m->build(in, precision, limits);
}

std::vector<std::string> torchvision_notes(std::string_view name, const VisionInputs& in) {
  const VisionModel* m = find_model(name);
  NPUSIM_ASSERT(m != nullptr, "torchvision_notes of an unknown name");
  std::string res = std::to_string(in.resolution);
  std::vector<std::string> notes = {"one inference: batch " + std::to_string(in.batch) + ", " + res + "x" + res +
                                    " RGB image (" + std::string(m->source) + ")"};
  if (name.starts_with("vit"))
    notes.push_back(
        "patch embedding as a 16x16 stride-16 conv; q/k/v of nn.MultiheadAttention's in_proj as three "
        "linears; class token joined by a concat; the head reads the class token only");
  else
    notes.push_back(
        "BatchNorm folded into the conv before it (one bias per channel; torchvision counts two BN "
        "parameters per channel); dropout is an identity at inference");
  return notes;
}

uint64_t make_divisible(double v, uint64_t divisor) {
  const double d = static_cast<double>(divisor);
  uint64_t r = std::max(divisor, static_cast<uint64_t>(v + d / 2) / divisor * divisor);
  if (static_cast<double>(r) < 0.9 * v) r += divisor;
  return r;
}

TensorId activation(GraphBuilder& b, const std::string& name, TensorId x, Act act) {
  switch (act) {
    case Act::kNone:
      return x;
    case Act::kRelu:
      return b.relu(name, x);
    case Act::kRelu6:
      return b.relu6(name, x);
    case Act::kHardSwish:
      return b.hard_swish(name, x);
    case Act::kSilu:
      return b.silu(name, x);
  }
  NPUSIM_ASSERT(false, "unknown activation");
}

TensorId conv_bn_act(GraphBuilder& b, const std::string& conv, TensorId x, uint64_t out_channels, uint64_t kernel,
                     uint64_t stride, uint64_t groups, Act act) {
  TensorId h = b.conv2d(conv, x, out_channels, kernel, kernel, stride, (kernel - 1) / 2, groups, true);
  return activation(b, conv + ".act", h, act);
}

TensorId squeeze_excite(GraphBuilder& b, const std::string& prefix, TensorId x, uint64_t squeeze_channels, Act act,
                        bool hard_sigmoid) {
  const std::string p = prefix + ".";
  TensorId s = b.global_avg_pool(p + "avgpool", x);
  s = activation(b, p + "fc1.act", b.conv2d(p + "fc1", s, squeeze_channels, 1, 1), act);
  s = b.conv2d(p + "fc2", s, b.shape(x)[1], 1, 1);
  s = hard_sigmoid ? b.hard_sigmoid(p + "scale_activation", s) : b.sigmoid(p + "scale_activation", s);
  return b.mul(p + "scale", x, s);  // [N, C, H, W] * [N, C, 1, 1]
}

Graph build_resnet(uint64_t depth, const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits) {
  // torchvision: resnet18 BasicBlock [2, 2, 2, 2]; resnet50 Bottleneck [3, 4, 6, 3]; resnet101 [3, 4, 23, 3].
  std::vector<uint64_t> blocks = depth == 18   ? std::vector<uint64_t>{2, 2, 2, 2}
                                 : depth == 50 ? std::vector<uint64_t>{3, 4, 6, 3}
                                               : std::vector<uint64_t>{3, 4, 23, 3};
  NPUSIM_ASSERT(depth == 18 || depth == 50 || depth == 101, "unsupported ResNet depth");
  GraphBuilder b("resnet" + std::to_string(depth), precision, limits);
  TensorId x = b.input("image", {in.batch, 3, in.resolution, in.resolution});
  x = conv_bn_act(b, "conv1", x, 64, 7, 2, 1, Act::kRelu);
  x = b.max_pool2d("maxpool", x, 3, 2, 1);
  for (uint64_t stage = 0; stage < blocks.size(); ++stage) {
    const uint64_t planes = 64u << stage;
    for (uint64_t i = 0; i < blocks[stage]; ++i) {
      const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(i) + ".";
      const uint64_t stride = i == 0 && stage > 0 ? 2 : 1;
      x = depth == 18 ? basic_block(b, p, x, planes, stride) : bottleneck(b, p, x, planes, stride);
    }
  }
  x = b.global_avg_pool("avgpool", x);
  x = b.reshape("flatten", x, {static_cast<int64_t>(in.batch), -1});
  b.linear("fc", x, 1000);
  return b.finish();
}

}  // namespace npusim::workloads
