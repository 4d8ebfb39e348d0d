#include "crosscheck.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "json_writer.h"
#include "run_report.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

// The dominant bound of a run and its share of the latency, e.g. "compute 66 %".
std::string bound_text(const sim::RunStats& s) {
  const auto [bound, share] = dominant_bound(s);
  return std::string(sim::bound_name(bound)) + fmt(" %.0f %%", share * 100);
}

std::string normalize_layer_name(const std::string& name) {
  std::string s = name;
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  for (char& c : s)
    if (c == '/') c = '.';
  // ONNX exporters end a node name with its op type ("/conv1/Conv", "/attn1/MatMul_1").
  if (auto dot = s.rfind('.');
      dot != std::string::npos && dot + 1 < s.size() && std::isupper(static_cast<unsigned char>(s[dot + 1])))
    s.erase(dot);
  return s;
}

CrosscheckRow make_row(const std::string& component, const std::string& network, double predicted_ms,
                       double measured_ms, uint64_t ops, const std::string& bound) {
  CrosscheckRow r;
  r.component = component;
  r.network = network;
  r.predicted_ms = predicted_ms;
  r.measured_ms = measured_ms;
  r.error = (predicted_ms - measured_ms) / measured_ms;
  r.ops = ops;
  r.bound = bound;
  return r;
}

void fill_common(Crosscheck& c, const sim::RunResult& r) {
  c.hw = r.hw.name;
  c.hw_description = r.hw.description;
  c.precision = r.precision.name();
  c.engine = r.engine;
  c.strategy = r.strategy_choice;
  c.calibrated_on = r.hw.calibrated_on;
}

constexpr double kLargeError = 0.25;

}  // namespace

std::optional<workloads::StageRole> component_role(const std::string& name) {
  // perf.yaml component (normalised) -> the workload stage it measures.
  static const std::map<std::string, workloads::StageRole> roles = {
      {"textencoder", workloads::StageRole::kTextEncoder},
      {"unet", workloads::StageRole::kDenoiser},
      {"vaedecoder", workloads::StageRole::kDecoder},
  };
  auto it = roles.find(normalize_component_name(name));
  return it == roles.end() ? std::nullopt : std::optional(it->second);
}

std::string normalize_component_name(const std::string& name) {
  std::string s;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c))) s += char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* suffix : {"quantizable", "quantized"})
    if (s.size() > std::strlen(suffix) && s.ends_with(suffix)) s.resize(s.size() - std::strlen(suffix));
  return s;
}

// The preset was fitted on this stage: calibrated_on names its role, or (SD 1.5) the built-in
// model of that role, as a corpus calibration writes it.
bool stage_calibrated(const Crosscheck& c, const sim::StageResult& s) {
  const std::string role(workloads::stage_role_name(s.role));
  std::string model;
  if (c.model == "sd15")
    model = role == "text_encoder" ? "sd15-text-encoder"
            : role == "denoiser"   ? "sd15-unet"
            : role == "decoder"    ? "sd15-vae-decoder"
                                   : "";
  return calibrated_on_names(c.calibrated_on, {role, model, model.empty() ? "" : model + " " + c.precision});
}

Crosscheck crosscheck_components(const sim::WorkloadResult& w, const AihubPerf& measured) {
  Crosscheck c;
  if (!w.stages.empty()) fill_common(c, w.stages[0].run);
  c.model = w.name;
  c.measured_path = measured.path;
  c.format = MeasuredFormat::kAihubPerf;
  c.device = measured.device;
  c.runtime = measured.runtime;
  std::map<workloads::StageRole, double> measured_by_role;
  for (const MeasuredTime& m : measured.components) {
    const auto role = component_role(m.name);
    const sim::StageResult* s = role ? w.stage(*role) : nullptr;
    if (!s) {
      c.unmatched.push_back(m.name);
      continue;
    }
    measured_by_role[s->role] = m.ms;
    c.rows.push_back(make_row(m.name, role_label(s->role), s->run.stats.total.latency_s * 1e3, m.ms,
                              s->run.stats.ops.size(), bound_text(s->run.stats)));
    c.rows.back().calibrated = stage_calibrated(c, *s);
  }
  if (w.kind == workloads::WorkloadKind::kDiffusion) {
    c.pipeline = true;
    c.steps = w.steps;
    c.resolution = w.resolution;
    c.guidance = w.guidance;
    c.predicted_s_per_image = w.seconds_per_image();
    bool all_measured = true;
    double measured_s = 0;
    for (const auto& s : w.stages) {
      c.pipeline_counts += (c.pipeline_counts.empty() ? "" : ", ") + role_label(s.role) + " x" + std::to_string(s.runs);
      if (stage_calibrated(c, s))
        c.calibrated_share += double(s.runs) * s.run.stats.total.latency_s / c.predicted_s_per_image;
      auto it = measured_by_role.find(s.role);
      if (it == measured_by_role.end())
        all_measured = false;
      else
        measured_s += double(s.runs) * it->second * 1e-3;
    }
    c.measured_s_per_image = all_measured ? measured_s : 0;
    c.sd15_demo_reference = w.name == "sd15" && w.resolution == 512;
  }
  return c;
}

Crosscheck crosscheck_layers(const sim::RunResult& r, const std::vector<MeasuredTime>& layers,
                             const std::string& measured_path) {
  Crosscheck c;
  fill_common(c, r);
  c.model = r.model;
  c.measured_path = measured_path;
  c.format = MeasuredFormat::kLayerCsv;
  std::map<std::string, size_t> exact, normalized;
  for (size_t i = 0; i < r.stats.ops.size(); ++i) {
    exact.emplace(r.stats.ops[i].name, i);
    normalized.emplace(normalize_layer_name(r.stats.ops[i].name), i);
  }
  std::vector<std::string> measured_by(r.stats.ops.size());  // the measured row that matched each op
  for (const MeasuredTime& m : layers) {
    std::optional<size_t> index;
    if (auto it = exact.find(m.name); it != exact.end())
      index = it->second;
    else if (auto nt = normalized.find(normalize_layer_name(m.name)); nt != normalized.end())
      index = nt->second;
    if (!index) {
      c.unmatched.push_back(m.name);
      continue;
    }
    const sim::OpStats& op = r.stats.ops[*index];
    // One measurement per op: "/conv_in/Conv" and "conv_in" used to be counted twice.
    if (!measured_by[*index].empty())
      throw UserError(measured_path + ": layers '" + measured_by[*index] + "' and '" + m.name +
                      "' both match npusim op '" + op.name + "'; measure each op once");
    measured_by[*index] = m.name;
    c.rows.push_back(make_row(m.name, op.name, op.c.latency_s * 1e3, m.ms, 1, std::string(sim::bound_name(op.bound))));
  }
  for (const std::string& m : measured_by) c.unmeasured_ops += m.empty() ? 1 : 0;
  if (c.rows.empty())
    throw UserError(measured_path + ": none of its " + std::to_string(layers.size()) + " layers matches an op of " +
                    r.model +
                    " (names are matched exactly or ONNX-style, "
                    "/a/b/Conv -> a.b); nothing to compare");
  return c;
}

std::string crosscheck_text(const Crosscheck& c) {
  std::ostringstream o;
  const bool layers = c.format == MeasuredFormat::kLayerCsv;
  if (!c.fit.empty()) o << "fitted      " << c.fit << "\n";
  o << "crosscheck  " << c.hw << "  (" << c.hw_description << ")\n";
  o << "measured    " << c.measured_path << "  (" << measured_format_name(c.format);
  if (!layers) o << ": device " << c.device << ", runtime " << c.runtime;
  o << ")\n";
  o << "predicted   model " << c.model << ", precision " << c.precision << ", strategy " << c.strategy << ", engine "
    << c.engine << "; batch 1, one inference per "
    << (layers ? "layer, NPU time only (fused ops show the time of the op they run inside)" : "network, NPU time only")
    << "\n\n";

  size_t name_w = layers ? 5 : 9, net_w = 7;
  for (const auto& r : c.rows) {
    name_w = std::max(name_w, r.component.size());
    net_w = std::max(net_w, r.network.size());
  }
  const int nw = int(std::min<size_t>(name_w, 60)), ww = int(std::min<size_t>(net_w, 60));
  o << fmt("%-*s  %-*s %6s %14s %13s %8s %11s  %-10s %s\n", nw, layers ? "layer" : "component", ww,
           layers ? "npusim op" : "network", "ops", "predicted(ms)", "measured(ms)", "error", "gap/op(us)", "basis",
           "predicted bound");
  double pred_sum = 0, meas_sum = 0;
  for (const auto& r : c.rows) {
    const double gap_us = (r.measured_ms - r.predicted_ms) * 1e3 / double(r.ops ? r.ops : 1);
    o << fmt("%-*s  %-*s %6llu %14.3f %13.3f %+6.1f %% %11.2f  %-10s %s\n", nw, r.component.c_str(), ww,
             r.network.c_str(), (unsigned long long)r.ops, r.predicted_ms, r.measured_ms, r.error * 100, gap_us,
             r.calibrated ? "fitted" : "predicted", r.bound.c_str());
    pred_sum += r.predicted_ms;
    meas_sum += r.measured_ms;
  }
  o << "error = (predicted - measured) / measured; gap/op = (measured - predicted) / ops, the time per op that a\n"
       "cost npusim does not model would have to take to close the gap; basis: fitted = the preset was calibrated\n"
       "on this network (the preset's calibrated_on), so its error is not a prediction's\n";
  if (layers && !c.rows.empty())
    o << fmt("matched layers: %zu, predicted %.3f ms, measured %.3f ms, error %+.1f %%\n", c.rows.size(), pred_sum,
             meas_sum, meas_sum > 0 ? (pred_sum - meas_sum) / meas_sum * 100 : 0.0);
  if (!c.unmatched.empty()) {
    o << "not matched to any npusim " << (layers ? "op" : "network") << " (" << c.unmatched.size() << "):";
    for (const auto& u : c.unmatched) o << " " << u;
    o << "\n";
  }
  if (layers) o << "npusim ops with no measured time: " << c.unmeasured_ops << "\n";

  for (const auto& r : c.rows) {
    if (std::fabs(r.error) <= kLargeError || r.calibrated) continue;
    if (r.error < 0)
      o << fmt(
          "%s: predicted %.0f %% faster than measured. npusim charges no fixed cost per op (dispatch,\n"
          "  synchronisation, graph launch); the gap is %.2f us per op over %llu ops, which such a cost would\n"
          "  have to explain. Short networks of many small ops are where it shows.\n",
          r.component.c_str(), -r.error * 100, (r.measured_ms - r.predicted_ms) * 1e3 / double(r.ops ? r.ops : 1),
          (unsigned long long)r.ops);
    else
      o << fmt(
          "%s: predicted %.0f %% slower than measured: the device sustains more than the preset's modelled\n"
          "  rate for this network's bound (%s); the preset's unpublished MAC, vector or DRAM figures are low\n"
          "  for it, or the device fuses or skips work npusim schedules.\n",
          r.component.c_str(), r.error * 100, r.bound.c_str());
  }

  if (c.pipeline) {
    o << fmt("\npipeline: %s, %llux%llu, %llu steps, guidance %s (%s)\n", c.model.c_str(),
             (unsigned long long)c.resolution, (unsigned long long)c.resolution, (unsigned long long)c.steps,
             c.guidance ? "on" : "off", c.pipeline_counts.c_str());
    o << fmt(
        "  predicted            %8.3f s per image   NPU time of every network run, back to back; no CPU-side\n"
        "                                              work (tokenizer, scheduler, image conversion), no host "
        "transfers\n",
        c.predicted_s_per_image);
    if (c.calibrated_share > 0)
      o << fmt(
          "                                              %.0f %% of it is from networks the preset was calibrated on\n",
          c.calibrated_share * 100);
    if (c.measured_s_per_image > 0)
      o << fmt(
          "  measured components  %8.3f s per image   the same run counts x the measured component times, each\n"
          "                                              one on-device inference of that component alone\n"
          "  error                %+7.1f %%%s\n",
          c.measured_s_per_image, (c.predicted_s_per_image - c.measured_s_per_image) / c.measured_s_per_image * 100,
          c.calibrated_share > 0.5 ? " (mostly fitted: see above)" : "");
    else
      o << "  measured components  (not every network has a measurement, so no per-image sum)\n";
    if (c.sd15_demo_reference)
      // Published figure, not a measurement in the file: Qualcomm's MWC 2023 demo of SD 1.5 on a
      // Snapdragon 8 Gen 2 phone, 512x512, 20 steps, INT8 (AIMET), "under 15 seconds" (14.4 s shown).
      o << fmt(
          "  published demo           < 15 s per image   Qualcomm MWC 2023, Snapdragon 8 Gen 2, 20 steps, INT8: the\n"
          "                                              whole app end to end on a 2023 software stack (14.4 s "
          "shown);\n"
          "                                              the prediction is %.0f %% of 15 s\n",
          c.predicted_s_per_image / 15.0 * 100);
  }
  return o.str();
}

std::string crosscheck_json(const Crosscheck& c) {
  JsonWriter w;
  w.begin_object();
  w.field("schema", uint64_t(1));
  w.field("npusim_version", version_string());
  w.field("commit", git_commit());
  w.field("hw", c.hw);
  w.field("measured", c.measured_path);
  w.field("format", measured_format_name(c.format));
  if (c.format == MeasuredFormat::kAihubPerf) {
    w.field("device", c.device);
    w.field("runtime", c.runtime);
  }
  w.field("model", c.model);
  w.field("precision", c.precision);
  w.field("strategy", c.strategy);
  w.field("engine", c.engine);
  if (!c.fit.empty()) w.field("fit", c.fit);
  w.key("components");
  w.begin_array();
  for (const auto& r : c.rows) {
    w.begin_object();
    w.field("component", r.component);
    w.field("network", r.network);
    w.field("predicted_ms", r.predicted_ms);
    w.field("measured_ms", r.measured_ms);
    w.field("error", r.error);
    w.field("ops", r.ops);
    w.field("predicted_bound", r.bound);
    w.field("calibrated", r.calibrated);
    w.end_object();
  }
  w.end_array();
  w.key("unmatched");
  w.begin_array();
  for (const auto& u : c.unmatched) w.value(u);
  w.end_array();
  if (c.format == MeasuredFormat::kLayerCsv) w.field("unmeasured_ops", c.unmeasured_ops);
  if (c.pipeline) {
    w.key("pipeline");
    w.begin_object();
    w.field("steps", c.steps);
    w.field("guidance", c.guidance);
    w.field("resolution", c.resolution);
    w.field("runs", c.pipeline_counts);
    w.field("predicted_seconds_per_image", c.predicted_s_per_image);
    w.field("calibrated_share", c.calibrated_share);
    if (c.measured_s_per_image > 0) w.field("measured_seconds_per_image", c.measured_s_per_image);
    w.end_object();
  }
  w.end_object();
  return w.str() + "\n";
}

std::string crosscheck_csv(const Crosscheck& c) {
  std::string out = "component,network,predicted_ms,measured_ms,error_pct,ops,basis,predicted_bound\n";
  for (const auto& r : c.rows)
    out += csv_field(r.component) + "," + csv_field(r.network) +
           fmt(",%.6g,%.6g,%.3f,%llu,", r.predicted_ms, r.measured_ms, r.error * 100, (unsigned long long)r.ops) +
           (r.calibrated ? "fitted," : "predicted,") + csv_field(r.bound) + "\n";
  return out;
}

bool calibrated_on_names(const std::string& on, const std::vector<std::string>& names) {
  for (size_t start = 0; start <= on.size();) {
    size_t comma = on.find(',', start);
    if (comma == std::string::npos) comma = on.size();
    std::string item = on.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty() && std::find(names.begin(), names.end(), item) != names.end()) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace npusim::reports
