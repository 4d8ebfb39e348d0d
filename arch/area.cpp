#include "area.h"

#include <algorithm>
#include <cstdio>

#include "units.h"

namespace npusim::arch {

namespace {

constexpr double kUm2PerMm2 = 1e6;

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<VfPoint> parse_vf_table(std::string_view text, std::string& error) {
  std::vector<VfPoint> out;
  error.clear();
  if (trim(text).empty()) {
    error = "expected V-f points such as \"0.55V@500MHz, 0.75V@1GHz\"";
    return {};
  }
  constexpr size_t kMaxPoints = 64;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    const std::string where = "point " + std::to_string(out.size() + 1) + " \"" + std::string(item) + "\": ";
    size_t at = item.find('@');
    if (at == std::string_view::npos) {
      error = where + "expected VOLTAGE@CLOCK, e.g. 0.75V@1GHz";
      return {};
    }
    Parsed v = parse_quantity(item.substr(0, at), Unit::kVoltage);
    Parsed f = parse_quantity(item.substr(at + 1), Unit::kFrequency);
    if (!v.error.empty() || !f.error.empty()) {
      error = where + (v.error.empty() ? "clock: " + f.error : "voltage: " + v.error);
      return {};
    }
    if (v.value <= 0 || v.value > 5) {
      error = where + "voltage must be in > 0V, <= 5V";
      return {};
    }
    if (f.value < 1e6 || f.value > 100e9) {
      error = where + "clock must be in 1MHz .. 100GHz";
      return {};
    }
    if (!out.empty() && (v.value <= out.back().volts || f.value <= out.back().hz)) {
      error = where + "voltage and clock must both rise from one point to the next";
      return {};
    }
    out.push_back({v.value, f.value});
    if (out.size() > kMaxPoints) {
      error = "more than " + std::to_string(kMaxPoints) + " points";
      return {};
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

double voltage_at(const std::vector<VfPoint>& t, double hz) {
  if (t.empty()) return 0;
  if (hz <= t.front().hz || t.size() == 1) return t.front().volts;
  size_t i = 1;
  while (i + 1 < t.size() && hz > t[i].hz) ++i;
  const VfPoint& a = t[i - 1];
  const VfPoint& b = t[i];
  return a.volts + (b.volts - a.volts) * (hz - a.hz) / (b.hz - a.hz);
}

double AreaModel::total_mm2() const {
  double s = 0;
  for (const auto& b : blocks) s += b.mm2;
  return s;
}

double AreaModel::sram_mm2() const {
  double s = 0;
  for (const auto& b : blocks)
    if (b.sram) s += b.mm2;
  return s;
}

AreaModel area_model(const NpuConfig& hw) {
  AreaModel m;
  if (hw.technology.empty()) return m;
  const TechConfig& t = hw.tech;
  const std::string node = " at " + hw.technology;

  // MAC array: the widest supported precision's datapath, plus the unshared share of the others.
  double largest = 0, all = 0;
  for (PrecisionMode p : kPrecisionModes) {
    const PrecisionSpec& s = hw.mac_array.mode(p);
    if (!s.supported()) continue;
    const double a = s.macs_per_pe_per_cycle * t.mac_um2[static_cast<size_t>(p)];
    largest = std::max(largest, a);
    all += a;
  }
  const double datapath_um2 = largest + t.mac_extra_mode_share * (all - largest);
  const double pe_um2 = datapath_um2 + t.pe_overhead_um2;
  std::string modes;
  for (PrecisionMode p : kPrecisionModes)
    if (hw.mac_array.mode(p).supported()) modes += (modes.empty() ? "" : "/") + std::string(precision_mode_name(p));
  m.blocks.push_back({"MAC array", double(hw.mac_array.pes()) * pe_um2 / kUm2PerMm2, false,
                      std::to_string(hw.mac_array.rows) + "x" + std::to_string(hw.mac_array.cols) + " PEs x (" +
                          fmt("%.2f", datapath_um2) + " um2 " + modes + " datapath + " +
                          fmt("%.2f", t.pe_overhead_um2) + " um2 registers)" + node,
                      t.mac_source});
  m.blocks.push_back(
      {"vector unit", double(hw.vector_unit.lanes) * t.vector_lane_um2 / kUm2PerMm2, false,
       std::to_string(hw.vector_unit.lanes) + " lanes x " + fmt("%.1f", t.vector_lane_um2) + " um2" + node,
       t.vector_source});
  // SRAM: bit cells over the array efficiency, extra ports, and a fixed cost per bank.
  const double bits = double(hw.sram.size_bytes) * 8;
  const double ports = std::max<double>(1, hw.sram.ports_per_bank);
  const double eff = t.sram_array_efficiency > 0 ? t.sram_array_efficiency : 1;
  const double array_um2 = bits * t.sram_bitcell_um2 / eff * (1 + t.sram_port_overhead * (ports - 1));
  const double banks_um2 = double(hw.sram.banks) * t.sram_bank_overhead_um2;
  m.blocks.push_back(
      {"SRAM", (array_um2 + banks_um2) / kUm2PerMm2, true,
       format_quantity(double(hw.sram.size_bytes), Unit::kBytes) + " x 8 bit x " + fmt("%.4f", t.sram_bitcell_um2) +
           " um2 / " + fmt("%.2f", eff) + " array efficiency" +
           (ports > 1 ? " x " + fmt("%.2f", 1 + t.sram_port_overhead * (ports - 1)) + " for ports" : "") + " + " +
           std::to_string(hw.sram.banks) + " banks x " + fmt("%.4f", t.sram_bank_overhead_um2 / kUm2PerMm2) + " mm2" +
           node,
       t.sram_source});
  m.blocks.push_back(
      {"DMA", double(hw.dma.channels) * t.dma_channel_um2 / kUm2PerMm2, false,
       std::to_string(hw.dma.channels) + " channels x " + fmt("%.4f", t.dma_channel_um2 / kUm2PerMm2) + " mm2" + node,
       t.dma_source});
  if (hw.dram.phy_width_bits > 0)
    m.blocks.push_back({"DRAM PHY", double(hw.dram.phy_width_bits) / 16 * t.dram_phy_um2_per_16bit / kUm2PerMm2, false,
                        std::to_string(hw.dram.phy_width_bits) + " bits / 16 x " +
                            fmt("%.3f", t.dram_phy_um2_per_16bit / kUm2PerMm2) + " mm2" + node,
                        t.dram_phy_source});
  const double blocks_mm2 = m.total_mm2();
  m.blocks.push_back({"control", blocks_mm2 * t.control_overhead, false,
                      fmt("%.0f %%", t.control_overhead * 100) + " of the blocks above (control, interconnect, clocks)",
                      "assumed share (tech.logic.control_overhead)"});
  return m;
}

double supply_voltage(const NpuConfig& hw) {
  std::string err;
  return voltage_at(parse_vf_table(hw.tech.vf, err), hw.mac_array.frequency_hz);
}

double leakage_mw(const NpuConfig& hw) {
  const AreaModel m = area_model(hw);
  if (m.blocks.empty()) return 0;
  const double v = supply_voltage(hw);
  const double scale = v > 0 && hw.tech.nominal_voltage_v > 0 ? v / hw.tech.nominal_voltage_v : 1;
  return (m.sram_mm2() * hw.tech.sram_leakage_mw_per_mm2 + m.logic_mm2() * hw.tech.logic_leakage_mw_per_mm2) * scale;
}

double static_power_mw(const NpuConfig& hw) {
  if (hw.static_power_mw > 0 || hw.technology.empty()) return hw.static_power_mw;
  return leakage_mw(hw);
}

NpuConfig at_clock(const NpuConfig& hw, double mac_hz) {
  NpuConfig out = hw;
  const double k = mac_hz / hw.mac_array.frequency_hz;
  out.mac_array.frequency_hz = mac_hz;
  out.vector_unit.frequency_hz = hw.vector_unit.frequency_hz * k;
  const double v0 = supply_voltage(hw), v1 = supply_voltage(out);
  if (v0 <= 0 || v1 <= 0) return out;
  const double s = v1 / v0, s2 = s * s;
  for (auto& p : out.mac_array.precision) p.energy_per_mac_pj *= s2;
  out.vector_unit.energy_per_elem_op_pj *= s2;
  out.sram.read_energy_pj_per_byte *= s2;
  out.sram.write_energy_pj_per_byte *= s2;
  out.static_power_mw *= s;  // a fixed figure; 0 stays 0 and the area leakage follows V by itself
  return out;
}

}  // namespace npusim::arch
