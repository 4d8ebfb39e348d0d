#pragma once
// Resolves `--model` to a layer graph: a built-in name (sd15-unet, ...), a YAML layer graph
// under configs/models/ by name, or a path to a YAML graph or a model's own config.json.
#include <optional>
#include <string>
#include <vector>

#include "graph.h"

namespace npusim::workloads {

struct LoadedModel {
  Graph graph;
  std::string source;              // file it was built from
  std::vector<std::string> notes;  // workload assumptions for reports (batch, resolution, tokens)
};

// `precision` overrides the model's own default (w8a8 unless the file says otherwise).
LoadedModel load_model(const std::string& name_or_path, std::optional<Precision> precision,
                       const std::vector<std::string>& model_dirs);

// Built-in model names and YAML graphs found in model_dirs, sorted.
std::vector<std::string> list_models(const std::vector<std::string>& model_dirs);

}  // namespace npusim::workloads
