#include "llama.h"

#include <algorithm>

#include "diffusers_config.h"
#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// PretrainedConfig's generic attributes (generation, labels, serialization) and token ids: they
// do not change the network.
const std::vector<std::string_view> kGenericKeys = {
    // serialization and structure
    "_name_or_path", "architectures", "model_type", "torch_dtype", "transformers_version", "return_dict",
    "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss", "pruned_heads",
    "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "cross_attention_hidden_size", "add_cross_attention",
    "tie_encoder_decoder",
    // generation, labels, tokens
    "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
    "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores", "return_dict_in_generate",
    "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty",
    "suppress_tokens", "begin_suppress_tokens", "finetuning_task", "id2label", "label2id", "tokenizer_class", "prefix",
    "sep_token_id", "decoder_start_token_id", "task_specific_params", "problem_type", "auto_map", "pad_token_id",
    "bos_token_id", "eos_token_id"};

// One row per supported family. Columns: model_type, the one architecture, the config class (for
// messages), its __init__ arguments, the rope_scaling types that only change cos/sin values.
struct Family {
  std::string_view model_type;
  std::string_view architecture;
  std::string_view config_class;
  std::vector<std::string_view> keys;
  std::vector<std::string_view> rope_types;
};
const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      {"llama",
       "LlamaForCausalLM",
       "LlamaConfig",
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "num_key_value_heads", "hidden_act", "max_position_embeddings", "initializer_range", "rms_norm_eps",
        "use_cache", "pretraining_tp", "tie_word_embeddings", "rope_theta", "rope_scaling", "attention_bias",
        "attention_dropout", "mlp_bias", "head_dim"},
       {"default", "linear", "dynamic", "llama3"}},
      {"mistral",
       "MistralForCausalLM",
       "MistralConfig",
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "num_key_value_heads", "head_dim", "hidden_act", "max_position_embeddings", "initializer_range", "rms_norm_eps",
        "use_cache", "tie_word_embeddings", "rope_theta", "sliding_window", "attention_dropout"},
       {"default"}},
      {"qwen2",
       "Qwen2ForCausalLM",
       "Qwen2Config",
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "num_key_value_heads", "hidden_act", "max_position_embeddings", "initializer_range", "rms_norm_eps",
        "use_cache", "tie_word_embeddings", "rope_theta", "rope_scaling", "use_sliding_window", "sliding_window",
        "max_window_layers", "attention_dropout"},
       {"default", "linear", "dynamic"}},
      {"phi3",
       "Phi3ForCausalLM",
       "Phi3Config",
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
        "num_key_value_heads",
        // dropout, rotary and window settings
        "resid_pdrop", "embd_pdrop", "attention_dropout", "hidden_act", "max_position_embeddings",
        "original_max_position_embeddings", "initializer_range", "rms_norm_eps", "use_cache", "tie_word_embeddings",
        "rope_theta", "rope_scaling", "partial_rotary_factor", "sliding_window"},
       {"default", "longrope", "su"}},
  };
  return kFamilies;
}

// rope_scaling keys of the variants that only rescale the rotary frequencies, i.e. change the
// values of the cos/sin tables and not the work per token.
const std::vector<std::string_view> kRopeScalingKeys = {"rope_type",        "type",
                                                        "factor",           "low_freq_factor",
                                                        "high_freq_factor", "original_max_position_embeddings",
                                                        "short_factor",     "long_factor",
                                                        "short_mscale",     "long_mscale"};

std::string read_rope_scaling(const ConfigMap& c, const Family& f) {
  if (c.is_null("rope_scaling")) return "default";
  ConfigMap r = c.map("rope_scaling");
  r.check_known_keys(kRopeScalingKeys, "rope_scaling");
  const char* type_key = r.has("rope_type") ? "rope_type" : "type";
  r.require_one_of(type_key, f.rope_types);
  std::string type = r.string(type_key);
  if (r.has("rope_type") && r.has("type") && r.string("type") != type)
    r.fail("type", "differs from rope_type = " + type);
  const bool longrope = type == "longrope" || type == "su";
  if (type != "default" && !longrope && r.number("factor") <= 0) r.fail("factor", "must be positive");
  for (const char* key : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
    if (type != "llama3") {
      r.require_null(key, "only rope_type llama3 takes it");
      continue;
    }
    if (r.number(key) <= 0) r.fail(key, "must be positive");
  }
  for (const char* key : {"short_factor", "long_factor"}) {
    if (!longrope)
      r.require_null(key, "only rope_type longrope takes it");
    else if (r.is_null(key))
      r.fail(key, "rope_type " + type + " needs it");
  }
  for (const char* key : {"short_mscale", "long_mscale"})
    if (!longrope) r.require_null(key, "only rope_type longrope takes it");
  return type;
}

std::string where(const LlamaConfig& cfg) {
  return cfg.model_type + " config" + (cfg.source.empty() ? "" : " " + cfg.source);
}

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
  TensorId q_lin, k_lin, v_lin;
  if (cfg.fused_qkv) {
    TensorId qkv = b.linear(a + "qkv_proj", x, (heads + 2 * kv_heads) * d, cfg.qkv_bias);
    q_lin = b.slice(a + "q_split", qkv, -1, 0, heads * d);
    k_lin = b.slice(a + "k_split", qkv, -1, heads * d, kv_heads * d);
    v_lin = b.slice(a + "v_split", qkv, -1, (heads + kv_heads) * d, kv_heads * d);
  } else {
    q_lin = b.linear(a + "q_proj", x, heads * d, cfg.qkv_bias);
    k_lin = b.linear(a + "k_proj", x, kv_heads * d, cfg.qkv_bias);
    v_lin = b.linear(a + "v_proj", x, kv_heads * d, cfg.qkv_bias);
  }
  TensorId q = heads_first(a + "q", q_lin, heads);
  q = rotary(b, a + "q_rope", q, cos, sin);
  TensorId k = heads_first(a + "k", k_lin, kv_heads);
  k = rotary(b, a + "k_rope", k, cos, sin);
  b.store_as_kv_cache(k);  // the rotated K is what the cache keeps
  // V goes to the cache in [B, kv_heads, T, D] layout: a copy even when T = 1.
  TensorId v = b.reshape(a + "v_heads", v_lin, dims_of({batch, t, kv_heads, d}));
  v = b.transpose(a + "v_cache_write", v, {0, 2, 1, 3});
  b.store_as_kv_cache(v);
  // Decode, or a prefill over a longer context: attention reads the whole cache, in which the
  // new rows are written in place.
  const uint64_t cached = in.phase == LlmPhase::kDecode ? in.context : in.prefill_context;
  if (cached != 0) {
    k = b.input(a + "k_cache", {batch, kv_heads, cached, d}, TensorKind::kKvCache);
    v = b.input(a + "v_cache", {batch, kv_heads, cached, d}, TensorKind::kKvCache);
  }
  // GQA: the query heads sharing one K/V head are adjacent, so this is a view.
  TensorId qg = b.reshape(a + "q_groups", q, dims_of({batch, kv_heads, group * t, d}));
  TensorId s = b.attention_score(a + "score", qg, k);  // [B, kv_heads, G*T, N]: B*H*T*N*D MACs
  s = b.softmax(a + "softmax", s);
  TensorId o = b.attention_context(a + "context", s, v);  // [B, kv_heads, G*T, D]
  o = b.reshape(a + "context_heads", o, dims_of({batch, heads, t, d}));
  o = permute(b, a + "context_transpose", o, {0, 2, 1, 3});
  o = b.reshape(a + "context_merge", o, dims_of({batch, t, heads * d}));
  o = b.linear(a + "o_proj", o, cfg.hidden_size, cfg.o_proj_bias);
  h = b.add(a + "residual", h, o);

  const std::string m = p + "mlp.";
  x = b.rms_norm(p + "post_attention_layernorm", h);
  const uint64_t inter = cfg.intermediate_size;
  TensorId gate, up;
  if (cfg.fused_gate_up) {
    TensorId gu = b.linear(m + "gate_up_proj", x, 2 * inter, cfg.mlp_bias);
    gate = b.slice(m + "gate_split", gu, -1, 0, inter);
    up = b.slice(m + "up_split", gu, -1, inter, inter);
  } else {
    gate = b.linear(m + "gate_proj", x, inter, cfg.mlp_bias);
    up = b.linear(m + "up_proj", x, inter, cfg.mlp_bias);
  }
  gate = b.silu(m + "act", gate);
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
  std::vector<std::string_view> types;
  for (const Family& f : families()) types.push_back(f.model_type);
  c.require_one_of("model_type", types, "llama");
  const std::string type = c.string("model_type", "llama");
  const Family& f =
      *std::find_if(families().begin(), families().end(), [&](const Family& row) { return row.model_type == type; });
  std::vector<std::string_view> known = f.keys;
  known.insert(known.end(), kGenericKeys.begin(), kGenericKeys.end());
  c.check_known_keys(known, f.config_class);
  if (!c.is_null("architectures")) {
    std::vector<std::string> arch = c.string_list("architectures");
    if (arch.size() != 1 || arch[0] != f.architecture)
      c.fail("architectures", "only [" + std::string(f.architecture) + "] is supported (a decoder with an lm_head)");
  }
  LlamaConfig t;
  t.source = path;
  t.model_type = type;
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
  const bool attention_bias = c.boolean("attention_bias", false);
  t.qkv_bias = attention_bias || type == "qwen2";  // Qwen2Attention: q/k/v with bias, o_proj without
  t.o_proj_bias = attention_bias;
  t.mlp_bias = c.boolean("mlp_bias", false);
  t.fused_qkv = t.fused_gate_up = type == "phi3";
  c.require_one_of("hidden_act", {"silu"}, "silu");
  t.rope_type = read_rope_scaling(c, f);
  for (const char* key : {"rms_norm_eps", "rope_theta"})
    if (c.number(key, 1.0) <= 0) c.fail(key, "must be positive");
  for (const char* key : {"initializer_range", "attention_dropout", "resid_pdrop", "embd_pdrop"})
    if (c.number(key, 0.0) < 0) c.fail(key, "must not be negative");
  c.boolean("use_cache", true);
  c.positive_int("pretraining_tp", 1);                    // splits each projection into slices: same MACs and bytes
  c.positive_int("original_max_position_embeddings", 1);  // Phi-3: picks the short or long rope factors
  c.require_number("partial_rotary_factor", 1.0, 1.0);    // rotary over part of each head: not modelled
  // Qwen2 applies sliding_window only with use_sliding_window; Mistral and Phi-3 whenever it is set.
  c.require_false("use_sliding_window", "sliding-window attention is not modelled");
  c.positive_int("max_window_layers", 1);
  if (type != "qwen2")
    t.sliding_window = c.positive_int_or_null("sliding_window").value_or(0);
  else
    c.positive_int_or_null("sliding_window");
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
  if (prefill && in.prefill_context != 0 && in.prefill_context < in.prompt_tokens)
    throw InputError(where(cfg) + ": prefill_context = " + std::to_string(in.prefill_context) +
                     " is less than prompt_tokens = " + std::to_string(in.prompt_tokens) +
                     " (the chunk's own positions are part of the context it attends over)");
  if (prefill && in.prefill_context > max_pos)
    throw InputError(where(cfg) + ": prefill_context = " + std::to_string(in.prefill_context) +
                     " exceeds max_position_embeddings = " + std::to_string(max_pos));
  const uint64_t attended = prefill ? (in.prefill_context != 0 ? in.prefill_context : in.prompt_tokens) : in.context;
  if (cfg.sliding_window != 0 && attended > cfg.sliding_window)
    throw InputError(where(cfg) + ": " + (prefill ? "prompt_tokens = " : "context = ") + std::to_string(attended) +
                     " exceeds sliding_window = " + std::to_string(cfg.sliding_window) +
                     " (sliding-window attention is not modelled)");
  if (in.batch == 0 || in.prompt_tokens == 0 || in.context == 0)
    throw InputError(where(cfg) + ": batch, prompt_tokens and context must be at least 1");
  if (cfg.num_key_value_heads == 0 || cfg.num_attention_heads % cfg.num_key_value_heads != 0)
    throw InputError(where(cfg) + ": num_key_value_heads must divide num_attention_heads");

  GraphBuilder b(cfg.model_type, precision, limits);
  const uint64_t t = prefill ? in.prompt_tokens : 1;
  TensorId table = b.vocab_weight("model.embed_tokens.weight", {cfg.vocab_size, cfg.hidden_size});
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
    b.linear_shared("lm_head", h, b.vocab_weight("lm_head.weight", {cfg.vocab_size, cfg.hidden_size}));
  return b.finish();
}

std::vector<std::string> llama_notes(const LlamaConfig& cfg, const LlamaInputs& in) {
  std::vector<std::string> notes;
  const std::string batch = "batch " + std::to_string(in.batch);
  if (in.phase == LlmPhase::kPrefill && in.prefill_context != 0)
    notes.push_back("prefill: " + batch + ", " + std::to_string(in.prompt_tokens) +
                    " prompt tokens attending over a KV cache of " + std::to_string(in.prefill_context) +
                    " positions per layer, read in full (a static-shape prompt processor; the chunk's own K/V rows "
                    "are written in place): P x C attention scores, the mask folded into the softmax; logits for "
                    "the last token only");
  else if (in.phase == LlmPhase::kPrefill)
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
  if (cfg.qkv_bias != cfg.o_proj_bias) notes.push_back("q/k/v projections with biases, o_proj without");
  if (cfg.fused_qkv)
    notes.push_back("fused qkv_proj and gate_up_proj: their outputs are split by slices (copies of each range)");
  notes.push_back("embedding lookup reads only the rows it needs; token ids are not NPU data");
  return notes;
}

}  // namespace npusim::workloads
