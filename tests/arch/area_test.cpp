// The area, leakage and V-f model (arch/area.h) on tiny-test with round technology figures,
// and the loader's handling of `technology:` and technology files.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "arch/area.h"
#include "arch/config_loader.h"
#include "hw_presets.h"
#include "test_util.h"

using namespace npusim;
using npusim::testing::contains;
using npusim::testing::TempDir;

namespace {

// tiny-test (4x4 PEs, 4 lanes, 64 KiB in 4 banks, 1 DMA channel, 1 GHz) on n5 with every
// figure overridden by a round number, so the expected areas below are hand arithmetic.
std::vector<std::string> round_tech(std::vector<std::string> more = {}) {
  std::vector<std::string> o = {"technology=n5",
                                "static_power=0mW",
                                "tech.mac.w8a8=10um2",
                                "tech.mac.w8a16=20um2",
                                "tech.mac.w4a16=10um2",
                                "tech.mac.fp16=40um2",
                                "tech.mac.extra_mode_share=0.5",
                                "tech.mac.pe_overhead=5um2",
                                "tech.vector.lane=100um2",
                                "tech.sram.bitcell=0.02um2",
                                "tech.sram.array_efficiency=0.5",
                                "tech.sram.bank_overhead=1000um2",
                                "tech.sram.port_overhead=0.5",
                                "tech.dma.channel=2000um2",
                                "dram.phy_width=32",
                                "tech.dram_phy.per_16bit=0.5mm2",
                                "tech.logic.control_overhead=0.1",
                                "tech.sram.leakage=100mW/mm2",
                                "tech.logic.leakage=10mW/mm2",
                                "tech.voltage.nominal=0.8V",
                                "tech.voltage.vf=0.6V@500MHz, 0.8V@1GHz, 1V@2GHz"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

double block(const arch::AreaModel& m, const std::string& name) {
  for (const auto& b : m.blocks)
    if (b.name == name) return b.mm2;
  FAIL("no block " << name);
  return 0;
}

}  // namespace

TEST_CASE("area model: every block from its figures, exact") {
  const arch::NpuConfig hw = testing::tiny(round_tech());
  const arch::AreaModel m = arch::area_model(hw);
  // PE datapath: rates x areas are w8a8 1 x 10, w8a16 0.5 x 20, w4a16 0.5 x 10, fp16 0.25 x 40
  // = 10, 10, 5, 10 um2; the largest (10) + 0.5 x the rest (25) = 22.5; + 5 registers = 27.5 um2
  // x 16 PEs = 440 um2.
  CHECK(block(m, "MAC array") == doctest::Approx(440e-6).epsilon(1e-12));
  CHECK(block(m, "vector unit") == doctest::Approx(400e-6).epsilon(1e-12));  // 4 lanes x 100 um2
  // 64 KiB x 8 = 524288 bits x 0.02 um2 / 0.5 = 20971.52 um2, one port; + 4 banks x 1000 um2.
  CHECK(block(m, "SRAM") == doctest::Approx(24971.52e-6).epsilon(1e-12));
  CHECK(block(m, "DMA") == doctest::Approx(2000e-6).epsilon(1e-12));
  CHECK(block(m, "DRAM PHY") == doctest::Approx(1.0).epsilon(1e-12));  // 32 bits / 16 x 0.5 mm2
  // 10 % of 440 + 400 + 24971.52 + 2000 + 1e6 um2.
  CHECK(block(m, "control") == doctest::Approx(102781.152e-6).epsilon(1e-12));
  CHECK(m.total_mm2() == doctest::Approx(1.130592672).epsilon(1e-12));
  CHECK(m.sram_mm2() == doctest::Approx(0.02497152).epsilon(1e-12));
  // Leakage at 1 GHz = 0.8 V = nominal: 0.02497152 mm2 x 100 + 1.105621152 mm2 x 10 mW/mm2.
  CHECK(arch::supply_voltage(hw) == doctest::Approx(0.8));
  CHECK(arch::leakage_mw(hw) == doctest::Approx(13.55336352).epsilon(1e-12));
  CHECK(arch::static_power_mw(hw) == arch::leakage_mw(hw));
}

TEST_CASE("area model: a second port per bank and a larger SRAM scale the SRAM block") {
  const arch::NpuConfig two = testing::tiny(round_tech({"sram.ports_per_bank=2"}));
  // (1 + 0.5 x 1) x 20971.52 + 4000 um2.
  CHECK(block(arch::area_model(two), "SRAM") == doctest::Approx((20971.52 * 1.5 + 4000) * 1e-6).epsilon(1e-12));
  const arch::NpuConfig big = testing::tiny(round_tech({"sram.size=128KiB"}));
  CHECK(block(arch::area_model(big), "SRAM") == doctest::Approx((2 * 20971.52 + 4000) * 1e-6).epsilon(1e-12));
  CHECK(arch::leakage_mw(big) > arch::leakage_mw(testing::tiny(round_tech())));
}

TEST_CASE("area model: static_power overrides the leakage, no technology keeps the preset's figure") {
  const arch::NpuConfig fixed = testing::tiny(round_tech({"static_power=7mW"}));
  CHECK(arch::static_power_mw(fixed) == 7);
  const arch::NpuConfig plain = testing::tiny();
  CHECK(arch::area_model(plain).blocks.empty());
  CHECK(arch::static_power_mw(plain) == plain.static_power_mw);
  for (const char* preset : {"expedera-8k", "snapdragon-8gen2", "tiny-test"}) {
    const arch::NpuConfig hw = testing::load_preset(preset);
    CHECK(hw.technology.empty());
    CHECK(arch::static_power_mw(hw) == hw.static_power_mw);
  }
}

TEST_CASE("V-f table: interpolation, the floor below the lowest point, extrapolation above") {
  std::string err;
  auto t = arch::parse_vf_table("0.6V@500MHz, 0.8V@1GHz, 1V@2GHz", err);
  REQUIRE(err.empty());
  REQUIRE(t.size() == 3);
  CHECK(arch::voltage_at(t, 250e6) == 0.6);
  CHECK(arch::voltage_at(t, 750e6) == doctest::Approx(0.7));
  CHECK(arch::voltage_at(t, 1.5e9) == doctest::Approx(0.9));
  CHECK(arch::voltage_at(t, 3e9) == doctest::Approx(1.2));
  for (const char* bad :
       {"", "0.6V", "0.6@1GHz", "0.6V@1GHz, 0.5V@2GHz", "0.6V@1GHz, 0.7V@1GHz", "9V@1GHz", "0.6V@1THz", "0.6V@-1GHz"}) {
    arch::parse_vf_table(bad, err);
    CHECK_MESSAGE(!err.empty(), bad);
  }
}

TEST_CASE("at_clock: dynamic energies scale with V^2, a fixed static power with V, DRAM energy stays") {
  const arch::NpuConfig hw = testing::tiny(round_tech({"static_power=10mW"}));
  const arch::NpuConfig hi = arch::at_clock(hw, 1.5e9);  // 0.9 V against 0.8 V at 1 GHz
  const double s = 0.9 / 0.8;
  CHECK(hi.mac_array.frequency_hz == 1.5e9);
  CHECK(hi.vector_unit.frequency_hz == doctest::Approx(1.5e9));
  CHECK(hi.mac_array.mode(arch::PrecisionMode::kW8A8).energy_per_mac_pj == doctest::Approx(s * s));
  CHECK(hi.vector_unit.energy_per_elem_op_pj == doctest::Approx(s * s));
  CHECK(hi.sram.read_energy_pj_per_byte == doctest::Approx(s * s));
  CHECK(hi.dram.energy_pj_per_bit == hw.dram.energy_pj_per_bit);
  CHECK(hi.static_power_mw == doctest::Approx(10 * s));
  // The area leakage follows the voltage of the new clock by itself.
  const arch::NpuConfig leak = testing::tiny(round_tech());
  CHECK(arch::leakage_mw(arch::at_clock(leak, 1.5e9)) == doctest::Approx(arch::leakage_mw(leak) * s));
  CHECK(arch::leakage_mw(arch::at_clock(leak, 100e6)) == doctest::Approx(arch::leakage_mw(leak) * 0.6 / 0.8));
}

TEST_CASE("technology files: every shipped node loads and gives positive areas") {
  for (const char* node : {"n7", "n5", "n4", "n3"}) {
    const arch::NpuConfig hw = testing::load_preset("expedera-8k", {std::string("technology=") + node});
    const arch::AreaModel m = arch::area_model(hw);
    REQUIRE(m.blocks.size() == 5);  // no DRAM PHY: dram.phy_width is 0
    for (const auto& b : m.blocks) {
      CHECK_MESSAGE(b.mm2 > 0, node << " " << b.name);
      CHECK_MESSAGE(!b.source.empty(), node << " " << b.name);
    }
    CHECK(arch::supply_voltage(hw) > 0);
  }
  // Newer nodes are smaller: the same design at n3 < n5 < n7.
  auto total = [](const char* n) {
    return arch::area_model(testing::load_preset("expedera-8k", {std::string("technology=") + n})).total_mm2();
  };
  CHECK(total("n3") < total("n5"));
  CHECK(total("n5") < total("n7"));
}

TEST_CASE("technology errors name the file, line, key and rule") {
  auto error_of = [](std::vector<std::string> overrides) -> std::string {
    try {
      testing::tiny(std::move(overrides));
    } catch (const arch::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(contains(error_of({"technology=n9"}), "technology = \"n9\": no such technology"));
  CHECK(
      contains(error_of({"tech.sram.bitcell=0.02um2"}), "tech.sram.bitcell: a technology figure without a technology"));
  CHECK(contains(error_of({"power_budget=3W"}), "power_budget = \"3W\": needs a technology"));
  CHECK(
      contains(error_of({"technology=n5", "tech.voltage.vf=0.7V@1GHz, 0.6V@2GHz"}),
               "tech.voltage.vf = \"0.7V@1GHz, 0.6V@2GHz\": point 2 \"0.6V@2GHz\": voltage and clock must both rise"));
  CHECK(contains(error_of({"technology=n5", "tech.sram.bitcell=1mm"}), "tech.sram.bitcell = \"1mm\": unknown unit"));
  CHECK(
      contains(error_of({"technology=n5", "dram.phy_width=24"}), "dram.phy_width = \"24\": must be a multiple of 16"));

  TempDir dir;
  const std::string path = dir.path() + "/bad-tech.yaml";
  std::ofstream(path) << "tech:\n  sram: {bitcell: 0.02um2, array_efficiency: 0.7}\n  mac: {w8a8: 10um2}\n"
                         "mac_array: {rows: 4}\n  \n";
  std::string e = error_of({"technology=" + path});
  CHECK(contains(e, path + ":4: mac_array: a technology file holds only tech.* keys"));
  std::ofstream(path) << "tech:\n  sram:\n    bitcell: 0.02um2\n    array_efficiency: 0.7\n    leakage: 3pJ\n";
  e = error_of({"technology=" + path});
  CHECK(contains(e, path + ":5: tech.sram.leakage = \"3pJ\": unknown unit"));
  std::ofstream(path) << "tech: [1, 2\n";
  CHECK(contains(error_of({"technology=" + path}), "malformed YAML"));
  // A preset's own tech.* value wins over the file; --set wins over both.
  std::ofstream(path) << "tech:\n  sram:\n    bitcell: 0.02um2\n    array_efficiency: 0.5\n";
  CHECK(testing::tiny({"technology=" + path}).tech.sram_array_efficiency == 0.5);
  CHECK(testing::tiny({"technology=" + path, "tech.sram.array_efficiency=0.25"}).tech.sram_array_efficiency == 0.25);
}
