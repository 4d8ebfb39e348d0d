#include "diffusers_config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "npusim/file_io.h"
#include "npusim/text.h"
#include "npusim/yaml_text.h"

namespace npusim::workloads {

namespace {

// yaml-cpp tags quoted scalars "!" and plain ones "?": a quoted "64" is a string, not a number.
bool is_quoted(const YAML::Node& n) { return n.Tag() == "!"; }

std::string render(const YAML::Node& n) {
  if (n.IsNull()) return "null";
  if (n.IsScalar()) return is_quoted(n) ? "\"" + excerpt(n.Scalar()) + "\"" : excerpt(n.Scalar());
  std::string s = yaml_flow_text(n);
  constexpr size_t kMaxChars = 60;
  return s.size() > kMaxChars ? s.substr(0, kMaxChars) + "..." : s;
}

std::optional<uint64_t> parse_uint(const YAML::Node& n) {
  if (!n.IsScalar() || is_quoted(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_number(const YAML::Node& n) {
  if (!n.IsScalar() || is_quoted(n) || n.Scalar().empty()) return std::nullopt;
  const char* begin = n.Scalar().c_str();
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end != begin + n.Scalar().size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string join(const std::vector<std::string_view>& xs) {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + std::string(xs[i]);
  return s;
}

}  // namespace

ConfigMap::ConfigMap(std::string file, YAML::Node map) : file_(std::move(file)), map_(std::move(map)) {
  NPUSIM_ASSERT(map_.IsMap(), "ConfigMap wraps a YAML mapping");
}

YAML::Node ConfigMap::get(const std::string& key) const {
  const YAML::Node& m = map_;  // const lookup: an absent key must not be inserted
  YAML::Node n = m[key];
  // An absent key yields yaml-cpp's "zombie" node, whose type queries throw InvalidNode (a
  // pipeline without `resolution` ended in std::terminate): hand out a plain undefined node.
  return n.IsDefined() ? n : YAML::Node(YAML::NodeType::Undefined);
}

bool ConfigMap::has(const std::string& key) const { return get(key).IsDefined(); }

bool ConfigMap::is_null(const std::string& key) const {
  YAML::Node n = get(key);
  return !n.IsDefined() || n.IsNull();
}

void ConfigMap::fail_at(const YAML::Node& node, const std::string& key, const std::string& rule) const {
  const YAML::Node& where = node.IsDefined() ? node : map_;
  std::string loc = file_;
  YAML::Mark mark = where.Mark();
  if (!mark.is_null() && mark.line >= 0) loc += ":" + std::to_string(mark.line + 1);
  std::string what = node.IsDefined() ? key + " = " + render(node) : key + " (missing)";
  throw InputError(loc + ": " + what + ": " + rule);
}

void ConfigMap::fail(const std::string& key, const std::string& rule) const { fail_at(get(key), key, rule); }

uint64_t ConfigMap::positive_int(const std::string& key, std::optional<uint64_t> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  auto v = parse_uint(n);
  if (!v || *v == 0) fail_at(n, key, "expected a positive integer");
  return *v;
}

uint64_t ConfigMap::positive_int_at_most(const std::string& key, uint64_t max) const {
  YAML::Node n = get(key);
  auto v = parse_uint(n);
  if (!v || *v == 0 || *v > max) fail_at(n, key, "expected an integer in 1 .. " + std::to_string(max));
  return *v;
}

uint64_t ConfigMap::nonnegative_int(const std::string& key, std::optional<uint64_t> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  auto v = parse_uint(n);
  if (!v) fail_at(n, key, "expected a non-negative integer");
  return *v;
}

std::optional<uint64_t> ConfigMap::positive_int_or_null(const std::string& key) const {
  if (is_null(key)) return std::nullopt;
  return positive_int(key);
}

bool ConfigMap::boolean(const std::string& key, std::optional<bool> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  bool v = false;
  if (!n.IsScalar() || is_quoted(n) || !YAML::convert<bool>::decode(n, v)) fail_at(n, key, "expected true or false");
  return v;
}

double ConfigMap::number(const std::string& key, std::optional<double> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  auto v = parse_number(n);
  if (!v) fail_at(n, key, "expected a finite number");
  return *v;
}

std::string ConfigMap::string(const std::string& key, std::optional<std::string> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  if (!n.IsScalar()) fail_at(n, key, "expected a string");
  return n.Scalar();
}

std::vector<uint64_t> ConfigMap::positive_int_list(const std::string& key,
                                                   std::optional<std::vector<uint64_t>> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  if (!n.IsSequence() || n.size() == 0) fail_at(n, key, "expected a non-empty list of positive integers");
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n.size(); ++i) {
    auto v = parse_uint(n[i]);
    if (!v || *v == 0) fail_at(n[i], key + "[" + std::to_string(i) + "]", "expected a positive integer");
    out.push_back(*v);
  }
  return out;
}

std::vector<std::string> ConfigMap::string_list(const std::string& key,
                                                std::optional<std::vector<std::string>> fallback) const {
  YAML::Node n = get(key);
  if (!n.IsDefined() && fallback) return *fallback;
  if (!n.IsSequence() || n.size() == 0) fail_at(n, key, "expected a non-empty list of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) fail_at(n[i], key + "[" + std::to_string(i) + "]", "expected a string");
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::vector<uint64_t> ConfigMap::positive_int_or_list(const std::string& key, size_t n,
                                                      std::optional<uint64_t> fallback) const {
  YAML::Node node = get(key);
  if (!node.IsDefined() && fallback) return std::vector<uint64_t>(n, *fallback);
  if (node.IsSequence()) {
    std::vector<uint64_t> v = positive_int_list(key);
    if (v.size() != n) fail_at(node, key, "expected " + std::to_string(n) + " values, got " + std::to_string(v.size()));
    return v;
  }
  auto v = parse_uint(node);
  if (!v || *v == 0) fail_at(node, key, "expected a positive integer or a list of " + std::to_string(n));
  return std::vector<uint64_t>(n, *v);
}

std::vector<bool> ConfigMap::boolean_or_list(const std::string& key, size_t n, std::optional<bool> fallback) const {
  YAML::Node node = get(key);
  if (!node.IsDefined() && fallback) return std::vector<bool>(n, *fallback);
  if (!node.IsSequence()) return std::vector<bool>(n, boolean(key));
  if (node.size() != n) fail_at(node, key, "expected true, false or a list of " + std::to_string(n) + " of them");
  std::vector<bool> out;
  for (size_t i = 0; i < n; ++i) {
    bool v = false;
    if (!node[i].IsScalar() || is_quoted(node[i]) || !YAML::convert<bool>::decode(node[i], v))
      fail_at(node[i], key + "[" + std::to_string(i) + "]", "expected true or false");
    out.push_back(v);
  }
  return out;
}

ConfigMap ConfigMap::map(const std::string& key) const {
  YAML::Node n = get(key);
  if (!n.IsMap()) fail_at(n, key, "expected a mapping of config keys");
  return ConfigMap(file_, n);
}

void ConfigMap::require_null(const std::string& key, const std::string& rule) const {
  if (!is_null(key)) fail(key, rule);
}

void ConfigMap::require_false(const std::string& key, const std::string& rule) const {
  if (!is_null(key) && boolean(key)) fail(key, rule);
}

void ConfigMap::require_one_of(const std::string& key, const std::vector<std::string_view>& allowed,
                               std::optional<std::string> fallback) const {
  YAML::Node n = get(key);
  std::optional<std::string> v = !n.IsDefined() ? fallback : n.IsScalar() ? std::optional(n.Scalar()) : std::nullopt;
  for (std::string_view a : allowed)
    if (v == a) return;
  fail_at(n, key, allowed.size() == 1 ? "only " + join(allowed) + " is supported" : "expected one of " + join(allowed));
}

void ConfigMap::require_number(const std::string& key, double value, double fallback) const {
  if (number(key, fallback) != value) fail(key, "only " + render(YAML::Node(value)) + " is supported");
}

void ConfigMap::check_known_keys(const std::vector<std::string_view>& known, std::string_view what) const {
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : map_) {
    const YAML::Node k = kv.first;
    const YAML::Node v = kv.second;
    if (!k.IsScalar()) fail_at(k, render(k), "config keys must be strings");
    const std::string& name = k.Scalar();
    if (!seen.insert(name).second) fail_at(v, name, "key given twice");
    bool ok = false;
    for (std::string_view kn : known) ok = ok || kn == name;
    if (ok) continue;
    std::string hint = did_you_mean(name, std::vector<std::string>(known.begin(), known.end()));
    fail_at(v, name,
            "unknown " + std::string(what) + " key" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                ": npusim cannot tell whether it changes the network");
  }
}

ConfigMap load_config_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) throw InputError(path + ": cannot read model config: no such file");
  if (fs::is_directory(st)) throw InputError(path + ": is a directory, expected a model config file");
  const std::string text = read_text_file<InputError>(path, "a model config file", kMaxModelConfigBytes,
                                                      "a model config (config.json or YAML)");
  YAML::Node root = load_yaml<InputError>(text, path, kModelConfigYaml);
  if (!root.IsMap()) throw InputError(path + ":1: expected a mapping of config keys at the top level");
  return ConfigMap(path, root);
}

}  // namespace npusim::workloads
