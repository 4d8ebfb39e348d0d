#pragma once
// The hardware presets of configs/hw/ for tests, loaded as the CLI loads them.
#include <string>
#include <utility>
#include <vector>

#include "arch/config_loader.h"

namespace npusim::testing {

// Preset `name` from the source tree's configs/hw/, with `overrides` ("key=value") applied.
inline arch::NpuConfig load_preset(const std::string& name, std::vector<std::string> overrides = {}) {
  arch::LoadOptions o;
  o.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
  o.overrides = std::move(overrides);
  return arch::load_npu_config(name, o);
}

// tiny-test: round numbers for hand-checked cycle counts.
inline arch::NpuConfig tiny(std::vector<std::string> overrides = {}) {
  return load_preset("tiny-test", std::move(overrides));
}

}  // namespace npusim::testing
