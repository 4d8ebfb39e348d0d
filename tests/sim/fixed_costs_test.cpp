// Exact tests of the fixed costs (overhead.per_mac_op, overhead.per_vector_op,
// overhead.per_run) in both engines, and of the activation x activation MAC rate
// (mac_array.precision.<mode>.act_act_macs_per_pe_per_cycle). tiny-test: 1 GHz clocks
// (1 cycle = 1 ns), vector unit not overlapping the MAC array, static power 1 mW (1 pJ/ns).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hw_presets.h"
#include "mappers/mapper.h"
#include "sim/analytic_engine.h"
#include "sim/op_accounting.h"
#include "sim/systemc/systemc_engine.h"
#include "workloads/model_registry.h"

using namespace npusim;
using npusim::testing::tiny;

namespace {

const workloads::LoadedModel& tiny_block() {
  static const workloads::LoadedModel m = [] {
    workloads::ModelOptions o;
    o.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
    return workloads::load_model("tiny-block", o);
  }();
  return m;
}

mappers::TileStep compute_step(uint64_t macs, uint64_t mac_cycles, uint64_t vector_cycles) {
  mappers::TileStep t;
  t.repeat = 1;
  t.macs = macs;
  t.mac_cycles = mac_cycles;
  t.vector_cycles = vector_cycles;
  return t;
}

// Ops 0..2 of tiny-block: norm1 (a vector op, 100 cycles), act1 (no tiles, as an op fused into
// its host), conv1 (a MAC op, 200 cycles). No DRAM or SRAM traffic, so nothing overlaps.
mappers::Schedule three_ops() {
  mappers::Schedule s;
  for (workloads::OpId op : {0, 1, 2}) {
    mappers::OpSchedule os;
    os.op = op;
    s.ops.push_back(std::move(os));
  }
  s.ops[0].steps.push_back(compute_step(0, 0, 100));
  s.ops[2].steps.push_back(compute_step(3200, 200, 0));
  return s;
}

const std::vector<std::string> kCosts = {"overhead.per_vector_op=7ns", "overhead.per_mac_op=50ns",
                                         "overhead.per_copy_op=3ns", "overhead.per_run=1us"};

void check_fixed_costs(const sim::RunStats& r) {
  // norm1: 100 ns + 7 ns = 107 ns; act1: no tiles, 0; conv1: 200 ns + 50 ns = 250 ns.
  REQUIRE(r.ops.size() == 3);
  CHECK(r.ops[0].exposed_ps == 107'000);
  CHECK(r.ops[1].exposed_ps == 0);
  CHECK(r.ops[2].exposed_ps == 250'000);
  CHECK(r.ops[0].c.overhead_s == doctest::Approx(7e-9).epsilon(1e-12));
  CHECK(r.ops[1].c.overhead_s == 0);
  CHECK(r.ops[2].c.overhead_s == doctest::Approx(50e-9).epsilon(1e-12));
  CHECK(r.ops[2].c.busy_s == doctest::Approx(250e-9).epsilon(1e-12));
  CHECK(r.ops[2].overlapped_ps == 0);
  CHECK(r.op_overhead_ps == 57'000);
  CHECK(r.overhead_mac_ops == 1);
  CHECK(r.overhead_vector_ops == 1);
  // The run: 107 + 250 ns of ops + 1000 ns launch = 1357 ns, the launch in no op.
  CHECK(r.per_run_ps == 1'000'000);
  CHECK(r.latency_ps == 1'357'000);
  CHECK(r.total.latency_s == doctest::Approx(1357e-9).epsilon(1e-12));
  // Bounds of the ops' own work, without the fixed costs: 100 ns vector, 200 ns compute.
  CHECK(r.ops[0].bound == sim::Bound::kVector);
  CHECK(r.ops[1].bound == sim::Bound::kNone);
  CHECK(r.ops[2].bound == sim::Bound::kCompute);
  CHECK(r.time_by_bound_s[int(sim::Bound::kVector)] == doctest::Approx(100e-9).epsilon(1e-12));
  CHECK(r.time_by_bound_s[int(sim::Bound::kCompute)] == doctest::Approx(200e-9).epsilon(1e-12));
  // Static power over the whole latency, launch included: 1 pJ/ns x 1357 ns.
  CHECK(r.total.energy_static_pj == doctest::Approx(1357).epsilon(1e-9));
  // Utilisation of conv1: 3200 MACs / (16 PEs x 1 MAC/cycle x 1 GHz x 250 ns) = 0.8.
  CHECK(r.ops[2].utilization == doctest::Approx(0.8).epsilon(1e-12));
}

}  // namespace

TEST_CASE("fixed costs: per vector op, per MAC op and per run, analytic engine") {
  const arch::NpuConfig hw = tiny(kCosts);
  check_fixed_costs(sim::run_analytic(tiny_block().graph, hw, three_ops()));
}

TEST_CASE("fixed costs: per vector op, per MAC op and per run, SystemC engine") {
  const arch::NpuConfig hw = tiny(kCosts);
  sim::SystemcRunInfo info;
  const sim::RunStats r = sim::run_systemc(tiny_block().graph, hw, three_ops(), {}, &info);
  check_fixed_costs(r);
  // The kernel's clock has the ops' work only (100 + 200 ns); the fixed costs are a stall
  // of the whole NPU added outside it.
  CHECK(info.end_ps == 300'000);
}

// `sched` on tiny-block in one engine; isolated: every op as if run alone (no overlap or
// prefetch across ops).
sim::RunStats run_in(bool systemc, const arch::NpuConfig& hw, const mappers::Schedule& sched, bool isolated = false) {
  const workloads::Graph& g = tiny_block().graph;
  sim::SystemcOptions options;
  options.isolate_ops = isolated;
  return systemc ? sim::run_systemc(g, hw, sched, options) : sim::run_analytic(g, hw, sched, isolated);
}

// Ops 0 and 2 of tiny-block: norm1 (vector, 100 cycles, no DRAM) and conv1 (200 MAC cycles)
// whose one tile first loads `weight_bytes` of weights: DRAM-bound at tiny-test's 1 B/ns.
mappers::Schedule vector_then_weights(uint64_t weight_bytes) {
  mappers::Schedule s = three_ops();
  s.ops.erase(s.ops.begin() + 1);
  s.ops[1].steps[0].dram_read_bytes[int(mappers::Traffic::kWeight)] = weight_bytes;
  s.ops[1].steps[0].sram_write_bytes = weight_bytes;
  return s;
}

TEST_CASE("fixed costs stall the compute units, not the DMA: an op's weights stream during its dispatch") {
  // conv1's 1000 B of weights take 1000 ns; its 50 ns fixed cost (added to its latency after
  // the run) is 50 ns in which the DMA fetches 50 B more of them into free SRAM, on top of what
  // it prefetched while norm1 ran. conv1 is bound by its weight stream, so its dispatch costs it
  // nothing: the network grows by norm1's 7 ns and the 1 us launch alone, in both engines.
  const mappers::Schedule sched = vector_then_weights(1000);
  for (bool systemc : {false, true}) {
    CAPTURE(systemc);
    const sim::RunStats a = run_in(systemc, tiny(), sched);
    const sim::RunStats b = run_in(systemc, tiny(kCosts), sched);
    CHECK(b.prefetched_weight_bytes == a.prefetched_weight_bytes + 50);
    CHECK(b.ops[1].c.overhead_s == doctest::Approx(50e-9).epsilon(1e-12));  // still its fixed cost
    CHECK(b.ops[1].exposed_ps == a.ops[1].exposed_ps);
    CHECK(b.ops[0].exposed_ps == a.ops[0].exposed_ps + 7'000);
    CHECK(b.latency_ps == a.latency_ps + 7'000 + 1'000'000);
    // Isolated (no prefetch across ops), each op pays its fixed cost in full.
    if (!systemc) {
      const sim::RunStats ai = run_in(false, tiny(), sched, true);
      const sim::RunStats bi = run_in(false, tiny(kCosts), sched, true);
      CHECK(bi.ops[1].exposed_ps == ai.ops[1].exposed_ps + 50'000);
    }
  }
  // A compute-bound op keeps paying: with 10 B of weights conv1's 200 ns of MACs bound it, and
  // its 50 ns dispatch adds 50 ns.
  const mappers::Schedule light = vector_then_weights(10);
  for (bool systemc : {false, true}) {
    CAPTURE(systemc);
    const sim::RunStats a = run_in(systemc, tiny(), light);
    const sim::RunStats b = run_in(systemc, tiny(kCosts), light);
    CHECK(b.ops[1].exposed_ps == a.ops[1].exposed_ps + 50'000);
    CHECK(b.latency_ps == a.latency_ps + 57'000 + 1'000'000);
  }
}

// norm1 (vector, 100 cycles), conv1 (MAC, 200 cycles), q (MAC, 30 cycles), q4 (a view: no
// tiles), k (MAC, 80 cycles). No DRAM or SRAM traffic, so nothing overlaps.
mappers::Schedule mac_after_mac() {
  mappers::Schedule s;
  for (workloads::OpId op : {0, 2, 10, 13, 11}) {
    mappers::OpSchedule os;
    os.op = op;
    s.ops.push_back(std::move(os));
  }
  s.ops[0].steps.push_back(compute_step(0, 0, 100));
  s.ops[1].steps.push_back(compute_step(3200, 200, 0));
  s.ops[2].steps.push_back(compute_step(480, 30, 0));
  s.ops[4].steps.push_back(compute_step(1280, 80, 0));
  return s;
}

TEST_CASE("queued MAC dispatch: a MAC op after a MAC op pays only what exceeds that op's array time") {
  // per_mac_op 50 ns. conv1 follows a vector op: 50 ns. q follows conv1's 200 ns of array time:
  // its 50 ns are hidden. k follows q (the view between them does not count) and its 30 ns:
  // 20 ns exposed. norm1 pays per_vector_op as ever.
  std::vector<std::string> set = kCosts;
  set.push_back("overhead.queued_mac_dispatch=true");
  const arch::NpuConfig queued = tiny(set);
  const arch::NpuConfig serial = tiny(kCosts);
  CHECK_FALSE(serial.overhead.queued_mac_dispatch);  // off by default
  const mappers::Schedule sched = mac_after_mac();
  CHECK(sim::exposed_overheads_ps(sched, queued, true) == std::vector<uint64_t>{7'000, 50'000, 0, 0, 20'000});
  CHECK(sim::exposed_overheads_ps(sched, queued, false) == std::vector<uint64_t>{7'000, 50'000, 50'000, 0, 50'000});
  CHECK(sim::exposed_overheads_ps(sched, serial, true) == std::vector<uint64_t>{7'000, 50'000, 50'000, 0, 50'000});
  for (bool systemc : {false, true}) {
    CAPTURE(systemc);
    const sim::RunStats q = run_in(systemc, queued, sched);
    CHECK(q.ops[2].exposed_ps == 30'000);
    CHECK(q.ops[4].exposed_ps == 100'000);
    CHECK(q.ops[4].c.overhead_s == doctest::Approx(20e-9).epsilon(1e-12));
    CHECK(q.op_overhead_ps == 77'000);
    CHECK(q.op_overhead_hidden_ps == 80'000);
    CHECK(q.overhead_mac_ops == 3);  // charged, if partly hidden
    CHECK(q.latency_ps == 410'000 + 77'000 + 1'000'000);
    // Unqueued, or each op timed alone, every MAC op pays 50 ns.
    const sim::RunStats s = run_in(systemc, serial, sched);
    CHECK(s.op_overhead_ps == 157'000);
    CHECK(s.op_overhead_hidden_ps == 0);
    CHECK(s.latency_ps == 410'000 + 157'000 + 1'000'000);
    if (!systemc) {
      const sim::RunStats qi = run_in(false, queued, sched, true);
      CHECK(qi.op_overhead_ps == 157'000);
    }
  }
}

TEST_CASE("fixed costs are control cycles when overhead.at_frequency is set: they scale with the clock") {
  // Given at 500 MHz, on tiny-test's 1 GHz they take half: 3.5 ns, 25 ns and a 500 ns launch.
  std::vector<std::string> set = kCosts;
  set.push_back("overhead.at_frequency=500MHz");
  const arch::NpuConfig hw = tiny(set);
  for (const sim::RunStats& r : {sim::run_analytic(tiny_block().graph, hw, three_ops()),
                                 sim::run_systemc(tiny_block().graph, hw, three_ops())}) {
    CHECK(r.ops[0].exposed_ps == 103'500);
    CHECK(r.ops[2].exposed_ps == 225'000);
    CHECK(r.per_run_ps == 500'000);
    CHECK(r.latency_ps == 828'500);
  }
  // At the clock they were given for, they are the times as written.
  set.back() = "overhead.at_frequency=1GHz";
  check_fixed_costs(sim::run_analytic(tiny_block().graph, tiny(set), three_ops()));
}

TEST_CASE("fixed costs: zero by default, and each op pays exactly its own on a mapped network") {
  // tiny-block mapped by the real mapper, each strategy, both engines. Ops run isolated (no
  // overlap or prefetch across ops): with the costs set, every op's latency grows by exactly
  // its fixed cost (views and fused ops pay none), and the network by those plus the launch.
  // In a whole run the DMA also prefetches during a dispatch (the test above), so the network
  // grows by at most that much, and by at least the launch.
  const arch::NpuConfig base = tiny();
  CHECK(base.overhead.per_mac_op_ps == 0);
  CHECK(base.overhead.per_vector_op_ps == 0);
  CHECK(base.overhead.per_run_ps == 0);
  const arch::NpuConfig hw = tiny(kCosts);
  const workloads::Graph& g = tiny_block().graph;
  for (const auto& st : mappers::strategies())
    for (bool systemc : {false, true}) {
      CAPTURE(st->name());
      CAPTURE(systemc);
      mappers::Mapper mapper(base);
      const mappers::Schedule sched = mapper.map(g, *st);
      const sim::RunStats a = run_in(systemc, base, sched, true);
      const sim::RunStats b = run_in(systemc, hw, sched, true);
      REQUIRE(a.ops.size() == b.ops.size());
      uint64_t mac_ops = 0, vector_ops = 0, copy_ops = 0;
      for (size_t i = 0; i < a.ops.size(); ++i) {
        CAPTURE(a.ops[i].name);
        bool tiles = false;
        for (const mappers::TileStep& t : sched.ops[i].steps) tiles = tiles || t.repeat > 0;
        const bool fused_or_view = sched.ops[i].mapping.starts_with("fused into") || sched.ops[i].mapping == "view";
        if (fused_or_view) CHECK(!tiles);
        // MAC work pays per_mac_op; vector work alone per_vector_op; data movement alone per_copy_op.
        const bool vector = a.ops[i].c.vector_cycles > 0;
        const uint64_t expect_ps = !tiles ? 0 : a.ops[i].c.macs > 0 ? 50'000 : vector ? 7'000 : 3'000;
        CHECK(sim::overhead_class(sched.ops[i]) == (!tiles                ? sim::OverheadClass::kNone
                                                    : a.ops[i].c.macs > 0 ? sim::OverheadClass::kMac
                                                    : vector              ? sim::OverheadClass::kVector
                                                                          : sim::OverheadClass::kCopy));
        mac_ops += tiles && a.ops[i].c.macs > 0;
        vector_ops += tiles && a.ops[i].c.macs == 0 && vector;
        copy_ops += tiles && a.ops[i].c.macs == 0 && !vector;
        CHECK(sim::op_overhead_ps(sched.ops[i], hw) == expect_ps);
        // The analytic engine rounds cumulative end times to the ps: within 1 ps.
        const double d = double(b.ops[i].exposed_ps) - double(a.ops[i].exposed_ps) - double(expect_ps);
        CHECK(std::abs(d) <= (systemc ? 0 : 1));
        CHECK(b.ops[i].overlapped_ps == a.ops[i].overlapped_ps);
        CHECK(b.ops[i].c.overhead_s * 1e12 == doctest::Approx(double(expect_ps)));
      }
      CHECK(mac_ops > 0);
      CHECK(vector_ops > 0);
      CHECK(b.overhead_mac_ops == mac_ops);
      CHECK(b.overhead_vector_ops == vector_ops);
      CHECK(b.overhead_copy_ops == copy_ops);
      const uint64_t fixed_ps = mac_ops * 50'000 + vector_ops * 7'000 + copy_ops * 3'000;
      CHECK(b.latency_ps == a.latency_ps + fixed_ps + 1'000'000);
      const sim::RunStats wa = run_in(systemc, base, sched);
      const sim::RunStats wb = run_in(systemc, hw, sched);
      CHECK(wb.op_overhead_ps == fixed_ps);
      CHECK(wb.latency_ps <= wa.latency_ps + fixed_ps + 1'000'000);
      CHECK(wb.latency_ps >= wa.latency_ps + 1'000'000);
      CHECK(wb.prefetched_weight_bytes >= wa.prefetched_weight_bytes);
    }
}

TEST_CASE("activation x activation rate: attention score and context run at it, weight ops do not") {
  // tiny-block is w8a8 (1 MAC/PE/cycle on tiny-test). With act_act = 0.25, the ops without a
  // weight operand (scores = Q.K^T, context = A.V) take exactly the cycles they take on an
  // array whose w8a8 rate is 0.25 for every op, and every op with weights (convs, linears)
  // keeps its cycles at rate 1.
  const workloads::Graph& g = tiny_block().graph;
  const arch::NpuConfig base = tiny();
  const arch::NpuConfig slow_all = tiny({"mac_array.precision.w8a8.macs_per_pe_per_cycle=0.25"});
  const arch::NpuConfig act_act = tiny({"mac_array.precision.w8a8.act_act_macs_per_pe_per_cycle=0.25"});
  CHECK(act_act.mac_array.mode(arch::PrecisionMode::kW8A8).act_act_rate() == 0.25);
  CHECK(base.mac_array.mode(arch::PrecisionMode::kW8A8).act_act_rate() == 1);  // 0 = the weight rate
  for (const auto& st : mappers::strategies()) {
    CAPTURE(st->name());
    const mappers::Schedule s_base = mappers::Mapper(base).map(g, *st);
    const mappers::Schedule s_slow = mappers::Mapper(slow_all).map(g, *st);
    const mappers::Schedule s_aa = mappers::Mapper(act_act).map(g, *st);
    auto mac_cycles = [](const mappers::OpSchedule& os) {
      uint64_t c = 0;
      for (const mappers::TileStep& t : os.steps) c += t.repeat * t.mac_cycles;
      return c;
    };
    size_t act_ops = 0;
    for (size_t i = 0; i < s_aa.ops.size(); ++i) {
      const workloads::Op& op = g.op(s_aa.ops[i].op);
      CAPTURE(op.name);
      if (op.macs == 0 || s_aa.ops[i].steps.empty()) continue;  // no MACs, or fused into its host
      const bool weights = std::any_of(op.inputs.begin(), op.inputs.end(), [&](workloads::TensorId t) {
        return g.tensor(t).kind == workloads::TensorKind::kWeight;
      });
      if (weights) {
        CHECK(mac_cycles(s_aa.ops[i]) == mac_cycles(s_base.ops[i]));
      } else {
        ++act_ops;
        CHECK(s_aa.ops[i].mapping == s_slow.ops[i].mapping);
        CHECK(mac_cycles(s_aa.ops[i]) == mac_cycles(s_slow.ops[i]));
        CHECK(mac_cycles(s_aa.ops[i]) > 3 * mac_cycles(s_base.ops[i]));
      }
    }
    CHECK(act_ops >= 1);  // scores and context (one host when the fused strategy fuses them)
  }
}
