#pragma once
// Measured latencies from real hardware, to set npusim's predictions against:
//   - Qualcomm AI Hub `perf.yaml` files in their published layout: precisions -> PRECISION ->
//     components -> COMPONENT -> performance_metrics -> DEVICE -> RUNTIME ->
//     inference_time_milliseconds (quic/ai-hub-models, qai_hub_models/models/*/perf.yaml);
//   - a per-layer CSV `layer,time_us`, one measured layer per line.
// Every malformed input is a UserError naming the file, the line and the rule.
#include <string>
#include <string_view>
#include <vector>

namespace npusim::reports {

// One measured latency: a component (perf.yaml) or a layer (CSV).
struct MeasuredTime {
  std::string name;
  double ms = 0;
  int line = 0;  // 1-based line of the value in the file
};

enum class MeasuredFormat { kAihubPerf, kLayerCsv };
std::string_view measured_format_name(MeasuredFormat f);

// What to pick from a perf.yaml; an empty field is chosen from the file: its only precision,
// its only device, and the `qnn` runtime (else the only one). Ambiguity is an error listing
// the choices and the flag that makes them.
struct AihubSelection {
  std::string precision, device, runtime;
};

struct AihubPerf {
  std::string path;
  std::string precision, device, runtime;  // as selected
  std::vector<MeasuredTime> components;    // in file order
};

// Which of the two shapes `text` (the contents of `path`) has: a first line starting with
// "layer," is a layer CSV, a YAML mapping with a top-level `precisions` key a perf.yaml.
// Anything else is a UserError saying what was expected.
MeasuredFormat detect_measured_format(const std::string& path, const std::string& text);

AihubPerf read_aihub_perf(const std::string& path, const std::string& text, const AihubSelection& want);

// Rows of `layer,time_us` (header required; names may be quoted as in RFC 4180). Times must be
// finite and >= 0, names unique and non-empty.
std::vector<MeasuredTime> read_layer_csv(const std::string& path, const std::string& text);

// Reads `path` (at most 16 MiB) for either reader.
std::string read_measured_file(const std::string& path);

}  // namespace npusim::reports
