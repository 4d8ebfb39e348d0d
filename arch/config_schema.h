#pragma once
// The single table of hardware parameters (STYLE.md rule 2): key, unit, default, valid
// range and doc. The loader, `npusim config --explain` and `--resolved` all read it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "npu_config.h"
#include "units.h"

namespace npusim::arch {

struct ParamValue {
  double number = 0;              // numeric units, in the base unit
  bool flag = false;              // Unit::kBool
  std::string text;               // Unit::kText
  std::vector<std::string> list;  // Unit::kDataflowList
};

struct Range {
  double lo = 0;
  double hi = 0;
  bool lo_open = false;  // true: value must be > lo rather than >= lo
};

struct ParamSpec {
  std::string key;  // dotted YAML path, e.g. "sram.size"
  Unit unit = Unit::kRatio;
  std::optional<std::string> default_text;  // parsed like user input; nullopt = required
  Range range;                              // numeric units only
  std::string doc;
  std::function<void(NpuConfig&, const ParamValue&)> set;
  std::function<ParamValue(const NpuConfig&)> get;
};

const std::vector<ParamSpec>& param_table();
const ParamSpec* find_param(std::string_view key);

// The table as a tree of dotted keys, in table order: enter(segment, depth) opens a nested
// section, leave() closes the innermost one, and leaf(spec, last segment, depth) is a key.
// Every section entered is left, so writers of nested formats stay balanced.
struct ParamTreeVisitor {
  std::function<void(const std::string& segment, size_t depth)> enter;
  std::function<void()> leave;
  std::function<void(const ParamSpec& spec, const std::string& segment, size_t depth)> leaf;
};
void walk_param_tree(const ParamTreeVisitor& v);
// The same over the rows `include` accepts.
void walk_param_tree(const ParamTreeVisitor& v, const std::function<bool(const ParamSpec&)>& include);
// Whether a writer of `cfg` lists `spec`: the tech.* figures only when a technology is chosen
// (they are all zero otherwise, and the defaults load back the same).
bool param_shown(const NpuConfig& cfg, const ParamSpec& spec);

// Text of a value as it would be written in YAML (units attached; round-trips exactly).
std::string format_param(const ParamSpec& spec, const ParamValue& v);
// "1MHz .. 100GHz", "> 0", "" for non-numeric keys.
std::string format_range(const ParamSpec& spec);

}  // namespace npusim::arch
