#include "config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "area.h"
#include "config_schema.h"
#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"

namespace npusim::arch {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;  // a hardware config is a few KiB; refuse anything huge
constexpr size_t kMaxBaseDepth = 16;

// A value as written: where it came from ("file:line: " or "--set ") and its YAML node.
struct Raw {
  std::string where;
  YAML::Node node;
};

// A value quoted for a message, with control characters and invalid UTF-8 escaped.
std::string quote(const std::string& s) { return "\"" + printable(s) + "\""; }

std::string node_text(const YAML::Node& n) { return yaml_flow_text(n); }

std::string location(const std::string& file, const YAML::Mark& m) {
  return m.line >= 0 ? file + ":" + std::to_string(m.line + 1) + ": " : file + ": ";
}

// Every full key and every proper prefix of one: the paths a YAML mapping may contain.
const std::vector<std::string>& known_paths() {
  static const std::vector<std::string> paths = [] {
    std::set<std::string> s;
    for (const ParamSpec& p : param_table()) {
      s.insert(p.key);
      for (size_t dot = p.key.find('.'); dot != std::string::npos; dot = p.key.find('.', dot + 1))
        s.insert(p.key.substr(0, dot));
    }
    s.insert("base");
    return std::vector<std::string>(s.begin(), s.end());
  }();
  return paths;
}

bool is_prefix_path(const std::string& path) {
  const std::string with_dot = path + ".";
  for (const ParamSpec& p : param_table())
    if (p.key.compare(0, with_dot.size(), with_dot) == 0) return true;
  return false;
}

std::string unknown_key_message(const std::string& path) {
  std::string hint = did_you_mean(path, known_paths());
  return path + ": unknown key" + (hint.empty() ? " (see `npusim config --explain`)" : "; did you mean " + hint + "?");
}

class Loader {
 public:
  explicit Loader(const LoadOptions& opts) : opts_(opts) {}

  NpuConfig run_file(const std::string& name_or_path) {
    std::string display;
    fs::path path = resolve_reference(name_or_path, fs::current_path(), display, "");
    if (!path.empty()) load_file(path, display);
    return finish(display.empty() ? name_or_path : display);
  }

  NpuConfig run_text(const std::string& yaml, const std::string& display_name) {
    load_text(yaml, display_name, fs::current_path());
    return finish(display_name);
  }

 private:
  // A preset name or a path (relative to `dir`). Returns "" and records an error if absent.
  fs::path resolve_reference(const std::string& ref, const fs::path& dir, std::string& display,
                             const std::string& where) {
    bool looks_like_path = ref.find('/') != std::string::npos || ref.ends_with(".yaml") || ref.ends_with(".yml");
    if (looks_like_path) {
      fs::path p = fs::path(ref).is_absolute() ? fs::path(ref) : dir / ref;
      display = fs::path(ref).is_absolute() || dir == fs::current_path() ? ref : p.lexically_normal().string();
      return p;
    }
    for (const std::string& d : opts_.preset_dirs) {
      fs::path p = fs::path(d) / (ref + ".yaml");
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) {
        display = display_path(d, ref + ".yaml");
        return p;
      }
    }
    std::vector<std::string> presets = list_presets(opts_.preset_dirs);
    std::string hint = did_you_mean(ref, presets);
    std::string list;
    for (const auto& p : presets) list += (list.empty() ? "" : ", ") + p;
    errors_.push_back(where + quote(ref) + ": no such hardware preset or file" +
                      (hint.empty() ? "" : "; did you mean " + hint + "?") +
                      " (presets: " + (list.empty() ? "none found" : list) + ")");
    return {};
  }

  void load_file(const fs::path& path, const std::string& display) {
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end()) {
      std::string chain;
      for (const auto& s : stack_) chain += fs::path(s).filename().string() + " -> ";
      errors_.push_back(display + ": cycle in base chain: " + chain + path.filename().string());
      return;
    }
    if (stack_.size() >= kMaxBaseDepth) {
      errors_.push_back(display + ": base chain deeper than " + std::to_string(kMaxBaseDepth) + " files");
      return;
    }
    std::string text;
    try {
      text = read_text_file(path, "a YAML file", kMaxConfigBytes, "a hardware config");
    } catch (const UserError& e) {
      errors_.push_back(e.what());
      return;
    }
    stack_.push_back(canonical);
    load_text(text, display, path.parent_path());
    stack_.pop_back();
  }

  void load_text(const std::string& text, const std::string& display, const fs::path& dir) {
    YAML::Node root;
    try {
      root = load_yaml(text, display, kHardwareYaml);
    } catch (const UserError& e) {
      errors_.push_back(e.what());
      return;
    }
    if (root.IsNull()) {
      errors_.push_back(display +
                        ": file is empty; expected a mapping of hardware keys (see `npusim config --explain`)");
      return;
    }
    if (!root.IsMap()) {
      errors_.push_back(location(display, root.Mark()) + "expected a mapping of hardware keys at the top level");
      return;
    }
    if (YAML::Node base = root["base"]) {
      if (!base.IsScalar()) {
        errors_.push_back(location(display, base.Mark()) + "base: expected a preset name or a file path");
      } else {
        std::string base_display;
        fs::path p = resolve_reference(base.Scalar(), dir, base_display, location(display, base.Mark()) + "base = ");
        if (!p.empty()) load_file(p, base_display);
      }
    }
    sources_.push_back(display);
    walk(root, "", display);
  }

  void walk(const YAML::Node& map, const std::string& prefix, const std::string& file) {
    std::map<std::string, int> seen;  // key -> its first line (yaml-cpp keeps the last of duplicates)
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : node_text(kv.first);
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      const std::string where = location(file, kv.first.Mark());
      if (auto [it, fresh] = seen.emplace(key, kv.first.Mark().line + 1); !fresh) {
        errors_.push_back(where + path + ": key given twice (first at line " + std::to_string(it->second) + ")");
        continue;
      }
      if (tech_only_ && prefix.empty() && key != "tech") {
        errors_.push_back(where + path +
                          ": a technology file holds only tech.* keys (the rest belongs in a hardware "
                          "config)");
        continue;
      }
      if (path == "base") continue;  // handled before the walk
      if (find_param(path)) {
        // An empty value ("size:") has no position of its own; yaml-cpp marks the next line.
        values_[path] = Raw{location(file, kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark()), kv.second};
      } else if (is_prefix_path(path)) {
        if (kv.second.IsMap())
          walk(kv.second, path, file);
        else
          errors_.push_back(where + path + " = " + quote(node_text(kv.second)) + ": expected a mapping of keys under " +
                            path);
      } else {
        errors_.push_back(where + unknown_key_message(path));
      }
    }
  }

  // `technology: <name or path>`: its tech.* figures fill every tech.* key the configs and
  // --set left unset (so a preset or --set can override any one figure).
  void load_technology(const Raw& raw) {
    const std::string ref = raw.node.Scalar();
    const std::string where = raw.where + "technology = " + quote(ref) + ": ";
    fs::path path;
    std::string display;
    if (ref.find('/') != std::string::npos || ref.ends_with(".yaml") || ref.ends_with(".yml")) {
      path = ref;
      display = ref;
    } else {
      for (const std::string& d : technology_dirs(opts_)) {
        fs::path p = fs::path(d) / (ref + ".yaml");
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) {
          path = p;
          display = display_path(d, ref + ".yaml");
          break;
        }
      }
      if (path.empty()) {
        std::set<std::string> names;
        add_yaml_stems(technology_dirs(opts_), names);
        std::vector<std::string> list(names.begin(), names.end());
        std::string hint = did_you_mean(ref, list), all;
        for (const auto& n : list) all += (all.empty() ? "" : ", ") + n;
        errors_.push_back(where + "no such technology" + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                          " (technologies: " + (all.empty() ? "none found" : all) + ")");
        return;
      }
    }
    std::string text;
    try {
      text = read_text_file(path, "a YAML file", kMaxConfigBytes, "a technology file");
    } catch (const UserError& e) {
      errors_.push_back(where + e.what());
      return;
    }
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      errors_.push_back(location(display, e.mark) + "malformed YAML: " + yaml_error_text(e));
      return;
    }
    if (!root.IsMap()) {
      errors_.push_back(location(display, root.Mark()) + "expected a mapping with the technology's tech: figures");
      return;
    }
    std::map<std::string, Raw> given;
    given.swap(values_);
    tech_only_ = true;
    walk(root, "", display);
    tech_only_ = false;
    given.swap(values_);
    for (auto& [key, value] : given) values_.emplace(key, std::move(value));  // keeps what the configs set
  }

  void apply_overrides() {
    for (const std::string& o : opts_.overrides) {
      auto eq = o.find('=');
      if (eq == std::string::npos || eq == 0) {
        errors_.push_back("--set " + quote(o) + ": expected KEY=VALUE, e.g. --set dram.bandwidth=24GB/s");
        continue;
      }
      std::string key = o.substr(0, eq), value = o.substr(eq + 1);
      if (is_prefix_path(key)) {
        // A section like "sram" is a known path, so did-you-mean would suggest the key itself.
        auto first = std::find_if(param_table().begin(), param_table().end(),
                                  [&](const ParamSpec& p) { return p.key.starts_with(key + "."); });
        errors_.push_back("--set " + key + ": a group of keys, not a key; set one of them, e.g. " + first->key);
        continue;
      }
      if (!find_param(key)) {
        errors_.push_back("--set " + unknown_key_message(key));
        continue;
      }
      YAML::Node node;
      if (auto r = yaml_refusal(value, kHardwareYaml)) {
        std::string rule = r->rule.starts_with("malformed YAML: ") ? r->rule.substr(16) : r->rule;
        errors_.push_back("--set " + key + " = " + quote(value) + ": malformed value: " + rule);
        continue;
      }
      node = value.empty() ? YAML::Node(std::string()) : YAML::Load(value);
      values_[key] = Raw{"--set ", node};
    }
  }

  // Parses one value; returns false and records an error naming where, key, value and rule.
  bool parse_value(const ParamSpec& spec, const Raw& raw, ParamValue& out) {
    const YAML::Node& n = raw.node;
    auto fail = [&](const std::string& rule) {
      errors_.push_back(raw.where + spec.key + " = " + quote(node_text(n)) + ": " + rule);
      return false;
    };
    if (spec.unit == Unit::kDataflowList) {
      if (!n.IsSequence()) return fail("expected a list of dataflows");
      for (const auto& item : n) {
        if (!item.IsScalar() || !dataflow_from_name(item.Scalar()))
          return fail("unknown dataflow " + quote(node_text(item)) + "; valid: " + dataflow_names());
        if (std::find(out.list.begin(), out.list.end(), item.Scalar()) != out.list.end())
          return fail("dataflow " + item.Scalar() + " is listed twice");
        out.list.push_back(item.Scalar());
      }
      return true;
    }
    if (n.IsNull()) return fail("a value is required");
    if (!n.IsScalar())
      return fail(n.IsMap() ? "expected a single value, got a mapping" : "expected a single value, got a list");
    const std::string& s = n.Scalar();
    if (spec.unit == Unit::kText) {
      // A required text key may not be empty (--set name= was accepted), and a newline or
      // other control character would make --resolved print YAML that does not load back.
      if (!spec.default_text && s.empty()) return fail("a value is required; it may not be empty");
      if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
        return fail("control characters (a newline, a tab, an escape) are not allowed in text");
      out.text = s;
      return true;
    }
    if (spec.unit == Unit::kBool) {
      if (s == "true")
        out.flag = true;
      else if (s == "false")
        out.flag = false;
      else
        return fail("expected true or false");
      return true;
    }
    Parsed p = parse_quantity(s, spec.unit);
    if (!p.error.empty()) return fail(p.error);
    const Range& r = spec.range;
    bool low = r.lo_open ? p.value <= r.lo : p.value < r.lo;
    if (low || p.value > r.hi) return fail("must be in " + format_range(spec));
    out.number = p.value;
    return true;
  }

  void cross_check(NpuConfig& c, const std::string& top) {
    auto where = [&](const std::string& key) {
      auto it = values_.find(key);
      return it == values_.end() ? top + ": " : it->second.where;
    };
    bool any = std::any_of(c.mac_array.precision.begin(), c.mac_array.precision.end(),
                           [](const PrecisionSpec& p) { return p.supported(); });
    if (!any)
      errors_.push_back(top +
                        ": mac_array.precision: no precision is supported; set macs_per_pe_per_cycle > 0 for at least "
                        "one of w8a8, w8a16, w4a16, fp16");
    for (PrecisionMode m : kPrecisionModes) {
      const PrecisionSpec& p = c.mac_array.mode(m);
      const std::string key =
          "mac_array.precision." + std::string(precision_mode_name(m)) + ".act_act_macs_per_pe_per_cycle";
      // Below 1e-6 MACs per PE per cycle the cycle counts of real networks pass 2^64 (a rate
      // of 1e-20 once reported a faster run than 1.0); 0 means unsupported.
      const std::string base = "mac_array.precision." + std::string(precision_mode_name(m)) + ".";
      for (const auto& [name, v] : {std::pair{"macs_per_pe_per_cycle", p.macs_per_pe_per_cycle},
                                    std::pair{"act_act_macs_per_pe_per_cycle", p.act_act_macs_per_pe_per_cycle}})
        if (v > 0 && v < 1e-6)
          errors_.push_back(where(base + name) + base + name + " = " + quote(format_quantity(v, Unit::kRatio)) +
                            ": must be 0 (unsupported) or at least 1e-6 MACs per PE per cycle");
      if (p.act_act_macs_per_pe_per_cycle > p.macs_per_pe_per_cycle)
        errors_.push_back(
            where(key) + key + " = " + quote(format_quantity(p.act_act_macs_per_pe_per_cycle, Unit::kRatio)) +
            ": must not exceed macs_per_pe_per_cycle (" + format_quantity(p.macs_per_pe_per_cycle, Unit::kRatio) +
            "): activation x activation MACs are at least as wide as weight x activation ones");
    }
    constexpr uint64_t kMaxPes = 1ull << 24;
    if (c.mac_array.pes() > kMaxPes)
      errors_.push_back(where("mac_array.cols") +
                        "mac_array.rows x mac_array.cols = " + std::to_string(c.mac_array.pes()) +
                        " PEs: more than the " + std::to_string(kMaxPes) + "-PE limit");
    uint32_t burst = c.dram.burst_bytes;
    if (burst != 0 && (burst & (burst - 1)) != 0)
      errors_.push_back(where("dram.burst") + "dram.burst = " + quote(format_quantity(burst, Unit::kBytes)) +
                        ": must be a power of two");
    if (c.mac_array.dataflows.empty())
      errors_.push_back(where("mac_array.dataflows") +
                        "mac_array.dataflows = \"[]\": expected a non-empty list of dataflows");
    for (Dataflow d : c.mapping.dataflows)
      if (std::find(c.mac_array.dataflows.begin(), c.mac_array.dataflows.end(), d) == c.mac_array.dataflows.end())
        errors_.push_back(where("mapping.dataflows") + "mapping.dataflows: " + std::string(dataflow_name(d)) +
                          " is not in mac_array.dataflows");
    auto one_of = [&](const std::string& key, const std::string& value, std::initializer_list<const char*> valid) {
      std::string list;
      for (const char* v : valid) {
        if (value == v) return;
        list += (list.empty() ? "" : " or ") + std::string(v);
      }
      errors_.push_back(where(key) + key + " = " + quote(value) + ": must be " + list);
    };
    one_of("mac_array.gemv", c.mac_array.gemv, {"systolic", "streaming"});
    one_of("mapping.transpose", c.mapping.transpose, {"allow", "never"});
    one_of("mapping.tiling", c.mapping.tiling, {"search", "whole"});
    if (c.dram.model != "simple" && c.dram.model != "lpddr")
      errors_.push_back(where("dram.model") + "dram.model = " + quote(c.dram.model) + ": must be simple or lpddr");
    if (c.dram.model == "lpddr" && c.dram.refresh_ps >= c.dram.refresh_interval_ps && c.dram.refresh_interval_ps > 0)
      errors_.push_back(where("dram.refresh_time") +
                        "dram.refresh_time = " + quote(format_quantity(c.dram.refresh_ps, Unit::kTime)) +
                        ": must be shorter than dram.refresh_interval");
    check_technology(c, where);
    if (c.sram.banks > c.sram.size_bytes)
      errors_.push_back(where("sram.banks") + "sram.banks = " + quote(std::to_string(c.sram.banks)) +
                        ": more banks than bytes of SRAM");
  }

  template <class Where>
  void check_technology(const NpuConfig& c, const Where& where) {
    if (c.dram.phy_width_bits % 16 != 0)
      errors_.push_back(where("dram.phy_width") + "dram.phy_width = " + quote(std::to_string(c.dram.phy_width_bits)) +
                        ": must be a multiple of 16 bits (whole LPDDR channels)");
    if (c.technology.empty()) {
      // A resolved config lists every tech.* key at its zero default; only a figure given is an error.
      for (const ParamSpec& spec : param_table()) {
        if (!spec.key.starts_with("tech.")) continue;
        const ParamValue v = spec.get(c);
        if (v.number != 0 || !v.text.empty())
          errors_.push_back(where(spec.key) + spec.key +
                            ": a technology figure without a technology; set technology: " +
                            "(configs/tech/) first, then tech.* keys override its figures");
      }
      if (c.power_budget_mw > 0)
        errors_.push_back(where("power_budget") +
                          "power_budget = " + quote(format_quantity(c.power_budget_mw, Unit::kPower)) +
                          ": needs a technology (its V-f table gives the voltage at each clock)");
      return;
    }
    const TechConfig& t = c.tech;
    if (t.sram_bitcell_um2 <= 0)
      errors_.push_back(where("tech.sram.bitcell") + "tech.sram.bitcell: must be > 0 with a technology");
    if (t.sram_array_efficiency <= 0)
      errors_.push_back(where("tech.sram.array_efficiency") +
                        "tech.sram.array_efficiency: must be > 0 with a technology (bit cells over macro area)");
    std::vector<VfPoint> vf;
    if (!t.vf.empty()) {
      std::string err;
      vf = parse_vf_table(t.vf, err);
      if (!err.empty()) errors_.push_back(where("tech.voltage.vf") + "tech.voltage.vf = " + quote(t.vf) + ": " + err);
    }
    if (!vf.empty() && t.nominal_voltage_v <= 0)
      errors_.push_back(where("tech.voltage.nominal") +
                        "tech.voltage.nominal: must be > 0 with a V-f table (leakage scales with V / nominal)");
    if (c.power_budget_mw > 0 && vf.empty())
      errors_.push_back(where("power_budget") +
                        "power_budget = " + quote(format_quantity(c.power_budget_mw, Unit::kPower)) +
                        ": needs a V-f table (tech.voltage.vf) to scale the clock");
  }

  NpuConfig finish(const std::string& top) {
    apply_overrides();
    if (auto it = values_.find("technology");
        it != values_.end() && it->second.node.IsScalar() && !it->second.node.Scalar().empty()) {
      const Raw tech = it->second;  // load_technology adds to values_
      load_technology(tech);
    }
    NpuConfig cfg;
    for (const ParamSpec& spec : param_table()) {
      ParamValue v;
      auto it = values_.find(spec.key);
      if (it != values_.end()) {
        if (parse_value(spec, it->second, v)) spec.set(cfg, v);
      } else if (spec.default_text) {
        Raw def{"default ", YAML::Load(*spec.default_text)};
        if (spec.unit == Unit::kText) def.node = YAML::Node(*spec.default_text);
        bool ok = parse_value(spec, def, v);
        NPUSIM_ASSERT(ok, "default of " + spec.key + " does not parse");
        spec.set(cfg, v);
      } else if (sources_.size() > 0 || errors_.empty()) {
        errors_.push_back(top + ": " + spec.key + ": required key is missing (" +
                          std::string(unit_kind_name(spec.unit)) +
                          (format_range(spec).empty() ? "" : ", " + format_range(spec)) + ")");
      }
    }
    if (errors_.empty()) cross_check(cfg, top);
    if (!errors_.empty()) {
      std::string msg = errors_.size() == 1 ? "invalid hardware config:\n"
                                            : std::to_string(errors_.size()) + " errors in hardware config:\n";
      throw ConfigError(msg + errors_.joined("  "));
    }
    cfg.sources = sources_;
    cfg.overrides = opts_.overrides;
    return cfg;
  }

  const LoadOptions& opts_;
  ErrorList errors_;
  std::map<std::string, Raw> values_;
  std::vector<std::string> sources_;
  std::vector<std::string> stack_;
  bool tech_only_ = false;  // walking a technology file: only tech.* keys
};

}  // namespace

NpuConfig load_npu_config(const std::string& name_or_path, const LoadOptions& opts) {
  return Loader(opts).run_file(name_or_path);
}

NpuConfig load_npu_config_text(const std::string& yaml, const std::string& display_name, const LoadOptions& opts) {
  return Loader(opts).run_text(yaml, display_name);
}

std::vector<std::string> list_presets(const std::vector<std::string>& preset_dirs) {
  std::set<std::string> names;
  add_yaml_stems(preset_dirs, names);
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<std::string> technology_dirs(const LoadOptions& opts) {
  std::vector<std::string> out;
  for (const std::string& d : opts.preset_dirs)
    out.push_back((fs::path(d) / ".." / "tech").lexically_normal().string());
  return out;
}

std::string resolved_yaml(const NpuConfig& cfg) {
  std::string out = "# npusim resolved hardware config\n# sources (base first):";
  for (const auto& s : cfg.sources) out += " " + s;
  out += "\n";
  for (const auto& o : cfg.overrides) out += "# --set " + printable(o) + "\n";  // one line, whatever o holds
  walk_param_tree({
                      .enter = [&](const std::string& segment,
                                   size_t depth) { out += std::string(2 * depth, ' ') + segment + ":\n"; },
                      .leave = [] {},
                      .leaf =
                          [&](const ParamSpec& spec, const std::string& segment, size_t depth) {
                            std::string value = format_param(spec, spec.get(cfg));
                            if (spec.unit == Unit::kText) {
                              YAML::Emitter e;
                              e << YAML::DoubleQuoted << value;
                              value = e.c_str();
                            }
                            out += std::string(2 * depth, ' ') + segment + ": " + value + "\n";
                          },
                  },
                  [&](const ParamSpec& spec) { return param_shown(cfg, spec); });
  return out;
}

std::string explain_params() {
  // Columns: key, kind, default, valid range, doc.
  std::vector<std::array<std::string, 5>> rows;
  rows.push_back({"key", "kind", "default", "valid", "meaning"});
  for (const ParamSpec& p : param_table()) {
    std::string kind(unit_kind_name(p.unit));
    if (!base_unit_name(p.unit).empty()) kind += " (" + std::string(base_unit_name(p.unit)) + ")";
    rows.push_back({p.key, kind, p.default_text ? (p.default_text->empty() ? "\"\"" : *p.default_text) : "required",
                    format_range(p), p.doc});
  }
  std::array<size_t, 4> width{};
  for (const auto& r : rows)
    for (size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < 4; ++i) out += r[i] + std::string(width[i] - r[i].size() + 2, ' ');
    out += r[4] + "\n";
  }
  out +=
      "\nUnits: frequency Hz/kHz/MHz/GHz; size B/KiB/MiB/GiB (kB/MB/GB are rejected as ambiguous);\n"
      "bandwidth B/s, kB/s, MB/s, GB/s (powers of 10) or KiB/s, MiB/s, GiB/s; time ps/ns/us/ms/s;\n"
      "energy fJ/pJ/nJ/uJ/mJ/J; energy per data pJ/B or pJ/bit; power uW/mW/W/kW.\n"
      "A file may start from another with `base: <preset or path>`; `--set key=value` overrides last.\n";
  return out;
}

}  // namespace npusim::arch
