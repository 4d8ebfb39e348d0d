#include "corpus.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "npusim/error.h"
#include "npusim/yaml_text.h"
#include "workloads/tensor.h"

namespace npusim::reports {

namespace {

// Device name -> chip. Columns: AI Hub device, chip (the preset family predicting it).
struct DeviceRow {
  std::string_view device, chip;
};
constexpr DeviceRow kDevices[] = {
    {"Samsung Galaxy S23", "snapdragon-8gen2"},       {"Samsung Galaxy S23+", "snapdragon-8gen2"},
    {"Samsung Galaxy S23 Ultra", "snapdragon-8gen2"}, {"Samsung Galaxy S24", "snapdragon-8gen3"},
    {"Samsung Galaxy S24+", "snapdragon-8gen3"},      {"Samsung Galaxy S24 Ultra", "snapdragon-8gen3"},
    {"Snapdragon 8 Elite QRD", "snapdragon-8elite"},
};

// Keys of an entry. Columns: key, required.
struct KeyRow {
  std::string_view key;
  bool required;
};
constexpr KeyRow kEntryKeys[] = {
    {"source", true}, {"component", true}, {"precision", true}, {"device", true}, {"runtime", true},
    {"model", true},  {"dims", false},     {"metric", true},    {"split", true},  {"npusim_precision", false}};

std::string at(const std::string& path, const YAML::Mark& m) {
  return m.line >= 0 ? path + ":" + std::to_string(m.line + 1) + ": " : path + ": ";
}

bool parse_number(const std::string& s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

// The measurement `e` names in its (parsed) source file; appends an error and returns 0 when
// the path through the file does not exist.
double measured_value(const YAML::Node& root, const std::string& src, CorpusEntry& e, ErrorList& errors,
                      const std::string& where) {
  YAML::Node n;
  n.reset(root);
  const std::vector<std::pair<std::string, std::string>> path = {{"precisions", "precisions"},
                                                                 {e.precision, "precision"},
                                                                 {"components", "components"},
                                                                 {e.component, "component"},
                                                                 {"performance_metrics", "performance_metrics"},
                                                                 {e.device, "device"},
                                                                 {e.runtime, "runtime"}};
  std::string walked;
  for (const auto& [key, what] : path) {
    if (!n.IsMap() || !n[key]) {
      errors.push_back(where + what + ": " + src + " has no '" + key + "'" +
                       (walked.empty() ? "" : " under " + walked));
      return 0;
    }
    n.reset(n[key]);  // yaml-cpp: assignment would overwrite the node, reset rebinds
    walked += (walked.empty() ? "" : ".") + key;
  }
  if (const YAML::Node status = n["job_status"]; status && status.IsScalar() && status.Scalar() != "Passed") {
    errors.push_back(where + src + ":" + std::to_string(status.Mark().line + 1) + ": job_status is " + status.Scalar() +
                     ": no measurement");
    return 0;
  }
  YAML::Node v;
  switch (e.metric) {
    case CorpusMetric::kInferenceMs:
      v = n["inference_time_milliseconds"];
      break;
    case CorpusMetric::kTtftMs:
      // The range's min is one prompt chunk of 128 tokens (AI Hub's prompt processor input).
      if (n["time_to_first_token_range_milliseconds"] && n["time_to_first_token_range_milliseconds"].IsMap())
        v = n["time_to_first_token_range_milliseconds"]["min"];
      break;
    case CorpusMetric::kTokensPerS:
      v = n["tokens_per_second"];
      break;
  }
  double x = 0;
  // Bounded (1e9 ms is 11.6 days; 1e9 tokens/s) so errors and sums stay finite.
  if (!v || !v.IsScalar() || !parse_number(v.Scalar(), x) || x <= 0 || x > 1e9) {
    errors.push_back(where + "metric: " + src + " has no " + std::string(corpus_metric_name(e.metric)) +
                     " figure in (0, 1e9] under " + walked);
    return 0;
  }
  e.source_line = v.Mark().line + 1;
  return x;
}

}  // namespace

std::string_view corpus_metric_name(CorpusMetric m) {
  switch (m) {
    case CorpusMetric::kInferenceMs:
      return "inference_ms";
    case CorpusMetric::kTtftMs:
      return "ttft_ms";
    case CorpusMetric::kTokensPerS:
      return "tokens_per_s";
  }
  return "?";
}

std::string_view corpus_metric_unit(CorpusMetric m) { return m == CorpusMetric::kTokensPerS ? "tokens/s" : "ms"; }

std::string_view corpus_split_name(CorpusSplit s) { return s == CorpusSplit::kFit ? "fit" : "transfer"; }

std::string CorpusEntry::label() const {
  std::string s = model;
  s += ' ';
  s += precision;
  if (metric != CorpusMetric::kInferenceMs) {
    s += ' ';
    s += corpus_metric_name(metric);
  }
  return s;
}

std::string CorpusEntry::family() const {
  // Columns: model-name prefix, family.
  static const std::pair<std::string_view, std::string_view> kFamilies[] = {
      {"resnet", "resnet"}, {"mobilenet", "mobilenet"}, {"efficientnet", "efficientnet"}, {"convnext", "convnext"},
      {"vit", "vit"},       {"swin", "swin"},           {"whisper", "whisper"},           {"sd15", "sd15"},
      {"clip", "clip"}};
  for (const auto& [prefix, family] : kFamilies)
    if (model.starts_with(prefix)) return std::string(family);
  return metric == CorpusMetric::kInferenceMs ? model : "llm";
}

std::string chip_of_device(std::string_view device) {
  for (const auto& d : kDevices)
    if (d.device == device) return std::string(d.chip);
  return "";
}

Corpus read_corpus(const std::string& path, const std::string& text, const CorpusContext& ctx) {
  YAML::Node root = load_yaml(text, path, kCorpusYaml);
  if (!root.IsMap()) throw UserError(path + ": a corpus is a mapping with keys schema, presets and entries");
  Corpus c;
  c.path = path;
  ErrorList errors;
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>("");
    if (k != "schema" && k != "presets" && k != "entries")
      errors.push_back(at(path, kv.first.Mark()) + k + ": unknown key (expected schema, presets, entries)");
  }
  if (const YAML::Node s = root["schema"]; !s || !s.IsScalar() || s.Scalar() != "1")
    errors.push_back(at(path, s ? s.Mark() : root.Mark()) + "schema: expected 1");
  const YAML::Node presets = root["presets"];
  std::map<std::string, arch::NpuConfig> hw;  // by chip
  if (!presets || !presets.IsMap()) {
    errors.push_back(at(path, root.Mark()) + "presets: expected a mapping chip -> hardware preset");
  } else {
    for (const auto& kv : presets) {
      const std::string chip = kv.first.as<std::string>("");
      const bool known =
          std::any_of(std::begin(kDevices), std::end(kDevices), [&](const DeviceRow& d) { return d.chip == chip; });
      if (!known) {
        errors.push_back(at(path, kv.first.Mark()) + "presets." + chip + ": unknown chip");
        continue;
      }
      if (!kv.second.IsScalar()) {
        errors.push_back(at(path, kv.second.Mark()) + "presets." + chip + ": expected a preset name");
        continue;
      }
      c.presets[chip] = kv.second.Scalar();
      try {
        hw.emplace(chip, ctx.load_preset(kv.second.Scalar()));
      } catch (const std::exception& e) {
        errors.push_back(at(path, kv.second.Mark()) + "presets." + chip + ": " + e.what());
      }
    }
  }
  const YAML::Node entries = root["entries"];
  if (!entries || !entries.IsSequence() || entries.size() == 0) {
    errors.push_back(at(path, root.Mark()) + "entries: expected a non-empty list of measurements");
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::map<std::string, YAML::Node> sources;  // parsed source files by path
  std::map<std::string, int> seen;            // chip + label -> line
  for (size_t i = 0; entries && entries.IsSequence() && i < entries.size(); ++i) {
    const YAML::Node n = entries[i];
    const std::string where = at(path, n.Mark()) + "entries[" + std::to_string(i) + "].";
    if (!n.IsMap()) {
      errors.push_back(where.substr(0, where.size() - 1) + ": expected a mapping");
      continue;
    }
    bool ok = true;
    for (const auto& kv : n) {
      const std::string k = kv.first.as<std::string>("");
      if (std::none_of(std::begin(kEntryKeys), std::end(kEntryKeys), [&](const KeyRow& r) { return r.key == k; })) {
        std::string keys;
        for (const auto& r : kEntryKeys) keys += (keys.empty() ? "" : ", ") + std::string(r.key);
        errors.push_back(where + k + ": unknown key (expected " + keys + ")");
        ok = false;
      }
    }
    auto text_of = [&](std::string_view key) -> std::string {
      const YAML::Node v = n[std::string(key)];
      if (!v) return "";
      if (!v.IsScalar() || v.Scalar().empty()) {
        errors.push_back(where + std::string(key) + ": expected a non-empty text");
        ok = false;
        return "";
      }
      return v.Scalar();
    };
    for (const auto& r : kEntryKeys)
      if (r.required && !n[std::string(r.key)]) {
        errors.push_back(where + std::string(r.key) + ": missing (required)");
        ok = false;
      }
    CorpusEntry e;
    e.line = n.Mark().line + 1;
    e.source = text_of("source");
    e.component = text_of("component");
    e.precision = text_of("precision");
    e.device = text_of("device");
    e.runtime = text_of("runtime");
    e.model = text_of("model");
    const std::string metric = text_of("metric"), split = text_of("split");
    if (!ok) continue;
    e.chip = chip_of_device(e.device);
    if (e.chip.empty()) {
      std::string known;
      for (const auto& d : kDevices) known += (known.empty() ? "" : ", ") + std::string(d.device);
      errors.push_back(where + "device: unknown device '" + e.device + "' (known: " + known + ")");
      ok = false;
    } else if (!hw.count(e.chip)) {
      if (!c.presets.count(e.chip))
        errors.push_back(where + "device: " + e.device + " is a " + e.chip + ", which presets does not map");
      ok = false;
    }
    if (metric == "inference_ms")
      e.metric = CorpusMetric::kInferenceMs;
    else if (metric == "ttft_ms")
      e.metric = CorpusMetric::kTtftMs;
    else if (metric == "tokens_per_s")
      e.metric = CorpusMetric::kTokensPerS;
    else {
      errors.push_back(where + "metric: '" + metric + "': expected inference_ms, ttft_ms or tokens_per_s");
      ok = false;
    }
    if (split == "fit")
      e.split = CorpusSplit::kFit;
    else if (split == "transfer")
      e.split = CorpusSplit::kTransfer;
    else {
      errors.push_back(where + "split: '" + split + "': expected fit or transfer");
      ok = false;
    }
    if (std::find(ctx.models.begin(), ctx.models.end(), e.model) == ctx.models.end()) {
      errors.push_back(where + "model: unknown model '" + e.model + "' (see npusim models)");
      ok = false;
    }
    e.npusim_precision = e.precision == "float" ? "fp16" : e.precision;
    const auto mode = arch::precision_mode_from_name(e.npusim_precision);
    // npusim_precision: how npusim runs it when the deployment is more than the label says
    // (dtype overrides on the same base, e.g. w4a16,vocab=int8 for "w4a16 + w8a16 (few layers)").
    if (const YAML::Node p = n["npusim_precision"]; p && mode) {
      try {
        const workloads::PrecisionSpec spec =
            workloads::parse_precision_spec(p.IsScalar() ? p.Scalar() : std::string(), where + "npusim_precision");
        if (workloads::precision_name(spec.base) != e.npusim_precision) {
          errors.push_back(where + "npusim_precision: '" + spec.name() + "' must keep the base precision " +
                           e.npusim_precision + " (" + e.precision + ") and only add dtype overrides");
          ok = false;
        } else {
          e.npusim_precision = spec.name();
        }
      } catch (const workloads::InputError& err) {
        errors.push_back(err.what());
        ok = false;
      }
    }
    if (!mode) {
      errors.push_back(where + "precision: unknown precision '" + e.precision +
                       "' (expected float, w8a8, w8a16, w4a16)");
      ok = false;
    } else if (hw.count(e.chip) && !hw.at(e.chip).mac_array.mode(*mode).supported()) {
      errors.push_back(where + "precision: " + e.precision + " runs as " + e.npusim_precision + ", which preset " +
                       c.presets.at(e.chip) + " (" + e.chip + ") does not support (macs_per_pe_per_cycle = 0)");
      ok = false;
    }
    if (const YAML::Node d = n["dims"]; d) {
      if (!d.IsMap()) {
        errors.push_back(where + "dims: expected a mapping NAME: VALUE");
        ok = false;
      } else {
        for (const auto& kv : d) {
          const std::string name = kv.first.as<std::string>("");
          double v = 0;
          if (!kv.second.IsScalar() || !parse_number(kv.second.Scalar(), v) || v < 1 || v > 1e9 || v != std::floor(v)) {
            errors.push_back(where + "dims." + name + ": expected a whole number from 1 to 1e9");
            ok = false;
          } else {
            e.dims[name] = static_cast<uint64_t>(v);
          }
        }
      }
    }
    if (!ok) continue;
    const std::string key = e.chip + " " + e.device + " " + e.label() + " " + e.component;
    if (auto [it, fresh] = seen.emplace(key, e.line); !fresh) {
      errors.push_back(where + "component: " + e.component + " on " + e.device + " (" + e.label() +
                       ") is listed twice (first on line " + std::to_string(it->second) + ")");
      continue;
    }
    const std::string src = (dir / e.source).string();
    auto it = sources.find(src);
    if (it == sources.end()) {
      YAML::Node parsed;
      try {
        parsed = load_yaml(ctx.read_file(src), src, kMeasuredYaml);
      } catch (const std::exception& ex) {
        errors.push_back(where + "source: " + ex.what());
        sources.emplace(src, YAML::Node());
        continue;
      }
      it = sources.emplace(src, parsed).first;
    }
    if (!it->second) continue;  // already reported
    e.measured = measured_value(it->second, src, e, errors, where);
    if (e.measured > 0) c.entries.push_back(std::move(e));
  }
  if (!errors.empty()) {
    throw UserError(errors.joined());
  }
  return c;
}

}  // namespace npusim::reports
