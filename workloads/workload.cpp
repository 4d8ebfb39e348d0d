#include "workload.h"

#include <filesystem>
#include <set>

#include "diffusers_config.h"
#include "npusim/file_io.h"
#include "npusim/yaml_text.h"

namespace npusim::workloads {

namespace fs = std::filesystem;

std::string_view stage_role_name(StageRole r) {
  switch (r) {
    case StageRole::kNetwork:
      return "network";
    case StageRole::kTextEncoder:
      return "text_encoder";
    case StageRole::kDenoiser:
      return "denoiser";
    case StageRole::kDecoder:
      return "decoder";
    case StageRole::kPrefill:
      return "prefill";
    case StageRole::kDecode:
      return "decode";
  }
  return "?";
}

namespace {

// The pipeline file for a name or path, if it is one.
std::optional<std::pair<std::string, std::string>> pipeline_file(const std::string& name_or_path,
                                                                 const std::vector<std::string>& dirs) {
  std::error_code ec;
  for (const std::string& d : dirs) {
    fs::path p = fs::path(d) / "pipelines" / (name_or_path + ".yaml");
    if (fs::is_regular_file(p, ec))
      return std::make_pair(p.string(), display_path(d, "pipelines/" + name_or_path + ".yaml"));
  }
  if ((name_or_path.ends_with(".yaml") || name_or_path.ends_with(".yml")) && fs::is_regular_file(name_or_path, ec)) {
    try {
      YAML::Node n = load_yaml<InputError>(
          read_text_file<InputError>(name_or_path, "a YAML file", kMaxModelConfigBytes, "a pipeline or model config"),
          name_or_path, kModelConfigYaml);
      if (n.IsMap() && n["pipeline"]) return std::make_pair(name_or_path, name_or_path);
    } catch (const InputError&) {
      // not a pipeline, too large, unreadable or not YAML: the model loader reports it
    }
  }
  return std::nullopt;
}

// Options for one network: only the dims in `keep`.
ModelOptions only_dims(const ModelOptions& opts, const std::vector<std::string>& keep) {
  ModelOptions o = opts;
  o.dims.clear();
  for (const auto& [k, v] : opts.dims)
    if (std::find(keep.begin(), keep.end(), k) != keep.end()) o.dims[k] = v;
  return o;
}

// "batched" or "sequential" from a pipeline file's `cfg:` key or --dim cfg.
bool cfg_is_batched(const std::string& value, const std::string& where) {
  if (value == "batched") return true;
  if (value == "sequential") return false;
  throw InputError(where + " = \"" + value +
                   "\": expected batched (both guidance branches as one run at twice the batch) or sequential "
                   "(two runs at the batch)");
}

Workload load_pipeline(const std::string& path, const std::string& display, const ModelOptions& opts) {
  ConfigMap c = load_config_file(path);
  c.check_known_keys({"pipeline", "resolution", "steps", "guidance", "cfg", "networks"}, "diffusion pipeline");
  Workload w;
  w.kind = WorkloadKind::kDiffusion;
  w.name = c.string("pipeline");
  w.source = display;
  w.resolution = c.positive_int("resolution");
  // A bound, so steps x branches (and the per-image time) cannot wrap: 2^63 steps was "denoiser x0".
  constexpr uint64_t kMaxSteps = 1000000;
  w.steps = c.positive_int_at_most("steps", kMaxSteps);
  w.guidance = c.boolean("guidance");
  if (c.has("cfg")) {
    c.require_one_of("cfg", {"batched", "sequential"});
    w.cfg_batched = c.string("cfg") == "batched";
  }
  if (!opts.cfg.empty()) w.cfg_batched = cfg_is_batched(opts.cfg, "--dim cfg");
  for (const auto& [k, v] : opts.dims) {
    if (k == "resolution") {
      w.resolution = v;
    } else if (k == "steps") {
      if (v < 1 || v > kMaxSteps)
        throw InputError("--dim steps=" + std::to_string(v) + ": expected 1 .. " + std::to_string(kMaxSteps));
      w.steps = v;
    } else if (k == "guidance") {
      if (v > 1) throw InputError("--dim guidance=" + std::to_string(v) + ": expected 0 (off) or 1 (on)");
      w.guidance = v == 1;
    } else if (k == "batch") {
      w.batch = v;
    } else if (k != "text_tokens") {
      throw InputError("--dim " + k + "=" + std::to_string(v) + ": pipeline " + w.name +
                       " takes resolution, steps, guidance, cfg, batch and text_tokens");
    }
  }
  // Guidance doubles the text-encoder and UNet work: in the batch (batched) or in the runs (sequential).
  const uint64_t branches = w.guidance ? 2 : 1;
  const bool batched = w.guidance && w.cfg_batched;
  const uint64_t branch_runs = batched ? 1 : branches;
  const uint64_t branch_batch = batched ? branches * w.batch : w.batch;
  ConfigMap nets = c.map("networks");
  nets.check_known_keys({"text_encoder", "denoiser", "decoder"}, "pipeline networks");
  struct Row {
    const char* key;
    StageRole role;
    uint64_t runs, batch;
    std::vector<std::string> dims;
  };
  const Row rows[] = {
      {"text_encoder", StageRole::kTextEncoder, branch_runs, branch_batch, {"batch", "text_tokens"}},
      {"denoiser", StageRole::kDenoiser, w.steps * branch_runs, branch_batch, {"batch", "text_tokens", "resolution"}},
      {"decoder", StageRole::kDecoder, 1, w.batch, {"batch", "resolution"}},
  };
  for (const Row& r : rows) {
    ModelOptions o = only_dims(opts, r.dims);
    if (std::find(r.dims.begin(), r.dims.end(), "resolution") != r.dims.end()) o.dims["resolution"] = w.resolution;
    o.dims["batch"] = r.batch;
    o.phase.clear();
    o.cfg.clear();
    Stage s;
    s.name = r.key;
    s.role = r.role;
    s.runs = r.runs;
    s.model = load_model(nets.string(r.key), o);
    w.stages.push_back(std::move(s));
  }
  const std::string b = std::to_string(w.batch);
  std::string cfg_text = "off";
  if (w.guidance)
    cfg_text = batched ? "on, cfg=batched (conditional and unconditional branches as one run at batch " +
                             std::to_string(branch_batch) + ": text encoder x1, UNet x1 per step)"
                       : "on, cfg=sequential (text encoder x2, UNet x2 per step, each at batch " + b + ")";
  w.notes.push_back("pipeline " + w.name + ": " + std::to_string(w.resolution) + "x" + std::to_string(w.resolution) +
                    " image, " + std::to_string(w.steps) + " steps, classifier-free guidance " + cfg_text);
  w.notes.push_back("per batch of " + b + (w.batch == 1 ? " image" : " images") + ": text encoder x" +
                    std::to_string(branch_runs) + ", denoiser x" + std::to_string(w.steps * branch_runs) +
                    ", decoder x1 (batch " + b +
                    "); per-image figures divide by the batch; scheduler arithmetic and tokenisation are host work, "
                    "not modelled");
  return w;
}

// An LLM graph's positions: T of the rotary table [B, 1, T, D] (the prompt, in prefill) and
// L of layer 0's KV-cache input [B, kv_heads, L, D] (the context, in decode); 0 if absent.
uint64_t rotary_positions(const Graph& g) {
  auto t = g.find_tensor("model.rotary_emb.cos");
  return t && g.tensor(*t).shape.size() == 4 ? g.tensor(*t).shape[2] : 0;
}
uint64_t cache_positions(const Graph& g) {
  auto t = g.find_tensor("model.layers.0.self_attn.k_cache");
  return t && g.tensor(*t).shape.size() == 4 ? g.tensor(*t).shape[2] : 0;
}

// Inputs one run serves: --dim batch (every builder defaults to 1).
uint64_t batch_of(const ModelOptions& opts) {
  auto it = opts.dims.find("batch");
  return it == opts.dims.end() ? 1 : it->second;
}

}  // namespace

Workload load_workload(const std::string& name_or_path, const ModelOptions& opts) {
  if (auto pf = pipeline_file(name_or_path, opts.model_dirs)) return load_pipeline(pf->first, pf->second, opts);
  if (!opts.cfg.empty())
    throw InputError("--dim cfg=" + opts.cfg + ": " + name_or_path +
                     " is not a diffusion pipeline; cfg (guidance branches batched or sequential) applies to "
                     "pipelines such as sd15 only");

  // An LLM without a phase runs both: prefill of the prompt, then decode at the context.
  if (opts.phase.empty()) {
    ModelOptions pre = opts;
    pre.dims.erase("context");
    LoadedModel first = load_model(name_or_path, pre);
    if (first.llm) {  // not every graph with a KV cache is phased (Whisper's halves are not)
      Workload w;
      w.kind = WorkloadKind::kLlm;
      w.batch = batch_of(opts);
      w.name = first.name.empty() ? first.graph.name() : first.name;
      w.source = first.source;
      ModelOptions dec = opts;
      dec.phase = "decode";
      dec.dims.erase("prompt_tokens");
      dec.dims.erase("prefill_context");
      Stage p;
      p.name = "prefill";
      p.role = StageRole::kPrefill;
      p.model = std::move(first);
      Stage d;
      d.name = "decode";
      d.role = StageRole::kDecode;
      d.model = load_model(name_or_path, dec);
      w.prompt_tokens = rotary_positions(p.model.graph);
      w.context = cache_positions(d.model.graph);
      w.stages.push_back(std::move(p));
      w.stages.push_back(std::move(d));
      w.notes.push_back(
          "LLM: time to first token = prefill of the prompt; decode tokens/s = batch / one decode step at "
          "the given context length");
      return w;
    }
    if (pre.dims.size() != opts.dims.size()) {
      // Not an LLM after all: load again so the model itself rejects or uses `context`.
      first = load_model(name_or_path, opts);
    }
    Workload w;
    w.batch = batch_of(opts);
    w.name = first.name.empty() ? first.graph.name() : first.name;
    w.source = first.source;
    Stage s;
    s.name = w.name;
    s.model = std::move(first);
    w.stages.push_back(std::move(s));
    return w;
  }
  // One phase of an LLM; load_model refuses a phase for any other model.
  Workload w;
  w.batch = batch_of(opts);
  LoadedModel m = load_model(name_or_path, opts);
  w.name = m.name.empty() ? m.graph.name() : m.name;
  w.source = m.source;
  Stage s;
  s.name = opts.phase;
  s.role = opts.phase == "decode" ? StageRole::kDecode : StageRole::kPrefill;
  if (opts.phase == "decode")
    w.context = cache_positions(m.graph);
  else
    w.prompt_tokens = rotary_positions(m.graph);
  s.model = std::move(m);
  w.kind = WorkloadKind::kLlm;
  w.stages.push_back(std::move(s));
  return w;
}

std::vector<std::string> list_pipelines(const std::vector<std::string>& model_dirs) {
  std::set<std::string> names;
  std::vector<std::string> dirs;
  for (const auto& d : model_dirs) dirs.push_back(d + "/pipelines");
  add_yaml_stems(dirs, names);
  return {names.begin(), names.end()};
}

}  // namespace npusim::workloads
