// Parsing sweep files (the only code here that sees YAML, STYLE.md rule 1).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "arch/config_schema.h"
#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"
#include "sweep.h"

namespace npusim::sim {

namespace {

constexpr uint64_t kMaxSweepFileBytes = 1 << 20;
constexpr size_t kMaxAxisValues = 100000;
constexpr uint64_t kMaxPoints = kMaxSweepPoints;

class SpecParser {
 public:
  SpecParser(std::string file, std::string base_dir) : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  SweepSpec parse(const std::string& yaml) {
    YAML::Node root = load_yaml(yaml, file_, kSweepYaml);
    if (!root.IsMap()) throw UserError(file_ + ": a sweep file is a YAML mapping (name, hw, models, axes, ...)");
    static const std::vector<std::string> kKeys = {"name", "hw",         "set",    "model", "models", "precision",
                                                   "dims", "strategies", "engine", "mode",  "axes",   "description"};
    SweepSpec s;
    s.file = file_;
    s.strategies = {kDefaultStrategy};
    std::map<std::string, int> seen;  // key -> its line: yaml-cpp would keep both and the last would win
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      once(seen, kv.first, key);
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        std::string hint = did_you_mean(key, kKeys);
        fail(kv.first, key + ": unknown key" + (hint.empty() ? "" : "; did you mean " + hint + "?"));
      }
      if (key == "name") s.name = scalar(v, key);
      if (key == "hw") s.hw = hw_reference(scalar(v, key));
      if (key == "set") s.set = fixed_overrides(v);
      if (key == "model") s.models = {scalar(v, key)};
      if (key == "models") s.models = scalar_list(v, key);
      if (key == "precision") s.precision = scalar(v, key);
      if (key == "dims") s.dims = dims(v);
      if (key == "strategies") {
        s.strategies = scalar_list(v, key);
        for (const auto& name : s.strategies) check_strategy(name, where(v) + "strategies: " + name);
      }
      if (key == "engine") {
        s.engine = scalar(v, key);
        check_sweep_engine(s.engine, where(v));
      }
      if (key == "mode") {
        const std::string m = scalar(v, key);
        if (m != "grid" && m != "zip") fail(v, "mode: " + m + ": expected grid or zip");
        s.zip = m == "zip";
      }
      if (key == "axes") s.axes = axes(v);
    }
    if (s.hw.empty()) fail(root, "hw: required (a hardware preset name or a YAML file)");
    if (s.models.empty()) fail(root, "models: required (a list of models, e.g. [sd15])");
    if (s.name.empty()) s.name = std::filesystem::path(file_).stem().string();
    if (s.zip)
      for (const SweepAxis& a : s.axes)
        if (a.values.size() != s.axes[0].values.size())
          fail(root["mode"], "mode: zip needs axes of equal length, but " + s.axes[0].name + " has " +
                                 std::to_string(s.axes[0].values.size()) + " values and " + a.name + " has " +
                                 std::to_string(a.values.size()));
    // The point limit holds with or without axes (models x strategies alone made 4e9 points).
    // Each factor is <= kMaxAxisValues or a YAML list of a 1 MiB file, and n <= kMaxPoints
    // before each product, so nothing wraps.
    auto too_many = [&](const YAML::Node& at, const std::string& what) {
      fail(at, what + ": more than " + std::to_string(kMaxPoints) + " points (models x strategies x axis values)");
    };
    uint64_t n = s.models.size();
    n *= s.strategies.size();
    if (n > kMaxPoints) too_many(root, "models x strategies");
    for (const SweepAxis& a : s.axes) {
      if (!s.zip || &a == &s.axes[0]) n *= a.values.size();
      if (n > kMaxPoints) too_many(root["axes"], "axes");
    }
    return s;
  }

 private:
  std::string where(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return m.line >= 0 ? file_ + ":" + std::to_string(m.line + 1) + ": " : file_ + ": ";
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg) const { throw UserError(where(n) + msg); }

  // Refuses a key given twice in one mapping; `seen` maps each key to its first line.
  void once(std::map<std::string, int>& seen, const YAML::Node& key_node, const std::string& key) const {
    if (auto [it, fresh] = seen.emplace(key, key_node.Mark().line + 1); !fresh)
      fail(key_node, key + ": key given twice (first at line " + std::to_string(it->second) + ")");
  }

  std::string scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key + ": expected a single value");
    return n.Scalar();
  }
  std::vector<std::string> scalar_list(const YAML::Node& n, const std::string& key) const {
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence() || n.size() == 0) fail(n, key + ": expected a non-empty list");
    std::vector<std::string> out;
    for (const auto& e : n) out.push_back(scalar(e, key));
    return out;
  }

  // A preset name stays a name; a path is taken relative to the sweep file.
  std::string hw_reference(const std::string& hw) const {
    if (hw.find('/') == std::string::npos && !hw.ends_with(".yaml")) return hw;
    std::filesystem::path p(hw);
    return p.is_absolute() ? hw : (std::filesystem::path(base_dir_) / p).lexically_normal().string();
  }

  const arch::ParamSpec& param(const YAML::Node& n, const std::string& key) const {
    if (const arch::ParamSpec* p = arch::find_param(key)) return *p;
    std::vector<std::string> keys;
    for (const auto& p : arch::param_table()) keys.push_back(p.key);
    std::string hint = did_you_mean(key, keys);
    fail(n, key + ": unknown hardware key" +
                (hint.empty() ? " (see `npusim config --explain`)" : "; did you mean " + hint + "?"));
  }

  // `node` as the text --set takes for `spec`, canonical for numbers ("8MiB", "12GB/s").
  std::string value_text(const arch::ParamSpec& spec, const YAML::Node& node) const {
    if (spec.unit == arch::Unit::kDataflowList) {
      if (!node.IsSequence()) fail(node, spec.key + ": expected a list of dataflows");
      std::string out = "[";
      for (size_t i = 0; i < node.size(); ++i) {
        if (i) out += ",";
        out += scalar(node[i], spec.key);
      }
      return out + "]";
    }
    const std::string text = scalar(node, spec.key);
    if (spec.unit == arch::Unit::kBool || spec.unit == arch::Unit::kText) return text;
    return arch::format_quantity(number(spec, node, text), spec.unit);
  }

  double number(const arch::ParamSpec& spec, const YAML::Node& node, const std::string& text) const {
    if (spec.unit == arch::Unit::kBool || spec.unit == arch::Unit::kText || spec.unit == arch::Unit::kDataflowList)
      fail(node, spec.key + ": a range needs a numeric key");
    arch::Parsed p = arch::parse_quantity(text, spec.unit);
    if (!p.error.empty()) fail(node, spec.key + " = \"" + text + "\": " + p.error);
    return p.value;
  }

  std::vector<std::string> fixed_overrides(const YAML::Node& n) const {
    if (!n.IsMap()) fail(n, "set: expected a mapping of hardware keys to values");
    std::vector<std::string> out;
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      once(seen, kv.first, "set." + key);
      out.push_back(key + "=" + value_text(param(kv.first, key), kv.second));
    }
    return out;
  }

  std::map<std::string, uint64_t> dims(const YAML::Node& n) const {
    if (!n.IsMap()) fail(n, "dims: expected a mapping such as {steps: 20, resolution: 512}");
    std::map<std::string, uint64_t> out;
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      once(seen, kv.first, "dims." + kv.first.Scalar());
      const std::string text = scalar(kv.second, kv.first.Scalar());
      if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
        fail(kv.second, "dims: " + kv.first.Scalar() + " = \"" + text + "\": expected a whole number");
      out[kv.first.Scalar()] = std::stoull(text);
    }
    return out;
  }

  std::vector<SweepAxis> axes(const YAML::Node& n) const {
    if (!n.IsMap()) fail(n, "axes: expected a mapping of hardware keys (or compound axis names) to values");
    std::vector<SweepAxis> out;
    std::map<std::string, int> seen;       // axis name -> line
    std::map<std::string, int> swept_key;  // hardware key -> line of the axis that sweeps it
    for (const auto& kv : n) {
      SweepAxis a;
      a.name = kv.first.Scalar();
      once(seen, kv.first, "axes." + a.name);
      if (a.name == "model" || a.name == "strategy")
        fail(kv.first, a.name + ": not an axis; list them under `models:` / `strategies:`");
      const YAML::Node& v = kv.second;
      if (v.IsSequence() && v.size() > 0 && v[0].IsMap())
        a.values = compound_values(a.name, v);
      else if (v.IsMap())
        a.values = range_values(param(kv.first, a.name), v);
      else
        a.values = list_values(param(kv.first, a.name), v);
      if (a.values.empty()) fail(v, a.name + ": the axis has no values");
      if (a.values.size() > kMaxAxisValues)
        fail(v, a.name + ": more than " + std::to_string(kMaxAxisValues) + " values on one axis");
      // Two axes setting one key (a compound axis and a plain one) would make a point's key ambiguous.
      std::set<std::string> keys;
      for (const SweepAxisValue& val : a.values)
        for (const auto& kset : val.sets) keys.insert(kset.first);
      for (const std::string& k : keys)
        if (auto [it, fresh] = swept_key.emplace(k, kv.first.Mark().line + 1); !fresh)
          fail(kv.first,
               a.name + ": sweeps " + k + ", which the axis on line " + std::to_string(it->second) + " sweeps too");
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<SweepAxisValue> list_values(const arch::ParamSpec& spec, const YAML::Node& v) const {
    std::vector<SweepAxisValue> out;
    if (v.IsScalar()) {
      const std::string text = value_text(spec, v);
      out.push_back({text, {{spec.key, text}}});
      return out;
    }
    if (!v.IsSequence()) fail(v, spec.key + ": expected a list of values or a range {from, to, step|count|factor}");
    for (const auto& e : v) {
      const std::string text = value_text(spec, e);
      out.push_back({text, {{spec.key, text}}});
    }
    return out;
  }

  // - {mac_array.rows: 32, mac_array.cols: 256}: several keys per value, labelled rows=32,cols=256.
  std::vector<SweepAxisValue> compound_values(const std::string& name, const YAML::Node& v) const {
    std::vector<SweepAxisValue> out;
    for (const auto& e : v) {
      if (!e.IsMap() || e.size() == 0) fail(e, name + ": every value of a compound axis is a mapping of keys");
      SweepAxisValue val;
      std::map<std::string, int> seen;
      for (const auto& kv : e) {
        const std::string key = kv.first.Scalar();
        once(seen, kv.first, name + "." + key);
        const std::string text = value_text(param(kv.first, key), kv.second);
        if (!val.label.empty()) val.label += ",";
        val.label += key.substr(key.rfind('.') + 1) + "=" + text;
        val.sets.emplace_back(key, text);
      }
      out.push_back(std::move(val));
    }
    return out;
  }

  // {from: A, to: B, step: S} (linear), {from, to, count: N[, scale: log]} or {from, to, factor: F}
  // (geometric); `to` is included when the steps land on it.
  std::vector<SweepAxisValue> range_values(const arch::ParamSpec& spec, const YAML::Node& v) const {
    static const std::vector<std::string> kRangeKeys = {"from", "to", "step", "count", "factor", "scale"};
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (std::find(kRangeKeys.begin(), kRangeKeys.end(), k) == kRangeKeys.end()) {
        std::string hint = did_you_mean(k, kRangeKeys);
        fail(kv.first, spec.key + "." + k + ": unknown range key" +
                           (hint.empty() ? " (from, to, step, count, factor, scale)" : "; did you mean " + hint + "?"));
      }
    }
    if (!v["from"] || !v["to"]) fail(v, spec.key + ": a range needs `from` and `to`");
    const double from = number(spec, v["from"], scalar(v["from"], spec.key + ".from"));
    const double to = number(spec, v["to"], scalar(v["to"], spec.key + ".to"));
    if (to < from) fail(v["to"], spec.key + ": `to` is below `from`");
    const int given = int(bool(v["step"])) + int(bool(v["count"])) + int(bool(v["factor"]));
    if (given != 1) fail(v, spec.key + ": a range takes exactly one of step, count or factor");
    std::string scale = "linear";
    if (v["scale"]) {
      scale = scalar(v["scale"], spec.key + ".scale");
      if (scale != "linear" && scale != "log") fail(v["scale"], spec.key + ".scale: expected linear or log");
      if (!v["count"]) fail(v["scale"], spec.key + ".scale: goes with count (step is linear, factor is log)");
    }
    std::vector<double> xs;
    const double slack = 1e-9 * std::max(std::abs(to), std::abs(from));
    if (v["step"]) {
      const double step = number(spec, v["step"], scalar(v["step"], spec.key + ".step"));
      if (!(step > 0)) fail(v["step"], spec.key + ".step: must be > 0");
      if ((to - from) / step >= double(kMaxAxisValues))
        fail(v["step"], spec.key + ": the range needs more than " + std::to_string(kMaxAxisValues) +
                            " steps to reach `to`; use a larger step");
      for (uint64_t i = 0; from + double(i) * step <= to + slack && i <= kMaxAxisValues; ++i)
        xs.push_back(from + double(i) * step);
    } else if (v["factor"]) {
      arch::Parsed f = arch::parse_quantity(scalar(v["factor"], spec.key + ".factor"), arch::Unit::kRatio);
      if (!f.error.empty() || !(f.value > 1)) fail(v["factor"], spec.key + ".factor: expected a number > 1");
      if (!(from > 0)) fail(v["from"], spec.key + ": a geometric range needs from > 0");
      // A factor too close to 1 used to stop at the value cap, far short of `to` (1.0000001 from
      // 1KiB to 64GiB gave 11 points ending at 1034 B).
      if (std::log(to / from) / std::log(f.value) >= double(kMaxAxisValues))
        fail(v["factor"], spec.key + ": the range needs more than " + std::to_string(kMaxAxisValues) +
                              " factors to reach `to`; use a larger factor");
      for (double x = from; x <= to * (1 + 1e-9); x *= f.value) xs.push_back(x);
    } else {
      const std::string c = scalar(v["count"], spec.key + ".count");
      if (c.empty() || c.size() > 6 || c.find_first_not_of("0123456789") != std::string::npos || std::stoul(c) < 1)
        fail(v["count"], spec.key + ".count: expected a whole number >= 1");
      const uint64_t n = std::stoull(c);
      if (scale == "log" && !(from > 0)) fail(v["from"], spec.key + ": a log range needs from > 0");
      for (uint64_t i = 0; i < n; ++i) {
        const double t = n == 1 ? 0 : double(i) / double(n - 1);
        xs.push_back(scale == "log" ? from * std::pow(to / from, t) : from + t * (to - from));
      }
    }
    std::vector<SweepAxisValue> out;
    const bool whole = spec.unit == arch::Unit::kBytes || spec.unit == arch::Unit::kCount;
    for (double x : xs) {
      const std::string text = arch::format_quantity(whole ? std::round(x) : x, spec.unit);
      if (!out.empty() && out.back().label == text) continue;  // rounding made two steps equal
      out.push_back({text, {{spec.key, text}}});
    }
    return out;
  }

  std::string file_, base_dir_;
};

}  // namespace

SweepSpec parse_sweep_text(const std::string& yaml, const std::string& display_name, const std::string& base_dir) {
  return SpecParser(display_name, base_dir).parse(yaml);
}

SweepSpec load_sweep(const std::string& path) {
  const std::string text = read_text_file(path, "a sweep YAML file", kMaxSweepFileBytes, "sweep files");
  return parse_sweep_text(text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace npusim::sim
