// Exact tests of the placeholder roofline mapper + analytic engine on the tiny-test preset
// (4x4 PEs @ 1 GHz, 4 vector lanes @ 1 GHz not overlapped, DRAM 1 GB/s = 1 B/ns with no
// latency and 1-byte bursts, 1 pJ per MAC / lane-op / SRAM byte / DRAM bit, 1 mW static).
#include <doctest/doctest.h>

#include "arch/config_loader.h"
#include "mappers/roofline_mapper.h"
#include "sim/analytic_engine.h"
#include "sim/simulator.h"

using namespace npusim;
using workloads::GraphBuilder;
using workloads::Precision;

namespace {
arch::NpuConfig tiny(std::vector<std::string> overrides = {}) {
  arch::LoadOptions o;
  o.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
  o.overrides = std::move(overrides);
  return arch::load_npu_config("tiny-test", o);
}
}  // namespace

TEST_CASE("conv2d then SiLU: cycles, bound, traffic and energy by hand") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 4, 8, 8});
  auto c = b.conv2d("conv", x, 16, 3, 3, 1, 1);
  b.silu("act", c);
  workloads::Graph g = b.finish();
  arch::NpuConfig hw = tiny();
  mappers::Schedule s = mappers::map_roofline(g, hw);
  sim::RunStats r = sim::run_analytic(g, hw, s);
  REQUIRE(r.ops.size() == 2);

  const sim::OpStats& conv = r.ops[0];
  // MACs = 1*16*8*8*4*3*3 = 36864; 16 PEs x 1 MAC/cycle -> 2304 cycles = 2.304 us.
  CHECK(conv.c.mac_cycles == 2304);
  CHECK(conv.c.mac_s == doctest::Approx(2.304e-6));
  // DRAM: read 256 B input + 576 B weights + 16 x 4 B int32 bias; write 1024 B output.
  CHECK(conv.c.dram_read_activation_bytes == 256);
  CHECK(conv.c.dram_read_weight_bytes == 576 + 64);
  CHECK(conv.c.dram_write_bytes == 1024);
  // 1920 B at 1 B/ns = 1.92 us < 2.304 us: compute-bound.
  CHECK(conv.c.dram_s == doctest::Approx(1.92e-6));
  CHECK(conv.c.latency_s == doctest::Approx(2.304e-6));
  CHECK(conv.bound == sim::Bound::kCompute);
  CHECK(conv.utilization == doctest::Approx(1.0));
  // Energy: 36864 MAC x 1 pJ; 1920 B x 8 bit x 1 pJ; SRAM 1920 B written + read x 1 pJ;
  // static 1 mW x 2.304 us = 2304 pJ.
  CHECK(conv.c.energy_mac_pj == doctest::Approx(36864));
  CHECK(conv.c.energy_dram_pj == doctest::Approx(15360));
  CHECK(conv.c.energy_sram_pj == doctest::Approx(3840));
  CHECK(conv.c.energy_static_pj == doctest::Approx(2304));

  const sim::OpStats& act = r.ops[1];
  // 1024 elements x cost 1 / 4 lanes = 256 cycles = 0.256 us; DRAM 1024 + 1024 B = 2.048 us.
  CHECK(act.c.vector_cycles == 256);
  CHECK(act.c.latency_s == doctest::Approx(2.048e-6));
  CHECK(act.bound == sim::Bound::kDram);
  CHECK(act.c.energy_vector_pj == doctest::Approx(1024));

  CHECK(r.total.latency_s == doctest::Approx(2.304e-6 + 2.048e-6));
  CHECK(r.time_by_bound_s[static_cast<int>(sim::Bound::kCompute)] == doctest::Approx(2.304e-6));
  // Utilisation of the network: 36864 MACs / (16e9 MAC/s x 4.352 us).
  CHECK(r.utilization() == doctest::Approx(36864 / (16e9 * 4.352e-6)));
}

TEST_CASE("vector work adds to MAC time unless the config overlaps them") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 16, 8, 8});
  b.group_norm("gn", x, 4);
  workloads::Graph g = b.finish();
  // DRAM made fast so the vector unit bounds: 1024 elems x cost 2 / 4 lanes = 512 cycles.
  arch::NpuConfig hw = tiny({"dram.bandwidth=1TB/s"});
  sim::RunStats r = sim::run_analytic(g, hw, mappers::map_roofline(g, hw));
  CHECK(r.ops[0].c.vector_cycles == 512);
  CHECK(r.ops[0].bound == sim::Bound::kVector);
  CHECK(r.ops[0].c.latency_s == doctest::Approx(512e-9));
}

TEST_CASE("DRAM latency is paid per transfer and bursts round bytes up") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 1, 1, 10});
  auto y = b.input("y", {1, 1, 1, 10});
  b.add("sum", x, y);
  workloads::Graph g = b.finish();
  arch::NpuConfig hw = tiny({"dram.burst=8B", "dram.latency=10ns"});
  sim::RunStats r = sim::run_analytic(g, hw, mappers::map_roofline(g, hw));
  // Each 10-byte operand is one transfer of two 8-byte bursts: reads 16 + 16 B, write 16 B.
  CHECK(r.ops[0].c.dram_read_activation_bytes == 32);
  CHECK(r.ops[0].c.dram_write_bytes == 16);
  // 48 B at 1 B/ns + 3 transfers x 10 ns = 78 ns.
  CHECK(r.ops[0].c.dram_s == doctest::Approx(78e-9));
}

TEST_CASE("a precision the hardware lacks is a user error") {
  GraphBuilder b("t", Precision::kFp16);
  b.silu("a", b.input("x", {4}));
  workloads::Graph g = b.finish();
  arch::NpuConfig hw = tiny({"mac_array.precision.fp16.macs_per_pe_per_cycle=0"});
  CHECK_THROWS_AS(mappers::map_roofline(g, hw), UserError);
}

TEST_CASE("w8a16 halves the MAC rate and doubles activation bytes") {
  GraphBuilder b("t", Precision::kW8A16);
  auto x = b.input("x", {1, 4, 8, 8});
  b.conv2d("conv", x, 16, 3, 3, 1, 1, 1, false);
  workloads::Graph g = b.finish();
  arch::NpuConfig hw = tiny();
  sim::RunStats r = sim::run_analytic(g, hw, mappers::map_roofline(g, hw));
  CHECK(r.ops[0].c.mac_cycles == 4608);                 // 36864 / (16 x 0.5)
  CHECK(r.ops[0].c.dram_read_activation_bytes == 512);  // 256 int16 elements
  CHECK(r.ops[0].c.energy_mac_pj == doctest::Approx(36864 * 2.0));
}
