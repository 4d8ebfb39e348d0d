#pragma once
// Sustained throughput under a power budget: the highest MAC-array clock (vector unit scaled
// with it, voltage and energies following the technology's V-f table, arch::at_clock) at
// which a workload's average power fits `power_budget`.
#include <string>
#include <vector>

#include "arch/npu_config.h"

namespace npusim::workloads {
struct Workload;
}

namespace npusim::sim {

struct RunOptions;
struct WorkloadResult;

struct PowerBudgetResult {
  double budget_mw = 0;
  bool fits = false;          // some clock in the search range meets the budget
  double peak_mac_hz = 0;     // the preset's clock
  double chosen_mac_hz = 0;   // highest clock found that fits (the lowest tried when none does)
  double peak_voltage_v = 0;  // by the V-f table
  double chosen_voltage_v = 0;
  double peak_power_mw = 0;    // average power of the workload at the peak clock
  double chosen_power_mw = 0;  // ... at the chosen clock (<= budget_mw when fits)
  double peak_seconds = 0;     // seconds per image / per pass of every stage (WorkloadResult::seconds_per_image)
  double chosen_seconds = 0;
  double chosen_energy_j = 0;                  // energy per image at the chosen clock
  std::vector<double> chosen_stage_latency_s;  // per stage, in WorkloadResult::stages order
  unsigned evaluations = 0;                    // workload runs the search took
};

// Average power of a workload result: energy per image over seconds per image, in mW.
double average_power_mw(const WorkloadResult& r);

// Bisects the clock between max(1 MHz, peak / 16) and the peak to 1 MHz; the peak run is
// `at_peak` (already evaluated). `hw.power_budget_mw` must be > 0.
PowerBudgetResult fit_power_budget(const arch::NpuConfig& hw, const workloads::Workload& w, const std::string& strategy,
                                   const RunOptions& options, const WorkloadResult& at_peak);

}  // namespace npusim::sim
