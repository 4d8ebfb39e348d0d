#include <doctest/doctest.h>

#include "graph_lookup.h"
#include "workloads/model_registry.h"
#include "workloads/openai_clip.h"

using namespace npusim::workloads;
using namespace npusim::testing;

TEST_CASE("OpenAI CLIP ViT-B/16: parameters of the two towers") {
  // openai/CLIP model.py with ViT-B/16's dims. Text: token embedding 49408*512 + positions 77*512
  // + 12 resblocks of (in_proj 3*512^2 + 3*512, out_proj 512^2 + 512, c_fc 512*2048 + 2048,
  // c_proj 2048*512 + 512, two LayerNorms 4*512) + ln_final 1024 + text_projection 512^2.
  Graph text = build_openai_clip_text_encoder(1, Precision::kW8A8);
  CHECK(text.param_count() == 63'428'096);
  // Image: conv1 3*768*16*16 (no bias) + class embedding 768 + positions 197*768 + ln_pre 1536
  // + 12 resblocks of 7,087,872 + ln_post 1536 + proj 768*512.
  Graph image = build_openai_clip_image_encoder(1, Precision::kW8A8);
  CHECK(image.param_count() == 86'192'640);
  // With logit_scale (one scalar, used by neither encoder) that is the checkpoint's 149,620,737,
  // the count of transformers' CLIPModel for openai/clip-vit-base-patch16.
  CHECK(text.param_count() + image.param_count() + 1 == 149'620'737);
}

TEST_CASE("OpenAI CLIP ViT-B/16: shapes, MACs and the registry") {
  Graph image = build_openai_clip_image_encoder(2, Precision::kW8A8);
  CHECK(image.tensor(op_named(image, "visual.class_embedding.concat").outputs[0]).shape == Shape{2, 197, 768});
  CHECK(op_named(image, "visual.transformer.resblocks.0.attn.scores").macs == 2ull * 12 * 197 * 197 * 64);
  CHECK(image.tensor(op_named(image, "normalize").outputs[0]).shape == Shape{2, 512});
  Graph text = build_openai_clip_text_encoder(1, Precision::kW8A8);
  CHECK(op_named(text, "transformer.resblocks.11.mlp.c_fc").macs == 77ull * 512 * 2048);
  CHECK(op_named(text, "text_projection").macs == 512ull * 512);  // one (end-of-text) row

  ModelOptions o;
  o.dims = {{"batch", 4}};
  LoadedModel m = load_model("clip-vit-b-16-image-encoder", o);
  CHECK(m.graph.tensor(m.graph.find_tensor("image").value()).shape == Shape{4, 3, 224, 224});
  CHECK(load_model("clip-vit-b-16-text-encoder", o).graph.param_count() == 63'428'096);
  o.dims = {{"resolution", 336}};
  CHECK(error_of([&] { load_model("clip-vit-b-16-image-encoder", o); }) ==
        "--dim resolution=336: clip-vit-b-16-image-encoder has no size named 'resolution' (it takes: batch)");
}

TEST_CASE("OpenAI CLIP ViT-B/16 as AI Hub's OpenAI-Clip: both towers and the similarity in one graph") {
  // AI Hub's component (qai_hub_models/models/openai_clip/model.py) runs encode_text and
  // encode_image in one graph and returns exp(logit_scale) * image_features @ text_features.t().
  Graph text = build_openai_clip_text_encoder(2, Precision::kW8A8);
  Graph image = build_openai_clip_image_encoder(2, Precision::kW8A8);
  Graph pair = build_openai_clip(2, Precision::kW8A8);
  CHECK(pair.param_count() == 149'620'737);  // the checkpoint's count, logit_scale included
  CHECK(pair.total_macs() == text.total_macs() + image.total_macs() + 2ull * 2 * 512);
  CHECK(pair.num_ops() == text.num_ops() + image.num_ops() + 2);
  CHECK(pair.tensor(op_named(pair, "logits_per_image").outputs[0]).shape == Shape{2, 2});
  CHECK(op_named(pair, "visual.normalize").kind == OpKind::kRmsNorm);
  CHECK(op_named(pair, "normalize").kind == OpKind::kRmsNorm);

  ModelOptions o;
  LoadedModel m = load_model("clip-vit-b-16", o);
  CHECK(m.graph.param_count() == 149'620'737);
  CHECK(m.graph.tensor(m.graph.find_tensor("image").value()).shape == Shape{1, 3, 224, 224});
  o.dims = {{"text_tokens", 64}};
  CHECK(error_of([&] { load_model("clip-vit-b-16", o); }) ==
        "--dim text_tokens=64: clip-vit-b-16 has no size named 'text_tokens' (it takes: batch)");
}
