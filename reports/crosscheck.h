#pragma once
// Predicted versus measured: npusim's latency per network (or per layer) set against
// measurements from real hardware (measured.h), with the relative error of each and, for a
// diffusion pipeline, seconds per image both ways.
#include <optional>
#include <string>
#include <vector>

#include "measured.h"
#include "sim/simulator.h"

namespace npusim::reports {

// Whether a preset's calibrated_on (a comma-separated list of pipeline roles, built-in model
// names or corpus labels "MODEL PRECISION") lists one of `names` (empty names never match).
bool calibrated_on_names(const std::string& on, const std::vector<std::string>& names);

struct CrosscheckRow {
  std::string component;  // the measured name (perf.yaml component or CSV layer)
  std::string network;    // npusim's network or op it was matched to
  double predicted_ms = 0, measured_ms = 0;
  double error = 0;         // (predicted - measured) / measured
  uint64_t ops = 0;         // ops in the predicted network (1 for a layer)
  std::string bound;        // the predicted dominant bound and its share, e.g. "compute 66 %"
  bool calibrated = false;  // the hardware preset was fitted to this network (calibrated_on)
};

struct Crosscheck {
  std::string hw, hw_description;
  std::string measured_path;
  MeasuredFormat format = MeasuredFormat::kAihubPerf;
  std::string device, runtime;  // perf.yaml: what was selected
  std::string precision, strategy, engine, model;
  std::vector<CrosscheckRow> rows;
  std::vector<std::string> unmatched;  // measured names with no npusim counterpart
  uint64_t unmeasured_ops = 0;         // layer CSV: ops of the network with no measured time
  // Diffusion pipelines measured per component: seconds per image from the prediction and from
  // the same run counts x measured component latencies (0 when a component is not measured).
  bool pipeline = false;
  uint64_t steps = 0, resolution = 0;
  bool guidance = false;
  std::string pipeline_counts;  // e.g. "text encoder x2, denoiser x40, decoder x1"
  double predicted_s_per_image = 0, measured_s_per_image = 0;
  double calibrated_share = 0;       // of predicted_s_per_image, from the network the preset was fitted to
  std::string calibrated_on;         // the preset's calibrated_on ("" = none)
  std::string fit;                   // crosscheck --fit: what was fitted, to what ("" = nothing)
  bool sd15_demo_reference = false;  // the published SD 1.5 phone demo applies (SD 1.5 at 512 px)
};

// perf.yaml components matched to the workload's networks by name (TextEncoder*, Unet*,
// VaeDecoder*; case, underscores and a Quantizable/Quantized suffix ignored).
Crosscheck crosscheck_components(const sim::WorkloadResult& w, const AihubPerf& measured);
// Layers matched to the network's op names: exactly, else after ONNX-style normalisation
// ("/down_blocks.0/resnets.0/conv1/Conv" -> "down_blocks.0.resnets.0.conv1").
Crosscheck crosscheck_layers(const sim::RunResult& r, const std::vector<MeasuredTime>& layers,
                             const std::string& measured_path);

// The table, the pipeline comparison and what each figure includes. No version line, so the
// text is stable across commits (the CLI prints the version above it).
std::string crosscheck_text(const Crosscheck& c);
// {schema, hw, measured, device, runtime, precision, strategy, engine, version, commit,
//  components: [{component, network, predicted_ms, measured_ms, error}], unmatched, pipeline}
std::string crosscheck_json(const Crosscheck& c);
// component,network,predicted_ms,measured_ms,error_pct,ops,bound
std::string crosscheck_csv(const Crosscheck& c);

// The network a perf.yaml component measures (TextEncoder* -> text encoder, Unet* -> denoiser,
// VaeDecoder* -> decoder, after normalize_component_name), if any.
std::optional<workloads::StageRole> component_role(const std::string& name);

// The component name as matched: lower case, letters and digits only, without a trailing
// "quantizable" or "quantized".
std::string normalize_component_name(const std::string& name);

}  // namespace npusim::reports
