#include "clip_text_encoder.h"

#include "diffusers_config.h"
#include "nn_blocks.h"

namespace npusim::workloads {

namespace {

// Every key a CLIPTextConfig config.json may hold. PretrainedConfig's generic attributes
// (generation, labels, serialization) do not change the encoder.
const std::vector<std::string_view> kClipTextKeys = {
    // CLIPTextConfig.__init__ arguments
    "vocab_size", "hidden_size", "intermediate_size", "projection_dim", "num_hidden_layers", "num_attention_heads",
    "max_position_embeddings", "hidden_act", "layer_norm_eps", "attention_dropout", "dropout", "initializer_range",
    "initializer_factor", "pad_token_id", "bos_token_id", "eos_token_id",
    // PretrainedConfig's generic attributes
    "_name_or_path", "architectures", "model_type", "torch_dtype", "transformers_version", "return_dict",
    "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss", "pruned_heads",
    "tie_word_embeddings", "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "cross_attention_hidden_size",
    "add_cross_attention", "tie_encoder_decoder", "max_length", "min_length", "do_sample", "early_stopping",
    "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p", "typical_p",
    "repetition_penalty", "length_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids",
    "num_return_sequences", "output_scores", "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id",
    "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
    "finetuning_task", "id2label", "label2id", "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id",
    "task_specific_params", "problem_type"};

ClipTextConfig read_text_config(const ConfigMap& c, const std::string& path) {
  c.check_known_keys(kClipTextKeys, "CLIPTextConfig");
  if (!c.is_null("model_type")) c.require_one_of("model_type", {"clip_text_model"});
  if (!c.is_null("architectures")) {
    std::vector<std::string> arch = c.string_list("architectures");
    if (arch.size() != 1 || arch[0] != "CLIPTextModel")
      c.fail("architectures",
             "only [CLIPTextModel] is supported (CLIPTextModelWithProjection adds a "
             "text_projection npusim does not build yet)");
  }
  ClipTextConfig t;
  t.source = path;
  t.vocab_size = c.positive_int("vocab_size", t.vocab_size);
  t.hidden_size = c.positive_int("hidden_size", t.hidden_size);
  t.intermediate_size = c.positive_int("intermediate_size", t.intermediate_size);
  t.num_attention_heads = c.positive_int("num_attention_heads", t.num_attention_heads);
  t.num_hidden_layers = c.positive_int("num_hidden_layers", t.num_hidden_layers);
  t.max_position_embeddings = c.positive_int("max_position_embeddings", t.max_position_embeddings);
  c.require_one_of("hidden_act", {"quick_gelu", "gelu"}, "quick_gelu");
  t.quick_gelu = c.string("hidden_act", "quick_gelu") == "quick_gelu";
  if (t.hidden_size % t.num_attention_heads != 0)
    c.fail("num_attention_heads", "must divide hidden_size = " + std::to_string(t.hidden_size));
  for (const char* key : {"layer_norm_eps", "attention_dropout", "dropout", "initializer_range", "initializer_factor"})
    c.number(key, 0.0);
  if (!c.is_null("projection_dim")) c.positive_int("projection_dim");
  return t;
}

}  // namespace

ClipTextConfig load_clip_text_config(const std::string& path) {
  ConfigMap c = load_config_file(path);
  if (!c.has("text_config")) return read_text_config(c, path);
  // A full CLIPConfig: only its text tower is built, so the vision and top-level keys are not read.
  if (!c.is_null("model_type")) c.require_one_of("model_type", {"clip"});
  return read_text_config(c.map("text_config"), path);
}

Graph build_clip_text_encoder(const ClipTextConfig& cfg, const TextEncoderInputs& in, const PrecisionSpec& precision,
                              const GraphLimits& limits) {
  const std::string where = "CLIP text config" + (cfg.source.empty() ? "" : " " + cfg.source) + ": ";
  if (in.tokens > cfg.max_position_embeddings)
    throw InputError(where + std::to_string(in.tokens) +
                     " tokens exceed max_position_embeddings = " + std::to_string(cfg.max_position_embeddings));
  if (cfg.num_attention_heads == 0 || cfg.hidden_size % cfg.num_attention_heads != 0)
    throw InputError(where + "num_attention_heads must divide hidden_size");

  GraphBuilder b("text_encoder", precision, limits);
  const uint64_t dim = cfg.hidden_size;
  TensorId tok_table = b.weight("text_model.embeddings.token_embedding.weight", {cfg.vocab_size, dim});
  TensorId pos_table = b.weight("text_model.embeddings.position_embedding.weight", {cfg.max_position_embeddings, dim});
  TensorId tok = b.gather("text_model.embeddings.token_embedding", tok_table, {in.batch, in.tokens});
  // position_ids is the buffer arange(T): this lookup folds at compile time.
  TensorId pos = b.gather("text_model.embeddings.position_embedding", pos_table, {1, in.tokens}, true);
  TensorId h = b.add("text_model.embeddings.add", tok, pos);

  const AttentionSpec spec{.heads = cfg.num_attention_heads,
                           .qkv_bias = true,
                           .q = "q_proj",
                           .k = "k_proj",
                           .v = "v_proj",
                           .out = "out_proj"};
  for (uint64_t l = 0; l < cfg.num_hidden_layers; ++l) {
    const std::string p = "text_model.encoder.layers." + std::to_string(l) + ".";
    TensorId n = b.layer_norm(p + "layer_norm1", h);
    h = b.add(p + "self_attn.residual", h, multi_head_attention(b, p + "self_attn", n, n, spec));
    n = b.layer_norm(p + "layer_norm2", h);
    TensorId f = b.linear(p + "mlp.fc1", n, cfg.intermediate_size);
    f = cfg.quick_gelu ? b.quick_gelu(p + "mlp.act", f) : b.gelu(p + "mlp.act", f);
    f = b.linear(p + "mlp.fc2", f, dim);
    h = b.add(p + "mlp.residual", h, f);
  }
  b.layer_norm("text_model.final_layer_norm", h);
  return b.finish();
}

}  // namespace npusim::workloads
