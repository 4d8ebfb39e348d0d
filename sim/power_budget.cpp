#include "power_budget.h"

#include <algorithm>
#include <cmath>

#include "arch/area.h"
#include "npusim/error.h"
#include "simulator.h"

namespace npusim::sim {

double average_power_mw(const WorkloadResult& r) {
  const double s = r.seconds_per_image();
  return s > 0 ? r.energy_per_image_j() / s * 1e3 : 0;
}

PowerBudgetResult fit_power_budget(const arch::NpuConfig& hw, const workloads::Workload& w, const std::string& strategy,
                                   const RunOptions& options, const WorkloadResult& at_peak) {
  NPUSIM_ASSERT(hw.power_budget_mw > 0, "fit_power_budget without a budget");
  PowerBudgetResult b;
  b.budget_mw = hw.power_budget_mw;
  b.peak_mac_hz = hw.mac_array.frequency_hz;
  b.peak_voltage_v = arch::supply_voltage(hw);
  b.peak_power_mw = average_power_mw(at_peak);
  b.peak_seconds = at_peak.seconds_per_image();
  auto record = [&](double hz, const WorkloadResult& r) {
    b.chosen_mac_hz = hz;
    b.chosen_power_mw = average_power_mw(r);
    b.chosen_seconds = r.seconds_per_image();
    b.chosen_energy_j = r.energy_per_image_j();
    b.chosen_voltage_v = arch::supply_voltage(arch::at_clock(hw, hz));
    b.chosen_stage_latency_s.clear();
    for (const auto& s : r.stages) b.chosen_stage_latency_s.push_back(s.run.stats.total.latency_s);
  };
  auto evaluate = [&](double hz) {
    arch::NpuConfig c = arch::at_clock(hw, hz);
    c.power_budget_mw = 0;  // the runs of the search do not search again
    ++b.evaluations;
    RunOptions quiet = options;
    quiet.trace = nullptr;  // only the peak run is traced
    Simulator sim(c, quiet);
    return sim.run(w, strategy);
  };
  record(b.peak_mac_hz, at_peak);
  if (b.peak_power_mw <= b.budget_mw) {
    b.fits = true;
    return b;
  }
  constexpr double kStepHz = 1e6;  // the search stops at 1 MHz
  double lo = std::max(kStepHz, std::floor(b.peak_mac_hz / 16 / kStepHz) * kStepHz);
  double hi = b.peak_mac_hz;  // does not fit
  WorkloadResult low = evaluate(lo);
  if (average_power_mw(low) > b.budget_mw) {
    record(lo, low);  // nothing fits: report the lowest clock tried and its power
    return b;
  }
  b.fits = true;
  record(lo, low);
  while (hi - lo > kStepHz) {
    // Midpoints on the 1 MHz grid, so chosen clocks are whole MHz and deterministic.
    double mid = std::floor((lo + hi) / 2 / kStepHz) * kStepHz;
    if (mid <= lo) break;
    WorkloadResult r = evaluate(mid);
    if (average_power_mw(r) <= b.budget_mw) {
      lo = mid;
      record(mid, r);
    } else {
      hi = mid;
    }
  }
  return b;
}

}  // namespace npusim::sim
