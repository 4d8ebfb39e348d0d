// npusim crosscheck: npusim's prediction against measurements from real hardware.
#include <filesystem>
#include <fstream>
#include <ostream>

#include "cli.h"
#include "cli_common.h"
#include "commands.h"
#include "npusim/error.h"
#include "reports/crosscheck.h"
#include "reports/measured.h"
#include "sim/simulator.h"
#include "sim/version.h"
#include "workloads/workload.h"

namespace npusim::tools {

namespace {

constexpr const char* kCrosscheckUsage =
    R"(usage: npusim crosscheck --hw HW --measured FILE [--device NAME] [--precision P] [options]

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
  --json             print JSON ({components: [{component, predicted_ms, measured_ms, error}]})
  --out DIR          also write DIR/crosscheck.txt, crosscheck.csv and crosscheck.json
)";

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
                                          {"--device", true, false},
                                          {"--runtime", true, false},
                                          {"--strategy", true, false},
                                          {"--json", false, false},
                                          {"--out", true, false},
                                          {"--help", false, false}}),
                        "crosscheck");
  if (f.has("--help")) {
    out << kCrosscheckUsage;
    return kExitOk;
  }
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
    c = reports::crosscheck_components(simulator.run(w, strategy), measured);
  } else {
    for (const char* flag : {"--device", "--runtime"})
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
  return kExitOk;
}

}  // namespace npusim::tools
