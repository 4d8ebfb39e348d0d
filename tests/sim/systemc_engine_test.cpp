// Exact-cycle tests of the event engine's timing classes and of the SystemC engine on
// hand-built schedules. tiny-test: 1 GHz clocks (1 cycle = 1 ns), DRAM 1 GB/s (1 B/ns),
// 0 ns access latency, 1 B bursts, one DMA channel, vector unit not overlapping the MAC
// array, SRAM 4 banks x 16 B/cycle.
#include <doctest/doctest.h>

#include <vector>

#include "arch/config_loader.h"
#include "hw_presets.h"
#include "mappers/schedule.h"
#include "sim/analytic_engine.h"
#include "sim/systemc/systemc_engine.h"
#include "sim/timing/dram_channel.h"
#include "sim/timing/sram_banks.h"
#include "workloads/model_registry.h"

using namespace npusim;
using sim::timing::DramAccess;
using sim::timing::DramChannel;
using sim::timing::SramAccess;
using sim::timing::SramBanks;

using npusim::testing::tiny;

namespace {

workloads::LoadedModel tiny_block() {
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  return workloads::load_model("tiny-block", m);
}

// A one-op schedule on op 0 of tiny-block with the given steps.
mappers::Schedule one_op(std::vector<mappers::TileStep> steps) {
  mappers::Schedule s;
  mappers::OpSchedule os;
  os.op = 0;
  os.steps = std::move(steps);
  s.ops.push_back(std::move(os));
  return s;
}

mappers::TileStep step(uint64_t repeat, uint64_t read, uint64_t write, uint64_t mac_cycles) {
  mappers::TileStep t;
  t.repeat = repeat;
  t.dram_read_bytes[int(mappers::Traffic::kActivation)] = read;
  t.dram_write_bytes[int(mappers::Traffic::kActivation)] = write;
  t.mac_cycles = mac_cycles;
  return t;
}

double systemc_ns(const arch::NpuConfig& hw, const mappers::Schedule& s) {
  static const workloads::LoadedModel m = tiny_block();
  return sim::run_systemc(m.graph, hw, s).total.latency_s * 1e9;
}

double analytic_ns(const arch::NpuConfig& hw, const mappers::Schedule& s) {
  static const workloads::LoadedModel m = tiny_block();
  return sim::run_analytic(m.graph, hw, s).total.latency_s * 1e9;
}

}  // namespace

TEST_CASE("DRAM channel: a pure transfer of N bytes") {
  arch::DramConfig d = tiny().dram;
  d.latency_ps = 100e3;  // 100 ns
  d.burst_bytes = 64;
  DramChannel ch(d);
  // 1000 B round up to 16 bursts = 1024 B; at 1 B/ns the bus is busy 1024 ns; the data is
  // there 100 ns of access latency later: 1124 ns.
  DramAccess a = ch.access(0, 0, 1000, false);
  CHECK(a.bytes == 1024);
  CHECK(a.start_ps == 0);
  CHECK(a.bus_end_ps == 1024'000);
  CHECK(a.done_ps == 1124'000);
  // A second read at 500 ns queues behind the first: bus 1024 .. 1088 ns, data at 1188 ns.
  a = ch.access(500'000, 4096, 64, false);
  CHECK(a.start_ps == 1024'000);
  CHECK(a.done_ps == 1188'000);
  // Writes are posted: done when the bus has taken them (1088 + 64 = 1152 ns).
  a = ch.access(1088'000, 8192, 64, true);
  CHECK(a.done_ps == 1152'000);
}

TEST_CASE("DRAM channel: read/write turnaround") {
  DramChannel ch(tiny({"dram.turnaround=10ns"}).dram);
  // read 64 B: bus 0 .. 64 ns. The write after it waits 10 ns of turnaround: 74 .. 138 ns.
  CHECK(ch.access(0, 0, 64, false).bus_end_ps == 64'000);
  DramAccess w = ch.access(64'000, 0, 64, true);
  CHECK(w.turnaround);
  CHECK(w.start_ps == 74'000);
  CHECK(w.bus_end_ps == 138'000);
  // Another write: no turnaround (138 .. 202 ns); a read after it pays it again (212 .. 276 ns).
  CHECK(ch.access(138'000, 64, 64, true).bus_end_ps == 202'000);
  CHECK(ch.access(202'000, 64, 64, false).bus_end_ps == 276'000);
  CHECK(ch.turnarounds() == 2);
}

TEST_CASE("DRAM channel: lpddr rows and refresh") {
  DramChannel ch(tiny({"dram.model=lpddr", "dram.banks=2", "dram.row_size=256B", "dram.row_miss=20ns",
                       "dram.refresh_interval=1us", "dram.refresh_time=100ns"})
                     .dram);
  // 512 B from address 0 touch rows 0 and 1 (banks 0 and 1), both closed: 2 misses.
  // 512 ns of data + 2 x 20 ns = 552 ns.
  DramAccess a = ch.access(0, 0, 512, false);
  CHECK(a.row_misses == 2);
  CHECK(a.bus_end_ps == 552'000);
  // Rows 0 and 1 are open: 256 B of row 1 again is a hit: 552 .. 808 ns.
  a = ch.access(552'000, 256, 256, false);
  CHECK(a.row_misses == 0);
  CHECK(a.bus_end_ps == 808'000);
  // Row 2 maps to bank 0 (open on row 0): a miss. 808 + 20 + 256 = 1084 ns, but the refresh
  // due at 1000 ns stalls the bus 100 ns: 1184 ns.
  a = ch.access(808'000, 512, 256, false);
  CHECK(a.row_misses == 1);
  CHECK(a.refreshes == 1);
  CHECK(a.bus_end_ps == 1184'000);
}

TEST_CASE("SRAM banks: a bank conflict costs a cycle") {
  // tiny-test: 16 B/cycle over 4 banks, 1 port each: 4-byte words, bank = addr / 4 % 4.
  SramBanks banks(tiny().sram);
  CHECK(banks.word_bytes() == 4);
  const SramAccess apart[] = {{0, 4}, {4, 4}};  // banks 0 and 1: one cycle
  CHECK(banks.cycles(apart) == 1);
  const SramAccess clash[] = {{0, 4}, {16, 4}};  // both bank 0: two cycles
  CHECK(banks.cycles(clash) == 2);
  CHECK(banks.conflict_cycles() == 1);
  // 64 B streamed from address 0 cover every bank 4 times: 4 cycles, as stream_cycles says.
  const SramAccess stream[] = {{0, 64}};
  CHECK(banks.cycles(stream) == 4);
  CHECK(banks.stream_cycles(64) == 4);
  // Two ports per bank serve the clash in one cycle (words are then 2 B: addr 0 and 16 are
  // banks 0 and 0 again, 2 accesses / 2 ports).
  SramBanks two(tiny({"sram.ports_per_bank=2"}).sram);
  const SramAccess clash2[] = {{0, 2}, {16, 2}};
  CHECK(two.cycles(clash2) == 1);
}

TEST_CASE("SystemC engine: one compute tile") {
  // 100 MAC cycles at 1 GHz, nothing to load or store: 100 ns.
  const auto hw = tiny();
  const auto s = one_op({step(1, 0, 0, 100)});
  CHECK(systemc_ns(hw, s) == doctest::Approx(100));
  CHECK(analytic_ns(hw, s) == doctest::Approx(100));
}

TEST_CASE("SystemC engine: a pure DRAM transfer") {
  // 1000 B read at 1 B/ns, no compute: 1000 ns; with 100 ns access latency: 1100 ns.
  CHECK(systemc_ns(tiny(), one_op({step(1, 1000, 0, 0)})) == doctest::Approx(1000));
  CHECK(systemc_ns(tiny({"dram.latency=100ns"}), one_op({step(1, 1000, 0, 0)})) == doctest::Approx(1100));
}

TEST_CASE("SystemC engine: double-buffered loop, compute-bound") {
  // 10 tiles: load 100 B (100 ns), compute 400 cycles (400 ns), store 50 B (50 ns). DMA of
  // a slot (next load + previous store = 150 ns) hides under compute, so
  //   first load 100 + 10 x 400 + last store 50 = 4150 ns.
  const auto hw = tiny();
  const auto s = one_op({step(10, 100, 50, 400)});
  CHECK(systemc_ns(hw, s) == doctest::Approx(4150));
  CHECK(analytic_ns(hw, s) == doctest::Approx(4150));
}

TEST_CASE("SystemC engine: double-buffered loop, DRAM-bound") {
  // 10 tiles: load 300 B, compute 100 cycles, store 200 B. The one DRAM bus never idles:
  // l0 l1 l2 s0 l3 s1 ... l9 s7 s8 s9 carries 10 x 500 B = 5000 ns, and compute (100 ns per
  // tile) always hides under it (the last compute, 4400 .. 4500 ns, under s7).
  // Analytic: first load 300 + 300 (slot of tile 0: next load only) + 8 x 500 + 200 (slot
  // of tile 9: previous store only) + last store 200 = 5000 ns.
  const auto hw = tiny();
  const auto s = one_op({step(10, 300, 200, 100)});
  CHECK(systemc_ns(hw, s) == doctest::Approx(5000));
  CHECK(analytic_ns(hw, s) == doctest::Approx(5000));
}

TEST_CASE("SystemC engine: turnaround slows a DRAM-bound loop") {
  // As above with dram.turnaround = 10 ns. Bus order l0 l1 l2 s0 l3 s1 ... l9 s7 s8 s9 has
  // direction changes at l2>s0, then s>l and l>s for each of s0..s7 (l3..l9 sit between
  // stores: 7 x 2 = 14, plus s0's entry = 15 turnarounds... counted by the engine); the
  // latency grows by exactly turnarounds x 10 ns.
  const auto hw = tiny({"dram.turnaround=10ns"});
  const auto s = one_op({step(10, 300, 200, 100)});
  sim::SystemcRunInfo info;
  static const workloads::LoadedModel m = tiny_block();
  const double ns = sim::run_systemc(m.graph, hw, s, {}, &info).total.latency_s * 1e9;
  CHECK(info.dram_turnarounds == 15);
  CHECK(ns == doctest::Approx(5000 + 15 * 10));
}
