// Golden test of the headline figures: SD 1.5 at batch 1, INT8 (w8a8), on the Expedera-style
// preset, best strategy per network. Expedera's published estimate for this configuration is
// 9.24 denoiser images/s and 3.29 decoder images/s (SemiWiki, 2024-02-05). npusim's own
// figures are pinned here so any change to them is deliberate; the comparison with
// Expedera is stated in the README and the report, not fitted.
#include <doctest/doctest.h>

#include "arch/config_loader.h"
#include "hw_presets.h"
#include "sim/simulator.h"
#include "workloads/workload.h"

using namespace npusim;

namespace {
sim::WorkloadResult run_sd15(const std::string& strategy) {
  arch::NpuConfig hw = testing::load_preset("expedera-8k");
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  sim::Simulator s(hw);
  return s.run(workloads::load_workload("sd15", m), strategy);
}
}  // namespace

TEST_CASE("Expedera preset: SD 1.5 headline figures (golden)") {
  sim::WorkloadResult w = run_sd15("best");
  const auto* unet = w.stage(workloads::StageRole::kDenoiser);
  const auto* vae = w.stage(workloads::StageRole::kDecoder);
  REQUIRE(unet);
  REQUIRE(vae);
  const double unet_ips = 1 / unet->run.stats.total.latency_s;
  const double vae_ips = 1 / vae->run.stats.total.latency_s;
  MESSAGE("denoiser ", unet_ips, " images/s (Expedera 9.24), decoder ", vae_ips, " images/s (Expedera 3.29)");
  // Regenerated on purpose (issue 5) when the analytic engine was checked against the SystemC
  // engine: access latency overlaps other transfers, pipelines run on across independent op
  // boundaries, prefetch follows the last op with work, SRAM ports bound compute
  // (was 7.93108 and 4.11793). Regenerated on purpose (issue 19) when fold timing was made
  // SCALE-Sim v2's: output-stationary folds pay rows + cols - 2, not 2 x rows + cols - 2, and an
  // op's total is one cycle less than its folds (was 8.14887 and 4.15534).
  CHECK(unet_ips == doctest::Approx(8.18079).epsilon(1e-4));
  CHECK(vae_ips == doctest::Approx(4.15949).epsilon(1e-4));
  // Within 15 % of Expedera's denoiser figure (-12 %). The decoder is 26 % faster than
  // Expedera's 3.29: npusim's decoder convolutions run at 84 % of peak, Expedera's figure
  // implies 67 %; the README says which effects npusim does not model.
  CHECK(unet_ips / 9.24 == doctest::Approx(1).epsilon(0.15));
  // Which bound dominates: the UNet streams 860 MB of int8 weights per evaluation at 12 GB/s
  // (71.7 ms, more than half of its latency); the decoder's 512x512 convolutions keep the array busy.
  CHECK(unet->run.stats.total.dram_read_weight_bytes > 859'000'000);
  CHECK(unet->run.stats.time_by_bound_s[int(sim::Bound::kDram)] > 0.5 * unet->run.stats.total.latency_s);
  CHECK(vae->run.stats.time_by_bound_s[int(sim::Bound::kCompute)] > 0.8 * vae->run.stats.total.latency_s);
}

TEST_CASE("Expedera preset: DRAM traffic offchip > onchip > fused on the UNet and the decoder") {
  sim::WorkloadResult off = run_sd15("offchip"), on = run_sd15("onchip"), fu = run_sd15("fused");
  for (auto role : {workloads::StageRole::kDenoiser, workloads::StageRole::kDecoder}) {
    const uint64_t a = off.stage(role)->run.stats.total.dram_bytes();
    const uint64_t b = on.stage(role)->run.stats.total.dram_bytes();
    const uint64_t c = fu.stage(role)->run.stats.total.dram_bytes();
    CHECK(a > b);
    CHECK(b > c);
    // The SRAM size at which each on-chip strategy stops spilling is reported, and fusion
    // (which never stores attention scores or norm/activation outputs) needs less of it.
    CHECK(fu.stage(role)->run.schedule.no_spill_sram_bytes < on.stage(role)->run.schedule.no_spill_sram_bytes);
  }
}
