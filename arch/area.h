#pragma once
// Silicon area, leakage and voltage-frequency scaling of a hardware config, from its
// technology figures (NpuConfig::tech, filled from configs/tech/<node>.yaml). Plain
// functions of an immutable config: deterministic, no state.
#include <string>
#include <string_view>
#include <vector>

#include "npu_config.h"

namespace npusim::arch {

struct VfPoint {
  double volts = 0;
  double hz = 0;
};

// Parses a V-f table ("0.55V@500MHz, 0.75V@1GHz"): at least one point, voltages and
// clocks rising strictly. On failure returns {} and sets `error` to the rule broken.
std::vector<VfPoint> parse_vf_table(std::string_view text, std::string& error);
// Supply voltage at `hz`: interpolated between points, the lowest point's voltage below it
// (a clock cannot lower the voltage past Vmin), extrapolated along the last segment above
// the highest point. 0 for an empty table.
double voltage_at(const std::vector<VfPoint>& table, double hz);

struct AreaBlock {
  std::string name;  // "MAC array", "vector unit", "SRAM", "DMA", "DRAM PHY", "control"
  double mm2 = 0;
  bool sram = false;   // leaks at tech.sram.leakage, else tech.logic.leakage
  std::string basis;   // the arithmetic, with units
  std::string source;  // where the figures come from (tech.*.source)
};

struct AreaModel {
  std::vector<AreaBlock> blocks;  // empty when the config has no technology
  double total_mm2() const;
  double sram_mm2() const;
  double logic_mm2() const { return total_mm2() - sram_mm2(); }
};

// Area per block; empty when `hw.technology` is "".
AreaModel area_model(const NpuConfig& hw);
// Supply voltage of the MAC-array clock by the V-f table (0 without one).
double supply_voltage(const NpuConfig& hw);
// Leakage from the area model at the supply voltage: sum of block area x density x V/nominal.
double leakage_mw(const NpuConfig& hw);
// The static power a run charges: static_power when set or without a technology, else leakage_mw.
double static_power_mw(const NpuConfig& hw);

// `hw` with its MAC-array clock at `mac_hz` and the vector unit's scaled by the same factor;
// on-chip dynamic energies (MAC, vector, SRAM) scale with (V(new)/V(old))^2 and a fixed
// static_power with V(new)/V(old) by the V-f table (the area leakage follows V by itself);
// DRAM energy is off-chip and stays. Without a V-f table only the clocks change.
NpuConfig at_clock(const NpuConfig& hw, double mac_hz);

}  // namespace npusim::arch
