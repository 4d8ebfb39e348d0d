// npusim crosscheck: npusim's prediction against measurements from real hardware.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include "arch/config_schema.h"
#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
#include "reports/calibrate.h"
#include "reports/crosscheck.h"
#include "reports/measured.h"
#include "sim/simulator.h"
#include "sim/version.h"
#include "workloads/workload.h"

namespace npusim::tools {

namespace {

constexpr const char* kCrosscheckUsage =
    R"(usage: npusim crosscheck --hw HW --measured FILE [--device NAME] [--precision P] [options]
       npusim crosscheck --corpus FILE [--hw CHIP=PRESET[,...]] [--fit KEYS] [--json] [--out DIR]

Sets npusim's predicted latencies against measured ones and prints predicted, measured and
relative error per component (or layer), and for a diffusion pipeline the seconds per image
both ways. FILE is either
  - a Qualcomm AI Hub perf.yaml (precisions -> components -> performance_metrics -> device ->
    runtime -> inference_time_milliseconds); components map to networks by name: TextEncoder*
    -> text encoder, Unet* -> denoiser, VaeDecoder* -> decoder; or
  - a per-layer CSV with the header `layer,time_us`, matched to the op names of --model (one
    network), exactly or after ONNX-style normalisation (/a/b/Conv -> a.b).

  --hw HW, --set KEY=VALUE, --dim NAME=VALUE, --strategy S   as for run
  --measured FILE    the measurements
  --model MODEL      what was measured (default for a perf.yaml: sd15; required for a CSV)
  --precision P      a perf.yaml: which of its precisions (and npusim's precision); default:
                     the file's only precision. A CSV: npusim's precision (default w8a8)
  --device NAME      a perf.yaml: which device (default: the file's only device)
  --runtime R        a perf.yaml: which runtime (default: qnn, else the only one)
  --fit KEY[,KEY]    calibrate: fit these numeric keys (one common value, 4 significant digits)
                     so that the preset's calibrated_on network (or --fit-on ROLE) matches its
                     measurement (npusim calibrate on one network); prints the fitted value,
                     then the table with it applied. A key after the first may be FACTOR*KEY:
                     tied at FACTOR x the first key's value (e.g. KEY,0.5*KEY)
  --fit-on ROLE      the network to fit on: text_encoder, denoiser or decoder
  --corpus FILE      a measured corpus (configs/measured/corpus.yaml): every entry predicted with
                     its chip's preset (the corpus's presets:, or --hw CHIP=PRESET), with the
                     median and worst |error| per split; with --fit KEYS the fit split is
                     predicted leave-one-out (see npusim calibrate); --out DIR writes
                     crosscheck_corpus.{txt,csv,json}
  --json             print JSON ({components: [{component, predicted_ms, measured_ms, error}]})
  --out DIR          also write DIR/crosscheck.txt, crosscheck.csv and crosscheck.json

Exit code 1 if --fit stopped at the end of a key's range (no value in it matches).
)";

// Fits the --fit keys (one common value, a FACTOR*KEY at that ratio to it) so that the chosen
// network's predicted latency meets its measurement: the one-entry case of npusim calibrate
// (reports/calibrate.h), so the search, the ranges and the rounding (4 significant digits) are
// the same. Returns the overrides to apply (each key's own value) and writes what was fitted to
// `log`.
std::vector<std::string> fit_clock(const Flags& f, const workloads::Workload& w, const reports::AihubPerf& measured,
                                   const arch::NpuConfig& hw, const std::string& strategy, std::string& log,
                                   bool& at_bound) {
  const std::string list = f.get("--fit");
  const std::vector<std::string> keys = comma_list(list);
  std::string joined;
  for (const std::string& key : keys) joined += (joined.empty() ? "" : "+") + key;
  const std::vector<reports::FitParam> params = reports::parse_fit_params(joined, "--fit " + list);
  const std::string role = f.has("--fit-on") ? f.get("--fit-on") : hw.calibrated_on;
  if (role.empty())
    throw UserError("--fit: say which network to fit on with --fit-on ROLE (the preset has no calibrated_on)");
  if (!f.has("--fit-on") && role.find(',') != std::string::npos)
    throw UserError(
        "--fit: say which network to fit on with --fit-on ROLE (the preset was calibrated on several "
        "networks; npusim calibrate refits those)");
  const workloads::Stage* stage = nullptr;
  for (const auto& s : w.stages)
    if (workloads::stage_role_name(s.role) == role) stage = &s;
  if (!stage) throw UserError("--fit-on " + role + ": the workload " + w.name + " has no such network");
  double target = 0;
  for (const auto& m : measured.components)
    if (reports::component_role(m.name) == stage->role) target = m.ms;
  if (target <= 0) throw UserError("--fit-on " + role + ": the measurement file has no component for it");
  reports::CorpusEntry e;
  e.model = role;
  e.precision = measured.precision;
  e.device = measured.device;
  e.measured = target;
  const std::vector<workloads::LoadedModel> models = {stage->model};
  reports::CalibrateOptions opts;
  opts.strategy = strategy;
  opts.leave_one_out = false;
  opts.models = &models;
  const reports::Calibration c = reports::calibrate({&e}, hw, hw.name, params, model_dirs(), measured.path, opts);
  arch::ParamValue v;
  v.number = c.after[0];
  const std::string value = arch::format_param(*params[0].specs[0], v);
  const double got = c.rows[0].after.value;
  char line[256];
  std::snprintf(line, sizeof line, "%s = %s: %s %.3f ms vs measured %.3f ms (%+.2f %%)", list.c_str(), value.c_str(),
                role.c_str(), got, target, (got - target) / target * 100);
  log = line;
  // A value one grid step (0.1 %) from the end of its range stopped there, not at a match:
  // the fit failed, and says so (it used to report success at the 1 MHz bound).
  at_bound = false;
  std::vector<std::string> o;
  for (size_t k = 0; k < params[0].specs.size(); ++k) {
    const arch::ParamSpec* spec = params[0].specs[k];
    arch::ParamValue kv;
    kv.number = params[0].written_value(k, v.number);  // a tied key: its own value, rounded on its own
    o.push_back(spec->key + "=" + arch::format_param(*spec, kv));
    const arch::Range& r = spec->range;
    if (r.hi > r.lo && (kv.number * 1.001 > r.hi || kv.number / 1.001 < r.lo)) {
      at_bound = true;
      log += "\nthe fit stopped at the end of " + spec->key + "'s range (" + arch::format_range(*spec) +
             "): no value in it matches the measurement; check the model, precision and preset";
    }
  }
  return o;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw UserError(p.string() + ": cannot be written");
}

}  // namespace

int cmd_crosscheck(const CommandArgs& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        with_model_flags({{"--hw", true, false},
                                          {"--set", true, true},
                                          {"--measured", true, false},
                                          {"--corpus", true, false},
                                          {"--device", true, false},
                                          {"--runtime", true, false},
                                          {"--fit", true, false},
                                          {"--fit-on", true, false},
                                          {"--strategy", true, false},
                                          {"--json", false, false},
                                          {"--out", true, false},
                                          {"--help", false, false}}),
                        "crosscheck");
  if (f.has("--help")) {
    out << kCrosscheckUsage;
    return kExitOk;
  }
  if (f.has("--corpus")) {
    for (const char* flag : {"--measured", "--device", "--runtime", "--fit-on", "--model", "--precision", "--dim"})
      if (f.has(flag))
        throw UserError(std::string("npusim crosscheck: ") + flag +
                        " does not apply with --corpus (the corpus names each measurement)");
    return crosscheck_corpus_command(f, out);
  }
  if (f.has("--fit-on") && !f.has("--fit"))
    throw UserError("npusim crosscheck: --fit-on " + f.get("--fit-on") +
                    " needs --fit KEYS (it names the network the keys are fitted on)");
  if (!f.has("--measured"))
    throw UserError("npusim crosscheck: --measured FILE is required (an AI Hub perf.yaml or a layer,time_us CSV)");
  const std::string path = f.get("--measured");
  const std::string text = reports::read_measured_file(path);
  const reports::MeasuredFormat format = reports::detect_measured_format(path, text);
  const arch::NpuConfig hw = load_hw(f, "crosscheck");
  const std::string strategy = f.has("--strategy") ? f.get("--strategy") : sim::kDefaultStrategy;
  sim::check_strategy(strategy, "--strategy " + strategy);
  sim::Simulator simulator(hw);

  reports::Crosscheck c;
  std::string fit_log;
  bool fit_at_bound = false;
  if (format == reports::MeasuredFormat::kAihubPerf) {
    if (f.has("--runtime") && f.get("--runtime").empty()) throw UserError("--runtime: expected a runtime name");
    reports::AihubSelection want{f.get("--precision"), f.get("--device"), f.get("--runtime")};
    const reports::AihubPerf measured = reports::read_aihub_perf(path, text, want);
    Flags model_flags = f;
    if (!model_flags.has("--model")) model_flags.values["--model"] = {"sd15"};
    // The file's precision is npusim's; AI Hub's "float" runs in fp16 on the NPU.
    model_flags.values["--precision"] = {measured.precision == "float" ? "fp16" : measured.precision};
    workloads::ModelOptions opts = model_options(model_flags);
    const workloads::Workload w = workloads::load_workload(model_flags.get("--model"), opts);
    if (f.has("--fit")) {
      const std::vector<std::string> fitted = fit_clock(f, w, measured, hw, strategy, fit_log, fit_at_bound);
      arch::NpuConfig fitted_hw = load_hw(f, "crosscheck", fitted);
      if (f.has("--fit-on")) fitted_hw.calibrated_on = f.get("--fit-on");
      c = reports::crosscheck_components(sim::Simulator(fitted_hw).run(w, strategy), measured);
      c.fit = fit_log;
    } else {
      c = reports::crosscheck_components(simulator.run(w, strategy), measured);
    }
  } else {
    for (const char* flag : {"--device", "--runtime", "--fit", "--fit-on"})
      if (f.has(flag)) throw UserError(std::string(flag) + " applies to a perf.yaml, not to a layer CSV");
    if (!f.has("--model")) throw UserError("npusim crosscheck: a layer CSV needs --model (the network it measured)");
    const std::vector<reports::MeasuredTime> layers = reports::read_layer_csv(path, text);
    const workloads::Workload w = workloads::load_workload(f.get("--model"), model_options(f));
    if (w.stages.size() != 1)
      throw UserError("--model " + f.get("--model") + " has " + std::to_string(w.stages.size()) +
                      " networks; a layer CSV is matched against one network (e.g. --model sd15-unet)");
    c = reports::crosscheck_layers(simulator.run(w, strategy).stages[0].run, layers, path);
  }

  const std::string text_out = reports::crosscheck_text(c);
  if (f.has("--out")) {
    const std::filesystem::path dir = f.get("--out");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UserError(dir.string() + ": cannot create directory: " + ec.message());
    write_file(dir / "crosscheck.txt", text_out);
    write_file(dir / "crosscheck.csv", reports::crosscheck_csv(c));
    write_file(dir / "crosscheck.json", reports::crosscheck_json(c));
  }
  if (f.has("--json"))
    out << reports::crosscheck_json(c);
  else
    out << "npusim " << version_string() << " (commit " << git_commit() << ")\n" << text_out;
  return fit_at_bound ? kExitFailure : kExitOk;
}

}  // namespace npusim::tools
