#pragma once
// The layer graph of a transformers decoder-only LLM of the Llama family, built from the model's own
// config.json, for one prefill of a prompt or one decode step with a KV cache: LlamaForCausalLM
// (Llama 2, 3, 3.2), MistralForCausalLM, Qwen2ForCausalLM (biases on q/k/v) and Phi3ForCausalLM
// (fused qkv_proj and gate_up_proj). They share one layer: RMSNorm, GQA attention with rotary
// embeddings, RMSNorm, a SiLU-gated MLP.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

// The structure-relevant part of a LlamaConfig (or MistralConfig, Qwen2Config, Phi3Config).
// Defaults are transformers' LlamaConfig defaults.
struct LlamaConfig {
  std::string source;                // the file it was loaded from, for messages; empty when built in code
  std::string model_type = "llama";  // llama, mistral, qwen2 or phi3
  uint64_t vocab_size = 32000;
  uint64_t hidden_size = 4096;
  uint64_t intermediate_size = 11008;
  uint64_t num_hidden_layers = 32;
  uint64_t num_attention_heads = 32;
  uint64_t num_key_value_heads = 32;  // transformers: num_attention_heads when absent or null
  uint64_t head_dim = 128;            // transformers: hidden_size / num_attention_heads when absent or null
  uint64_t max_position_embeddings = 2048;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;              // q/k/v projections (Llama: attention_bias; Qwen2: always)
  bool o_proj_bias = false;           // the output projection (Llama: attention_bias)
  bool mlp_bias = false;              // gate/up/down projections
  bool fused_qkv = false;             // one qkv_proj whose output is split into q, k, v (Phi-3)
  bool fused_gate_up = false;         // one gate_up_proj whose output is split into gate, up (Phi-3)
  uint64_t sliding_window = 0;        // attention window in positions; 0: none (full causal attention)
  std::string rope_type = "default";  // rope_scaling's type: changes only the cos/sin values
};

enum class LlmPhase : uint8_t { kPrefill, kDecode };
std::optional<LlmPhase> llm_phase_from_name(std::string_view name);  // "prefill", "decode"
std::string_view llm_phase_name(LlmPhase p);

struct LlamaInputs {
  LlmPhase phase = LlmPhase::kPrefill;
  uint64_t batch = 1;
  uint64_t prompt_tokens = 128;  // prefill: P, at most max_position_embeddings
  uint64_t context = 1024;       // decode: L positions attended, the new token's included
  // prefill: C positions each prompt chunk attends over, its own P included (a static-shape
  // prompt processor reads its whole KV cache, as AI Hub's LLMs do); 0 = the prompt alone (P x P).
  uint64_t prefill_context = 0;
};

// Reads a LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM or Phi3ForCausalLM config.json. Throws InputError
// naming file:line, key and rule for malformed, unknown or unsupported values.
LlamaConfig load_llama_config(const std::string& path);

// Names follow the PyTorch state dict ("model.layers.0.self_attn.q_proj"). With T = P (prefill)
// or 1 (decode), the graph inputs are the rotary tables model.rotary_emb.cos/sin [B, 1, T, D]
// (token ids are not data the NPU computes on) and, in decode, each layer's KV cache
// model.layers.N.self_attn.k_cache/v_cache [B, kv_heads, L, D] (TensorKind::kKvCache). Each
// layer writes the new tokens' K and V as kKvCache tensors (self_attn.k_rope, self_attn.v_cache_write,
// [B, kv_heads, T, D]). Output: lm_head [B, 1, vocab] (the last token's logits).
//
// Modelling choices:
// - GQA: Q [B, H, T, D] is viewed as [B, kv_heads, (H / kv_heads) * T, D] (query heads sharing a
//   K/V head are adjacent), so attention MACs cover all H query heads while K/V are read once
//   per kv head.
// - Decode: the cache input holds all L positions the token attends to; its last row is the one
//   this step writes (an in-place append, so the read and the write are the same memory and the
//   graph has no edge between them).
// - Prefill attention computes the full P x P scores; the causal mask is folded into the softmax.
// - Rotary embedding: q * cos + rotate_half(q) * sin as two muls and an add on q and on k
//   (rotate_half is a permuted read, no op).
// - Prefill computes logits for the last token only (the final norm covers all P tokens).
// - Phi-3's fused projections: qkv_proj [.., (H + 2*kv_heads)*D] and gate_up_proj [.., 2*I] are
//   split by slices (copies of their ranges), as transformers' views become separate tensors.
// - A sliding window (Mistral, Phi-3) is not modelled: a prompt or context longer than the window
//   is an InputError; shorter ones attend to every position, as the window then does too.
// `limits` bound the graph (GraphBuilder refuses more ops or larger tensors).
Graph build_llama(const LlamaConfig& cfg, const LlamaInputs& in, const PrecisionSpec& precision,
                  const GraphLimits& limits = {});

// One line per workload assumption, for LoadedModel::notes.
std::vector<std::string> llama_notes(const LlamaConfig& cfg, const LlamaInputs& in);

}  // namespace npusim::workloads
