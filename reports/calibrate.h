#pragma once
// Joint calibration of named hardware keys on a measured corpus (corpus.h), with every fitted
// network also predicted leave-one-out, and the corpus cross-check (each chip's entries
// predicted with its preset). Fitting works for any numeric key of arch::param_table().
//
// The fit minimises the sum over the training entries of ln(predicted / measured)^2, each
// parameter within its table range. It is a compass search on a fixed grid in log space
// (steps of 0.1 %, from x7.8 down to one step), so runs are deterministic and every grid point
// is evaluated once: the leave-one-out refits start from the joint optimum and reuse it.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "arch/config_schema.h"
#include "corpus.h"
#include "sim/simulator.h"
#include "workloads/model_registry.h"

namespace npusim::reports {

// One fitted parameter: one or more keys of the same unit that share one value
// ("mac_array.frequency+vector_unit.frequency" on the command line). A key after the first may
// be tied at a fixed ratio to it, FACTOR*KEY ("a+2*b": b is always twice the fitted value of a).
struct FitParam {
  std::vector<const arch::ParamSpec*> specs;
  std::vector<double> factors;  // one per key (1 for a plain key; factors[0] is 1); empty: all 1
  std::string name() const;     // the keys joined by '+', a factor as FACTOR*KEY
  double factor(size_t k) const { return k < factors.size() ? factors[k] : 1.0; }
  // Key k's value when the group's (first key's) value is v.
  double value(size_t k, double v) const { return factor(k) * v; }
  // Key k's value as written to a preset when the group's written value is `fitted` (already
  // rounded): factor x fitted to 4 significant digits, `fitted` itself for a plain key.
  double written_value(size_t k, double fitted) const;
};
// Parses "KEY[+[FACTOR*]KEY...][,KEY...]"; a UserError names `what` and the rule for an unknown,
// non-numeric, repeated or unit-mismatched key, and for a factor that is not a positive finite
// decimal number, is on a group's first key or is on a count key.
std::vector<FitParam> parse_fit_params(const std::string& text, const std::string& what);

struct Prediction {
  double value = 0;   // in the entry's metric unit
  std::string bound;  // dominant bound and share, e.g. "compute 66 %"
};

// Builds every entry's model once; predicts entries on a hardware config with one mapper.
class CorpusEvaluator {
 public:
  CorpusEvaluator(const std::vector<CorpusEntry>& entries, const std::vector<std::string>& model_dirs,
                  std::string strategy);
  // With the models already built, one per entry (crosscheck --fit: the workload's network).
  CorpusEvaluator(const std::vector<CorpusEntry>& entries, std::vector<workloads::LoadedModel> models,
                  std::string strategy);
  // Predictions of entries[i] for each i in `which`, on `hw` (analytic engine, one Simulator
  // per thread). Safe to call from several threads: calls run one at a time, as each one
  // updates the per-entry caches and costs below and already uses every core.
  std::vector<Prediction> predict(const arch::NpuConfig& hw, const std::vector<size_t>& which) const;
  size_t size() const { return models_.size(); }
  uint64_t evaluations() const { return evaluations_; }
  // Network evaluations that reused a schedule of an earlier point (no mapping).
  uint64_t schedule_reuses() const;
  uint64_t schedules_mapped() const;

 private:
  const std::vector<CorpusEntry>& entries_;
  std::vector<workloads::LoadedModel> models_;
  std::string strategy_;
  mutable uint64_t evaluations_ = 0;  // network evaluations so far
  // One per entry: points that differ only in keys the mapper does not read (fixed costs, the
  // rate of a precision the network does not use) reuse its schedules instead of mapping again.
  mutable std::vector<sim::ScheduleCache> schedules_;
  // Per entry: how long its last evaluation took (s; its op count before the first). The
  // threads take entries longest first, so the big networks do not finish last on one thread.
  // Wall time only: each result lands in its own slot.
  mutable std::vector<double> cost_;
  mutable std::mutex predict_mutex_;  // one predict at a time (schedules_, cost_, evaluations_)
};

struct CalibrationRow {
  const CorpusEntry* entry = nullptr;
  Prediction before, after, loo;  // loo.value = 0 when there is no leave-one-out (one entry)
};

struct Calibration {
  std::string corpus_path, hw_preset, chip;
  std::vector<std::string> devices;
  std::vector<FitParam> params;
  std::vector<double> before, after;            // parameter values, base units (after = as written to the preset)
  std::vector<std::vector<double>> loo_values;  // per row: the parameters refitted without it
  std::vector<CalibrationRow> rows;
  double objective_before = 0, objective_after = 0;  // sum of squared log errors
  uint64_t hw_points = 0, network_evaluations = 0;
  uint64_t schedules_mapped = 0,
           schedules_reused = 0;  // per network x strategy; reused: keys the mapper does not read changed
  bool loo_skipped = false;       // --no-loo
  bool leave_one_out = true;
};

struct CalibrateOptions {
  std::string strategy = "best";
  bool leave_one_out = true;
  // One model per training entry, built by the caller; null: built from each entry's model name.
  const std::vector<workloads::LoadedModel>* models = nullptr;
};

// Fits `params` on `training` (all one chip: a UserError otherwise, naming the entries), from
// the values in `base`. `base_preset` names it for the preset file.
Calibration calibrate(const std::vector<const CorpusEntry*>& training, const arch::NpuConfig& base,
                      const std::string& base_preset, const std::vector<FitParam>& params,
                      const std::vector<std::string>& model_dirs, const std::string& corpus_path,
                      const CalibrateOptions& opts = {});

// `base` with parameter values applied: each key of params[i] set to its factor x values[i].
arch::NpuConfig with_params(const arch::NpuConfig& base, const std::vector<FitParam>& params,
                            const std::vector<double>& values);

// The table: parameters before/after with units, every entry's error before, after and
// leave-one-out, and the medians. No version line (the CLI prints it).
std::string calibration_text(const Calibration& c);
std::string calibration_json(const Calibration& c);
// A preset: `base:` the input preset, the fitted values, and comments recording the corpus,
// device(s), networks, npusim version and the errors.
std::string calibration_preset_yaml(const Calibration& c, const std::string& name);

// The corpus cross-check: every entry predicted with its chip's preset.
struct CorpusRow {
  const CorpusEntry* entry = nullptr;
  std::string preset;
  Prediction predicted;
  double error = 0;   // predicted / measured - 1, in the entry's metric
  std::string basis;  // fitted, leave-one-out, prediction, transfer
};
struct CorpusCrosscheck {
  std::string corpus_path;
  std::map<std::string, std::string> presets;  // chip -> preset used
  std::string fit;                             // what was refitted for leave-one-out ("" = nothing)
  std::vector<CorpusRow> rows;
};
// `hw` gives each chip's config; `loo` (optional) the leave-one-out predictions of the fit
// split by entry pointer. A row is `fitted` when its preset's calibrated_on names its model.
CorpusCrosscheck crosscheck_corpus(const Corpus& corpus, const std::map<std::string, arch::NpuConfig>& hw,
                                   const std::map<std::string, std::string>& presets,
                                   const std::vector<std::string>& model_dirs, const std::string& strategy,
                                   const Calibration* loo);
std::string corpus_crosscheck_text(const CorpusCrosscheck& c);
std::string corpus_crosscheck_json(const CorpusCrosscheck& c);
// chip,device,network,model,family,precision,metric,split,basis,preset,predicted_ms,measured_ms,
// predicted_tokens_per_s,measured_tokens_per_s,error_pct,predicted_bound (one pair filled per row)
std::string corpus_crosscheck_csv(const CorpusCrosscheck& c);

}  // namespace npusim::reports
