// npusim crosscheck --corpus: every corpus entry predicted with its chip's preset, the error per
// entry and per split (median and worst |error|).
#include <algorithm>
#include <cmath>

#include "calibrate.h"
#include "crosscheck.h"
#include "json_writer.h"
#include "npusim/error.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Per split (fit, transfer) the rows' |error|.
std::vector<std::pair<std::string, std::vector<double>>> errors_by_split(const CorpusCrosscheck& c) {
  std::vector<std::pair<std::string, std::vector<double>>> out = {{"fit", {}}, {"transfer", {}}};
  for (const auto& r : c.rows) out[r.entry->split == CorpusSplit::kFit ? 0 : 1].second.push_back(std::abs(r.error));
  return out;
}

// Per chip and basis (fitted, leave-one-out, prediction, transfer) the rows' |error|, chips in
// file order: a transfer chip's prediction error without the row its clock was fitted on.
struct ErrorGroup {
  std::string chip, basis;
  std::vector<double> errs;
};
std::vector<ErrorGroup> errors_by_chip_and_basis(const CorpusCrosscheck& c) {
  static const char* const kOrder[] = {"fitted", "leave-one-out", "prediction", "transfer"};
  std::vector<std::string> chips;
  for (const auto& r : c.rows)
    if (std::find(chips.begin(), chips.end(), r.entry->chip) == chips.end()) chips.push_back(r.entry->chip);
  std::vector<ErrorGroup> out;
  for (const std::string& chip : chips)
    for (const char* basis : kOrder) {
      ErrorGroup g{chip, basis, {}};
      for (const auto& r : c.rows)
        if (r.entry->chip == chip && r.basis == basis) g.errs.push_back(std::abs(r.error));
      if (!g.errs.empty()) out.push_back(std::move(g));
    }
  return out;
}

// Whether the preset's calibrated_on names this entry's model (a comma-separated list of
// corpus labels or model names) or, for SD 1.5, its pipeline role.
bool calibrated_on(const arch::NpuConfig& hw, const CorpusEntry& e) {
  const std::string role = e.model == "sd15-unet"           ? "denoiser"
                           : e.model == "sd15-text-encoder" ? "text_encoder"
                           : e.model == "sd15-vae-decoder"  ? "decoder"
                                                            : "";
  return calibrated_on_names(hw.calibrated_on, {role, e.model, e.label()});
}

}  // namespace

CorpusCrosscheck crosscheck_corpus(const Corpus& corpus, const std::map<std::string, arch::NpuConfig>& hw,
                                   const std::map<std::string, std::string>& presets,
                                   const std::vector<std::string>& model_dirs, const std::string& strategy,
                                   const Calibration* loo) {
  CorpusCrosscheck c;
  c.corpus_path = corpus.path;
  c.presets = presets;
  if (loo) {
    for (const auto& p : loo->params) c.fit += (c.fit.empty() ? "" : ", ") + p.name();
  }
  CorpusEvaluator eval(corpus.entries, model_dirs, strategy);
  for (const auto& [chip, config] : hw) {
    std::vector<size_t> which;
    for (size_t i = 0; i < corpus.entries.size(); ++i)
      if (corpus.entries[i].chip == chip) which.push_back(i);
    if (which.empty()) continue;
    const std::vector<Prediction> pred = eval.predict(config, which);
    for (size_t k = 0; k < which.size(); ++k) {
      const CorpusEntry& e = corpus.entries[which[k]];
      CorpusRow r;
      r.entry = &e;
      r.preset = presets.at(chip);
      r.predicted = pred[k];
      r.basis = calibrated_on(config, e) ? "fitted" : e.split == CorpusSplit::kFit ? "prediction" : "transfer";
      if (loo && loo->leave_one_out)
        for (const auto& lr : loo->rows)
          if (lr.entry == &e) {
            r.predicted = lr.loo;
            r.basis = "leave-one-out";
          }
      r.error = r.predicted.value / e.measured - 1;
      c.rows.push_back(std::move(r));
    }
  }
  // File order, whatever the chip order.
  std::sort(c.rows.begin(), c.rows.end(),
            [](const CorpusRow& a, const CorpusRow& b) { return a.entry->line < b.entry->line; });
  return c;
}

std::string corpus_crosscheck_text(const CorpusCrosscheck& c) {
  std::string o = "crosscheck  corpus " + c.corpus_path + "\npresets    ";
  bool first = true;
  for (const auto& [chip, preset] : c.presets) {
    o += (first ? "" : ", ") + chip + " -> " + preset;
    first = false;
  }
  o += "\n";
  if (!c.fit.empty())
    o += "fit split  leave-one-out: " + c.fit + " refitted on the other fit entries, then the entry predicted\n";
  o += fmt("\n%-18s %-24s %-38s %-9s %11s %11s %9s  %-13s %s\n", "chip", "device", "network", "unit", "predicted",
           "measured", "error", "basis", "predicted bound");
  for (const auto& r : c.rows) {
    const CorpusEntry& e = *r.entry;
    o += fmt("%-18s %-24s %-38s %-9s %11.4g %11.4g %+8.1f%%  %-13s %s\n", e.chip.c_str(), e.device.c_str(),
             e.label().c_str(), std::string(corpus_metric_unit(e.metric)).c_str(), r.predicted.value, e.measured,
             r.error * 100, r.basis.c_str(), r.predicted.bound.c_str());
  }
  o += "\n";
  for (const auto& [split, errs] : errors_by_split(c)) {
    if (errs.empty()) continue;
    o += fmt("%-8s split: %2zu entries, median |error| %.1f %%, worst |error| %.1f %%\n", split.c_str(), errs.size(),
             median(errs) * 100, *std::max_element(errs.begin(), errs.end()) * 100);
  }
  o += "per chip and basis:\n";
  for (const ErrorGroup& g : errors_by_chip_and_basis(c))
    o += fmt("  %-18s %-13s %2zu %-8s median |error| %.1f %%, worst |error| %.1f %%\n", g.chip.c_str(), g.basis.c_str(),
             g.errs.size(), g.errs.size() == 1 ? "entry," : "entries,", median(g.errs) * 100,
             *std::max_element(g.errs.begin(), g.errs.end()) * 100);
  o += "error = predicted / measured - 1 in the metric's unit (tokens/s for decode); basis: fitted = the preset was\n"
       "calibrated on this network; leave-one-out = refitted without it; prediction = same chip, not fitted on;\n"
       "transfer = another chip's preset, from public memory figures plus one fitted clock.\n";
  return o;
}

std::string corpus_crosscheck_json(const CorpusCrosscheck& c) {
  JsonWriter w;
  w.begin_object();
  w.field("schema", "npusim.crosscheck_corpus/1");
  w.field("version", version_string());
  w.field("commit", git_commit());
  w.field("corpus", c.corpus_path);
  w.key("presets");
  w.begin_object();
  for (const auto& [chip, preset] : c.presets) w.field(chip, preset);
  w.end_object();
  w.field("leave_one_out_fit", c.fit);
  w.key("rows");
  w.begin_array();
  for (const auto& r : c.rows) {
    const CorpusEntry& e = *r.entry;
    w.begin_object();
    w.field("chip", e.chip);
    w.field("device", e.device);
    w.field("network", e.label());
    w.field("model", e.model);
    w.field("family", e.family());
    w.field("precision", e.precision);
    w.field("metric", std::string(corpus_metric_name(e.metric)));
    w.field("unit", std::string(corpus_metric_unit(e.metric)));
    w.field("split", std::string(corpus_split_name(e.split)));
    w.field("basis", r.basis);
    w.field("preset", r.preset);
    w.field("predicted", r.predicted.value);
    w.field("measured", e.measured);
    w.field("error_pct", r.error * 100);
    w.field("predicted_bound", r.predicted.bound);
    w.end_object();
  }
  w.end_array();
  w.key("splits");
  w.begin_array();
  for (const auto& [split, errs] : errors_by_split(c)) {
    if (errs.empty()) continue;
    w.begin_object();
    w.field("split", split);
    w.field("entries", uint64_t(errs.size()));
    w.field("median_abs_error_pct", median(errs) * 100);
    w.field("worst_abs_error_pct", *std::max_element(errs.begin(), errs.end()) * 100);
    w.end_object();
  }
  w.end_array();
  w.key("chip_basis");
  w.begin_array();
  for (const ErrorGroup& g : errors_by_chip_and_basis(c)) {
    w.begin_object();
    w.field("chip", g.chip);
    w.field("basis", g.basis);
    w.field("entries", uint64_t(g.errs.size()));
    w.field("median_abs_error_pct", median(g.errs) * 100);
    w.field("worst_abs_error_pct", *std::max_element(g.errs.begin(), g.errs.end()) * 100);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str() + "\n";
}

std::string corpus_crosscheck_csv(const CorpusCrosscheck& c) {
  std::string o =
      "chip,device,network,model,family,precision,metric,split,basis,preset,predicted_ms,measured_ms,"
      "predicted_tokens_per_s,measured_tokens_per_s,error_pct,predicted_bound\n";
  for (const auto& r : c.rows) {
    const CorpusEntry& e = *r.entry;
    o += csv_field(e.chip) + "," + csv_field(e.device) + "," + csv_field(e.label()) + "," + csv_field(e.model) + "," +
         e.family() + "," + e.precision + "," + std::string(corpus_metric_name(e.metric)) + "," +
         std::string(corpus_split_name(e.split)) + "," + r.basis + "," + csv_field(r.preset) +
         (e.metric == CorpusMetric::kTokensPerS ? fmt(",,,%.6g,%.6g", r.predicted.value, e.measured)
                                                : fmt(",%.6g,%.6g,,", r.predicted.value, e.measured)) +
         fmt(",%.3f,", r.error * 100) + csv_field(r.predicted.bound) + "\n";
  }
  return o;
}

}  // namespace npusim::reports
