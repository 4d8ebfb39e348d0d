#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "graph_lookup.h"
#include "test_util.h"
#include "workloads/model_registry.h"
#include "workloads/torchvision_models.h"

using namespace npusim::workloads;
using namespace npusim::testing;

namespace {

Graph build(std::string_view name, uint64_t batch = 1, uint64_t resolution = 224) {
  return build_torchvision_model(name, {.batch = batch, .resolution = resolution}, Precision::kW8A8);
}

// Conv biases that stand for a folded BatchNorm: every conv2d's bias except the squeeze-excite
// fc1/fc2 convs and the transformers' (ViT, ConvNeXt, Swin: LayerNorm only) convs, which have real biases.
uint64_t bn_channels(const Graph& g) {
  if (g.name().starts_with("vit") || g.name().starts_with("convnext") || g.name().starts_with("swin")) return 0;
  uint64_t n = 0;
  for (OpId i = 0; i < g.num_ops(); ++i) {
    const Op& op = g.op(i);
    if (op.kind != OpKind::kConv2d || op.inputs.size() < 3) continue;
    if (op.name.ends_with(".fc1") || op.name.ends_with(".fc2")) continue;
    n += g.tensor(op.inputs[2]).elems;
  }
  return n;
}

}  // namespace

TEST_CASE("torchvision classifiers: exact parameter counts") {
  // Reference: torchvision's weights metadata, `num_params` of the IMAGENET1K_V1 weights
  // (ViT: IMAGENET1K_V1 of vit_b_16), which counts BN weight and bias. BN is folded into the conv
  // here (one bias per channel), so the graph has one parameter per BN channel fewer.
  struct Ref {
    const char* name;
    uint64_t torchvision_params;
  };
  for (const Ref& r :
       {Ref{"resnet18", 11'689'512}, Ref{"resnet50", 25'557'032}, Ref{"resnet101", 44'549'160},
        Ref{"mobilenet-v2", 3'504'872}, Ref{"mobilenet-v3-large", 5'483'032}, Ref{"efficientnet-b0", 5'288'548},
        Ref{"vit-b-16", 86'567'656}, Ref{"convnext-tiny", 28'589'128}, Ref{"swin-t", 28'288'354}}) {
    CAPTURE(r.name);
    Graph g = build(r.name);
    CHECK(g.param_count() + bn_channels(g) == r.torchvision_params);
  }
  // The folded counts themselves. ResNet-50 has 53 BNs over 26,560 channels.
  Graph r50 = build("resnet50");
  CHECK(bn_channels(r50) == 26'560);
  CHECK(r50.param_count() == 25'530'472);
  // ViT has no BN: its count is torchvision's as is.
  CHECK(build("vit-b-16").param_count() == 86'567'656);
}

TEST_CASE("torchvision classifiers: MACs match torchvision's published GFLOPS") {
  // torchvision's weights metadata `_ops` (GFLOPS, counted as multiply-accumulates of convs,
  // linears and attention matmuls) at 224x224: resnet18 1.814, resnet50 4.089, resnet101 7.801,
  // mobilenet_v2 0.301, mobilenet_v3_large 0.217, efficientnet_b0 0.386, vit_b_16 17.564,
  // convnext_tiny 4.456, swin_t 4.491.
  struct Ref {
    const char* name;
    double gmacs;
  };
  for (const Ref& r :
       {Ref{"resnet18", 1.814}, Ref{"resnet50", 4.089}, Ref{"resnet101", 7.801}, Ref{"mobilenet-v2", 0.301},
        Ref{"mobilenet-v3-large", 0.217}, Ref{"efficientnet-b0", 0.386}, Ref{"vit-b-16", 17.564}}) {
    CAPTURE(r.name);
    const double gmacs = static_cast<double>(build(r.name).total_macs()) / 1e9;
    CHECK(gmacs == doctest::Approx(r.gmacs).epsilon(0.002));  // the reference's three digits
  }
  // ResNet-50 exactly: conv1 118,013,952 + the four stages + fc 2,048,000.
  CHECK(op_named(build("resnet50"), "conv1").macs == 112 * 112 * 64 * 3 * 7 * 7);
  CHECK(op_named(build("resnet50"), "fc").macs == 2'048'000);
}

TEST_CASE("ResNet-50: shapes, pooling and the folded BN") {
  Graph g = build("resnet50");
  // conv1 7x7/2 -> [1, 64, 112, 112]; maxpool 3x3/2 pad 1 -> 56x56.
  CHECK(g.tensor(op_named(g, "maxpool").outputs[0]).shape == Shape{1, 64, 56, 56});
  CHECK(op_named(g, "maxpool").kind == OpKind::kMaxPool2d);
  CHECK(op_named(g, "maxpool").vector_elems == 64 * 56 * 56 * 9);  // each window element read once
  CHECK(g.tensor(op_named(g, "layer4.2.relu").outputs[0]).shape == Shape{1, 2048, 7, 7});
  CHECK(op_named(g, "avgpool").kind == OpKind::kGlobalAvgPool);
  CHECK(op_named(g, "avgpool").vector_elems == 2048 * 7 * 7);
  // v1.5: the stride is on the 3x3 conv, and the downsample is a strided 1x1.
  CHECK(op_named(g, "layer2.0.conv2").conv.stride_h == 2);
  CHECK(op_named(g, "layer2.0.conv1").conv.stride_h == 1);
  CHECK(op_named(g, "layer2.0.downsample.0").conv.stride_h == 2);
  CHECK_FALSE(has_op(g, "layer2.1.downsample.0"));
  CHECK(g.find_tensor("layer1.0.conv1.bias").has_value());  // the folded BN
  CHECK(count_kind(g, OpKind::kConv2d) == 53);
  CHECK(g.tensor(op_named(g, "fc").outputs[0]).shape == Shape{1, 1000});
  // ResNet-18: BasicBlocks end at 512 channels.
  CHECK(build("resnet18").tensor(op_named(build("resnet18"), "avgpool").outputs[0]).shape == Shape{1, 512, 1, 1});
}

TEST_CASE("Mobile CNNs: depthwise convs, squeeze-excite and activations") {
  Graph v2 = build("mobilenet-v2");
  const Op& dw = op_named(v2, "features.2.conv.1.0");  // 96 channels, 3x3/2 depthwise
  CHECK(dw.conv.groups == 96);
  CHECK(dw.macs == 56 * 56 * 96 * 9);
  CHECK(op_named(v2, "features.2.conv.1.0.act").kind == OpKind::kRelu6);
  CHECK(has_op(v2, "features.3.residual"));
  CHECK_FALSE(has_op(v2, "features.2.residual"));

  Graph v3 = build("mobilenet-v3-large");
  CHECK(op_named(v3, "features.0.0.act").kind == OpKind::kHardSwish);
  // features.4: 72 expanded channels, SE squeeze to _make_divisible(72 // 4, 8) = 24.
  CHECK(v3.tensor(op_named(v3, "features.4.block.2.fc1").outputs[0]).shape == Shape{1, 24, 1, 1});
  CHECK(op_named(v3, "features.4.block.2.scale_activation").kind == OpKind::kHardSigmoid);
  CHECK(op_named(v3, "features.4.block.2.scale").vector_elems == 72 * 28 * 28);  // broadcast over H, W
  CHECK(op_named(v3, "features.4.block.1.0").conv.r == 5);

  Graph e = build("efficientnet-b0");
  // Stage 2 block 0: 16 -> 96 expanded; SE squeezes to 16 // 4 = 4 with SiLU and a sigmoid gate.
  CHECK(e.tensor(op_named(e, "features.2.0.block.2.fc1").outputs[0]).shape == Shape{1, 4, 1, 1});
  CHECK(op_named(e, "features.2.0.block.2.fc1.act").kind == OpKind::kSilu);
  CHECK(op_named(e, "features.2.0.block.2.scale_activation").kind == OpKind::kSigmoid);
  CHECK(e.tensor(op_named(e, "features.8.0").outputs[0]).shape == Shape{1, 1280, 7, 7});
}

TEST_CASE("ViT-B/16: patch embedding, class token and encoder") {
  Graph g = build("vit-b-16", 2);
  const Op& patch = op_named(g, "conv_proj");
  CHECK(patch.conv.r == 16);
  CHECK(patch.conv.stride_h == 16);
  CHECK(patch.macs == 2ull * 196 * 768 * 3 * 16 * 16);
  CHECK(g.tensor(op_named(g, "class_token.concat").outputs[0]).shape == Shape{2, 197, 768});
  const std::string a = "encoder.layers.encoder_layer_11.self_attention.";
  // Scores: B * H * 197 * 197 * 64
  CHECK(op_named(g, a + "scores").macs == 2ull * 12 * 197 * 197 * 64);
  CHECK(g.tensor(op_named(g, "heads.head").outputs[0]).shape == Shape{2, 1000});
  // A larger image: more positions in pos_embedding (torchvision's image_size argument).
  CHECK(build("vit-b-16", 1, 384).param_count() == 86'567'656 + (576 - 196) * 768);
}

TEST_CASE("torchvision classifiers through load_model: dims, notes and errors") {
  ModelOptions o;
  o.dims = {{"batch", 4}, {"resolution", 256}};
  LoadedModel m = load_model("resnet50", o);
  CHECK(m.graph.tensor(m.graph.find_tensor("image").value()).shape == Shape{4, 3, 256, 256});
  CHECK(m.notes.at(0) == "one inference: batch 4, 256x256 RGB image (torchvision resnet50)");
  std::vector<std::string> names = list_models({});
  for (const char* n :
       {"resnet18", "resnet50", "resnet101", "mobilenet-v2", "mobilenet-v3-large", "efficientnet-b0", "vit-b-16"})
    CHECK_MESSAGE(std::find(names.begin(), names.end(), n) != names.end(), n);

  o.dims = {{"text_tokens", 77}};
  CHECK(error_of([&] { load_model("resnet18", o); }) ==
        "--dim text_tokens=77: resnet18 has no size named 'text_tokens' (it takes: batch, resolution)");
  o.dims = {{"resolution", 200}};
  CHECK(error_of([&] { load_model("vit-b-16", o); }) ==
        "vit-b-16: resolution = 200 must be a multiple of the 16-pixel patch");
  o.dims = {{"resolution", 16}};
  CHECK(error_of([&] { load_model("mobilenet-v2", o); }) ==
        "mobilenet-v2: resolution = 16 is too small (at least 32 pixels)");
  o.dims = {};
  o.phase = "decode";
  CHECK(error_of([&] { load_model("efficientnet-b0", o); }).find("efficientnet-b0 is not an LLM") != std::string::npos);
}

TEST_CASE("ConvNeXt-Tiny and Swin-T: blocks as torchvision builds them") {
  Graph c = build("convnext-tiny");
  const Op& dw = op_named(c, "features.5.8.block.0");  // stage 3's last block: 384 channels at 14x14
  CHECK(dw.conv.groups == 384);
  CHECK(dw.conv.r == 7);
  CHECK(dw.macs == 14 * 14 * 384 * 49);
  CHECK(op_named(c, "features.5.8.block.3").macs == 14 * 14 * 384 * 1536);
  CHECK(c.tensor(op_named(c, "features.6.1").outputs[0]).shape == Shape{1, 768, 7, 7});  // 2x2/2 downsample
  CHECK(c.find_tensor("features.1.0.layer_scale").has_value());

  Graph s = build("swin-t");
  // Stage 1: 56x56 map, 64 windows of 49 tokens, 3 heads of 32.
  const std::string a = "features.1.1.attn.";
  CHECK(op_named(s, a + "scores").macs == 64ull * 3 * 49 * 49 * 32);
  CHECK(has_op(s, a + "roll"));  // odd blocks shift
  CHECK_FALSE(has_op(s, "features.1.0.attn.roll"));
  // Stage 4's 7x7 map is one window: torchvision does not shift it.
  CHECK_FALSE(has_op(s, "features.7.1.attn.roll"));
  CHECK(s.tensor(*s.find_tensor(a + "relative_position_bias_table")).shape == Shape{169, 3});
  // The bias gathered from the table by the fixed relative-position index, and its permute,
  // are folded at compile time: no ops; the permuted bias is a constant, not a parameter.
  CHECK_FALSE(has_op(s, a + "relative_position_bias"));
  CHECK_FALSE(has_op(s, a + "relative_position_bias.permute"));
  const Tensor& bias = s.tensor(*s.find_tensor(a + "relative_position_bias.permute"));
  CHECK(bias.kind == TensorKind::kWeight);
  CHECK_FALSE(bias.parameter);
  CHECK(bias.shape == Shape{3, 49, 49});
  CHECK(s.folded_ops().size() == 24);  // 12 blocks x (gather, permute)
  CHECK(has_op(s, a + "relative_position_bias.add"));
  CHECK(s.tensor(op_named(s, "features.2.reduction").outputs[0]).shape == Shape{1, 28, 28, 192});
  CHECK(error_of([] { build("swin-t", 1, 256); }) ==
        "swin-t: resolution = 256 must be a multiple of 224 (whole 7x7 windows at every stage; padding is not "
        "modelled)");
}
