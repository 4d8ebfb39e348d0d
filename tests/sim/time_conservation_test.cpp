// Per-op time conserves (DESIGN.md "Metrics", STYLE.md rule 24): on every op of SD 1.5 (text
// encoder, UNet, VAE decoder), the SDXL UNet and Llama-3-8B prefill and decode, on every
// preset in configs/hw and every strategy, with both engines:
//   - an op's latency (exposed time) plus its overlapped time is its busy time, in seconds and
//     in integer ps, and its MAC and vector busy time fit inside its busy time;
//   - utilisation (MACs over peak x busy time) never exceeds 100 %;
//   - an op with work has a bound other than "none", and "overlapped" exactly when it adds
//     no latency;
//   - the ops' latencies plus the run's fixed cost (overhead.per_run) sum to the network
//     latency exactly in integer ps, which for the SystemC engine is the kernel's own clock
//     when it ran out of events plus the fixed costs (a stall added outside the kernel);
//   - an op's fixed cost (overhead.per_*_op) is inside its latency, and the ops' sum to the
//     run's. The presets have no fixed costs; cases below set them.
// The SystemC engine on tiny-test (4x4 PEs, 64 KiB SRAM) takes most of the time (SDXL and
// Llama-3-8B about a minute per strategy), so those runs are split into test cases that
// ctest can run side by side.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "hw_presets.h"
#include "mappers/mapper.h"
#include "sim/analytic_engine.h"
#include "sim/systemc/systemc_engine.h"
#include "workloads/workload.h"

using namespace npusim;

namespace {

enum class Engine { kAnalytic, kSystemc };

// The presets of configs/hw, sorted, so a new preset is covered without editing this file.
std::vector<std::string> presets() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(NPUSIM_SOURCE_DIR "/configs/hw"))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Checks one run; `end_ps` is the engine's own network end time
// (SystemC), or 0 (analytic: the rounded sum of the ops' latencies).
void check_run(const sim::RunStats& r, uint64_t end_ps) {
  REQUIRE(r.peak_macs_per_s > 0);
  uint64_t sum_ps = 0;
  double sum_s = 0;
  size_t over_100 = 0, unbalanced = 0, units_outside = 0, ps_mismatch = 0, bad_bound = 0;
  uint64_t overhead_ps = 0;
  std::string first_bad;  // the first offending op, named in the failure message
  for (const sim::OpStats& op : r.ops) {
    const sim::Counters& c = op.c;
    sum_ps += op.exposed_ps;
    sum_s += c.latency_s;
    // 1e-12 relative: doubles that should be equal but were summed in another order.
    const double tol_s = 1e-12 * std::max(c.busy_s, 1e-9);
    const size_t before = over_100 + unbalanced + units_outside + ps_mismatch + bad_bound;
    if (op.utilization > 1) ++over_100;
    if (std::abs(c.latency_s + c.overlapped_s - c.busy_s) > tol_s || c.latency_s < 0 || c.overlapped_s < 0)
      ++unbalanced;
    if (c.mac_s > c.busy_s + tol_s || c.vector_s > c.busy_s + tol_s) ++units_outside;
    // Integer ps within 1 ps of the seconds (the analytic engine rounds its cumulative time).
    if (std::abs(double(op.exposed_ps) * 1e-12 - c.latency_s) > 1.001e-12 ||
        std::abs(double(op.overlapped_ps) * 1e-12 - c.overlapped_s) > 1.001e-12 ||
        std::abs(double(op.busy_ps()) * 1e-12 - c.busy_s) > 2.001e-12)
      ++ps_mismatch;
    // Work takes time; "none" means no busy time, "overlapped" busy time but no latency
    // (both without the op's fixed cost, which is no unit's work).
    const bool has_work =
        c.macs > 0 || c.vector_cycles > 0 || c.dram_bytes() > 0 || c.sram_read_bytes + c.sram_write_bytes > 0;
    const double work_busy_s = c.busy_s - c.overhead_s, work_latency_s = c.latency_s - c.overhead_s;
    if ((has_work && work_busy_s <= 0) || (op.bound == sim::Bound::kNone) != (work_busy_s == 0) ||
        (op.bound == sim::Bound::kOverlapped) != (work_busy_s > 0 && work_latency_s == 0) || work_latency_s < 0)
      ++bad_bound;
    overhead_ps += uint64_t(std::llround(c.overhead_s * 1e12));
    if (first_bad.empty() && over_100 + unbalanced + units_outside + ps_mismatch + bad_bound > before)
      first_bad = op.name + ": utilisation " + std::to_string(op.utilization * 100) + " %, latency " +
                  std::to_string(c.latency_s * 1e6) + " us, overlapped " + std::to_string(c.overlapped_s * 1e6) +
                  " us, busy " + std::to_string(c.busy_s * 1e6) + " us, MAC " + std::to_string(c.mac_s * 1e6) +
                  " us, vector " + std::to_string(c.vector_s * 1e6) + " us, exposed " + std::to_string(op.exposed_ps) +
                  " ps, overlapped " + std::to_string(op.overlapped_ps) + " ps, bound " +
                  std::string(sim::bound_name(op.bound));
  }
  CHECK_MESSAGE(first_bad.empty(), first_bad);
  CHECK(over_100 == 0);
  CHECK(unbalanced == 0);
  CHECK(units_outside == 0);
  CHECK(ps_mismatch == 0);
  CHECK(bad_bound == 0);
  CHECK(overhead_ps == r.op_overhead_ps);
  CHECK(sum_ps + r.per_run_ps == r.latency_ps);
  CHECK(sum_s + double(r.per_run_ps) * 1e-12 == doctest::Approx(r.total.latency_s).epsilon(1e-12));
  if (end_ps > 0) {
    CHECK(r.latency_ps == end_ps + r.op_overhead_ps + r.per_run_ps);
  } else {
    // Rounded once for the ops (cumulative) and exactly for the per-run cost: within 1 ps.
    CHECK(std::llabs(int64_t(r.latency_ps) - std::llround(r.total.latency_s * 1e12)) <= 1);
  }
  CHECK(r.total.latency_s > 0);
}

// Every stage of `model` on `preset` with `engine` and each of `strategies`.
std::vector<std::string> all_strategies() {
  std::vector<std::string> v;
  for (const auto& s : mappers::strategies()) v.emplace_back(s->name());
  return v;
}

void check_model(const std::string& preset, const std::string& model, Engine engine,
                 const std::vector<std::string>& strategies = all_strategies(),
                 const std::map<std::string, uint64_t>& dims = {}, const std::vector<std::string>& overrides = {}) {
  CAPTURE(preset);
  CAPTURE(model);
  const arch::NpuConfig hw = testing::load_preset(preset, overrides);
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  m.dims = dims;
  const workloads::Workload w = workloads::load_workload(model, m);
  REQUIRE(!w.stages.empty());
  mappers::Mapper mapper(hw);
  for (const workloads::Stage& st : w.stages)
    for (const std::string& s : strategies) {
      CAPTURE(st.name);
      CAPTURE(s);
      const mappers::Schedule sched = mapper.map(st.model.graph, s);
      if (engine == Engine::kAnalytic) {
        check_run(sim::run_analytic(st.model.graph, hw, sched), 0);
      } else {
        sim::SystemcRunInfo info;
        const sim::RunStats r = sim::run_systemc(st.model.graph, hw, sched, {}, &info);
        REQUIRE(info.end_ps > 0);
        check_run(r, info.end_ps);
      }
    }
}

// SD 1.5 (text encoder, UNet, VAE decoder), the SDXL UNet, Llama-3-8B (prefill and decode).
const char* const kModels[] = {"sd15", "sdxl-unet", "llama3-8b"};
constexpr const char* kSlowPreset = "tiny-test";

}  // namespace

TEST_CASE("time conserves per op: analytic engine, every model, preset and strategy") {
  const std::vector<std::string> all = presets();
  REQUIRE(std::find(all.begin(), all.end(), kSlowPreset) != all.end());
  for (const std::string& p : all)
    for (const char* model : kModels) check_model(p, model, Engine::kAnalytic);
}

TEST_CASE("time conserves per op: SystemC engine, every model and strategy, presets but tiny-test") {
  for (const std::string& p : presets())
    if (p != kSlowPreset)
      for (const char* model : kModels) check_model(p, model, Engine::kSystemc);
}

TEST_CASE("time conserves per op: SystemC engine on tiny-test, SD 1.5 at 256x256") {
  check_model(kSlowPreset, "sd15", Engine::kSystemc, all_strategies(), {{"resolution", 256}});
}

// On tiny-test's 16-PE array at 1 GB/s the full-size SDXL UNet and Llama-3-8B take minutes
// of SystemC time per strategy (tens of millions of events); the same op structure at smaller
// sizes checks the same accounting: SD 1.5 and SDXL at 256x256 (32x32 latent), Llama with a
// 32-token prompt and a 256-position cache.
TEST_CASE("time conserves per op: SystemC engine on tiny-test, SDXL UNet at 256x256") {
  check_model(kSlowPreset, "sdxl-unet", Engine::kSystemc, all_strategies(), {{"resolution", 256}});
}

TEST_CASE("time conserves per op: SystemC engine on tiny-test, Llama-3-8B prefill and decode, short context") {
  check_model(kSlowPreset, "llama3-8b", Engine::kSystemc, all_strategies(), {{"prompt_tokens", 32}, {"context", 256}});
}

// Fixed costs on every op that runs and on the run.
const std::vector<std::string> kFixedCosts = {"overhead.per_mac_op=3us", "overhead.per_vector_op=1500ns",
                                              "overhead.per_run=250us"};

TEST_CASE("time conserves per op with fixed costs: analytic engine, every model, preset and strategy") {
  for (const std::string& p : presets())
    for (const char* model : kModels) check_model(p, model, Engine::kAnalytic, all_strategies(), {}, kFixedCosts);
}

TEST_CASE("time conserves per op with fixed costs: SystemC engine, SD 1.5 on the Snapdragon preset") {
  check_model("snapdragon-8gen2", "sd15", Engine::kSystemc, all_strategies(), {}, kFixedCosts);
}

TEST_CASE("time conserves per op: a fully hidden op is reported as overlapped, not as none") {
  // The SD 1.5 UNet's first cross-attention key projection reads only the text embedding,
  // which is not the previous op's output, so on the Expedera preset with activations on
  // chip its whole pipelined time runs under the op before it (it used to show latency 0,
  // bound "none").
  const arch::NpuConfig hw = testing::load_preset("expedera-8k");
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  const workloads::LoadedModel lm = workloads::load_model("sd15-unet", m);
  mappers::Mapper mapper(hw);
  const sim::RunStats r = sim::run_analytic(lm.graph, hw, mapper.map(lm.graph, "onchip"));
  const std::string name = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k";
  auto it = std::find_if(r.ops.begin(), r.ops.end(), [&](const sim::OpStats& o) { return o.name == name; });
  REQUIRE(it != r.ops.end());
  CHECK(it->c.macs > 18'000'000);
  CHECK(it->c.latency_s == 0);
  CHECK(it->bound == sim::Bound::kOverlapped);
  CHECK(it->c.overlapped_s == it->c.busy_s);
  CHECK(it->c.busy_s >= it->c.mac_s);
  CHECK(it->utilization > 0.1);
  CHECK(it->utilization <= 1);
}
