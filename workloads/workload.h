#pragma once
// What `npusim run --model X` evaluates: one network, a diffusion pipeline (text encoder,
// denoiser x steps x guidance, decoder) or an LLM (prefill of P tokens, decode of one token
// at context L). Each stage is a layer graph and how often it runs per image or token.
#include <cstdint>
#include <string>
#include <vector>

#include "model_registry.h"

namespace npusim::workloads {

enum class StageRole : uint8_t { kNetwork, kTextEncoder, kDenoiser, kDecoder, kPrefill, kDecode };
std::string_view stage_role_name(StageRole r);

struct Stage {
  std::string name;  // "text_encoder", "denoiser", "decoder", "prefill", "decode" or the graph's name
  StageRole role = StageRole::kNetwork;
  uint64_t runs = 1;  // evaluations per pass of the workload's batch (diffusion); 1 otherwise
  LoadedModel model;
};

enum class WorkloadKind : uint8_t { kNetwork, kDiffusion, kLlm };

struct Workload {
  std::string name;
  std::string source;
  WorkloadKind kind = WorkloadKind::kNetwork;
  std::vector<Stage> stages;
  // Images (diffusion), sequences (LLM) or inputs (network) one pass of the stages serves:
  // `--dim batch`. Per-image and per-token figures divide by it.
  uint64_t batch = 1;
  // Diffusion pipelines.
  uint64_t steps = 0;
  bool guidance = false;
  // Guidance's two branches (conditional, unconditional) as one run at twice the batch
  // (cfg: batched, as phone pipelines do) or as two runs at the batch (cfg: sequential).
  bool cfg_batched = false;
  uint64_t resolution = 0;  // image pixels, square
  // LLMs.
  uint64_t prompt_tokens = 0, context = 0;
  std::vector<std::string> notes;
};

// Resolves a pipeline name (configs/models/pipelines/NAME.yaml) or file with `pipeline:`,
// an LLM (both phases unless opts.phase picks one), or any single model load_model takes.
// Pipelines read dims steps, guidance (0|1), resolution and batch, and opts.cfg; LLMs
// prompt_tokens, context and batch.
Workload load_workload(const std::string& name_or_path, const ModelOptions& opts);

// Pipeline names found under model_dirs/pipelines, sorted.
std::vector<std::string> list_pipelines(const std::vector<std::string>& model_dirs);

}  // namespace npusim::workloads
