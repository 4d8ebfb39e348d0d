#pragma once
// Image classifiers with torchvision's fixed architectures (torchvision.models: resnet18,
// resnet50, resnet101, mobilenet_v2, mobilenet_v3_large, efficientnet_b0, vit_b_16,
// convnext_tiny, swin_t), built layer by layer for one inference (1000 ImageNet classes). They
// have no config file: the architecture is the torchvision source itself.
//
// Modelling choices:
// - Inference BatchNorm (the CNNs') is folded into the convolution before it (what NPU compilers deploy): each
//   conv+BN pair is one conv2d (named like the conv module) with a bias of out_channels. torchvision
//   counts two BN parameters (weight, bias) per channel where the folded graph has one conv bias,
//   so param_count() is torchvision's count minus one per BN channel.
// - Depthwise convs are conv2d with groups = channels; squeeze-excite is a global average pool,
//   two 1x1 convs (with biases) and a broadcast mul.
// - Dropout and stochastic depth are identities at inference and emit no ops.
// - ViT, ConvNeXt and Swin have LayerNorms (not folded): their counts are torchvision's as is.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

struct VisionInputs {
  uint64_t batch = 1;
  uint64_t resolution = 224;  // square input image, pixels
};

// The built-in names, in table order.
std::vector<std::string_view> torchvision_model_names();
bool is_torchvision_model(std::string_view name);

// Throws InputError for a resolution the network cannot take (too small, or not a multiple of
// ViT's patch size).
Graph build_torchvision_model(std::string_view name, const VisionInputs& in, const PrecisionSpec& precision,
                              const GraphLimits& limits = {});

// One line per workload assumption, for LoadedModel::notes.
std::vector<std::string> torchvision_notes(std::string_view name, const VisionInputs& in);

// Per-family builders (torchvision_models.cpp, mobilenets.cpp, vit.cpp, convnext.cpp, swin.cpp).
Graph build_resnet(uint64_t depth, const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_mobilenet_v2(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_mobilenet_v3_large(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_efficientnet_b0(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_vit_b_16(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_convnext_tiny(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);
Graph build_swin_t(const VisionInputs& in, const PrecisionSpec& precision, const GraphLimits& limits);

// Shared by the CNN builders. Activation after a folded conv+BN.
enum class Act : uint8_t { kNone, kRelu, kRelu6, kHardSwish, kSilu };
// conv k x k (padding (k-1)/2, torchvision's Conv2dNormActivation) with the BN folded into its bias
// (`conv`.bias), then the activation (op `conv`.act).
TensorId conv_bn_act(GraphBuilder& b, const std::string& conv, TensorId x, uint64_t out_channels, uint64_t kernel,
                     uint64_t stride, uint64_t groups, Act act);
TensorId activation(GraphBuilder& b, const std::string& name, TensorId x, Act act);
// torchvision's SqueezeExcitation: avgpool -> fc1 (1x1 conv) -> act -> fc2 (1x1 conv) -> gate -> x * scale.
TensorId squeeze_excite(GraphBuilder& b, const std::string& prefix, TensorId x, uint64_t squeeze_channels, Act act,
                        bool hard_sigmoid);
// torchvision's _make_divisible (round to the nearest multiple of `divisor`, at least 90 % of v).
uint64_t make_divisible(double v, uint64_t divisor = 8);

}  // namespace npusim::workloads
