// npusim calibrate's inner loop: the predictions of the checked-in corpus's 24 Galaxy S23 fit
// entries at one hardware point. A point that changes only a fixed cost reuses every mapped
// schedule (sim::ScheduleCache); a point that changes the clock maps every network afresh.
// Run: build/tests/bench/npusim_bench_calibrate
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "arch/config_loader.h"
#include "reports/calibrate.h"
#include "reports/corpus.h"
#include "workloads/model_registry.h"

namespace {

using namespace npusim;

const std::string kCorpus = NPUSIM_SOURCE_DIR "/configs/measured/corpus.yaml";

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

arch::NpuConfig preset(const std::string& name, std::vector<std::string> overrides = {}) {
  arch::LoadOptions o;
  o.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
  o.overrides = std::move(overrides);
  return arch::load_npu_config(name, o);
}

struct FitSet {
  reports::Corpus corpus;
  std::vector<reports::CorpusEntry> fit;
  std::vector<size_t> all;
};

const FitSet& fit_set() {
  static const FitSet s = [] {
    FitSet f;
    reports::CorpusContext ctx;
    ctx.models = workloads::list_models({NPUSIM_SOURCE_DIR "/configs/models"});
    ctx.load_preset = [](const std::string& p) { return preset(p); };
    ctx.read_file = [](const std::string& p) { return slurp(p); };
    f.corpus = reports::read_corpus(kCorpus, slurp(kCorpus), ctx);
    for (const auto& e : f.corpus.entries)
      if (e.split == reports::CorpusSplit::kFit) f.fit.push_back(e);
    for (size_t i = 0; i < f.fit.size(); ++i) f.all.push_back(i);
    return f;
  }();
  return s;
}

// Each iteration: a new point alternating between two values of `key`.
void BM_CorpusPoint(benchmark::State& state, const std::string& a, const std::string& b) {
  const FitSet& f = fit_set();
  const reports::CorpusEvaluator eval(f.fit, {NPUSIM_SOURCE_DIR "/configs/models"}, "best");
  const arch::NpuConfig hw[2] = {preset("snapdragon-8gen2", {a}), preset("snapdragon-8gen2", {b})};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(eval.predict(hw[i++ % 2], f.all));
  state.counters["networks"] = double(f.all.size());
  state.counters["mapped"] = double(eval.schedules_mapped());
  state.counters["reused"] = double(eval.schedule_reuses());
}
// The fixed cost changes: schedules reused after the first two points.
BENCHMARK_CAPTURE(BM_CorpusPoint, fixed_cost_only, std::string("overhead.per_mac_op=4us"),
                  std::string("overhead.per_mac_op=5us"))
    ->Unit(benchmark::kMillisecond);
// The clock changes: up to the cache's capacity the two points' schedules stay cached too, so
// a third clock is what a search sees; this alternates three.
void BM_CorpusPointNewClock(benchmark::State& state) {
  const FitSet& f = fit_set();
  const reports::CorpusEvaluator eval(f.fit, {NPUSIM_SOURCE_DIR "/configs/models"}, "best");
  int mhz = 700;
  for (auto _ : state) {
    state.PauseTiming();
    const arch::NpuConfig hw = preset("snapdragon-8gen2", {"mac_array.frequency=" + std::to_string(++mhz) + "MHz"});
    state.ResumeTiming();
    benchmark::DoNotOptimize(eval.predict(hw, f.all));
  }
  state.counters["mapped"] = double(eval.schedules_mapped());
}
BENCHMARK(BM_CorpusPointNewClock)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
