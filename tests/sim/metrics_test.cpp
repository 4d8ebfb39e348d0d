// The metric vocabulary (sim/metrics.h): one definition per figure, and the headline list of
// each workload kind is what headline_metrics computes.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "hw_presets.h"
#include "sim/metrics.h"
#include "workloads/workload.h"

using namespace npusim;

TEST_CASE("metrics: every key is defined once, with a unit and a unit-bearing label") {
  std::set<std::string> keys;
  for (const sim::MetricDef& d : sim::all_metrics()) {
    CAPTURE(d.key);
    CHECK(keys.insert(std::string(d.key)).second);
    CHECK_FALSE(d.unit.empty());
    CHECK_FALSE(d.meaning.empty());
    CHECK(&sim::metric_def(d.id) == &d);
    // A figure with a unit of time, energy or bytes says it in its key.
    if (d.unit == "ms") CHECK(d.key.ends_with("_ms"));
    if (d.unit == "mJ") CHECK(d.key.ends_with("_mj"));
    if (d.unit == "1/s") CHECK(d.key.ends_with("_per_s"));
  }
  CHECK(sim::bound_time_key(sim::Bound::kDram) == "time_dram_bound_ms");
}

TEST_CASE("metrics: each workload kind's headline figures are its own (diffusion, LLM, network)") {
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  sim::Simulator sim(testing::load_preset("expedera-8k"));
  for (const char* model : {"sd15", "llama3.2-1b", "resnet18"}) {
    CAPTURE(model);
    workloads::ModelOptions o = m;
    if (std::string(model) == "sd15") o.dims = {{"steps", 1}};
    if (std::string(model) == "llama3.2-1b") o.dims = {{"prompt_tokens", 8}, {"context", 32}};
    sim::WorkloadResult r = sim.run(workloads::load_workload(model, o), "fused");
    std::vector<sim::Metric> got;
    for (const auto& v : sim::headline_metrics(r)) {
      got.push_back(v.id);
      CHECK(v.value > 0);
    }
    CHECK(got == sim::headline_metric_list(r.kind));
    auto has = [&](sim::Metric x) { return std::find(got.begin(), got.end(), x) != got.end(); };
    CHECK(has(sim::throughput_metric(r.kind)));
    CHECK(has(sim::energy_metric(r.kind)));
    CHECK(has(sim::latency_metric(r.kind)));
    // An LLM never reports images: its throughput is decode tokens/s.
    if (r.kind == workloads::WorkloadKind::kLlm) {
      CHECK_FALSE(has(sim::Metric::kImagesPerS));
      CHECK(sim::throughput_metric(r.kind) == sim::Metric::kDecodeTokensPerS);
    }
  }
}
