#pragma once
// Model config files: a diffusers or transformers config.json (JSON is YAML), or the same keys
// written as YAML, read with yaml-cpp. Internal to npusim_workloads, which links yaml-cpp
// privately: include it from the library's .cpp files only.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor.h"

namespace npusim::workloads {

// One mapping of a config file. Getters check the type and range of a key and throw InputError
// as "<file>:<line>: <key> = <value>: <rule>" (line 1-based). An absent key takes the fallback
// when one is given and is an error otherwise; null is a value, accepted only where a getter
// says so.
class ConfigMap {
 public:
  ConfigMap(std::string file, YAML::Node map);

  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;      // present, even if null
  bool is_null(const std::string& key) const;  // absent or null

  uint64_t positive_int(const std::string& key, std::optional<uint64_t> fallback = std::nullopt) const;
  uint64_t positive_int_at_most(const std::string& key, uint64_t max) const;  // 1 .. max
  uint64_t nonnegative_int(const std::string& key, std::optional<uint64_t> fallback = std::nullopt) const;
  std::optional<uint64_t> positive_int_or_null(const std::string& key) const;  // absent or null: nullopt
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt) const;
  double number(const std::string& key, std::optional<double> fallback = std::nullopt) const;
  std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt) const;
  std::vector<uint64_t> positive_int_list(const std::string& key,
                                          std::optional<std::vector<uint64_t>> fallback = std::nullopt) const;
  std::vector<std::string> string_list(const std::string& key,
                                       std::optional<std::vector<std::string>> fallback = std::nullopt) const;
  // diffusers' "int or tuple" arguments: a value repeated n times, or a list of exactly n.
  std::vector<uint64_t> positive_int_or_list(const std::string& key, size_t n,
                                             std::optional<uint64_t> fallback = std::nullopt) const;
  std::vector<bool> boolean_or_list(const std::string& key, size_t n,
                                    std::optional<bool> fallback = std::nullopt) const;
  // A nested mapping (e.g. CLIPConfig's text_config).
  ConfigMap map(const std::string& key) const;

  // Checks that structure-relevant keys hold the one value npusim models.
  void require_null(const std::string& key, const std::string& rule) const;   // absent or null
  void require_false(const std::string& key, const std::string& rule) const;  // absent, null or false
  void require_one_of(const std::string& key, const std::vector<std::string_view>& allowed,
                      std::optional<std::string> fallback = std::nullopt) const;
  void require_number(const std::string& key, double value, double fallback) const;
  // Every key must be one the model reads or accepts as cosmetic; duplicate keys are errors.
  // `what` names the model class in the message.
  void check_known_keys(const std::vector<std::string_view>& known, std::string_view what) const;

  // Throws InputError at the key's value (or at this mapping when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& rule) const;

 private:
  YAML::Node get(const std::string& key) const;
  [[noreturn]] void fail_at(const YAML::Node& node, const std::string& key, const std::string& rule) const;

  std::string file_;
  YAML::Node map_;
};

// Model config files are a few KiB (a pipeline, a config.json); anything far larger is not one.
inline constexpr uint64_t kMaxModelConfigBytes = 16u << 20;

// Loads a config file whose top level is a mapping (at most kMaxModelConfigBytes). A missing file, a directory,
// malformed YAML or JSON and a non-mapping top level are InputErrors naming the file (and line when known).
ConfigMap load_config_file(const std::string& path);

}  // namespace npusim::workloads
