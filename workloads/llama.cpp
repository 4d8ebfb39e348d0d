#include "llama.h"

#include "diffusers_config.h"
#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// Every key a LlamaConfig config.json may hold. PretrainedConfig's generic attributes
// (generation, labels, serialization) and token ids do not change the network.
const std::vector<std::string_view> kLlamaKeys = {
    // LlamaConfig.__init__ arguments
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
    "hidden_act", "max_position_embeddings", "initializer_range", "rms_norm_eps", "use_cache", "pad_token_id",
    "bos_token_id", "eos_token_id", "pretraining_tp", "tie_word_embeddings", "rope_theta", "rope_scaling",
    "attention_bias", "attention_dropout", "mlp_bias", "head_dim",
    // PretrainedConfig's generic attributes
    "_name_or_path", "architectures", "model_type", "torch_dtype", "transformers_version", "return_dict",
    "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss", "pruned_heads",
    "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "cross_attention_hidden_size", "add_cross_attention",
    "tie_encoder_decoder", "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
    "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
    "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
    "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
    "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "finetuning_task", "id2label",
    "label2id", "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id", "task_specific_params",
    "problem_type"};

// rope_scaling variants that only rescale the rotary frequencies, i.e. change the values of
// the cos/sin tables and not the work per token.
const std::vector<std::string_view> kRopeScalingKeys = {
    "rope_type", "type", "factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"};

std::string read_rope_scaling(const ConfigMap& c) {
  if (c.is_null("rope_scaling")) return "default";
  ConfigMap r = c.map("rope_scaling");
  r.check_known_keys(kRopeScalingKeys, "rope_scaling");
  const char* type_key = r.has("rope_type") ? "rope_type" : "type";
  r.require_one_of(type_key, {"default", "linear", "dynamic", "llama3"});
  std::string type = r.string(type_key);
  if (r.has("rope_type") && r.has("type") && r.string("type") != type)
    r.fail("type", "differs from rope_type = " + type);
  if (type != "default" && r.number("factor") <= 0) r.fail("factor", "must be positive");
  for (const char* key : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
    if (type != "llama3") {
      r.require_null(key, "only rope_type llama3 takes it");
      continue;
    }
    if (r.number(key) <= 0) r.fail(key, "must be positive");
  }
  return type;
}

std::string where(const LlamaConfig& cfg) { return "Llama config" + (cfg.source.empty() ? "" : " " + cfg.source); }

// Rotary embedding on x [B, heads, T, D]: x * cos + rotate_half(x) * sin, with cos and sin
// [B, 1, T, D] broadcast over heads; rotate_half is a permuted read of x, not an op.
TensorId rotary(GraphBuilder& b, const std::string& name, TensorId x, TensorId cos, TensorId sin) {
  TensorId xc = b.mul(name + ".cos", x, cos);
  TensorId xs = b.mul(name + ".sin", x, sin);
  return b.add(name, xc, xs);
}

std::vector<int64_t> dims_of(std::initializer_list<uint64_t> d) { return std::vector<int64_t>(d.begin(), d.end()); }

// One decoder layer on h [B, T, C]; returns [B, T, C].
TensorId decoder_layer(GraphBuilder& b, const LlamaConfig& cfg, const LlamaInputs& in, const std::string& p, TensorId h,
                       TensorId cos, TensorId sin) {
  const uint64_t batch = in.batch, heads = cfg.num_attention_heads, kv_heads = cfg.num_key_value_heads;
  const uint64_t d = cfg.head_dim, group = heads / kv_heads;
  const uint64_t t = in.phase == LlmPhase::kPrefill ? in.prompt_tokens : 1;
  const std::string a = p + "self_attn.";

  TensorId x = b.rms_norm(p + "input_layernorm", h);
  // [B, T, n*D] -> [B, n, T, D]
  auto heads_first = [&](const std::string& name, TensorId y, uint64_t n) {
    TensorId r = b.reshape(name + "_heads", y, dims_of({batch, t, n, d}));
    return permute(b, name + "_transpose", r, {0, 2, 1, 3});
  };
  TensorId q = heads_first(a + "q", b.linear(a + "q_proj", x, heads * d, cfg.attention_bias), heads);
  q = rotary(b, a + "q_rope", q, cos, sin);
  TensorId k = heads_first(a + "k", b.linear(a + "k_proj", x, kv_heads * d, cfg.attention_bias), kv_heads);
  k = rotary(b, a + "k_rope", k, cos, sin);
  b.store_as_kv_cache(k);  // the rotated K is what the cache keeps
  // V goes to the cache in [B, kv_heads, T, D] layout: a copy even when T = 1.
  TensorId v = b.reshape(a + "v_heads", b.linear(a + "v_proj", x, kv_heads * d, cfg.attention_bias),
                         dims_of({batch, t, kv_heads, d}));
  v = b.transpose(a + "v_cache_write", v, {0, 2, 1, 3});
  b.store_as_kv_cache(v);
  if (in.phase == LlmPhase::kDecode) {
    k = b.input(a + "k_cache", {batch, kv_heads, in.context, d}, TensorKind::kKvCache);
    v = b.input(a + "v_cache", {batch, kv_heads, in.context, d}, TensorKind::kKvCache);
  }
  // GQA: the query heads sharing one K/V head are adjacent, so this is a view.
  TensorId qg = b.reshape(a + "q_groups", q, dims_of({batch, kv_heads, group * t, d}));
  TensorId s = b.attention_score(a + "score", qg, k);  // [B, kv_heads, G*T, N]: B*H*T*N*D MACs
  s = b.softmax(a + "softmax", s);
  TensorId o = b.attention_context(a + "context", s, v);  // [B, kv_heads, G*T, D]
  o = b.reshape(a + "context_heads", o, dims_of({batch, heads, t, d}));
  o = permute(b, a + "context_transpose", o, {0, 2, 1, 3});
  o = b.reshape(a + "context_merge", o, dims_of({batch, t, heads * d}));
  o = b.linear(a + "o_proj", o, cfg.hidden_size, cfg.attention_bias);
  h = b.add(a + "residual", h, o);

  const std::string m = p + "mlp.";
  x = b.rms_norm(p + "post_attention_layernorm", h);
  TensorId gate = b.silu(m + "act", b.linear(m + "gate_proj", x, cfg.intermediate_size, cfg.mlp_bias));
  TensorId up = b.linear(m + "up_proj", x, cfg.intermediate_size, cfg.mlp_bias);
  TensorId f = b.linear(m + "down_proj", b.mul(m + "mul", gate, up), cfg.hidden_size, cfg.mlp_bias);
  return b.add(m + "residual", h, f);
}

}  // namespace

std::optional<LlmPhase> llm_phase_from_name(std::string_view name) {
  if (name == "prefill") return LlmPhase::kPrefill;
  if (name == "decode") return LlmPhase::kDecode;
  return std::nullopt;
}

std::string_view llm_phase_name(LlmPhase p) { return p == LlmPhase::kPrefill ? "prefill" : "decode"; }

LlamaConfig load_llama_config(const std::string& path) {
  ConfigMap c = load_config_file(path);
  c.check_known_keys(kLlamaKeys, "LlamaConfig");
  if (!c.is_null("model_type")) c.require_one_of("model_type", {"llama"});
  if (!c.is_null("architectures")) {
    std::vector<std::string> arch = c.string_list("architectures");
    if (arch.size() != 1 || arch[0] != "LlamaForCausalLM")
      c.fail("architectures", "only [LlamaForCausalLM] is supported (a decoder with an lm_head)");
  }
  LlamaConfig t;
  t.source = path;
  t.vocab_size = c.positive_int("vocab_size", t.vocab_size);
  t.hidden_size = c.positive_int("hidden_size", t.hidden_size);
  t.intermediate_size = c.positive_int("intermediate_size", t.intermediate_size);
  t.num_hidden_layers = c.positive_int("num_hidden_layers", t.num_hidden_layers);
  t.num_attention_heads = c.positive_int("num_attention_heads", t.num_attention_heads);
  t.num_key_value_heads = c.positive_int_or_null("num_key_value_heads").value_or(t.num_attention_heads);
  if (t.num_attention_heads % t.num_key_value_heads != 0)
    c.fail("num_key_value_heads", "must divide num_attention_heads = " + std::to_string(t.num_attention_heads));
  if (auto hd = c.positive_int_or_null("head_dim")) {
    t.head_dim = *hd;
  } else {
    if (t.hidden_size % t.num_attention_heads != 0)
      c.fail("num_attention_heads",
             "must divide hidden_size = " + std::to_string(t.hidden_size) + " when head_dim is not given");
    t.head_dim = t.hidden_size / t.num_attention_heads;
  }
  t.max_position_embeddings = c.positive_int("max_position_embeddings", t.max_position_embeddings);
  t.tie_word_embeddings = c.boolean("tie_word_embeddings", false);
  t.attention_bias = c.boolean("attention_bias", false);
  t.mlp_bias = c.boolean("mlp_bias", false);
  c.require_one_of("hidden_act", {"silu"}, "silu");
  t.rope_type = read_rope_scaling(c);
  for (const char* key : {"rms_norm_eps", "rope_theta"})
    if (c.number(key, 1.0) <= 0) c.fail(key, "must be positive");
  for (const char* key : {"initializer_range", "attention_dropout"})
    if (c.number(key, 0.0) < 0) c.fail(key, "must not be negative");
  c.boolean("use_cache", true);
  c.positive_int("pretraining_tp", 1);  // splits each projection into slices: same MACs and bytes
  return t;
}

Graph build_llama(const LlamaConfig& cfg, const LlamaInputs& in, const PrecisionSpec& precision,
                  const GraphLimits& limits) {
  const uint64_t max_pos = cfg.max_position_embeddings;
  const bool prefill = in.phase == LlmPhase::kPrefill;
  if (prefill && in.prompt_tokens > max_pos)
    throw InputError(where(cfg) + ": prompt_tokens = " + std::to_string(in.prompt_tokens) +
                     " exceeds max_position_embeddings = " + std::to_string(max_pos));
  if (!prefill && in.context > max_pos)
    throw InputError(where(cfg) + ": context = " + std::to_string(in.context) +
                     " exceeds max_position_embeddings = " + std::to_string(max_pos));
  if (in.batch == 0 || in.prompt_tokens == 0 || in.context == 0)
    throw InputError(where(cfg) + ": batch, prompt_tokens and context must be at least 1");
  if (cfg.num_key_value_heads == 0 || cfg.num_attention_heads % cfg.num_key_value_heads != 0)
    throw InputError(where(cfg) + ": num_key_value_heads must divide num_attention_heads");

  GraphBuilder b("llama", precision, limits);
  const uint64_t t = prefill ? in.prompt_tokens : 1;
  TensorId table = b.weight("model.embed_tokens.weight", {cfg.vocab_size, cfg.hidden_size});
  TensorId h = b.gather("model.embed_tokens", table, {in.batch, t});
  TensorId cos = b.input("model.rotary_emb.cos", {in.batch, 1, t, cfg.head_dim});
  TensorId sin = b.input("model.rotary_emb.sin", {in.batch, 1, t, cfg.head_dim});
  for (uint64_t l = 0; l < cfg.num_hidden_layers; ++l)
    h = decoder_layer(b, cfg, in, "model.layers." + std::to_string(l) + ".", h, cos, sin);
  h = b.rms_norm("model.norm", h);
  if (prefill) h = b.slice("model.norm.last_token", h, 1, t - 1, 1);
  if (cfg.tie_word_embeddings)
    b.linear_shared("lm_head", h, table);
  else
    b.linear("lm_head", h, cfg.vocab_size, false);
  return b.finish();
}

std::vector<std::string> llama_notes(const LlamaConfig& cfg, const LlamaInputs& in) {
  std::vector<std::string> notes;
  const std::string batch = "batch " + std::to_string(in.batch);
  if (in.phase == LlmPhase::kPrefill)
    notes.push_back("prefill: " + batch + ", " + std::to_string(in.prompt_tokens) +
                    " prompt tokens; writes their K/V to the KV cache; full PxP attention scores (the causal mask "
                    "is folded into the softmax); logits for the last token only");
  else
    notes.push_back("decode: one token, " + batch + ", KV cache of " + std::to_string(in.context) +
                    " positions per layer read (the new token's included: its K/V row is written in place)");
  notes.push_back("GQA: " + std::to_string(cfg.num_attention_heads) + " query heads over " +
                  std::to_string(cfg.num_key_value_heads) +
                  " K/V heads; attention MACs count every query head, K/V bytes every K/V head once");
  notes.push_back(
      "rotary embedding: q*cos + rotate_half(q)*sin as two muls and an add on q and k; cos/sin tables "
      "are inputs (rope_scaling " +
      cfg.rope_type + " changes only their values)");
  if (cfg.tie_word_embeddings)
    notes.push_back("lm_head shares embed_tokens.weight (tied): counted once, read in full by lm_head");
  notes.push_back("embedding lookup reads only the rows it needs; token ids are not NPU data");
  return notes;
}

}  // namespace npusim::workloads
