// The power budget (sim/power_budget.h): the chosen clock's average power fits the budget, one
// MHz more does not, and a run at the chosen clock reproduces the reported figures.
#include <doctest/doctest.h>

#include "arch/area.h"
#include "hw_presets.h"
#include "sim/simulator.h"
#include "workloads/workload.h"

using namespace npusim;

namespace {

workloads::Workload unet() {
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  return workloads::load_workload("sd15-unet", m);
}

sim::WorkloadResult run_at(const arch::NpuConfig& hw, double mac_hz, const workloads::Workload& w) {
  arch::NpuConfig c = arch::at_clock(hw, mac_hz);
  c.power_budget_mw = 0;
  return sim::Simulator(c).run(w, "fused");
}

}  // namespace

TEST_CASE("power budget: the chosen clock fits the budget and the next MHz does not") {
  const workloads::Workload w = unet();
  const arch::NpuConfig free_hw = testing::load_preset("expedera-8k", {"technology=n5", "static_power=0mW"});
  const double peak_mw = sim::average_power_mw(sim::Simulator(free_hw).run(w, "fused"));
  REQUIRE(peak_mw > 0);
  // A budget of 70 % of the peak-clock power must lower the clock.
  const double budget_mw = 0.7 * peak_mw;
  arch::NpuConfig hw = free_hw;
  hw.power_budget_mw = budget_mw;
  const sim::WorkloadResult r = sim::Simulator(hw).run(w, "fused");
  REQUIRE(r.budget);
  const sim::PowerBudgetResult& b = *r.budget;
  CHECK(b.fits);
  CHECK(b.peak_mac_hz == 750e6);
  CHECK(b.peak_power_mw == doctest::Approx(peak_mw));
  CHECK(b.chosen_mac_hz < b.peak_mac_hz);
  CHECK(b.chosen_voltage_v < b.peak_voltage_v);
  CHECK(b.chosen_power_mw <= budget_mw);
  CHECK(b.chosen_seconds > b.peak_seconds);  // sustained throughput below the peak
  // An independent run at the chosen clock gives the reported power; 1 MHz more breaks the budget.
  const sim::WorkloadResult at = run_at(free_hw, b.chosen_mac_hz, w);
  CHECK(sim::average_power_mw(at) == doctest::Approx(b.chosen_power_mw));
  CHECK(sim::average_power_mw(at) <= budget_mw);
  CHECK(at.seconds_per_image() == doctest::Approx(b.chosen_seconds));
  CHECK(sim::average_power_mw(run_at(free_hw, b.chosen_mac_hz + 1e6, w)) > budget_mw);
  // Results of the peak run are those of a run without a budget.
  CHECK(r.seconds_per_image() == doctest::Approx(b.peak_seconds));
}

TEST_CASE("power budget: a budget above the peak power keeps the peak clock, one below static power fits nothing") {
  const workloads::Workload w = unet();
  arch::NpuConfig hw = testing::load_preset("expedera-8k", {"technology=n5", "power_budget=100W"});
  sim::WorkloadResult r = sim::Simulator(hw).run(w, "fused");
  REQUIRE(r.budget);
  CHECK(r.budget->fits);
  CHECK(r.budget->chosen_mac_hz == r.budget->peak_mac_hz);
  CHECK(r.budget->evaluations == 0);
  // 150 mW of fixed static power (scaled with V, never below ~0.55/0.63 of it) cannot fit in 10 mW.
  hw = testing::load_preset("expedera-8k", {"technology=n5", "power_budget=10mW"});
  r = sim::Simulator(hw).run(w, "fused");
  REQUIRE(r.budget);
  CHECK_FALSE(r.budget->fits);
  CHECK(r.budget->chosen_power_mw > 10);
  CHECK(r.budget->evaluations == 1);
}
