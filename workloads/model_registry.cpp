#include "model_registry.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "npusim/text.h"
#include "yaml_graph.h"

namespace npusim::workloads {

namespace fs = std::filesystem;

namespace {

enum class ModelFormat { kYamlGraph };

// Columns: built-in name, config path under a model dir, format.
struct Builtin {
  std::string_view name;
  std::string_view config;
  ModelFormat format;
};
constexpr Builtin kBuiltins[] = {
    {"tiny-block", "tiny-block.yaml", ModelFormat::kYamlGraph},
};

std::string display_path(const fs::path& dir, const std::string& file) {
  fs::path d = dir.lexically_normal();
  if (!d.has_filename()) d = d.parent_path();
  return (d.parent_path().filename() / d.filename() / file).string();
}

LoadedModel load_file(const std::string& path, const std::string& display, std::optional<Precision> precision) {
  // Only the YAML layer-graph format is read here so far; model config.json builders plug in beside it.
  Graph g = load_yaml_graph_text_from_file(path, display, precision);
  return LoadedModel{std::move(g), display, {"batch and shapes as given by the graph's inputs"}};
}

}  // namespace

LoadedModel load_model(const std::string& name_or_path, std::optional<Precision> precision,
                       const std::vector<std::string>& model_dirs) {
  for (const Builtin& b : kBuiltins) {
    if (b.name != name_or_path) continue;
    for (const std::string& d : model_dirs) {
      fs::path p = fs::path(d) / b.config;
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return load_file(p.string(), display_path(d, std::string(b.config)), precision);
    }
    throw InputError("model '" + name_or_path + "': its config " + std::string(b.config) +
                     " is not in any model directory (set NPUSIM_CONFIG_DIR to the repository's configs/)");
  }
  bool looks_like_path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".yaml") ||
                         name_or_path.ends_with(".yml") || name_or_path.ends_with(".json");
  if (looks_like_path) return load_file(name_or_path, name_or_path, precision);
  for (const std::string& d : model_dirs) {
    fs::path p = fs::path(d) / (name_or_path + ".yaml");
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return load_file(p.string(), display_path(d, name_or_path + ".yaml"), precision);
  }
  std::vector<std::string> known = list_models(model_dirs);
  std::string hint = did_you_mean(name_or_path, known);
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw InputError("model '" + name_or_path + "': no such built-in model or file" +
                   (hint.empty() ? "" : "; did you mean " + hint + "?") + " (models: " + list + ")");
}

std::vector<std::string> list_models(const std::vector<std::string>& model_dirs) {
  std::set<std::string> names;
  for (const Builtin& b : kBuiltins) names.insert(std::string(b.name));
  for (const std::string& d : model_dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".yaml") names.insert(it->path().stem().string());
  }
  return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace npusim::workloads
