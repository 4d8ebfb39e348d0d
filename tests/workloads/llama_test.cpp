#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "graph_lookup.h"
#include "test_util.h"
#include "workloads/llama.h"
#include "workloads/model_registry.h"

using namespace npusim::workloads;
using namespace npusim::testing;

namespace {

const std::string kModels = std::string(NPUSIM_SOURCE_DIR) + "/configs/models/";
const std::string kLlama = kModels + "llama/";
constexpr int kWeight = static_cast<int>(TensorKind::kWeight);
constexpr int kKv = static_cast<int>(TensorKind::kKvCache);

const Tensor& tensor_named(const Graph& g, const std::string& name) {
  auto t = g.find_tensor(name);
  REQUIRE_MESSAGE(t.has_value(), "no tensor named " << name);
  return g.tensor(*t);
}

Graph build(const std::string& file, const LlamaInputs& in, const PrecisionSpec& p = Precision::kW8A8) {
  return build_llama(load_llama_config(kLlama + file), in, p);
}

LlamaInputs decode(uint64_t context) {
  LlamaInputs in;
  in.phase = LlmPhase::kDecode;
  in.context = context;
  return in;
}

ModelOptions options(std::string phase = "", std::map<std::string, uint64_t> dims = {}) {
  ModelOptions o;
  o.model_dirs = {kModels};
  o.phase = std::move(phase);
  o.dims = std::move(dims);
  return o;
}

// The Llama 3.2 1B config with `line` replaced (exact match), written to a temporary file.
class EditedConfig {
 public:
  EditedConfig(const std::string& line, const std::string& replacement) {
    std::ifstream f(kLlama + "llama3.2-1b.json");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t at = text.find(line);
    REQUIRE(at != std::string::npos);
    path_ = dir_.write("config.json", text.replace(at, line.size(), replacement));
  }
  const std::string& path() const { return path_; }

 private:
  npusim::testing::TempDir dir_;
  std::string path_;
};

uint64_t weight_bytes_read(const Graph& g) {
  uint64_t total = 0;
  for (OpId i = 0; i < g.num_ops(); ++i) total += g.operand_bytes(i).read[kWeight];
  return total;
}

}  // namespace

TEST_CASE("Llama: exact parameter counts of the published configs") {
  // Llama-2-7B: 2 * 32000*4096 (embed, lm_head) + 32 * (4*4096^2 + 3*4096*11008 + 2*4096) + 4096
  CHECK(build("llama2-7b.json", {}).param_count() == 6'738'415'616);
  // Llama-3-8B: 2 * 128256*4096 + 32 * (2*4096^2 + 2*4096*1024 + 3*4096*14336 + 2*4096) + 4096
  CHECK(build("llama3-8b.json", {}).param_count() == 8'030'261'248);
  // Llama-3.2-1B, tied: 128256*2048 once + 16 * (2*2048^2 + 2*2048*512 + 3*2048*8192 + 2*2048) + 2048
  CHECK(build("llama3.2-1b.json", {}).param_count() == 1'235'814'400);
  // The phase does not change the parameters.
  CHECK(build("llama3-8b.json", decode(1024)).param_count() == 8'030'261'248);
}

TEST_CASE("Mistral, Qwen2, Phi-3 and Llama 3.2 3B: exact parameter counts of the published configs") {
  // Sources: the safetensors totals of the Hugging Face checkpoints (meta-llama/Llama-3.2-3B-Instruct,
  // mistralai/Mistral-7B-Instruct-v0.3, Qwen/Qwen2-7B-Instruct, microsoft/Phi-3.5-mini-instruct).
  // Llama-3.2-3B, tied: 128256*3072 once + 28 * (2*3072^2 + 2*3072*1024 + 3*3072*8192 + 2*3072) + 3072
  CHECK(build("llama3.2-3b.json", {}).param_count() == 3'212'749'824);
  // Mistral-7B-v0.3: 2 * 32768*4096 + 32 * (2*4096^2 + 2*4096*1024 + 3*4096*14336 + 2*4096) + 4096
  CHECK(build("mistral-7b-v0.3.json", {}).param_count() == 7'248'023'552);
  // Qwen2-7B: 2 * 152064*3584 + 28 * (2*3584^2 + 2*3584*512 + 3*3584*18944 + 2*3584
  //   + the q/k/v biases 3584 + 2*512) + 3584. AI Hub's "7.07B" leaves out the 545M embedding.
  CHECK(build("qwen2-7b.json", {}).param_count() == 7'615'616'512);
  // Phi-3.5-mini: 2 * 32064*3072 + 32 * (3072*9216 (qkv) + 3072^2 + 3072*16384 (gate_up) + 8192*3072 + 2*3072) + 3072
  CHECK(build("phi3.5-mini.json", {}).param_count() == 3'821'079'552);
}

TEST_CASE("Qwen2 has q/k/v biases and no o_proj bias, and Phi-3 fuses qkv and gate/up") {
  Graph q = build("qwen2-7b.json", {});
  const std::string a = "model.layers.0.self_attn.";
  CHECK(q.find_tensor(a + "q_proj.bias").has_value());
  CHECK(tensor_named(q, a + "k_proj.bias").shape == Shape{512});
  CHECK_FALSE(q.find_tensor(a + "o_proj.bias").has_value());
  CHECK_FALSE(q.find_tensor("model.layers.0.mlp.up_proj.bias").has_value());
  CHECK(q.name() == "qwen2");

  LlamaInputs in;
  in.prompt_tokens = 128;
  Graph p = build("phi3.5-mini.json", in);
  CHECK(tensor_named(p, a + "qkv_proj.weight").shape == Shape{3 * 3072, 3072});
  // qkv_proj: P * (H + 2*kv_heads)*D * C = 128 * 9216 * 3072
  CHECK(op_named(p, a + "qkv_proj").macs == 3'623'878'656);
  CHECK_FALSE(p.find_tensor(a + "q_proj.weight").has_value());
  CHECK(op_named(p, a + "k_split").kind == OpKind::kSlice);
  CHECK(tensor_named(p, a + "v_split").shape == Shape{1, 128, 3072});
  CHECK(tensor_named(p, "model.layers.0.mlp.gate_up_proj.weight").shape == Shape{2 * 8192, 3072});
  CHECK(tensor_named(p, "model.layers.0.mlp.up_split").shape == Shape{1, 128, 8192});
  // MACs do not change with the fusion: the same as three (two) separate projections.
  Graph pd = build("phi3.5-mini.json", decode(4096));
  CHECK(op_named(pd, a + "score").macs == 32 * 4096 * 96);
}

TEST_CASE("Decoder-only families: config checks") {
  LlamaConfig m = load_llama_config(kLlama + "mistral-7b-v0.3.json");
  CHECK(m.model_type == "mistral");
  CHECK(m.sliding_window == 0);  // null in v0.3
  LlamaConfig p = load_llama_config(kLlama + "phi3.5-mini.json");
  CHECK(p.rope_type == "longrope");
  CHECK(p.sliding_window == 262'144);
  CHECK(p.head_dim == 96);
  npusim::testing::TempDir dir;
  // A window shorter than the context is not modelled: refused, not silently ignored.
  std::string windowed = dir.write("config.json", R"({"model_type": "mistral", "sliding_window": 4096,
    "max_position_embeddings": 32768, "num_hidden_layers": 1})");
  CHECK(error_of([&] { build_llama(load_llama_config(windowed), decode(8192), Precision::kW8A8); }) ==
        "mistral config " + windowed +
            ": context = 8192 exceeds sliding_window = 4096 (sliding-window attention "
            "is not modelled)");
  std::string qwen_window = dir.write("qwen.json", "{\"model_type\": \"qwen2\",\n\"use_sliding_window\": true}");
  CHECK(error_of([&] { load_llama_config(qwen_window); }) ==
        qwen_window + ":2: use_sliding_window = true: sliding-window attention is not modelled");
  std::string other = dir.write("other.json", "{\"model_type\": \"gemma2\"}");
  CHECK(error_of([&] { load_llama_config(other); }) ==
        other + ":1: model_type = \"gemma2\": expected one of llama, mistral, qwen2, phi3");
  std::string partial = dir.write("partial.json", "{\"model_type\": \"phi3\",\n\"partial_rotary_factor\": 0.75}");
  CHECK(error_of([&] { load_llama_config(partial); }).find(partial + ":2: partial_rotary_factor = 0.75") == 0);
  // The built-in names and dims work as for the Llama models.
  LoadedModel q = load_model("qwen2-7b", options("decode", {{"context", 4096}}));
  CHECK(q.graph.param_count() == 7'615'616'512);
  CHECK(load_model("phi3.5-mini", options("", {{"prompt_tokens", 128}})).graph.param_count() == 3'821'079'552);
  // Their default decode context is AI Hub's measured context length (info.yaml: 4096); the
  // older built-ins keep the builder's 1024.
  LoadedModel dm = load_model("mistral-7b-v0.3", options("decode"));
  CHECK(tensor_named(dm.graph, "model.layers.0.self_attn.k_cache").shape == Shape{1, 8, 4096, 128});
  CHECK(contains(dm.notes.at(0), "KV cache of 4096 positions"));
  dm = load_model("llama3.2-1b", options("decode"));
  CHECK(tensor_named(dm.graph, "model.layers.0.self_attn.k_cache").shape == Shape{1, 8, 1024, 64});
}

TEST_CASE("Llama config: values read from config.json") {
  LlamaConfig c = load_llama_config(kLlama + "llama3.2-1b.json");
  CHECK(c.head_dim == 64);
  CHECK(c.num_key_value_heads == 8);
  CHECK(c.tie_word_embeddings);
  CHECK(c.rope_type == "llama3");
  c = load_llama_config(kLlama + "llama2-7b.json");
  CHECK(c.head_dim == 4096 / 32);  // not given: hidden_size / num_attention_heads
  CHECK(c.num_key_value_heads == 32);
  CHECK(c.max_position_embeddings == 4096);
  CHECK(c.rope_type == "default");
}

TEST_CASE("Llama-3-8B prefill: MACs and shapes") {
  LlamaInputs in;
  in.prompt_tokens = 128;
  Graph g = build("llama3-8b.json", in);
  const std::string a = "model.layers.0.self_attn.";
  // q_proj: P * (H*D) * C = 128 * 4096 * 4096
  CHECK(op_named(g, a + "q_proj").macs == 2'147'483'648);
  // k_proj with GQA: P * (kv_heads*D) * C = 128 * (8*128) * 4096
  CHECK(op_named(g, a + "k_proj").macs == 536'870'912);
  // Scores over all 32 query heads, grouped 4 per K/V head: B*H*P*P*D = 32 * 128 * 128 * 128
  CHECK(op_named(g, a + "score").macs == 67'108'864);
  CHECK(g.tensor(op_named(g, a + "score").outputs[0]).shape == Shape{1, 8, 4 * 128, 128});
  CHECK(op_named(g, a + "context").macs == 67'108'864);
  // The K written to the cache is [B, kv_heads, P, D] and is what the scores read.
  const Tensor& k = tensor_named(g, a + "k_rope");
  CHECK(k.kind == TensorKind::kKvCache);
  CHECK(k.shape == Shape{1, 8, 128, 128});
  CHECK(g.operand_bytes(op_id(g, a + "score")).read[kKv] == 8 * 128 * 128);
  CHECK(tensor_named(g, a + "v_cache_write").kind == TensorKind::kKvCache);
  // Rotary: two muls and an add over q's 32*128*128 elements.
  CHECK(op_named(g, a + "q_rope.cos").vector_elems == 524'288);
  CHECK(op_named(g, a + "q_rope").vector_elems == 524'288);
  // lm_head for the last token only: 1 * 128256 * 4096
  CHECK(op_named(g, "model.norm.last_token").kind == OpKind::kSlice);
  CHECK(op_named(g, "lm_head").macs == 525'336'576);
  CHECK(g.tensor(op_named(g, "lm_head").outputs[0]).shape == Shape{1, 1, 128256});
  CHECK_FALSE(g.find_tensor(a + "k_cache").has_value());
}

TEST_CASE("Llama-3-8B prefill over a longer context: P x C scores and the whole cache read") {
  // AI Hub's prompt processor: 128 new tokens against a 4096-position KV cache.
  LlamaInputs in;
  in.prompt_tokens = 128;
  in.prefill_context = 4096;
  Graph g = build("llama3-8b.json", in);
  const std::string a = "model.layers.0.self_attn.";
  CHECK(g.param_count() == 8'030'261'248);
  // B*H*P*C*D = 32 * 128 * 4096 * 128, 32x the P x P prefill's.
  CHECK(op_named(g, a + "score").macs == 2'147'483'648);
  CHECK(g.tensor(op_named(g, a + "score").outputs[0]).shape == Shape{1, 8, 4 * 128, 4096});
  CHECK(op_named(g, a + "context").macs == 2'147'483'648);
  // The scores read the whole K cache: kv_heads * C * D at 8 bits (w8a8's KV dtype).
  const Tensor& kc = tensor_named(g, a + "k_cache");
  CHECK(kc.kind == TensorKind::kKvCache);
  CHECK(kc.shape == Shape{1, 8, 4096, 128});
  CHECK(g.operand_bytes(op_id(g, a + "score")).read[kKv] == 8 * 4096 * 128);
  // The projections and lm_head are the P x P prefill's.
  CHECK(op_named(g, a + "q_proj").macs == 2'147'483'648);
  CHECK(op_named(g, "lm_head").macs == 525'336'576);
  // The chunk is part of its context; the context fits the model.
  in.prefill_context = 64;
  CHECK_THROWS_WITH_AS(build("llama3-8b.json", in),
                       doctest::Contains("prefill_context = 64 is less than prompt_tokens = 128"), npusim::UserError);
  in.prefill_context = 9000;
  CHECK_THROWS_WITH_AS(build("llama3-8b.json", in),
                       doctest::Contains("prefill_context = 9000 exceeds max_position_embeddings = 8192"),
                       npusim::UserError);
  // Through load_model: a prefill-only dim, refused in decode.
  LoadedModel m = load_model("llama3-8b", options("prefill", {{"prefill_context", 4096}}));
  CHECK(m.notes.at(0).find("128 prompt tokens attending over a KV cache of 4096 positions") != std::string::npos);
  CHECK_THROWS_AS(load_model("llama3-8b", options("decode", {{"prefill_context", 4096}})), npusim::UserError);
}

TEST_CASE("Llama-3-8B decode: MACs, KV cache inputs and outputs") {
  Graph g = build("llama3-8b.json", decode(1024));
  const std::string a = "model.layers.31.self_attn.";
  // q_proj: 1 token * 4096 * 4096; k_proj: 1 * (8*128) * 4096
  CHECK(op_named(g, a + "q_proj").macs == 16'777'216);
  CHECK(op_named(g, a + "k_proj").macs == 4'194'304);
  // Score: B*H*1*L*D = 32 * 1 * 1024 * 128, reading K for 8 kv heads: 8*1024*128 B (int8)
  CHECK(op_named(g, a + "score").macs == 4'194'304);
  CHECK(op_named(g, a + "context").macs == 4'194'304);
  const Tensor& kc = tensor_named(g, a + "k_cache");
  CHECK(kc.kind == TensorKind::kKvCache);
  CHECK(kc.shape == Shape{1, 8, 1024, 128});
  CHECK(g.operand_bytes(op_id(g, a + "score")).read[kKv] == 1'048'576);
  CHECK(g.operand_bytes(op_id(g, a + "context")).read[kKv] == 1'048'576);
  // The new token's K/V: one row per kv head, written to the cache and not read back here.
  const Tensor& kn = tensor_named(g, a + "k_rope");
  CHECK(kn.kind == TensorKind::kKvCache);
  CHECK(kn.shape == Shape{1, 8, 1, 128});
  CHECK(tensor_named(g, a + "v_cache_write").shape == Shape{1, 8, 1, 128});
  CHECK(g.liveness()[*g.find_tensor(a + "k_rope")].graph_output);
  // lm_head: 1 * 128256 * 4096, no slice needed for one token.
  CHECK(op_named(g, "lm_head").macs == 525'336'576);
  CHECK_FALSE(g.find_tensor("model.norm.last_token").has_value());
  // Batch 4 scales the cache and the attention work.
  LlamaInputs b4 = decode(1024);
  b4.batch = 4;
  Graph g4 = build("llama3-8b.json", b4);
  CHECK(tensor_named(g4, a + "k_cache").shape == Shape{4, 8, 1024, 128});
  CHECK(op_named(g4, a + "score").macs == 4 * 4'194'304);
}

TEST_CASE("Llama decode: KV cache bytes follow the precision's KV dtype") {
  const std::string kc = "model.layers.0.self_attn.k_cache";
  // Llama-3.2-1B cache per layer: 8 kv heads * 1024 * 64 = 524288 elements.
  CHECK(tensor_named(build("llama3.2-1b.json", decode(1024), Precision::kW8A8), kc).size_bytes == 524'288);
  // w4a16: int16 KV.
  Graph w4 = build("llama3.2-1b.json", decode(1024), Precision::kW4A16);
  CHECK(tensor_named(w4, kc).dtype == DType::kInt16);
  CHECK(tensor_named(w4, kc).size_bytes == 1'048'576);
  CHECK(tensor_named(w4, "model.layers.0.self_attn.k_rope").size_bytes == 8 * 64 * 2);
  // w4a16,kv_cache=int8: half of that, and the new rows are written as int8 too.
  Graph w4kv8 = build("llama3.2-1b.json", decode(1024), parse_precision_spec("w4a16,kv_cache=int8", "test"));
  CHECK(tensor_named(w4kv8, kc).size_bytes == 524'288);
  CHECK(tensor_named(w4kv8, "model.layers.0.self_attn.v_cache_write").dtype == DType::kInt8);
  CHECK(op_named(w4kv8, "model.layers.0.self_attn.v_cache_write").moved_bytes == 8 * 64);
  // Activations stay int16.
  CHECK(tensor_named(w4kv8, "model.layers.0.self_attn.q_proj").dtype == DType::kInt16);
}

TEST_CASE("Llama decode: weight bytes read = parameters x weight bits") {
  // Llama-3-8B at w4a16: every weight is read once at 4 bits, except the embedding table, of
  // which the lookup reads one row: (8030261248 - 128256*4096 + 4096) / 2 bytes.
  Graph g = build("llama3-8b.json", decode(1024), Precision::kW4A16);
  CHECK(weight_bytes_read(g) == (8'030'261'248ull - 525'336'576ull + 4096ull) / 2);
  // Llama-3.2-1B, tied: lm_head reads the whole shared table, plus the looked-up row.
  Graph t = build("llama3.2-1b.json", decode(1024), Precision::kW4A16);
  CHECK(weight_bytes_read(t) == (1'235'814'400ull + 2048ull) / 2);
  CHECK_FALSE(t.find_tensor("lm_head.weight").has_value());
  const Op& head = op_named(t, "lm_head");
  CHECK(t.tensor(head.inputs[1]).name == "model.embed_tokens.weight");
  CHECK(head.macs == 128256ull * 2048ull);
}

TEST_CASE("Llama: vocab=int8 keeps the embedding and lm_head tables at 8 bits, every other weight at 4") {
  // AI Hub's 4-bit LLMs are "w4a16 + w8a16 (few layers)": their vocabulary tables stay at 8 bits.
  const PrecisionSpec spec = parse_precision_spec("w4a16,vocab=int8", "test");
  CHECK(spec.name() == "w4a16,vocab=int8");
  Graph g = build("llama3-8b.json", decode(1024), spec);
  CHECK(g.param_count() == 8'030'261'248);
  CHECK(tensor_named(g, "lm_head.weight").dtype == DType::kInt8);
  CHECK(tensor_named(g, "model.embed_tokens.weight").dtype == DType::kInt8);
  CHECK(tensor_named(g, "model.layers.0.mlp.up_proj.weight").dtype == DType::kInt4);
  // 4-bit body + the 8-bit lm_head in full + one 8-bit embedding row.
  CHECK(weight_bytes_read(g) == (8'030'261'248ull - 2 * 525'336'576ull) / 2 + 525'336'576ull + 4096ull);
  // Tied (Llama-3.2-1B): the one shared table is 8-bit, read in full by lm_head.
  Graph t = build("llama3.2-1b.json", decode(1024), spec);
  CHECK(weight_bytes_read(t) == (1'235'814'400ull - 262'668'288ull) / 2 + 262'668'288ull + 2048ull);
  // Without the override nothing changes (the test above): vocab follows the weight dtype.
  CHECK(tensor_named(build("llama3-8b.json", decode(1024), Precision::kW4A16), "lm_head.weight").dtype == DType::kInt4);
  CHECK_THROWS_WITH_AS(parse_precision_spec("w4a16,vocab=int8,vocab=int4", "--precision"),
                       "--precision: 'vocab' is overridden twice; expected BASE[,KIND=DTYPE]... with BASE one of w8a8, "
                       "w8a16, w4a16, fp16, KIND one of weight, activation, kv_cache, vocab (an LLM's embedding and "
                       "lm_head tables) and DTYPE one of int4, int8, int16, int32, fp16, bf16, fp32 (e.g. "
                       "w4a16,kv_cache=int8)",
                       npusim::UserError);
}

TEST_CASE("Llama through load_model: built-ins, phases, dims and notes") {
  LoadedModel m = load_model("llama3-8b", options());
  CHECK(m.graph.param_count() == 8'030'261'248);
  CHECK(m.notes.at(0).find("prefill: batch 1, 128 prompt tokens") == 0);
  CHECK(m.notes.at(0).find("last token only") != std::string::npos);

  m = load_model("llama3.2-1b", options("decode", {{"context", 2048}, {"batch", 2}}));
  CHECK(m.notes.at(0).find("decode: one token, batch 2, KV cache of 2048 positions") == 0);
  CHECK(tensor_named(m.graph, "model.layers.15.self_attn.v_cache").shape == Shape{2, 8, 2048, 64});
  bool tied_note = false, rotary_note = false;
  for (const auto& n : m.notes) {
    tied_note = tied_note || n.find("tied") != std::string::npos;
    rotary_note = rotary_note || n.find("rotary embedding") != std::string::npos;
  }
  CHECK(tied_note);
  CHECK(rotary_note);

  m = load_model("llama2-7b", options("prefill", {{"prompt_tokens", 4096}}));
  CHECK(m.graph.tensor(op_named(m.graph, "model.layers.0.self_attn.score").outputs[0]).shape ==
        Shape{1, 32, 4096, 4096});

  // Recognised by content from a path.
  CHECK(load_model(kLlama + "llama3.2-1b.json", options()).graph.param_count() == 1'235'814'400);
  CHECK(std::find(list_models({kModels}).begin(), list_models({kModels}).end(), "llama3-8b") !=
        list_models({kModels}).end());
}

TEST_CASE("Llama: phase and dims errors") {
  CHECK(error_of([] {
          load_model("llama3-8b", options("decode", {{"context", 0}}));
        }) == "--dim context=0: sizes must be at least 1");
  CHECK(error_of([] { load_model("llama3-8b", options("generate")); }) ==
        "phase 'generate': expected prefill or decode");
  CHECK(error_of([] {
          load_model("llama2-7b", options("", {{"prompt_tokens", 4097}}));
        }).find("prompt_tokens = 4097 exceeds max_position_embeddings = 4096") != std::string::npos);
  CHECK(error_of([] {
          load_model("llama2-7b", options("decode", {{"context", 5000}}));
        }).find("context = 5000 exceeds max_position_embeddings = 4096") != std::string::npos);
  // Each phase takes only its own size.
  std::string msg = error_of([] { load_model("llama3-8b", options("", {{"context", 512}})); });
  CHECK(msg.find("in prefill has no size named 'context'") != std::string::npos);
  CHECK(msg.find("(it takes: batch, prompt_tokens, prefill_context)") != std::string::npos);
  msg = error_of([] { load_model("llama3-8b", options("decode", {{"prompt_tokens", 512}})); });
  CHECK(msg.find("in decode has no size named 'prompt_tokens'") != std::string::npos);
}

TEST_CASE("Llama config errors name the file, line, key and rule") {
  SUBCASE("unsupported activation") {
    EditedConfig f("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"");
    CHECK(error_of([&] { load_llama_config(f.path()); }) ==
          f.path() + ":10: hidden_act = \"gelu\": only silu is supported");
  }
  SUBCASE("an unknown key") {
    EditedConfig f("\"mlp_bias\": false,", "\"mlp_biass\": false,");
    CHECK(error_of([&] {
            load_llama_config(f.path());
          }).find(f.path() + ":15: mlp_biass = false: unknown LlamaConfig key (did you mean 'mlp_bias'?)") == 0);
  }
  SUBCASE("kv heads that do not divide the heads") {
    EditedConfig f("\"num_key_value_heads\": 8,", "\"num_key_value_heads\": 5,");
    CHECK(error_of([&] { load_llama_config(f.path()); }) ==
          f.path() + ":19: num_key_value_heads = 5: must divide num_attention_heads = 32");
  }
  SUBCASE("an unsupported rope scaling") {
    EditedConfig f("\"rope_type\": \"llama3\"", "\"rope_type\": \"longrope\"");
    CHECK(error_of([&] { load_llama_config(f.path()); }) ==
          f.path() + ":27: rope_type = \"longrope\": expected one of default, linear, dynamic, llama3");
  }
  SUBCASE("a llama3-only rope key on linear scaling") {
    EditedConfig f("\"rope_type\": \"llama3\"", "\"rope_type\": \"linear\"");
    CHECK(error_of([&] { load_llama_config(f.path()); }) ==
          f.path() + ":25: low_freq_factor = 1.0: only rope_type llama3 takes it");
  }
  SUBCASE("another architecture") {
    EditedConfig f("\"LlamaForCausalLM\"", "\"LlamaForSequenceClassification\"");
    CHECK(error_of([&] { load_llama_config(f.path()); }).find(f.path() + ":2: architectures = ") == 0);
  }
  SUBCASE("malformed JSON") {
    EditedConfig f("\"head_dim\": 64,", "\"head_dim\": 64");  // a missing comma
    CHECK(error_of([&] { load_llama_config(f.path()); }).find(f.path() + ":10: malformed YAML") == 0);
  }
}
