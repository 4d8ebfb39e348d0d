#include <doctest/doctest.h>

#include "graph_lookup.h"
#include "workloads/model_registry.h"
#include "workloads/whisper.h"
#include "workloads/workload.h"

using namespace npusim::workloads;
using namespace npusim::testing;

namespace {

const WhisperDims& dims(std::string_view name) {
  const WhisperDims* d = find_whisper_dims(name);
  REQUIRE(d != nullptr);
  return *d;
}

}  // namespace

TEST_CASE("Whisper: parameters of the openai checkpoints, split as AI Hub splits them") {
  // openai/whisper model.py with tiny.en's dims (384 wide, 6 heads, 4 layers, vocab 51864):
  // encoder conv1 80*384*3 + 384 + conv2 384*384*3 + 384 + 4 blocks of (4*384^2 + 3*384 attention,
  // 2*384*1536 + 1536 + 384 MLP, 2 LayerNorms) + ln_post = 7,632,384; decoder token embedding
  // 51864*384 + positions 448*384 + 4 blocks (two attentions, MLP, 3 LayerNorms) + ln = 29,551,872.
  // Total 37,184,256 (Hugging Face's 37.8M adds the encoder's sinusoidal table, a buffer here).
  // The cross-attention key/value projections (4 * (2*384^2 + 384) = 1,181,184) run in the encoder.
  Graph enc = build_whisper_encoder(dims("tiny.en"), {}, Precision::kW8A8);
  Graph dec = build_whisper_decoder(dims("tiny.en"), {}, Precision::kW8A8);
  CHECK(enc.param_count() == 7'632'384 + 1'181'184);
  CHECK(dec.param_count() == 29'551'872 - 1'181'184);
  // base.en (512 wide, 8 heads, 6 layers): 19,822,592 + 52,002,816 = 71,825,408 (Hugging Face: 72.6M).
  Graph enc_b = build_whisper_encoder(dims("base.en"), {}, Precision::kW8A8);
  Graph dec_b = build_whisper_decoder(dims("base.en"), {}, Precision::kW8A8);
  CHECK(enc_b.param_count() + dec_b.param_count() == 71'825'408);
  CHECK(enc_b.param_count() == 19'822'592 + 6 * (2 * 512 * 512 + 512));
}

TEST_CASE("Whisper encoder: conv1d front end, 1500 frames, cross-attention caches") {
  Graph g = build_whisper_encoder(dims("tiny.en"), {}, Precision::kW8A8);
  const Op& c1 = op_named(g, "encoder.conv1");
  CHECK(c1.conv.r == 1);
  CHECK(c1.conv.s == 3);
  CHECK(c1.conv.pad_h == 0);
  CHECK(c1.conv.pad_w == 1);
  CHECK(c1.macs == 3000ull * 384 * 80 * 3);
  const Op& c2 = op_named(g, "encoder.conv2");
  CHECK(c2.conv.stride_w == 2);
  CHECK(g.tensor(c2.outputs[0]).shape == Shape{1, 384, 1, 1500});
  // Self-attention over 1500 frames: 6 heads * 1500^2 * 64.
  CHECK(op_named(g, "encoder.blocks.3.attn.scores").macs == 6ull * 1500 * 1500 * 64);
  const Tensor& ck = g.tensor(op_named(g, "decoder.blocks.3.cross_attn.key.cache_write").outputs[0]);
  CHECK(ck.kind == TensorKind::kKvCache);
  CHECK(ck.shape == Shape{1, 6, 1500, 64});
  CHECK_FALSE(g.find_tensor("encoder.blocks.0.attn.key.bias").has_value());  // key without bias
  CHECK(g.find_tensor("encoder.blocks.0.attn.value.bias").has_value());
}

TEST_CASE("Whisper decoder step: self- and cross-attention caches, tied logits") {
  WhisperInputs in;
  in.context = 112;  // AI Hub's mean decoded length
  Graph g = build_whisper_decoder(dims("base.en"), in, Precision::kW8A8);
  const std::string p = "decoder.blocks.5.";
  CHECK(g.tensor(*g.find_tensor(p + "attn.k_cache")).shape == Shape{1, 8, 112, 64});
  CHECK(op_named(g, p + "attn.scores").macs == 8 * 112 * 64);
  CHECK(op_named(g, p + "cross_attn.scores").macs == 8 * 1500 * 64);
  CHECK(g.tensor(op_named(g, "decoder.logits").outputs[0]).shape == Shape{1, 1, 51864});
  CHECK(op_named(g, "decoder.logits").macs == 51864ull * 512);
  CHECK(error_of([&] {
          in.context = 449;
          build_whisper_decoder(dims("base.en"), in, Precision::kW8A8);
        }) == "whisper base.en decoder: context = 449 exceeds n_text_ctx = 448");
}

TEST_CASE("Whisper through load_model and load_workload: one stage each, not an LLM") {
  ModelOptions o;
  o.dims = {{"context", 200}, {"batch", 2}};
  Workload w = load_workload("whisper-tiny.en-decoder", o);
  REQUIRE(w.stages.size() == 1);
  CHECK(w.kind != WorkloadKind::kLlm);
  CHECK(w.stages[0].model.graph.tensor(*w.stages[0].model.graph.find_tensor("decoder.blocks.0.attn.v_cache")).shape ==
        Shape{2, 6, 200, 64});
  CHECK(error_of([&] { load_model("whisper-tiny.en-encoder", o); }) ==
        "--dim context=200: whisper-tiny.en-encoder has no size named 'context' (it takes: batch)");
  o.dims = {};
  o.phase = "decode";
  CHECK(error_of([&] { load_model("whisper-base.en-decoder", o); }).find("is not an LLM") != std::string::npos);
}
