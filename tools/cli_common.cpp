#include "cli_common.h"

#include <algorithm>
#include <cstdlib>

#include "arch/config_loader.h"
#include "npusim/error.h"
#include "npusim/text.h"
#include "workloads/model_registry.h"
#include "workloads/workload.h"

#ifndef NPUSIM_SOURCE_DIR
#error "NPUSIM_SOURCE_DIR must be defined by the build"
#endif

namespace npusim::tools {

Flags parse_flags(const std::vector<std::string>& args, size_t start, const std::vector<FlagSpec>& specs,
                  const std::string& command) {
  Flags flags;
  std::vector<std::string> names;
  for (const auto& s : specs) names.push_back(s.name);
  for (size_t i = start; i < args.size(); ++i) {
    std::string a = args[i], value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == a) spec = &s;
    if (!spec) {
      std::string hint = did_you_mean(a, names);
      throw UserError("npusim " + command + ": unknown option '" + a + "'" +
                      (hint.empty() ? "" : "; did you mean " + hint + "?") + " (see npusim " + command + " --help)");
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) throw UserError("npusim " + command + ": " + a + " needs a value");
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      throw UserError("npusim " + command + ": " + a + " takes no value");
    }
    if (!spec->repeatable && flags.has(a)) throw UserError("npusim " + command + ": " + a + " is given twice");
    flags.values[a].push_back(value);
  }
  return flags;
}

// `text` as a whole number of at most `max_digits` digits (so it fits 64 bits), if it is one.
std::optional<uint64_t> whole_number(const std::string& text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(text);
}

// The flags that choose and size a model, read by model_options(); every command that loads
// a model takes them.
std::vector<FlagSpec> with_model_flags(std::vector<FlagSpec> specs) {
  for (FlagSpec f : std::initializer_list<FlagSpec>{{"--model", true, false},
                                                    {"--precision", true, false},
                                                    {"--dim", true, true},
                                                    {"--phase", true, false},
                                                    {"--allow-unknown-ops", false, false},
                                                    {"--max-ops", true, false},
                                                    {"--max-tensor-bytes", true, false}})
    specs.push_back(f);
  return specs;
}

std::string config_root() {
  const char* env = std::getenv("NPUSIM_CONFIG_DIR");
  return env && *env ? env : NPUSIM_SOURCE_DIR "/configs";
}
std::vector<std::string> hw_dirs() { return {config_root() + "/hw"}; }
std::vector<std::string> model_dirs() { return {config_root() + "/models"}; }

std::optional<workloads::PrecisionSpec> precision_flag(const Flags& f) {
  if (!f.has("--precision")) return std::nullopt;
  return workloads::parse_precision_spec(f.get("--precision"), "--precision " + f.get("--precision"));
}

// --model, --precision and every --dim NAME=VALUE of a command.
workloads::ModelOptions model_options(const Flags& f) {
  workloads::ModelOptions opts;
  opts.precision = precision_flag(f);
  opts.model_dirs = model_dirs();
  if (f.has("--phase")) {
    opts.phase = f.get("--phase");
    if (opts.phase != "prefill" && opts.phase != "decode")
      throw UserError("--phase " + opts.phase + ": expected prefill or decode (LLMs only)");
  }
  opts.allow_unknown_ops = f.has("--allow-unknown-ops");
  auto limit = [&](const std::string& flag, uint64_t& slot) {
    if (!f.has(flag)) return;
    auto v = whole_number(f.get(flag), 19);
    if (!v || *v == 0) throw UserError(flag + " " + f.get(flag) + ": expected a whole number >= 1");
    slot = *v;
  };
  limit("--max-ops", opts.limits.max_ops);
  limit("--max-tensor-bytes", opts.limits.max_tensor_bytes);
  for (const std::string& d : f.all("--dim")) {
    auto eq = d.find('=');
    std::string name = d.substr(0, eq);
    if (name == "cfg" && eq != std::string::npos) {  // the one word-valued dim: guidance branches
      if (!opts.cfg.empty()) throw UserError("--dim cfg is given twice");
      opts.cfg = d.substr(eq + 1);
      if (opts.cfg != "batched" && opts.cfg != "sequential")
        throw UserError("--dim " + d +
                        ": expected cfg=batched (both guidance branches as one run at twice the batch) or "
                        "cfg=sequential (two runs at the batch)");
      continue;
    }
    auto value = eq == std::string::npos ? std::nullopt : whole_number(d.substr(eq + 1), 12);
    if (name.empty() || !value)
      throw UserError("--dim " + d + ": expected NAME=VALUE with a positive whole number, e.g. --dim resolution=768");
    if (opts.dims.count(name)) throw UserError("--dim " + name + " is given twice");
    opts.dims[name] = *value;
  }
  return opts;
}

arch::NpuConfig load_hw(const Flags& f, const std::string& command, const std::vector<std::string>& extra,
                        const std::string& hw_name) {
  if (!f.has("--hw")) throw UserError("npusim " + command + ": --hw is required (a preset name or a YAML file)");
  arch::LoadOptions opts;
  opts.overrides = f.all("--set");
  // One value per key, as for --dim: a repeated key used to take the last value silently.
  for (size_t i = 0; i < opts.overrides.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const std::string ki = opts.overrides[i].substr(0, opts.overrides[i].find('='));
      if (ki == opts.overrides[j].substr(0, opts.overrides[j].find('=')))
        throw UserError("--set " + ki + " is given twice; give each key once");
    }
  opts.overrides.insert(opts.overrides.end(), extra.begin(), extra.end());
  opts.preset_dirs = hw_dirs();
  arch::NpuConfig hw = arch::load_npu_config(hw_name.empty() ? f.get("--hw") : hw_name, opts);
  check_calibrated_on(hw);
  return hw;
}

void check_calibrated_on(const arch::NpuConfig& hw) {
  if (hw.calibrated_on.empty()) return;
  static const std::vector<std::string> kRoles = {"text_encoder", "denoiser", "decoder", "prefill", "decode"};
  const std::vector<std::string> models = workloads::list_models(model_dirs());
  for (std::string item : comma_list(hw.calibrated_on)) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    // A pipeline role, a model, or a corpus label "<model> <precision>".
    const std::string model = item.substr(0, item.find(' '));
    if (std::find(kRoles.begin(), kRoles.end(), item) != kRoles.end() ||
        std::find(models.begin(), models.end(), model) != models.end())
      continue;
    std::vector<std::string> known = kRoles;
    known.insert(known.end(), models.begin(), models.end());
    const std::string hint = did_you_mean(model, known);
    throw UserError("hardware " + hw.name + ": calibrated_on = \"" + hw.calibrated_on + "\": '" + item +
                    "' is neither a network role (text_encoder, denoiser, decoder, prefill, decode) nor a model "
                    "(see npusim models)" +
                    (hint.empty() ? "" : "; did you mean " + hint + "?"));
  }
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

std::map<std::string, workloads::Workload> load_sweep_workloads(const sim::SweepSpec& spec) {
  std::map<std::string, workloads::Workload> workloads;
  workloads::ModelOptions mo;
  mo.model_dirs = model_dirs();
  mo.dims = spec.dims;
  if (!spec.precision.empty())
    mo.precision = workloads::parse_precision_spec(spec.precision, spec.file + ": precision: " + spec.precision);
  for (const auto& m : spec.models) workloads.emplace(m, workloads::load_workload(m, mo));
  return workloads;
}

}  // namespace npusim::tools
