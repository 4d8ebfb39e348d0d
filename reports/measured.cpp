#include "measured.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "npusim/error.h"
#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"

namespace npusim::reports {

namespace {

constexpr uint64_t kMaxMeasuredFileBytes = 16ull << 20;

constexpr const char* kPerfLayout =
    "precisions -> PRECISION -> components -> COMPONENT -> performance_metrics -> DEVICE -> RUNTIME -> "
    "inference_time_milliseconds";

std::string at(const std::string& path, const YAML::Mark& m) {
  return m.line >= 0 ? path + ":" + std::to_string(m.line + 1) + ": " : path + ": ";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The keys of a mapping node, in file order.
std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  for (const auto& kv : map) keys.push_back(kv.first.as<std::string>(""));
  return keys;
}

YAML::Node require_map(const YAML::Node& parent, const std::string& key, const std::string& path,
                       const std::string& where) {
  const YAML::Node n = parent[key];
  if (!n) throw UserError(at(path, parent.Mark()) + where + ": no '" + key + "' key (expected " + kPerfLayout + ")");
  if (!n.IsMap() || n.size() == 0)
    throw UserError(at(path, n.Mark()) + where + "." + key + ": expected a non-empty mapping (" + kPerfLayout + ")");
  return n;
}

// The one key of `map` to use: `wanted` if given (it must exist), else `preferred` if present,
// else the only key. `what` and `flag` name the choice in messages.
std::string choose(const YAML::Node& map, const std::string& wanted, const std::string& preferred,
                   const std::string& path, const std::string& what, const std::string& flag) {
  const std::vector<std::string> keys = keys_of(map);
  if (!wanted.empty()) {
    if (std::find(keys.begin(), keys.end(), wanted) == keys.end())
      throw UserError(at(path, map.Mark()) + "no " + what + " '" + wanted + "' (the file has: " + join(keys) + ")");
    return wanted;
  }
  if (!preferred.empty() && std::find(keys.begin(), keys.end(), preferred) != keys.end()) return preferred;
  if (keys.size() == 1) return keys[0];
  throw UserError(at(path, map.Mark()) + "several " + what + "s (" + join(keys) + "): choose one with " + flag);
}

// The longest measured time accepted (11.6 days), per component or layer.
constexpr double kMaxMeasuredMs = 1e9;

bool parse_number(std::string_view s, double& out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

// One CSV line split into fields; RFC 4180 quotes ("a,b" and "" inside quotes).
std::vector<std::string> csv_fields(std::string_view line, const std::string& where) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted) throw UserError(where + "unterminated quote");
  return fields;
}

std::string_view strip_bom(std::string_view text) { return text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text; }

}  // namespace

std::string_view measured_format_name(MeasuredFormat f) {
  return f == MeasuredFormat::kAihubPerf ? "AI Hub perf.yaml" : "layer CSV";
}

std::string read_measured_file(const std::string& path) {
  return read_text_file(path, "a measurement file (perf.yaml or layer CSV)", kMaxMeasuredFileBytes,
                        "measurement files");
}

MeasuredFormat detect_measured_format(const std::string& path, const std::string& text) {
  std::string_view t = strip_bom(text);
  if (t.starts_with("layer,") || t.starts_with("\"layer\",")) return MeasuredFormat::kLayerCsv;
  const std::string expected =
      ": unknown measurement format: expected an AI Hub perf.yaml (a top-level 'precisions' mapping: " +
      std::string(kPerfLayout) + ") or a layer CSV whose first line is 'layer,time_us'";
  if (t.find('\0') != std::string_view::npos) throw UserError(path + expected + " (the file is binary)");
  // Broken YAML that names the perf.yaml layout goes to its reader, which reports the line.
  if (t.find("precisions:") != std::string_view::npos) return MeasuredFormat::kAihubPerf;
  if (auto r = yaml_refusal(t, kMeasuredYaml))
    throw UserError(path + expected + " (as YAML: line " + std::to_string(r->mark.line + 1) + ": " + r->rule + ")");
  YAML::Node root = YAML::Load(std::string(t));
  if (!root.IsMap() || !root["precisions"]) throw UserError(path + expected);
  return MeasuredFormat::kAihubPerf;
}

AihubPerf read_aihub_perf(const std::string& path, const std::string& text, const AihubSelection& want) {
  YAML::Node root = load_yaml(strip_bom(text), path, kMeasuredYaml);
  if (!root.IsMap()) throw UserError(path + ": not an AI Hub perf.yaml: expected a mapping with " + kPerfLayout);
  AihubPerf out;
  out.path = path;
  const YAML::Node precisions = require_map(root, "precisions", path, "top level");
  out.precision = choose(precisions, want.precision, "", path, "precision", "--precision");
  const YAML::Node precision = precisions[out.precision];
  if (!precision.IsMap())
    throw UserError(at(path, precision.Mark()) + "precisions." + out.precision + ": expected a mapping");
  const YAML::Node components = require_map(precision, "components", path, "precisions." + out.precision);

  for (const auto& kv : components) {
    const std::string name = kv.first.as<std::string>("");
    const std::string where = "component " + name;
    if (!kv.second.IsMap()) throw UserError(at(path, kv.second.Mark()) + where + ": expected a mapping");
    const YAML::Node devices = require_map(kv.second, "performance_metrics", path, where);
    // The device and runtime are chosen on the first component and must exist on the others.
    const std::string device =
        choose(devices, out.device.empty() ? want.device : out.device, "", path, "device", "--device \"NAME\"");
    out.device = device;
    const YAML::Node runtimes = devices[device];
    if (!runtimes.IsMap() || runtimes.size() == 0)
      throw UserError(at(path, runtimes.Mark()) + where + ", device " + device + ": expected a mapping of runtimes");
    const std::string runtime =
        choose(runtimes, out.runtime.empty() ? want.runtime : out.runtime, "qnn", path, "runtime", "--runtime");
    out.runtime = runtime;
    const YAML::Node m = runtimes[runtime];
    const std::string here = where + ", " + device + ", " + runtime;
    if (!m.IsMap()) throw UserError(at(path, m.Mark()) + here + ": expected a mapping of metrics");
    if (const YAML::Node status = m["job_status"]; status && status.IsScalar() && status.Scalar() != "Passed")
      throw UserError(at(path, status.Mark()) + here + ": job_status is " + status.Scalar() +
                      ", so there is no measurement to compare with");
    const YAML::Node t = m["inference_time_milliseconds"];
    if (!t) throw UserError(at(path, m.Mark()) + here + ": no inference_time_milliseconds");
    double ms = 0;
    // Bounded so sums and ratios stay finite: 1e308 ms printed "inf s" and "-nan %".
    if (!t.IsScalar() || !parse_number(t.Scalar(), ms) || ms <= 0 || ms > kMaxMeasuredMs)
      throw UserError(at(path, t.Mark()) + here +
                      ": inference_time_milliseconds must be a positive number of at most 1e9 ms (11.6 days), not '" +
                      (t.IsScalar() ? printable(t.Scalar().substr(0, 40)) : std::string("a collection")) + "'");
    out.components.push_back({name, ms, t.Mark().line + 1});
  }
  return out;
}

std::vector<MeasuredTime> read_layer_csv(const std::string& path, const std::string& text) {
  std::vector<MeasuredTime> rows;
  std::map<std::string, int> seen;
  std::string_view t = strip_bom(text);
  int line_no = 0;
  for (size_t start = 0; start < t.size();) {
    size_t end = t.find('\n', start);
    if (end == std::string_view::npos) end = t.size();
    std::string_view line = t.substr(start, end - start);
    start = end + 1;
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::vector<std::string> f = csv_fields(line, where);
    if (line_no == 1) {
      if (f.size() != 2 || f[0] != "layer" || f[1] != "time_us")
        throw UserError(where + "expected the header 'layer,time_us'");
      continue;
    }
    if (f.size() != 2) throw UserError(where + "expected 2 fields (layer,time_us), found " + std::to_string(f.size()));
    double us = 0;
    if (f[0].empty()) throw UserError(where + "empty layer name");
    if (!parse_number(f[1], us) || us < 0 || us > kMaxMeasuredMs * 1e3)
      throw UserError(where + "time_us must be a number in 0 .. 1e12 (11.6 days), not '" +
                      printable(f[1].substr(0, 40)) + "'");
    if (auto [it, fresh] = seen.emplace(f[0], line_no); !fresh)
      throw UserError(where + "layer '" + f[0] + "' is listed twice (first on line " + std::to_string(it->second) +
                      ")");
    rows.push_back({f[0], us * 1e-3, line_no});
  }
  if (line_no == 0) throw UserError(path + ": empty file; expected the header 'layer,time_us'");
  if (rows.empty()) throw UserError(path + ": no layers after the header 'layer,time_us'");
  return rows;
}

}  // namespace npusim::reports
