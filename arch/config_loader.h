#pragma once
// Loading hardware configs: presets by name, files by path, `base:` chains, `--set`
// overrides, and validation that reports every problem at once (STYLE.md rules 3, 4, 6).
#include <string>
#include <vector>

#include "npu_config.h"

namespace npusim::arch {

struct LoadOptions {
  std::vector<std::string> overrides;    // "key=value", applied after all files, in order
  std::vector<std::string> preset_dirs;  // searched in order for "<name>.yaml"
};

// `name_or_path` is a preset name (looked up in preset_dirs) or a path to a YAML file.
// Throws ConfigError listing every problem; the result is fully validated.
NpuConfig load_npu_config(const std::string& name_or_path, const LoadOptions& opts);
// Same, from YAML text; `display_name` stands for the file in messages.
NpuConfig load_npu_config_text(const std::string& yaml, const std::string& display_name, const LoadOptions& opts);

// Names of the presets found in the directories, sorted, without ".yaml".
std::vector<std::string> list_presets(const std::vector<std::string>& preset_dirs);
// Where `technology: <name>` is looked up as "<name>.yaml": "<dir>/../tech" of each preset dir
// (configs/tech next to configs/hw), in order.
std::vector<std::string> technology_dirs(const LoadOptions& opts);

// The fully resolved config as YAML that loads back to the same config.
std::string resolved_yaml(const NpuConfig& cfg);
// Every key with its unit, default, valid range and doc, from the parameter table.
std::string explain_params();

}  // namespace npusim::arch
