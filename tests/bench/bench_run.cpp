// Whole-network evaluation speed: configs, graph building and the analytic run, which
// sweeps of thousands of points repeat. Run: build/tests/bench/npusim_bench
#include <benchmark/benchmark.h>

#include "arch/area.h"
#include "arch/config_loader.h"
#include "mappers/mapper.h"
#include "mappers/verify.h"
#include "sim/simulator.h"
#include "sim/systemc/systemc_engine.h"
#include "workloads/workload.h"

namespace {

const std::vector<std::string> kHwDirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
const std::vector<std::string> kModelDirs = {NPUSIM_SOURCE_DIR "/configs/models"};

npusim::workloads::ModelOptions model_opts() {
  npusim::workloads::ModelOptions o;
  o.model_dirs = kModelDirs;
  return o;
}

void BM_LoadHwConfig(benchmark::State& state) {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  for (auto _ : state) benchmark::DoNotOptimize(npusim::arch::load_npu_config("expedera-8k", opts));
}
BENCHMARK(BM_LoadHwConfig)->Unit(benchmark::kMicrosecond);

void BM_BuildModel(benchmark::State& state, const std::string& model) {
  for (auto _ : state) benchmark::DoNotOptimize(npusim::workloads::load_model(model, model_opts()));
}

void BM_RunModel(benchmark::State& state, const std::string& model) {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  auto hw = npusim::arch::load_npu_config("expedera-8k", opts);
  auto m = npusim::workloads::load_model(model, model_opts());
  for (auto _ : state) benchmark::DoNotOptimize(npusim::sim::Simulator::run(hw, m));
  state.counters["ops"] = double(m.graph.num_ops());
}

// The SD 1.5 pipeline: text encoder, UNet and VAE decoder graphs built from their configs.
void BM_BuildSd15Pipeline(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(npusim::workloads::load_workload("sd15", model_opts()));
}
BENCHMARK(BM_BuildSd15Pipeline)->Unit(benchmark::kMillisecond);

npusim::arch::NpuConfig expedera() {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  return npusim::arch::load_npu_config("expedera-8k", opts);
}

// Map and evaluate every op of the whole pipeline with one strategy, from a cold mapper
// (fresh memo each iteration) and with mappings memoised (one mapper reused).
void BM_EvalSd15Cold(benchmark::State& state, const std::string& strategy) {
  auto hw = expedera();
  auto w = npusim::workloads::load_workload("sd15", model_opts());
  for (auto _ : state) {
    npusim::sim::Simulator sim(hw);
    benchmark::DoNotOptimize(sim.run(w, strategy));
  }
}
// Mapping alone (strategy -> memory plan -> tiling -> schedule) of the pipeline's three
// graphs from a cold mapper, no engine.
void BM_MapSd15Cold(benchmark::State& state, const std::string& strategy) {
  auto hw = expedera();
  auto w = npusim::workloads::load_workload("sd15", model_opts());
  for (auto _ : state) {
    npusim::mappers::Mapper mapper(hw);
    for (const auto& st : w.stages) benchmark::DoNotOptimize(mapper.map(st.model.graph, strategy));
  }
}
BENCHMARK_CAPTURE(BM_MapSd15Cold, offchip, std::string("offchip"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapSd15Cold, fused, std::string("fused"))->Unit(benchmark::kMillisecond);

void BM_EvalSd15Memoised(benchmark::State& state, const std::string& strategy) {
  auto hw = expedera();
  auto w = npusim::workloads::load_workload("sd15", model_opts());
  npusim::sim::Simulator sim(hw);
  sim.run(w, strategy);
  for (auto _ : state) benchmark::DoNotOptimize(sim.run(w, strategy));
  state.counters["memo_hits"] = double(sim.mapper().memo_stats().hits);
}
BENCHMARK_CAPTURE(BM_EvalSd15Cold, fused, std::string("fused"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EvalSd15Memoised, fused, std::string("fused"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EvalSd15Cold, best, std::string("best"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EvalSd15Memoised, best, std::string("best"))->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_BuildModel, tiny_block, std::string("tiny-block"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RunModel, tiny_block, std::string("tiny-block"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_BuildModel, sd15_unet, std::string("sd15-unet"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunModel, sd15_unet, std::string("sd15-unet"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BuildModel, sd15_vae_decoder, std::string("sd15-vae-decoder"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunModel, sd15_vae_decoder, std::string("sd15-vae-decoder"))->Unit(benchmark::kMillisecond);
// The phone networks (issue 13): building the graph, then mapping and evaluating it (best strategy).
#define NPUSIM_BENCH_MODEL(id, name)                                                      \
  BENCHMARK_CAPTURE(BM_BuildModel, id, std::string(name))->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(BM_RunModel, id, std::string(name))->Unit(benchmark::kMillisecond)
NPUSIM_BENCH_MODEL(resnet50, "resnet50");
NPUSIM_BENCH_MODEL(mobilenet_v2, "mobilenet-v2");
NPUSIM_BENCH_MODEL(efficientnet_b0, "efficientnet-b0");
NPUSIM_BENCH_MODEL(convnext_tiny, "convnext-tiny");
NPUSIM_BENCH_MODEL(vit_b_16, "vit-b-16");
NPUSIM_BENCH_MODEL(swin_t, "swin-t");
NPUSIM_BENCH_MODEL(whisper_base_encoder, "whisper-base.en-encoder");
NPUSIM_BENCH_MODEL(whisper_base_decoder, "whisper-base.en-decoder");
NPUSIM_BENCH_MODEL(clip_text, "clip-vit-b-16-text-encoder");
NPUSIM_BENCH_MODEL(llama3_2_3b, "llama3.2-3b");
NPUSIM_BENCH_MODEL(qwen2_7b, "qwen2-7b");
#undef NPUSIM_BENCH_MODEL

// One SD 1.5 UNet evaluation through the SystemC engine (schedule mapped once): seconds per
// evaluation and simulation events per second. Runs through the kernel are one at a time, on
// a thread of their own, so these time wall-clock (UseRealTime), not the caller's CPU.
void BM_SystemcEval(benchmark::State& state, const std::string& model, const char* strategy) {
  auto hw = expedera();
  auto m = npusim::workloads::load_model(model, model_opts());
  npusim::mappers::Mapper mapper(hw);
  const auto sched = mapper.map(m.graph, strategy);
  npusim::sim::SystemcRunInfo info;
  for (auto _ : state) benchmark::DoNotOptimize(npusim::sim::run_systemc(m.graph, hw, sched, {}, &info));
  state.counters["events"] = double(info.events);
  state.counters["tiles"] = double(info.tiles);
  state.counters["events_per_s"] =
      benchmark::Counter(double(info.events), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_SystemcEval, sd15_unet_fused, std::string("sd15-unet"), "fused")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SystemcEval, sd15_unet_offchip, std::string("sd15-unet"), "offchip")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SystemcEval, sd15_vae_decoder_fused, std::string("sd15-vae-decoder"), "fused")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The coverage proof (mappers/verify_coverage.h) of every MAC op of the SD 1.5 UNet mapped
// onchip on expedera-8k with one dataflow, numeric check off: what `npusim verify` costs per
// mapping beyond the mapping itself.
void BM_VerifyCoverageSd15Unet(benchmark::State& state, const std::string& dataflow) {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  opts.overrides = {"mac_array.dataflows=[" + dataflow + "]"};
  auto hw = npusim::arch::load_npu_config("expedera-8k", opts);
  auto m = npusim::workloads::load_model("sd15-unet", model_opts());
  npusim::mappers::Mapper mapper(hw);
  const npusim::mappers::Schedule sched = mapper.map(m.graph, "onchip");
  uint64_t folds = 0;
  for (auto _ : state) {
    auto r = npusim::mappers::verify_graph(m.graph, sched, hw.mac_array.rows, hw.mac_array.cols, 1, 0);
    folds = 0;
    for (const auto& o : r.ops) folds += o.program.folds;
    benchmark::DoNotOptimize(r);
  }
  state.counters["folds"] = double(folds);
}
BENCHMARK_CAPTURE(BM_VerifyCoverageSd15Unet, ws, std::string("weight_stationary"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VerifyCoverageSd15Unet, os, std::string("output_stationary"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VerifyCoverageSd15Unet, is, std::string("input_stationary"))->Unit(benchmark::kMillisecond);

}  // namespace

// The area and leakage model of one config (what every sweep point with a technology adds).
void BM_AreaModel(benchmark::State& state) {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  opts.overrides = {"technology=n4", "static_power=0mW"};
  auto hw = npusim::arch::load_npu_config("expedera-8k", opts);
  for (auto _ : state) benchmark::DoNotOptimize(npusim::arch::static_power_mw(hw));
}
BENCHMARK(BM_AreaModel)->Unit(benchmark::kMicrosecond);

// A power-budget search on the SD 1.5 pipeline (fused): the peak run plus the bisection's
// runs, each on a fresh mapper. 1 W on expedera-8k at N4 binds (about 1.04 W at peak).
void BM_PowerBudgetSd15(benchmark::State& state) {
  npusim::arch::LoadOptions opts;
  opts.preset_dirs = kHwDirs;
  opts.overrides = {"technology=n4", "static_power=0mW", "power_budget=1W"};
  auto hw = npusim::arch::load_npu_config("expedera-8k", opts);
  auto w = npusim::workloads::load_workload("sd15", model_opts());
  unsigned runs = 0;
  for (auto _ : state) {
    npusim::sim::Simulator sim(hw);
    auto r = sim.run(w, "fused");
    runs = r.budget->evaluations + 1;
    benchmark::DoNotOptimize(r);
  }
  state.counters["pipeline_runs"] = runs;
}
BENCHMARK(BM_PowerBudgetSd15)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
