#include "model_registry.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "clip_text_encoder.h"
#include "diffusers_config.h"
#include "llama.h"
#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"
#include "onnx_import.h"
#include "openai_clip.h"
#include "scalesim_import.h"
#include "sd_unet.h"
#include "torchvision_models.h"
#include "vae_decoder.h"
#include "whisper.h"
#include "yaml_graph.h"

namespace npusim::workloads {

namespace fs = std::filesystem;

namespace {

enum class ModelFormat { kYamlGraph, kUNet, kVaeDecoder, kClipText, kLlama, kOnnx, kScaleSimCsv };

// Columns: built-in name, config path under a model dir, format, LLMs' default decode context
// (0: the builder's default; the AI Hub LLMs: their measured context length, info.yaml).
struct Builtin {
  std::string_view name;
  std::string_view config;
  ModelFormat format;
  uint64_t default_context = 0;
};
constexpr Builtin kBuiltins[] = {
    {"sd15-unet", "sd15/unet.json", ModelFormat::kUNet},
    {"sd15-vae-decoder", "sd15/vae.json", ModelFormat::kVaeDecoder},
    {"sd15-text-encoder", "sd15/text_encoder.json", ModelFormat::kClipText},
    {"sd21-unet", "sd21-base/unet.json", ModelFormat::kUNet},
    {"sdxl-unet", "sdxl-base/unet.json", ModelFormat::kUNet},
    {"llama2-7b", "llama/llama2-7b.json", ModelFormat::kLlama},
    {"llama3-8b", "llama/llama3-8b.json", ModelFormat::kLlama},
    {"llama3.2-1b", "llama/llama3.2-1b.json", ModelFormat::kLlama},
    {"llama3.2-3b", "llama/llama3.2-3b.json", ModelFormat::kLlama, 4096},
    {"mistral-7b-v0.3", "llama/mistral-7b-v0.3.json", ModelFormat::kLlama, 4096},
    {"qwen2-7b", "llama/qwen2-7b.json", ModelFormat::kLlama, 4096},
    {"phi3.5-mini", "llama/phi3.5-mini.json", ModelFormat::kLlama, 4096},
};

// Recognises a model file by its content: an ONNX protobuf (or a `.onnx` name), a SCALE-Sim
// topology CSV (a `.csv` name), npusim's layer-graph keys, a diffusers `_class_name`, or a
// transformers CLIP text or Llama config. Unparseable files go to the YAML-graph reader, which reports
// the parser's file:line.
ModelFormat detect_format(const std::string& path, const std::string& display) {
  YAML::Node root;
  try {
    std::error_code ec;
    if (path.ends_with(".onnx")) return ModelFormat::kOnnx;
    if (!fs::is_regular_file(path, ec)) return ModelFormat::kYamlGraph;
    if (looks_like_onnx(path)) return ModelFormat::kOnnx;
    if (path.ends_with(".csv")) {
      if (looks_like_scalesim_csv(path)) return ModelFormat::kScaleSimCsv;
      throw InputError(display +
                       ": a .csv model must be a SCALE-Sim topology: its first line must be 'Layer name, "
                       "IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                       "Strides,' or 'Layer, M, N, K,'");
    }
    const std::string text = read_text_file<InputError>(path, "a model file", kMaxModelConfigBytes,
                                                        "a model config or YAML graph (ONNX files may be larger)");
    // Refused YAML (malformed, two documents, or more nodes than a config.json may have): the
    // graph loader reads it or says why, and a large graph's tree is built once, not twice.
    if (yaml_refusal(text, kModelConfigYaml)) return ModelFormat::kYamlGraph;
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return ModelFormat::kYamlGraph;
  }
  if (!root.IsMap() || root["layers"] || root["graph"]) return ModelFormat::kYamlGraph;
  auto scalar = [&](const char* key) { return root[key] && root[key].IsScalar() ? root[key].Scalar() : ""; };
  std::string cls = scalar("_class_name");
  if (cls == "UNet2DConditionModel") return ModelFormat::kUNet;
  if (cls == "AutoencoderKL") return ModelFormat::kVaeDecoder;
  std::string type = scalar("model_type");
  if (type == "clip_text_model" || type == "clip") return ModelFormat::kClipText;
  if (type == "llama" || type == "mistral" || type == "qwen2" || type == "phi3") return ModelFormat::kLlama;
  throw InputError(display +
                   ": not a model npusim can build: expected an npusim layer graph (graph, inputs, layers), "
                   "a diffusers config.json with _class_name UNet2DConditionModel or AutoencoderKL, or a transformers "
                   "config.json with model_type clip_text_model, llama, mistral, qwen2 or phi3" +
                   (cls.empty() ? "" : "; got _class_name '" + cls + "'"));
}

// "64x64" from an NCHW shape.
std::string dims(const Shape& s) {
  std::string out;
  for (size_t i = 2; i < s.size(); ++i) {
    if (i > 2) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

// Rejects dims the loader did not consume.
void check_dims_used(const ModelOptions& opts, const std::vector<std::string>& used, const std::string& display) {
  for (const auto& [name, value] : opts.dims) {
    if (std::find(used.begin(), used.end(), name) != used.end()) continue;
    std::string list;
    for (const auto& u : used) list += (list.empty() ? "" : ", ") + u;
    std::string hint = did_you_mean(name, used);
    throw InputError("--dim " + name + "=" + std::to_string(value) + ": " + display + " has no size named '" + name +
                     "'" + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                     (list.empty() ? " (it takes none)" : " (it takes: " + list + ")"));
  }
}

// The value of dims[name], or `fallback` (0: the model's own default).
uint64_t dim_or(const ModelOptions& opts, const std::string& name, uint64_t fallback) {
  auto it = opts.dims.find(name);
  if (it == opts.dims.end()) return fallback;
  if (it->second == 0) throw InputError("--dim " + name + "=0: sizes must be at least 1");
  return it->second;
}

// Image pixels -> latent size: SD's VAE downsamples by 8 (2^(4 up blocks - 1)).
constexpr uint64_t kVaeScale = 8;
uint64_t latent_from_resolution(const ModelOptions& opts) {
  uint64_t px = dim_or(opts, "resolution", 0);
  if (px % kVaeScale != 0)
    throw InputError("--dim resolution=" + std::to_string(px) + ": must be a multiple of " + std::to_string(kVaeScale) +
                     " (the VAE's downsampling factor)");
  return px / kVaeScale;
}

LoadedModel load_file(const std::string& path, const std::string& display, const ModelOptions& opts,
                      std::optional<ModelFormat> format = std::nullopt, uint64_t default_context = 0) {
  const std::optional<PrecisionSpec>& precision = opts.precision;
  const PrecisionSpec p = precision.value_or(PrecisionSpec(Precision::kW8A8));
  const ModelFormat fmt = format.value_or(detect_format(path, display));
  if (!opts.phase.empty() && fmt != ModelFormat::kLlama)
    throw InputError("--phase " + opts.phase + ": " + display +
                     " is not an LLM; phases (prefill, decode) apply to decoder-only LLMs only");
  switch (fmt) {
    case ModelFormat::kYamlGraph: {
      check_dims_used(opts, {}, display);
      Graph g = load_yaml_graph_text_from_file(path, display, precision, opts.limits);
      return LoadedModel{std::move(g), display, {"batch and shapes as given by the graph's inputs"}};
    }
    case ModelFormat::kUNet: {
      check_dims_used(opts, {"batch", "resolution", "text_tokens"}, display);
      UNetInputs in;
      in.batch = dim_or(opts, "batch", 1);
      in.latent_h = in.latent_w = latent_from_resolution(opts);
      in.text_tokens = dim_or(opts, "text_tokens", 77);
      Graph g = build_unet(load_unet_config(path), in, p, opts.limits);
      const Shape s = g.tensor(g.find_tensor("sample").value()).shape;
      const Shape c = g.tensor(g.find_tensor("encoder_hidden_states").value()).shape;
      return LoadedModel{
          std::move(g),
          display,
          {"one UNet evaluation: batch " + std::to_string(s[0]) + " (each guidance branch is one batch element), " +
               dims(s) + " latent (" + std::to_string(s[2] * 8) + "x" + std::to_string(s[3] * 8) + " image), " +
               std::to_string(c[1]) + " text tokens",
           "the timestep's sinusoidal projection is an input (no MACs)"}};
    }
    case ModelFormat::kVaeDecoder: {
      check_dims_used(opts, {"batch", "resolution"}, display);
      VaeDecoderInputs in;
      in.batch = dim_or(opts, "batch", 1);
      in.latent_h = in.latent_w = latent_from_resolution(opts);
      Graph g = build_vae_decoder(load_vae_config(path), in, p, opts.limits);
      const Shape s = g.tensor(g.find_tensor("latents").value()).shape;
      return LoadedModel{
          std::move(g),
          display,
          {"one VAE decode: batch " + std::to_string(s[0]) + ", " + dims(s) + " latent -> " + std::to_string(s[2] * 8) +
           "x" + std::to_string(s[3] * 8) + " image, post_quant_conv included"}};
    }
    case ModelFormat::kOnnx:
      return import_onnx(path, display, opts);  // binds and checks its own --dim names
    case ModelFormat::kScaleSimCsv:
      check_dims_used(opts, {}, display);
      return import_scalesim_csv(path, display, opts);
    case ModelFormat::kClipText: {
      check_dims_used(opts, {"batch", "text_tokens"}, display);
      TextEncoderInputs in;
      in.batch = dim_or(opts, "batch", 1);
      in.tokens = dim_or(opts, "text_tokens", 77);
      Graph g = build_clip_text_encoder(load_clip_text_config(path), in, p, opts.limits);
      return LoadedModel{std::move(g),
                         display,
                         {"one text encoding: batch " + std::to_string(in.batch) + ", " + std::to_string(in.tokens) +
                          " tokens; embedding lookups read only the rows they need"}};
    }
    case ModelFormat::kLlama: {
      LlamaInputs in;
      const std::string& phase = opts.phase.empty() ? std::string("prefill") : opts.phase;
      auto ph = llm_phase_from_name(phase);
      if (!ph) throw InputError("phase '" + phase + "': expected prefill or decode");
      in.phase = *ph;
      const bool prefill = in.phase == LlmPhase::kPrefill;
      if (prefill)
        check_dims_used(opts, {"batch", "prompt_tokens", "prefill_context"}, display + " in " + phase);
      else
        check_dims_used(opts, {"batch", "context"}, display + " in " + phase);
      in.batch = dim_or(opts, "batch", in.batch);
      in.prompt_tokens = dim_or(opts, "prompt_tokens", in.prompt_tokens);
      in.prefill_context = dim_or(opts, "prefill_context", in.prefill_context);
      in.context = dim_or(opts, "context", default_context != 0 ? default_context : in.context);
      LlamaConfig cfg = load_llama_config(path);
      std::vector<std::string> notes = llama_notes(cfg, in);
      return LoadedModel{build_llama(cfg, in, p, opts.limits), display, std::move(notes), true};
    }
  }
  NPUSIM_ASSERT(false, "unhandled model format");
}

// A torchvision classifier: its architecture is fixed in code, so no config file is read.
LoadedModel load_torchvision(const std::string& name, const ModelOptions& opts) {
  if (!opts.phase.empty())
    throw InputError("--phase " + opts.phase + ": " + name +
                     " is not an LLM; phases (prefill, decode) apply to decoder-only LLMs only");
  check_dims_used(opts, {"batch", "resolution"}, name);
  VisionInputs in;
  in.batch = dim_or(opts, "batch", in.batch);
  in.resolution = dim_or(opts, "resolution", in.resolution);
  Graph g = build_torchvision_model(name, in, opts.precision.value_or(PrecisionSpec(Precision::kW8A8)), opts.limits);
  return LoadedModel{std::move(g), "torchvision " + name, torchvision_notes(name, in)};
}

// Whisper's two halves: "whisper-<dims>-encoder" and "whisper-<dims>-decoder" (tiny.en, base.en).
constexpr std::string_view kWhisperNames[] = {"whisper-tiny.en-encoder", "whisper-tiny.en-decoder",
                                              "whisper-base.en-encoder", "whisper-base.en-decoder"};

bool is_whisper(const std::string& name) {
  return std::find(std::begin(kWhisperNames), std::end(kWhisperNames), name) != std::end(kWhisperNames);
}

LoadedModel load_whisper(const std::string& name, const ModelOptions& opts) {
  if (!opts.phase.empty())
    throw InputError("--phase " + opts.phase + ": " + name +
                     " is not an LLM; Whisper's encoder and decoder step are separate models");
  const bool encoder = name.ends_with("-encoder");
  const WhisperDims* d = find_whisper_dims(name.substr(8, name.rfind('-') - 8));  // after "whisper-"
  NPUSIM_ASSERT(d != nullptr, "whisper name without dims");
  check_dims_used(opts, encoder ? std::vector<std::string>{"batch"} : std::vector<std::string>{"batch", "context"},
                  name);
  WhisperInputs in;
  in.batch = dim_or(opts, "batch", in.batch);
  in.context = dim_or(opts, "context", in.context);
  const PrecisionSpec p = opts.precision.value_or(PrecisionSpec(Precision::kW8A8));
  Graph g = encoder ? build_whisper_encoder(*d, in, p, opts.limits) : build_whisper_decoder(*d, in, p, opts.limits);
  return LoadedModel{std::move(g), "openai/whisper " + std::string(d->name), whisper_notes(*d, encoder, in)};
}

// OpenAI CLIP ViT-B/16's two encoders (fixed 77 tokens and 224x224: the position tables are sized so).
constexpr std::string_view kClipText = "clip-vit-b-16-text-encoder", kClipImage = "clip-vit-b-16-image-encoder",
                           kClipPair = "clip-vit-b-16";

LoadedModel load_openai_clip(const std::string& name, const ModelOptions& opts) {
  if (!opts.phase.empty()) throw InputError("--phase " + opts.phase + ": " + name + " is not an LLM");
  check_dims_used(opts, {"batch"}, name);
  const uint64_t batch = dim_or(opts, "batch", 1);
  const PrecisionSpec p = opts.precision.value_or(PrecisionSpec(Precision::kW8A8));
  if (name == kClipPair)
    return LoadedModel{build_openai_clip(batch, p, opts.limits), "openai/CLIP ViT-B/16", openai_clip_pair_notes(batch)};
  const bool text = name == kClipText;
  Graph g = text ? build_openai_clip_text_encoder(batch, p, opts.limits)
                 : build_openai_clip_image_encoder(batch, p, opts.limits);
  return LoadedModel{std::move(g), "openai/CLIP ViT-B/16", openai_clip_notes(text, batch)};
}

}  // namespace

namespace {

LoadedModel load_model_unnamed(const std::string& name_or_path, const ModelOptions& opts) {
  const std::vector<std::string>& model_dirs = opts.model_dirs;
  if (is_torchvision_model(name_or_path)) return load_torchvision(name_or_path, opts);
  if (is_whisper(name_or_path)) return load_whisper(name_or_path, opts);
  if (name_or_path == kClipText || name_or_path == kClipImage || name_or_path == kClipPair)
    return load_openai_clip(name_or_path, opts);
  for (const Builtin& b : kBuiltins) {
    if (b.name != name_or_path) continue;
    for (const std::string& d : model_dirs) {
      fs::path p = fs::path(d) / b.config;
      std::error_code ec;
      if (fs::is_regular_file(p, ec))
        return load_file(p.string(), display_path(d, std::string(b.config)), opts, b.format, b.default_context);
    }
    throw InputError("model '" + name_or_path + "': its config " + std::string(b.config) +
                     " is not in any model directory (set NPUSIM_CONFIG_DIR to the repository's configs/)");
  }
  bool looks_like_path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".yaml") ||
                         name_or_path.ends_with(".yml") || name_or_path.ends_with(".json") ||
                         name_or_path.ends_with(".onnx") || name_or_path.ends_with(".csv");
  if (looks_like_path) return load_file(name_or_path, name_or_path, opts);
  for (const std::string& d : model_dirs) {
    fs::path p = fs::path(d) / (name_or_path + ".yaml");
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return load_file(p.string(), display_path(d, name_or_path + ".yaml"), opts);
  }
  std::vector<std::string> known = list_models(model_dirs);
  std::string hint = did_you_mean(name_or_path, known);
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw InputError("model '" + name_or_path + "': no such built-in model or file" +
                   (hint.empty() ? "" : "; did you mean " + hint + "?") + " (models: " + list + ")");
}

}  // namespace

LoadedModel load_model(const std::string& name_or_path, const ModelOptions& opts) {
  LoadedModel m = load_model_unnamed(name_or_path, opts);
  // A name is what the user typed unless it was a path: "llama3-8b", not the builder's "llama".
  const bool path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".yaml") ||
                    name_or_path.ends_with(".yml") || name_or_path.ends_with(".json") ||
                    name_or_path.ends_with(".onnx") || name_or_path.ends_with(".csv");
  m.name = path ? m.graph.name() : name_or_path;
  // An ONNX graph of no nodes ran "successfully" with all-zero results.
  if (m.graph.num_ops() == 0) throw InputError(m.source + ": the model has no ops; there is nothing to simulate");
  return m;
}

std::vector<std::string> list_models(const std::vector<std::string>& model_dirs) {
  std::set<std::string> names;
  for (const Builtin& b : kBuiltins) names.insert(std::string(b.name));
  for (std::string_view n : torchvision_model_names()) names.insert(std::string(n));
  for (std::string_view n : kWhisperNames) names.insert(std::string(n));
  for (std::string_view n : {kClipText, kClipImage, kClipPair}) names.insert(std::string(n));
  add_yaml_stems(model_dirs, names);
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<ModelSummary> summarize_models(const std::vector<std::string>& model_dirs) {
  std::vector<ModelSummary> out;
  ModelOptions opts;
  opts.model_dirs = model_dirs;
  for (const std::string& name : list_models(model_dirs)) {
    ModelSummary s;
    s.name = name;
    try {
      LoadedModel m = load_model(name, opts);
      s.params = m.graph.param_count();
      s.macs = m.graph.total_macs();
      if (!m.notes.empty()) s.input = m.notes.front().substr(0, m.notes.front().find(';'));
    } catch (const InputError& e) {
      s.error = e.what();
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace npusim::workloads
