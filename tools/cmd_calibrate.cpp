// npusim calibrate, and crosscheck --corpus: flags only; the fitting and the tables are in
// reports/calibrate.h.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>

#include "arch/config_loader.h"
#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
#include "npusim/file_io.h"
#include "reports/calibrate.h"
#include "reports/corpus.h"
#include "reports/measured.h"
#include "sim/simulator.h"
#include "sim/version.h"

namespace npusim::tools {

namespace {

constexpr const char* kCalibrateUsage =
    R"(usage: npusim calibrate --corpus FILE --hw PRESET --fit KEY[+[FACTOR*]KEY][,KEY...] [options]

Fits the named numeric hardware keys jointly on the corpus's `fit` entries (one chip: the
protocol refuses others), minimising the sum of squared log errors with each key inside its
parameter-table range (deterministic compass search on a 0.1 % grid in log space). Prints every
network's error before and after, the fitted values with units, and each network's
leave-one-out error (the keys refitted without it, then it predicted).

  --corpus FILE        the measured corpus (configs/measured/corpus.yaml)
  --hw PRESET          the preset to start from (its values are the start point)
  --set KEY=VALUE      override a key of the preset first
  --fit KEYS           keys to fit, comma-separated; KEY+KEY shares one value between keys of
                       one unit, e.g. mac_array.frequency+vector_unit.frequency. A key after
                       the first may be FACTOR*KEY (FACTOR a positive number): tied at FACTOR x
                       the group's value, e.g. mac_array.frequency+0.5*vector_unit.frequency.
                       The preset must hold that ratio (within 0.1 %); the table shows the
                       first key's value, --out writes each key's own (count keys: no FACTOR)
  --chip CHIP          train on this chip's entries (any split) instead of the fit split
  --only NET[,NET]     train only on these entries (model name or label as printed)
  --no-loo             skip the leave-one-out refits
  --strategy S         memory strategy (default best)
  --out FILE           write a preset: base: PRESET, the fitted values, what it was calibrated on
  --name NAME          the written preset's name (default PRESET-calibrated)
  --json               print JSON
)";

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw UserError(p.string() + ": cannot be written");
}

reports::Corpus load_corpus(const std::string& path) {
  const std::string text = read_text_file(path, "a measured corpus", 16ull << 20, "corpus files");
  reports::CorpusContext ctx;
  ctx.models = workloads::list_models(model_dirs());
  ctx.load_preset = [](const std::string& preset) {
    arch::LoadOptions o;
    o.preset_dirs = hw_dirs();
    return arch::load_npu_config(preset, o);
  };
  ctx.read_file = [](const std::string& p) { return reports::read_measured_file(p); };
  return reports::read_corpus(path, text, ctx);
}

}  // namespace

int cmd_calibrate(const CommandArgs& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        {{"--corpus", true, false},
                         {"--hw", true, false},
                         {"--set", true, true},
                         {"--fit", true, false},
                         {"--chip", true, false},
                         {"--only", true, false},
                         {"--no-loo", false, false},
                         {"--strategy", true, false},
                         {"--out", true, false},
                         {"--name", true, false},
                         {"--json", false, false},
                         {"--help", false, false}},
                        "calibrate");
  if (f.has("--help")) {
    out << kCalibrateUsage;
    return kExitOk;
  }
  for (const char* flag : {"--corpus", "--hw", "--fit"})
    if (!f.has(flag)) throw UserError(std::string("npusim calibrate: ") + flag + " is required (see --help)");
  const auto t0 = std::chrono::steady_clock::now();
  const reports::Corpus corpus = load_corpus(f.get("--corpus"));
  const std::vector<reports::FitParam> params = reports::parse_fit_params(f.get("--fit"), "--fit " + f.get("--fit"));
  const arch::NpuConfig base = load_hw(f, "calibrate");
  const std::string strategy = f.has("--strategy") ? f.get("--strategy") : sim::kDefaultStrategy;
  sim::check_strategy(strategy, "--strategy " + strategy);

  std::vector<std::string> only = f.has("--only") ? comma_list(f.get("--only")) : std::vector<std::string>{};
  std::vector<bool> used(only.size(), false);
  std::vector<const reports::CorpusEntry*> training;
  for (const auto& e : corpus.entries) {
    if (f.has("--chip") ? e.chip != f.get("--chip") : e.split != reports::CorpusSplit::kFit) continue;
    if (!only.empty()) {
      bool hit = false;
      for (size_t i = 0; i < only.size(); ++i)
        if (only[i] == e.model || only[i] == e.label()) hit = used[i] = true;
      if (!hit) continue;
    }
    training.push_back(&e);
  }
  for (size_t i = 0; i < only.size(); ++i)
    if (!used[i])
      throw UserError("--only " + only[i] + ": no such entry in the training set of " + corpus.path +
                      (f.has("--chip") ? " for chip " + f.get("--chip") : std::string(" (split fit)")));
  reports::CalibrateOptions opts;
  opts.strategy = strategy;
  opts.leave_one_out = !f.has("--no-loo");
  const reports::Calibration c = reports::calibrate(training, base, base.name, params, model_dirs(), corpus.path, opts);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (f.has("--out"))
    write_file(f.get("--out"),
               reports::calibration_preset_yaml(c, f.has("--name") ? f.get("--name") : base.name + "-calibrated"));
  if (f.has("--json")) {
    out << reports::calibration_json(c);
  } else {
    out << "npusim " << version_string() << " (commit " << git_commit() << ")\n" << reports::calibration_text(c);
    if (f.has("--out")) out << "wrote " << f.get("--out") << "\n";
  }
  // The wall time goes to stderr: stdout (text or JSON) is byte-identical from run to run.
  char line[128];
  std::snprintf(line, sizeof line, "run time: %.1f s (wall clock; networks evaluated on up to min(cores, 8) threads)\n",
                seconds);
  std::cerr << line;
  return kExitOk;
}

int crosscheck_corpus_command(const Flags& f, std::ostream& out) {
  const reports::Corpus corpus = load_corpus(f.get("--corpus"));
  std::map<std::string, std::string> presets = corpus.presets;
  // --hw CHIP=PRESET (or PRESET, for the chip of that name) overrides the corpus's mapping.
  if (f.has("--hw"))
    for (const std::string& item : comma_list(f.get("--hw"))) {
      const size_t eq = item.find('=');
      const std::string chip = eq == std::string::npos ? item : item.substr(0, eq);
      const std::string preset = eq == std::string::npos ? item : item.substr(eq + 1);
      if (!presets.count(chip))
        throw UserError("--hw " + item + ": " + corpus.path + " has no chip '" + chip +
                        "' (write CHIP=PRESET; chips: snapdragon-8gen2, snapdragon-8gen3, snapdragon-8elite)");
      presets[chip] = preset;
    }
  std::map<std::string, arch::NpuConfig> hw;
  for (const auto& [chip, preset] : presets) {
    arch::LoadOptions o;
    o.preset_dirs = hw_dirs();
    o.overrides = f.all("--set");
    hw.emplace(chip, arch::load_npu_config(preset, o));
  }
  // The corpus checked precisions against its own presets; an override must support them too.
  for (const auto& e : corpus.entries)
    if (const auto mode = arch::precision_mode_from_name(e.npusim_mode());
        mode && !hw.at(e.chip).mac_array.mode(*mode).supported())
      throw UserError(corpus.path + ":" + std::to_string(e.line) + ": precision: " + e.precision + " runs as " +
                      e.npusim_precision + ", which preset " + presets.at(e.chip) + " (" + e.chip +
                      ") does not support (macs_per_pe_per_cycle = 0)");
  const std::string strategy = f.has("--strategy") ? f.get("--strategy") : sim::kDefaultStrategy;
  sim::check_strategy(strategy, "--strategy " + strategy);
  std::optional<reports::Calibration> loo;
  if (f.has("--fit")) {
    std::vector<const reports::CorpusEntry*> training;
    for (const auto& e : corpus.entries)
      if (e.split == reports::CorpusSplit::kFit) training.push_back(&e);
    if (training.empty()) throw UserError(corpus.path + ": --fit needs entries with split: fit");
    const std::string chip = training[0]->chip;
    reports::CalibrateOptions opts;
    opts.strategy = strategy;
    loo = reports::calibrate(training, hw.at(chip), presets.at(chip),
                             reports::parse_fit_params(f.get("--fit"), "--fit " + f.get("--fit")), model_dirs(),
                             corpus.path, opts);
  }
  const reports::CorpusCrosscheck c =
      reports::crosscheck_corpus(corpus, hw, presets, model_dirs(), strategy, loo ? &*loo : nullptr);
  const std::string text = reports::corpus_crosscheck_text(c);
  if (f.has("--out")) {
    const std::filesystem::path dir = f.get("--out");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UserError(dir.string() + ": cannot create directory: " + ec.message());
    write_file(dir / "crosscheck_corpus.txt", text);
    write_file(dir / "crosscheck_corpus.csv", reports::corpus_crosscheck_csv(c));
    write_file(dir / "crosscheck_corpus.json", reports::corpus_crosscheck_json(c));
  }
  if (f.has("--json"))
    out << reports::corpus_crosscheck_json(c);
  else
    out << "npusim " << version_string() << " (commit " << git_commit() << ")\n" << text;
  return kExitOk;
}

}  // namespace npusim::tools
