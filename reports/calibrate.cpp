#include "calibrate.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "json_writer.h"
#include "npusim/error.h"
#include "run_report.h"
#include "sim/simulator.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

// The search grid: one step is a factor of 1.001 (0.1 %); the compass search starts with
// 2048 steps (x7.8) and halves down to one.
constexpr double kGridStep = 0.000999500333083533;  // ln(1.001)
constexpr int kFirstStep = 2048, kLooFirstStep = 8;
constexpr int kMaxPoints = 2000;  // per search: a bound, never reached on a smooth objective

std::string bound_text(const sim::RunStats& s) {
  const auto [bound, share] = dominant_bound(s);
  return std::string(sim::bound_name(bound)) + fmt(" %.0f %%", share * 100);
}

bool in_range(const arch::ParamSpec& s, double v) {
  if (s.range.lo_open ? v <= s.range.lo : v < s.range.lo) return false;
  return v <= s.range.hi;
}

// 4 significant digits: the value written to the preset (the grid resolves 0.1 %).
double round4(double v) {
  if (v <= 0) return v;
  // Through its decimal text, so the double is the one nearest to the 4-digit decimal and
  // prints as such (0.01035, not 0.010350000000000002).
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return std::strtod(buf, nullptr);
}

double log_error(const Prediction& p, const CorpusEntry& e) { return std::log(p.value / e.measured); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string value_text(const arch::ParamSpec& s, double v) {
  arch::ParamValue pv;
  pv.number = v;
  return arch::format_param(s, pv);
}

// Grid points of a search: offsets (in grid steps) from the start values, one per parameter.
using Point = std::vector<int>;

class Search {
 public:
  Search(const std::vector<FitParam>& params, const std::vector<double>& start, const arch::NpuConfig& base,
         const CorpusEvaluator& eval, const std::vector<size_t>& all)
      : params_(params), start_(start), base_(base), eval_(eval), all_(all) {}

  // Count keys (lanes, rows, ...) take whole values: the grid point's value rounded.
  std::vector<double> values(const Point& p) const {
    std::vector<double> v(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
      v[i] = start_[i] * std::exp(kGridStep * p[i]);
      if (params_[i].specs[0]->unit == arch::Unit::kCount) v[i] = std::round(v[i]);
    }
    return v;
  }
  bool valid(const Point& p) const {
    const std::vector<double> v = values(p);
    for (size_t i = 0; i < p.size(); ++i)
      for (size_t k = 0; k < params_[i].specs.size(); ++k)
        if (!in_range(*params_[i].specs[k], params_[i].value(k, v[i]))) return false;
    return true;
  }
  // Predictions of every entry in `all` at p, evaluated once per point.
  const std::vector<Prediction>& at(const Point& p) {
    auto it = cache_.find(p);
    if (it == cache_.end()) it = cache_.emplace(p, eval_.predict(with_params(base_, params_, values(p)), all_)).first;
    return it->second;
  }
  // Sum of squared log errors at p over all entries but `skip` (an index into `all`, or -1).
  double objective(const Point& p, const std::vector<const CorpusEntry*>& entries, long skip) {
    const auto& pred = at(p);
    double sum = 0;
    for (size_t i = 0; i < entries.size(); ++i)
      if (long(i) != skip) sum += std::pow(log_error(pred[i], *entries[i]), 2);
    return sum;
  }
  // Compass search from `from`, first step `step`, halving to one grid step. A move that
  // improves is pressed on along the same key and direction with the stride doubled (up to
  // kFirstStep) until it stops improving, so a refit that must travel far does so in a few
  // points, and a cycle goes on to the next key instead of starting over at the first.
  Point minimise(Point from, int step, const std::vector<const CorpusEntry*>& entries, long skip) {
    double best = objective(from, entries, skip);
    int points = 0;
    for (; step >= 1; step /= 2) {
      for (bool moved = true; moved && points < kMaxPoints;) {
        moved = false;
        for (size_t i = 0; i < from.size(); ++i)
          for (int dir : {+1, -1}) {
            bool improved = false;
            for (int stride = step; points < kMaxPoints; stride = std::min(2 * stride, kFirstStep)) {
              Point c = from;
              c[i] += dir * stride;
              if (!valid(c)) break;
              ++points;
              const double o = objective(c, entries, skip);
              if (!(o < best)) break;
              best = o;
              from = c;
              improved = moved = true;
            }
            if (improved) break;  // the other direction cannot improve on a move just made
          }
      }
    }
    return from;
  }
  size_t points() const { return cache_.size(); }

 private:
  const std::vector<FitParam>& params_;
  std::vector<double> start_;
  const arch::NpuConfig& base_;
  const CorpusEvaluator& eval_;
  std::vector<size_t> all_;
  std::map<Point, std::vector<Prediction>> cache_;
};

}  // namespace

namespace {

// The shortest text that reads back as the same double (2, 0.5, 1.25, 1e20): no '+' in an
// exponent, as '+' joins the keys of a group.
std::string factor_text(double f) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, f);
  std::string t(buf, r.ptr);
  if (const size_t plus = t.find("e+"); plus != std::string::npos) t.erase(plus + 1, 1);
  return t;
}

// A tie's FACTOR: a plain positive finite decimal number (2, 0.5, 1.5e0); nullopt otherwise
// (inf, nan, hex, signs, spaces and trailing text are not numbers here).
std::optional<double> parse_factor(const std::string& t) {
  if (t.empty() || t.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
  if (!std::isdigit(static_cast<unsigned char>(t[0])) && t[0] != '.') return std::nullopt;
  double f = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), f, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(f) || !(f > 0)) return std::nullopt;
  return f;
}

// `base` with key k of params[i] set to value_of(params[i], k, i).
template <class ValueOf>
arch::NpuConfig set_params(const arch::NpuConfig& base, const std::vector<FitParam>& params, ValueOf value_of) {
  arch::NpuConfig hw = base;
  for (size_t i = 0; i < params.size(); ++i)
    for (size_t k = 0; k < params[i].specs.size(); ++k) {
      arch::ParamValue v;
      v.number = value_of(params[i], k, i);
      params[i].specs[k]->set(hw, v);
    }
  return hw;
}

// `base` with the values a preset written from `after` holds (each tied key rounded on its own).
arch::NpuConfig with_written_params(const arch::NpuConfig& base, const std::vector<FitParam>& params,
                                    const std::vector<double>& after) {
  NPUSIM_ASSERT(params.size() == after.size(), "one value per fitted parameter");
  return set_params(base, params, [&](const FitParam& p, size_t k, size_t i) { return p.written_value(k, after[i]); });
}

}  // namespace

std::string FitParam::name() const {
  std::string s;
  for (size_t k = 0; k < specs.size(); ++k) {
    if (k) s += "+";
    if (factor(k) != 1) s += factor_text(factor(k)) + "*";
    s += specs[k]->key;
  }
  return s;
}

double FitParam::written_value(size_t k, double fitted) const {
  return factor(k) == 1 ? fitted : round4(factor(k) * fitted);
}

std::vector<FitParam> parse_fit_params(const std::string& text, const std::string& what) {
  std::vector<FitParam> out;
  std::set<std::string> seen;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string group = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    FitParam p;
    size_t s = 0;
    while (true) {
      const size_t plus = group.find('+', s);
      const std::string item = group.substr(s, plus == std::string::npos ? std::string::npos : plus - s);
      // FACTOR*KEY: the key tied at FACTOR x the group's value.
      const size_t star = item.find('*');
      const std::string key = star == std::string::npos ? item : item.substr(star + 1);
      double factor = 1;
      if (star != std::string::npos) {
        if (p.specs.empty())
          throw UserError(what + ": " + item +
                          ": the first key of a group carries the fitted value and takes no factor "
                          "(write KEY+FACTOR*KEY)");
        const std::string ft = item.substr(0, star);
        if (ft.empty())
          throw UserError(what + ": " + item +
                          ": empty factor (a tied key is FACTOR*KEY, FACTOR a positive number, e.g. 2*KEY)");
        const std::optional<double> f = parse_factor(ft);
        if (!f)
          throw UserError(what + ": " + item + ": factor '" + ft +
                          "' is not a positive finite decimal number (a tied key is FACTOR*KEY, e.g. 2*KEY or "
                          "0.5*KEY)");
        factor = *f;
      }
      const arch::ParamSpec* spec = arch::find_param(key);
      if (key.empty()) throw UserError(what + ": empty key (expected KEY[+[FACTOR*]KEY][,KEY...])");
      if (!spec) throw UserError(what + ": unknown hardware key '" + key + "' (see npusim config --explain)");
      if (spec->unit == arch::Unit::kText || spec->unit == arch::Unit::kBool || spec->unit == arch::Unit::kDataflowList)
        throw UserError(what + ": " + key + " is not a numeric key; only numbers can be fitted");
      if (!seen.insert(key).second) throw UserError(what + ": " + key + " is named twice");
      if (!p.specs.empty() && p.specs[0]->unit != spec->unit)
        throw UserError(what + ": " + p.specs[0]->key + "+" + key + ": keys that share one value must have one unit");
      if (star != std::string::npos && spec->unit == arch::Unit::kCount)
        throw UserError(what + ": " + item + ": " + key +
                        " is a count (whole numbers); count keys can share one value (KEY+KEY) but not be tied "
                        "by a factor");
      p.specs.push_back(spec);
      p.factors.push_back(factor);
      if (plus == std::string::npos) break;
      s = plus + 1;
    }
    out.push_back(std::move(p));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() > 6)
    throw UserError(what + ": at most 6 parameters are fitted jointly (got " + std::to_string(out.size()) + ")");
  return out;
}

arch::NpuConfig with_params(const arch::NpuConfig& base, const std::vector<FitParam>& params,
                            const std::vector<double>& values) {
  NPUSIM_ASSERT(params.size() == values.size(), "one value per fitted parameter");
  return set_params(base, params, [&](const FitParam& p, size_t k, size_t i) { return p.value(k, values[i]); });
}

CorpusEvaluator::CorpusEvaluator(const std::vector<CorpusEntry>& entries, const std::vector<std::string>& model_dirs,
                                 std::string strategy)
    : entries_(entries), strategy_(std::move(strategy)) {
  for (const auto& e : entries) {
    workloads::ModelOptions o;
    o.model_dirs = model_dirs;
    o.precision = workloads::parse_precision_spec(e.npusim_precision, "precision " + e.precision);
    o.dims = e.dims;
    if (e.metric == CorpusMetric::kTtftMs) o.phase = "prefill";
    if (e.metric == CorpusMetric::kTokensPerS) o.phase = "decode";
    models_.push_back(workloads::load_model(e.model, o));
  }
  schedules_.resize(models_.size());
  for (const auto& m : models_) cost_.push_back(double(m.graph.num_ops()));
}

CorpusEvaluator::CorpusEvaluator(const std::vector<CorpusEntry>& entries, std::vector<workloads::LoadedModel> models,
                                 std::string strategy)
    : entries_(entries), models_(std::move(models)), strategy_(std::move(strategy)) {
  NPUSIM_ASSERT(models_.size() == entries_.size(), "one model per corpus entry");
  schedules_.resize(models_.size());
  for (const auto& m : models_) cost_.push_back(double(m.graph.num_ops()));
}

uint64_t CorpusEvaluator::schedule_reuses() const {
  uint64_t n = 0;
  for (const auto& c : schedules_) n += c.hits();
  return n;
}

uint64_t CorpusEvaluator::schedules_mapped() const {
  uint64_t n = 0;
  for (const auto& c : schedules_) n += c.misses();
  return n;
}

std::vector<Prediction> CorpusEvaluator::predict(const arch::NpuConfig& hw, const std::vector<size_t>& which) const {
  const std::lock_guard<std::mutex> one_at_a_time(predict_mutex_);
  std::vector<bool> named(models_.size(), false);  // each entry once: its cache is one thread's
  for (size_t i : which) {
    NPUSIM_ASSERT(i < models_.size() && !named[i], "predict: an entry out of range or named twice");
    named[i] = true;
  }
  // Entries are independent: a few threads, one Simulator each, take the next entry in turn.
  // Each result lands in its entry's slot, so the output does not depend on the thread count.
  std::vector<Prediction> out(which.size());
  std::vector<size_t> order(which.size());  // positions in `which`, longest entry first
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost_[which[a]] > cost_[which[b]]; });
  std::atomic<size_t> next{0};
  auto work = [&] {
    sim::RunOptions options;
    options.keep_schedule = false;  // only the stats are read
    sim::Simulator sim(hw, options);
    for (size_t n; (n = next.fetch_add(1)) < which.size();) {
      const size_t k = order[n], i = which[k];
      // `which` names each entry once, so one thread at a time uses its cache and cost.
      const auto t0 = std::chrono::steady_clock::now();
      const sim::RunResult r = sim.run(models_[i], strategy_, &schedules_[i]);
      cost_[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double s = r.stats.total.latency_s;
      out[k].value = entries_[i].metric == CorpusMetric::kTokensPerS ? 1.0 / s : s * 1e3;
      out[k].bound = bound_text(r.stats);
    }
  };
  const size_t n = std::min<size_t>({which.size(), std::max(1u, std::thread::hardware_concurrency()), 8});
  std::exception_ptr error;
  std::mutex error_mutex;
  // The first error wins and stops the others taking more entries.
  auto guarded = [&] {
    try {
      work();
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = which.size();
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n; ++t) threads.emplace_back(guarded);
  guarded();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  evaluations_ += which.size();
  return out;
}

Calibration calibrate(const std::vector<const CorpusEntry*>& training, const arch::NpuConfig& base,
                      const std::string& base_preset, const std::vector<FitParam>& params,
                      const std::vector<std::string>& model_dirs, const std::string& corpus_path,
                      const CalibrateOptions& opts) {
  if (training.empty()) throw UserError(corpus_path + ": no entries to fit on");
  if (params.empty()) throw UserError("calibrate: name at least one key to fit");
  Calibration c;
  c.corpus_path = corpus_path;
  c.hw_preset = base_preset;
  c.params = params;
  c.chip = training[0]->chip;
  c.leave_one_out = opts.leave_one_out && training.size() > 1;
  c.loo_skipped = !opts.leave_one_out;
  std::string other;
  for (const auto* e : training) {
    if (e->chip != c.chip)
      other += "\n  " + corpus_path + ":" + std::to_string(e->line) + ": " + e->label() + " on " + e->device + " (" +
               e->chip + ")";
    if (std::find(c.devices.begin(), c.devices.end(), e->device) == c.devices.end()) c.devices.push_back(e->device);
  }
  if (!other.empty())
    throw UserError(corpus_path +
                    ": the training set must be one chip (protocol: fit on one chip, predict the others); " +
                    "the first entry is " + c.chip + ", these are not:" + other);
  for (const auto& p : params) {
    const double v = p.specs[0]->get(base).number;
    for (size_t k = 1; k < p.specs.size(); ++k) {
      const arch::ParamSpec& s = *p.specs[k];
      const double has = s.get(base).number, needs = p.value(k, v);
      // A plain key shares the value exactly; a tied one within 0.1 % (presets hold 4 digits).
      if (p.factor(k) == 1 ? has == v : std::abs(has - needs) <= 1e-3 * std::abs(needs)) continue;
      if (p.factor(k) == 1)
        throw UserError("calibrate: " + p.name() + " share one value, but " + base_preset + " has " + p.specs[0]->key +
                        " = " + value_text(*p.specs[0], v) + " and " + s.key + " = " + value_text(s, has));
      throw UserError("calibrate: " + p.name() + " ties " + s.key + " at " + factor_text(p.factor(k)) + " x " +
                      p.specs[0]->key + ", but " + base_preset + " has " + p.specs[0]->key + " = " +
                      value_text(*p.specs[0], v) + " and " + s.key + " = " + value_text(s, has) + " (the tie needs " +
                      value_text(s, needs) + ", within 0.1 %)");
    }
    if (!(v > 0))
      throw UserError("calibrate: " + p.name() + " is " + value_text(*p.specs[0], v) + " in " + base_preset +
                      "; a fit in log space needs a positive start");
    c.before.push_back(v);
  }
  // The entries as a vector the evaluator can hold.
  std::vector<CorpusEntry> copies;
  for (const auto* e : training) copies.push_back(*e);
  std::vector<size_t> all(copies.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  if (opts.models) NPUSIM_ASSERT(opts.models->size() == copies.size(), "one model per training entry");
  const CorpusEvaluator eval = opts.models ? CorpusEvaluator(copies, *opts.models, opts.strategy)
                                           : CorpusEvaluator(copies, model_dirs, opts.strategy);
  Search search(params, c.before, base, eval, all);

  const Point origin(params.size(), 0);
  const Point best = search.minimise(origin, kFirstStep, training, -1);
  for (double v : search.values(best)) c.after.push_back(round4(v));
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].specs[0]->unit == arch::Unit::kCount) c.after[i] = std::round(c.after[i]);
  // The written (rounded) values are the ones reported, a tied key's rounded on its own.
  const std::vector<Prediction> before = search.at(origin);
  const std::vector<Prediction> after = eval.predict(with_written_params(base, params, c.after), all);
  for (size_t i = 0; i < training.size(); ++i) {
    CalibrationRow r;
    r.entry = training[i];
    r.before = before[i];
    r.after = after[i];
    c.objective_before += std::pow(log_error(before[i], *training[i]), 2);
    c.objective_after += std::pow(log_error(after[i], *training[i]), 2);
    c.rows.push_back(r);
  }
  if (c.leave_one_out) {
    for (size_t i = 0; i < training.size(); ++i) {
      const Point p = search.minimise(best, kLooFirstStep, training, long(i));
      c.rows[i].loo = search.at(p)[i];
      c.loo_values.push_back(search.values(p));
    }
  }
  c.hw_points = search.points() + 1;
  c.network_evaluations = eval.evaluations();
  c.schedules_mapped = eval.schedules_mapped();
  c.schedules_reused = eval.schedule_reuses();
  return c;
}

std::string calibration_text(const Calibration& c) {
  std::string o;
  o += "calibrate  " + c.hw_preset + " (" + c.chip + ") on " + c.corpus_path + "\n";
  std::string devs;
  for (const auto& d : c.devices) devs += (devs.empty() ? "" : ", ") + d;
  o += fmt("training   %zu measurements on %s; minimising the sum of ln(predicted/measured)^2\n\n", c.rows.size(),
           devs.c_str());
  o += fmt("%-48s %14s %14s\n", "parameter", "before", "fitted");
  for (size_t i = 0; i < c.params.size(); ++i)
    o += fmt("%-48s %14s %14s\n", c.params[i].name().c_str(), value_text(*c.params[i].specs[0], c.before[i]).c_str(),
             value_text(*c.params[i].specs[0], c.after[i]).c_str());
  o += fmt("\n%-40s %-9s %12s %10s %10s %10s   %s\n", "network", "unit", "measured", "before", "fitted",
           c.leave_one_out ? "leave-1-out" : "", "bound (fitted)");
  std::vector<double> eb, ea, el;
  for (const auto& r : c.rows) {
    const CorpusEntry& e = *r.entry;
    const double b = r.before.value / e.measured - 1, a = r.after.value / e.measured - 1;
    const double l = c.leave_one_out ? r.loo.value / e.measured - 1 : 0;
    eb.push_back(std::abs(b));
    ea.push_back(std::abs(a));
    if (c.leave_one_out) el.push_back(std::abs(l));
    o += fmt("%-40s %-9s %12.4g %+9.1f%% %+9.1f%% %s   %s\n", e.label().c_str(),
             std::string(corpus_metric_unit(e.metric)).c_str(), e.measured, b * 100, a * 100,
             c.leave_one_out ? fmt("%+9.1f%%", l * 100).c_str() : "          ", r.after.bound.c_str());
  }
  auto worst = [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); };
  o += fmt("%-40s %-9s %12s %9.1f%% %9.1f%% %s\n", "median |error|", "", "", median(eb) * 100, median(ea) * 100,
           c.leave_one_out ? fmt("%9.1f%%", median(el) * 100).c_str() : "");
  o += fmt("%-40s %-9s %12s %9.1f%% %9.1f%% %s\n", "worst |error|", "", "", worst(eb) * 100, worst(ea) * 100,
           c.leave_one_out ? fmt("%9.1f%%", worst(el) * 100).c_str() : "");
  o += fmt("sum of squared log errors: %.4f before, %.4f fitted\n", c.objective_before, c.objective_after);
  o += "error = predicted / measured - 1 in the metric's unit; leave-1-out = the parameters refitted without that\n"
       "network, then that network predicted (" +
       std::string(c.leave_one_out ? "an honest prediction error"
                   : c.loo_skipped ? "not done: --no-loo"
                                   : "not done: one training entry") +
       ").\n";
  o +=
      fmt("search: %llu hardware points, %llu network evaluations (analytic engine); %llu network x strategy "
          "schedules mapped, %llu reused from a point that differed only in keys the mapper does not read\n",
          (unsigned long long)c.hw_points, (unsigned long long)c.network_evaluations,
          (unsigned long long)c.schedules_mapped, (unsigned long long)c.schedules_reused);
  return o;
}

std::string calibration_json(const Calibration& c) {
  JsonWriter w;
  w.begin_object();
  w.field("schema", "npusim.calibration/1");
  w.field("version", version_string());
  w.field("commit", git_commit());
  w.field("corpus", c.corpus_path);
  w.field("hw", c.hw_preset);
  w.field("chip", c.chip);
  w.key("devices");
  w.begin_array();
  for (const auto& d : c.devices) w.value(d);
  w.end_array();
  w.key("parameters");
  w.begin_array();
  for (size_t i = 0; i < c.params.size(); ++i) {
    w.begin_object();
    w.field("keys", c.params[i].name());
    w.field("unit", std::string(arch::base_unit_name(c.params[i].specs[0]->unit)));
    w.field("before", value_text(*c.params[i].specs[0], c.before[i]));
    w.field("fitted", value_text(*c.params[i].specs[0], c.after[i]));
    w.end_object();
  }
  w.end_array();
  w.key("networks");
  w.begin_array();
  for (const auto& r : c.rows) {
    const CorpusEntry& e = *r.entry;
    w.begin_object();
    w.field("network", e.label());
    w.field("model", e.model);
    w.field("precision", e.precision);
    w.field("device", e.device);
    w.field("metric", std::string(corpus_metric_name(e.metric)));
    w.field("unit", std::string(corpus_metric_unit(e.metric)));
    w.field("measured", e.measured);
    w.field("predicted_before", r.before.value);
    w.field("predicted_fitted", r.after.value);
    w.field("error_before_pct", (r.before.value / e.measured - 1) * 100);
    w.field("error_fitted_pct", (r.after.value / e.measured - 1) * 100);
    if (c.leave_one_out) {
      w.field("predicted_leave_one_out", r.loo.value);
      w.field("error_leave_one_out_pct", (r.loo.value / e.measured - 1) * 100);
    }
    w.field("bound_fitted", r.after.bound);
    w.end_object();
  }
  w.end_array();
  w.field("sum_sq_log_error_before", c.objective_before);
  w.field("sum_sq_log_error_fitted", c.objective_after);
  w.field("hw_points", c.hw_points);
  w.field("network_evaluations", c.network_evaluations);
  w.field("schedules_mapped", c.schedules_mapped);
  w.field("schedules_reused", c.schedules_reused);
  w.end_object();
  return w.str() + "\n";
}

std::string calibration_preset_yaml(const Calibration& c, const std::string& name) {
  std::string o;
  o += "# Calibrated by `npusim calibrate` (npusim " + std::string(version_string()) + ", commit " + git_commit() +
       ")\n";
  o += "# on " + c.corpus_path + ": chip " + c.chip + ", device(s) ";
  for (size_t i = 0; i < c.devices.size(); ++i) o += (i ? ", " : "") + c.devices[i];
  o += fmt(", %zu measurements:\n", c.rows.size());
  for (const auto& r : c.rows)
    o += fmt(
        "#   %-40s measured %10.4g %-8s fitted %+7.1f %%%s\n", r.entry->label().c_str(), r.entry->measured,
        std::string(corpus_metric_unit(r.entry->metric)).c_str(), (r.after.value / r.entry->measured - 1) * 100,
        c.leave_one_out ? fmt(", leave-one-out %+7.1f %%", (r.loo.value / r.entry->measured - 1) * 100).c_str() : "");
  o += fmt("# Sum of squared log errors %.4f before, %.4f after. Fitted jointly, no per-network factor.\n",
           c.objective_before, c.objective_after);
  o += "base: " + c.hw_preset + "\n";
  o += "name: " + name + "\n";
  std::string keys;
  for (const auto& p : c.params) keys += (keys.empty() ? "" : ", ") + p.name();
  o += "description: \"" + c.hw_preset + " with " + keys + " fitted on " + c.corpus_path + " (" + c.chip + ")\"\n";
  std::string nets;
  for (const auto& r : c.rows) nets += (nets.empty() ? "" : ", ") + r.entry->label();
  o += "calibrated_on: \"" + nets + "\"\n";
  // Dotted keys as nested YAML: sorted, each section opened once.
  std::vector<std::pair<std::string, std::string>> kv;
  for (size_t i = 0; i < c.params.size(); ++i)
    for (size_t k = 0; k < c.params[i].specs.size(); ++k) {
      const arch::ParamSpec& s = *c.params[i].specs[k];
      kv.emplace_back(s.key, value_text(s, c.params[i].written_value(k, c.after[i])));
    }
  std::sort(kv.begin(), kv.end());
  std::vector<std::string> open;
  for (const auto& [key, value] : kv) {
    std::vector<std::string> parts;
    for (size_t s = 0;;) {
      const size_t d = key.find('.', s);
      parts.push_back(key.substr(s, d == std::string::npos ? std::string::npos : d - s));
      if (d == std::string::npos) break;
      s = d + 1;
    }
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (size_t i = common; i + 1 < parts.size(); ++i) {
      o += std::string(2 * i, ' ') + parts[i] + ":\n";
      open.push_back(parts[i]);
    }
    o += std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + value + "\n";
  }
  return o;
}

}  // namespace npusim::reports
