// Exact cycles of the ops the phone networks added (issue 13), on the tiny-test preset: 4x4 PEs
// @ 1 GHz (1 cycle = 1 ns), fill and drain per fold WS/IS 2*4 + 4 - 2 = 10, OS 4 + 4 - 2 = 6
// cycles, 4 vector lanes @ 1 GHz with lane-cycles per element activation 1, eltwise 1.
// DRAM at 1 TB/s so that the units, not the transfers, set the figures checked here.
#include <doctest/doctest.h>

#include "hw_presets.h"
#include "mappers/mapper.h"
#include "mappers/verify.h"
#include "sim/analytic_engine.h"

using namespace npusim;
using workloads::GraphBuilder;
using workloads::Precision;

namespace {

const mappers::OpSchedule& only_mac(const mappers::Schedule& s) {
  const mappers::OpSchedule* found = nullptr;
  for (const auto& op : s.ops)
    if (op.tiling.valid) {
      REQUIRE(found == nullptr);
      found = &op;
    }
  REQUIRE(found != nullptr);
  return *found;
}

uint64_t mac_cycles(const mappers::OpSchedule& op) {
  uint64_t c = 0;
  for (const auto& st : op.steps) c += st.repeat * st.mac_cycles;
  return c;
}

}  // namespace

TEST_CASE("depthwise conv: groups packed block-diagonally onto the array") {
  // x[1, 4, 1, 9], 1x2 depthwise (4 groups of one channel), no padding: per group M = 8 output
  // pixels, K = 2 taps, N = 1 filter; 64 MACs in all.
  //   WS: a group's 2 x 1 block fits 2 times along the 4 rows (K) and 4 times along the 4
  //       columns (N): 2 groups side by side, 2 steps of one fold each: 2 x (10 + 8) = 36.
  //   OS: K streams, nothing to pack: per group 2 row folds (M 8 on 4 rows) x (6 + 2) = 16,
  //       x 4 groups = 64.
  //   IS: 2 groups along the rows (K), N streams: 2 steps x 2 folds (M 8 on 4 columns)
  //       x (10 + 1) = 44.
  // WS wins: 36 - 1 = 35 cycles (the op's last cycle, SCALE-Sim's count).
  GraphBuilder b("dw", Precision::kW8A8);
  b.conv2d("dw", b.input("x", {1, 4, 1, 9}), 4, 1, 2, /*stride=*/1, /*padding=*/0, /*groups=*/4, /*bias=*/false);
  const workloads::Graph g = b.finish();
  const arch::NpuConfig hw = testing::tiny({"dram.bandwidth=1TB/s"});
  mappers::Mapper m(hw);
  const mappers::Schedule s = m.map(g, "offchip");
  const mappers::OpSchedule& op = only_mac(s);
  CHECK(mac_cycles(op) == 35);
  CHECK(op.tiling.group_pack == 2);
  CHECK(op.mapping.starts_with("WS"));
  CHECK(op.mapping.find("2 groups side by side") != std::string::npos);
  uint64_t macs = 0;
  for (const auto& st : op.steps) macs += st.repeat * st.macs;
  CHECK(macs == 64);
  // The tile program still runs every group's folds (the check of what is computed does not
  // depend on which groups share the array): numerically and by coverage.
  const mappers::GraphVerifyResult v = mappers::verify_graph(g, s, 4, 4, 1);
  CHECK(v.passed());
  // Without packing (each group alone on the array) WS would cost 4 x 18 = 72: OS's 64 wins.
  GraphBuilder b2("dw", Precision::kW8A8);
  b2.conv2d("dw", b2.input("x", {1, 4, 1, 9}), 4, 1, 3, 1, 0, 4, false);  // K = 3: 1 group per 4 rows
  const workloads::Graph g2 = b2.finish();
  // 1x3: M = 7, K = 3. WS: 1 group (3 of 4 rows) -> 4 x (10 + 7) = 68; OS: 2 folds x (6 + 3) x 4 = 72;
  // IS: 4 x 2 folds x (10 + 1) = 88. WS 68 - 1.
  mappers::Mapper m2(hw);
  const mappers::Schedule s2 = m2.map(g2, "offchip");
  const mappers::OpSchedule& op2 = only_mac(s2);
  CHECK(mac_cycles(op2) == 67);
  CHECK(op2.tiling.group_pack == 1);
}

TEST_CASE("depthwise conv: the vector unit takes it when vector_unit.cost.depthwise makes it faster") {
  // The 64-MAC depthwise conv above (35 array cycles): at 0.5 lane-cycles per MAC on 4 lanes
  // it is 64 x 0.5 / 4 = 8 vector cycles (two steps of 32 MACs, 4 cycles each), faster than
  // the array, so it moves; at 5 lane-cycles per MAC (80 cycles) it stays on the array.
  GraphBuilder b("dw", Precision::kW8A8);
  b.conv2d("dw", b.input("x", {1, 4, 1, 9}), 4, 1, 2, 1, 0, 4, false);
  const workloads::Graph g = b.finish();
  auto vector_cycles = [](const mappers::OpSchedule& op) {
    uint64_t c = 0;
    for (const auto& st : op.steps) c += st.repeat * st.vector_cycles;
    return c;
  };
  const arch::NpuConfig fast = testing::tiny({"dram.bandwidth=1TB/s", "vector_unit.cost.depthwise=0.5"});
  mappers::Mapper m(fast);
  const mappers::Schedule s = m.map(g, "offchip");
  const mappers::OpSchedule& op = only_mac(s);
  CHECK(mac_cycles(op) == 0);
  CHECK(vector_cycles(op) == 8);
  CHECK(op.mapping.starts_with("vector unit (depthwise"));
  CHECK(mappers::verify_graph(g, s, 4, 4, 1).passed());  // the same MACs, whichever unit runs them
  const arch::NpuConfig slow = testing::tiny({"dram.bandwidth=1TB/s", "vector_unit.cost.depthwise=5"});
  mappers::Mapper m2(slow);
  const mappers::Schedule s2 = m2.map(g, "offchip");
  const mappers::OpSchedule& op2 = only_mac(s2);
  CHECK(mac_cycles(op2) == 35);
  CHECK(vector_cycles(op2) == 0);
  // A dense conv never moves, whatever the cost.
  GraphBuilder b3("dense", Precision::kW8A8);
  b3.conv2d("c", b3.input("x", {1, 4, 1, 9}), 4, 1, 2, 1, 0, 1, false);
  const workloads::Graph g3 = b3.finish();
  mappers::Mapper m3(fast);
  const mappers::Schedule s3 = m3.map(g3, "offchip");
  CHECK(vector_cycles(only_mac(s3)) == 0);
}

TEST_CASE("pooling, hard-swish and conv1d: vector and array cycles by hand") {
  const arch::NpuConfig hw = testing::tiny({"dram.bandwidth=1TB/s"});
  auto vector_cycles = [&](const workloads::Graph& g) {
    mappers::Mapper m(hw);
    const sim::RunStats r = sim::run_analytic(g, hw, m.map(g, "offchip"));
    REQUIRE(r.ops.size() == 1);
    return r.ops[0].c.vector_cycles;
  };
  {
    // 2x2 max pool, stride 2, over [1, 4, 8, 8]: 4 x 4 x 4 = 64 outputs, 4 window elements each
    // = 256 elements x eltwise cost 1 / 4 lanes = 64 cycles.
    GraphBuilder b("p", Precision::kW8A8);
    b.max_pool2d("pool", b.input("x", {1, 4, 8, 8}), 2, 2);
    CHECK(vector_cycles(b.finish()) == 64);
  }
  {
    // Global average pool over [1, 8, 4, 4]: 128 elements / 4 lanes = 32 cycles.
    GraphBuilder b("p", Precision::kW8A8);
    b.global_avg_pool("gap", b.input("x", {1, 8, 4, 4}));
    CHECK(vector_cycles(b.finish()) == 32);
  }
  {
    // Hard-swish over 64 elements: activation cost 1 / 4 lanes = 16 cycles.
    GraphBuilder b("h", Precision::kW8A8);
    b.hard_swish("hs", b.input("x", {1, 4, 4, 4}));
    CHECK(vector_cycles(b.finish()) == 16);
  }
  {
    // conv1d: x[1, 4, 1, 10], 4 filters of width 3, no padding: M = 8 outputs, K = 12, N = 4.
    // WS: 3 row folds (K 12 on 4 rows) x 1 column fold x (10 + 8) = 54; OS: 2 x 1 x (6 + 12)
    // = 36; IS: 3 x 2 x (10 + 4) = 84. OS: 36 - 1 = 35.
    GraphBuilder b("c", Precision::kW8A8);
    b.conv1d("c1", b.input("x", {1, 4, 1, 10}), 4, 3, 1, 0, false);
    const workloads::Graph g = b.finish();
    mappers::Mapper m(hw);
    const mappers::Schedule s = m.map(g, "offchip");
    CHECK(mac_cycles(only_mac(s)) == 35);
    CHECK(mappers::verify_graph(g, s, 4, 4, 1).passed());
  }
}
