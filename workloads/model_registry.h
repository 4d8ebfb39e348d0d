#pragma once
// Resolves `--model` to a layer graph: a built-in name (sd15-unet, ...), a YAML layer graph
// under configs/models/ by name, or a path to a YAML graph or a model's own config.json.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

struct LoadedModel {
  Graph graph;
  std::string source;              // file it was built from
  std::vector<std::string> notes;  // workload assumptions for reports (batch, resolution, tokens)
  bool llm = false;                // a decoder-only LLM: built per phase (prefill, decode)
  // What reports call it: the built-in or configs/models name it was loaded by (llama3-8b,
  // sdxl-unet), else the graph's own name (a file's).
  std::string name{};
};

// How to build a model. Every loader rejects a `dims` entry it does not use, naming it.
struct ModelOptions {
  std::optional<PrecisionSpec> precision;  // overrides the model's own default (w8a8 unless the file says otherwise)
  std::vector<std::string> model_dirs;     // where built-in configs and named YAML graphs live
  // Named sizes (`--dim NAME=VALUE`): ONNX symbolic dims, and builder inputs such as
  // batch, resolution (image pixels, square), text_tokens, prompt_tokens, context.
  std::map<std::string, uint64_t> dims;
  std::string phase;               // LLMs: "prefill" (default) or "decode"
  bool allow_unknown_ops = false;  // ONNX: count unsupported ops as generic vector ops
  GraphLimits limits;              // --max-ops, --max-tensor-bytes
  std::string cfg;                 // pipelines: "batched", "sequential" or "" (the pipeline file's own)
};

LoadedModel load_model(const std::string& name_or_path, const ModelOptions& opts);

// Built-in model names and YAML graphs found in model_dirs, sorted.
std::vector<std::string> list_models(const std::vector<std::string>& model_dirs);

// One listed model built at its default dims and precision (w8a8).
struct ModelSummary {
  std::string name;
  uint64_t params = 0;  // weight elements
  uint64_t macs = 0;    // multiply-accumulates of one run at the default dims
  std::string input;    // the default workload, the first clause of the model's first note
  std::string error;    // set when the model cannot be built (then params and macs are 0)
};
// Every model of list_models, in its order. A model whose build fails carries the message.
std::vector<ModelSummary> summarize_models(const std::vector<std::string>& model_dirs);

}  // namespace npusim::workloads
