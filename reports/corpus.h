#pragma once
// A measured corpus (configs/measured/corpus.yaml): one entry per published measurement, each
// naming its source perf.yaml, device, runtime, precision, component, the npusim model that
// stands for it, the metric and its split (`fit`: calibrated on; `transfer`: only predicted).
// Every malformed entry is a UserError naming file:line, the key and the rule; all problems
// are collected and reported at once.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "arch/npu_config.h"

namespace npusim::reports {

enum class CorpusMetric { kInferenceMs, kTtftMs, kTokensPerS };
std::string_view corpus_metric_name(CorpusMetric m);  // inference_ms, ttft_ms, tokens_per_s
std::string_view corpus_metric_unit(CorpusMetric m);  // ms, ms, tokens/s

enum class CorpusSplit { kFit, kTransfer };
std::string_view corpus_split_name(CorpusSplit s);

struct CorpusEntry {
  std::string source;            // as written (relative to the corpus file)
  std::string component;         // the perf.yaml component
  std::string precision;         // AI Hub's: float, w8a8, w8a16, w4a16
  std::string npusim_precision;  // npusim's: float -> fp16, or the entry's npusim_precision (with overrides)
  std::string device, chip, runtime;
  std::string model;  // npusim built-in model name
  std::map<std::string, uint64_t> dims;
  CorpusMetric metric = CorpusMetric::kInferenceMs;
  CorpusSplit split = CorpusSplit::kFit;
  double measured = 0;  // in corpus_metric_unit(metric)
  int line = 0;         // of the entry in the corpus file
  int source_line = 0;  // of the value in the source file

  std::string label() const;  // "resnet50 w8a8 inference_ms" (unique per chip)
  // npusim_precision's base, without its dtype overrides: w8a8, w8a16, w4a16 or fp16.
  std::string npusim_mode() const { return npusim_precision.substr(0, npusim_precision.find(',')); }
  std::string family() const;  // the model's family for plots: resnet, mobilenet, whisper, sd15, llm, ...
};

struct Corpus {
  std::string path;
  std::map<std::string, std::string> presets;  // chip -> hardware preset
  std::vector<CorpusEntry> entries;            // in file order
};

// The chip behind an AI Hub device name (Galaxy S23 family -> snapdragon-8gen2, S24 family ->
// snapdragon-8gen3, Snapdragon 8 Elite QRD -> snapdragon-8elite), or "" when unknown.
std::string chip_of_device(std::string_view device);

struct CorpusContext {
  std::vector<std::string> models;  // known npusim model names (workloads::list_models)
  // The hardware config of a preset name, to check that each entry's precision is supported;
  // throws UserError for an unknown preset.
  std::function<arch::NpuConfig(const std::string& preset)> load_preset;
  // Reads a source file (relative paths are resolved by the caller against the corpus's folder).
  std::function<std::string(const std::string& path)> read_file;
};

// Parses `text` (the contents of `path`). Source files are read through ctx.read_file with the
// path joined to the corpus file's folder.
Corpus read_corpus(const std::string& path, const std::string& text, const CorpusContext& ctx);

}  // namespace npusim::reports
