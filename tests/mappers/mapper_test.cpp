// Exact tests of the tiling mapper and the analytic engine on the tiny-test preset:
// 4x4 PEs @ 1 GHz (1 cycle = 1 ns), fill + drain per fold = 2*4 + 4 - 2 = 10 cycles,
// 4 vector lanes @ 1 GHz not overlapped with the MAC array, DRAM 1 GB/s = 1 B/ns with no
// latency and 1-byte bursts, 64 KiB SRAM, 1 pJ per MAC / lane-op / SRAM byte / DRAM bit.
#include <doctest/doctest.h>

#include "arch/config_loader.h"
#include "hw_presets.h"
#include "mappers/dataflow.h"
#include "mappers/mapper.h"
#include "mappers/memory_plan.h"
#include "sim/analytic_engine.h"
#include "sim/simulator.h"
#include "sim/systemc/systemc_engine.h"
#include "workloads/graph_lookup.h"
#include "workloads/model_registry.h"

using namespace npusim;

using workloads::GraphBuilder;
using workloads::Precision;

using npusim::testing::tiny;

namespace {
sim::RunStats run(const workloads::Graph& g, const arch::NpuConfig& hw, std::string_view s) {
  mappers::Mapper m(hw);
  return sim::run_analytic(g, hw, m.map(g, s));
}
}  // namespace

TEST_CASE("fold arithmetic of the three dataflows") {
  using arch::Dataflow;
  // GEMM M=64, N=16, K=36 on 4x4 at 1 MAC/PE/cycle. Fill and drain per fold (arch/dataflow.h,
  // from SCALE-Sim v2): WS and IS 2 x 4 + 4 - 2 = 10 cycles, OS 4 + 4 - 2 = 6 cycles.
  mappers::Gemm g{1, 64, 16, 36};
  // WS: rows<-K: ceil(36/4)=9, cols<-N: 4 -> 36 folds x (10 + M=64) = 2664 cycles.
  CHECK(mappers::gemm_cycles(g, Dataflow::kWeightStationary, 4, 4, 1).folds == 36);
  CHECK(mappers::gemm_cycles(g, Dataflow::kWeightStationary, 4, 4, 1).cycles == 2664);
  // OS: rows<-M: 16, cols<-N: 4 -> 64 folds x (6 + K=36) = 2688.
  CHECK(mappers::gemm_cycles(g, Dataflow::kOutputStationary, 4, 4, 1).cycles == 2688);
  // IS: rows<-K: 9, cols<-M: 16 -> 144 folds x (10 + N=16) = 3744.
  CHECK(mappers::gemm_cycles(g, Dataflow::kInputStationary, 4, 4, 1).cycles == 3744);
  // One fold: M=4, N=4, K=4 WS -> 1 x (10 + 4) = 14; half rate doubles the stream: 10 + 8 = 18.
  CHECK(mappers::gemm_cycles({1, 4, 4, 4}, Dataflow::kWeightStationary, 4, 4, 1).cycles == 14);
  CHECK(mappers::gemm_cycles({1, 4, 4, 4}, Dataflow::kWeightStationary, 4, 4, 0.5).cycles == 18);
  // Edge folds are charged in full: N=5 needs 2 column folds.
  CHECK(mappers::gemm_cycles({1, 4, 5, 4}, Dataflow::kWeightStationary, 4, 4, 1).folds == 2);
  // Batch multiplies: 8 heads.
  CHECK(mappers::gemm_cycles({8, 4, 4, 4}, Dataflow::kWeightStationary, 4, 4, 1).cycles == 8 * 14);
}

TEST_CASE("one fold: a 4x4x4 linear, fill, compute and drain by hand") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {4, 4});
  b.linear("fc", x, 4, /*bias=*/false);
  workloads::Graph g = b.finish();
  // DRAM at 1 TB/s (1000 B/ns) so the array sets the time.
  sim::RunStats r = run(g, tiny({"dram.bandwidth=1TB/s"}), "offchip");
  REQUIRE(r.ops.size() == 1);
  const sim::OpStats& op = r.ops[0];
  // 64 MACs in one fold: WS and IS 10 + 4 = 14 cycles, OS 6 + 4 = 10; OS wins, and the op's
  // total is one cycle less than its folds (SCALE-Sim's count): 9 cycles.
  CHECK(op.c.macs == 64);
  CHECK(op.c.mac_cycles == 9);
  // One tile: load x (16 B) + W (16 B) = 0.032 ns, compute 9 ns, store 16 B = 0.016 ns.
  CHECK(op.c.dram_read_activation_bytes == 16);
  CHECK(op.c.dram_read_weight_bytes == 16);
  CHECK(op.c.dram_write_activation_bytes == 16);
  CHECK(op.c.latency_s == doctest::Approx(9.048e-9));
  CHECK(op.bound == sim::Bound::kCompute);
  CHECK(op.utilization == doctest::Approx(64 / (16 * 9.048)));
  // Energy: 64 MAC x 1 pJ; DRAM 48 B x 8 pJ; static 1 mW x 9.048 ns.
  CHECK(op.c.energy_mac_pj == doctest::Approx(64));
  CHECK(op.c.energy_dram_pj == doctest::Approx(384));
  CHECK(op.c.energy_static_pj == doctest::Approx(9.048));
  CHECK(op.mapping.find("OS") == 0);
}

TEST_CASE("DRAM-bound op: finer tiles shorten the pipeline's fill and drain") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {4, 4});
  b.linear("fc", x, 4, /*bias=*/false);
  workloads::Graph g = b.finish();
  // At 1 B/ns one whole tile costs load 32 + compute 9 + store 16 = 57 ns. Four tiles of one
  // row each (one OS fold of 6 + 4 cycles each, the last one cycle shorter): each loads its
  // 4 B of x plus a quarter of W (4 B) and stores 4 B:
  // 8 + max(10, 8) + max(10, 8 + 4) x 2 + max(9, 4) + 4 = 55 ns.
  sim::RunStats r = run(g, tiny(), "offchip");
  CHECK(r.ops[0].c.mac_cycles == 4 * 10 - 1);
  CHECK(r.ops[0].c.latency_s == doctest::Approx(55e-9));
  CHECK(r.ops[0].bound == sim::Bound::kDram);
}

TEST_CASE("several folds: K and N beyond the array") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {8, 16});
  b.linear("fc", x, 8, false);
  workloads::Graph g = b.finish();
  // M=8, N=8, K=16. WS: 4 x 2 = 8 folds x (10 + 8) = 144; OS: 2 x 2 = 4 folds x (6 + 16) = 88;
  // IS: 4 x 2 = 8 folds x (10 + 8) = 144. OS wins: 88 - 1 = 87 cycles.
  sim::RunStats r = run(g, tiny({"dram.bandwidth=1TB/s"}), "offchip");
  CHECK(r.ops[0].c.mac_cycles == 87);
  CHECK(r.ops[0].mapping.find("OS") == 0);
  CHECK(r.ops[0].bound == sim::Bound::kCompute);
  // DRAM 128 + 128 + 64 B at 1 TB/s = 0.32 ns; latency = 128+128 B load (0.256 ns) + 87 ns + 64 B store.
  CHECK(r.ops[0].c.latency_s == doctest::Approx(0.256e-9 + 87e-9 + 0.064e-9));
}

TEST_CASE("DRAM-bound copy and double-buffer overlap") {
  // A transpose of 32 KiB moves 32 KiB in and 32 KiB out: buffers 2 x 64 KiB > 64 KiB SRAM, so
  // it runs in ceil(2 x 64 KiB / 64 KiB) = 2 tiles of 16 KiB in + 16 KiB out each.
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {128, 256});
  b.transpose("t", x, {1, 0});
  workloads::Graph g = b.finish();
  sim::RunStats r = run(g, tiny(), "offchip");
  const sim::OpStats& op = r.ops[0];
  CHECK(op.c.dram_read_activation_bytes == 32768);
  CHECK(op.c.dram_write_activation_bytes == 32768);
  // Double-buffered: load(1) + max(0, load(2)) + max(0, store(1)) + store(2)
  //   = 16384 + 16384 + 16384 + 16384 ns: a copy is all DRAM, no overlap to gain.
  CHECK(op.c.latency_s == doctest::Approx(65536e-9));
  CHECK(op.bound == sim::Bound::kDram);

  // Overlap: a vector op over 4096 int8 elements, cost 1 per element on 4 lanes = 1024 ns of
  // compute, DRAM 4096 + 4096 B = 8192 ns; in 1 tile: load 4096 + max(1024, 0) + store 4096.
  GraphBuilder b2("t", Precision::kW8A8);
  auto y = b2.input("y", {64, 64});
  b2.silu("act", y);
  workloads::Graph g2 = b2.finish();
  sim::RunStats r2 = run(g2, tiny(), "offchip");
  CHECK(r2.ops[0].c.vector_cycles == 1024);
  CHECK(r2.ops[0].c.latency_s == doctest::Approx((4096 + 1024 + 4096) * 1e-9));
}

TEST_CASE("strategies: offchip > onchip > fused DRAM traffic on a conv-norm-act-conv chain") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 8, 16, 16});
  auto c1 = b.conv2d("conv1", x, 8, 3, 3, 1, 1);
  auto n = b.group_norm("norm", c1, 4);
  auto a = b.silu("act", n);
  b.conv2d("conv2", a, 8, 3, 3, 1, 1);
  workloads::Graph g = b.finish();
  // Fast DRAM, so tile sizes are chosen for fewest DRAM bytes rather than a short pipeline fill.
  arch::NpuConfig hw = tiny({"dram.bandwidth=1TB/s"});
  sim::RunStats off = run(g, hw, "offchip");
  sim::RunStats on = run(g, hw, "onchip");
  sim::RunStats fu = run(g, hw, "fused");
  // Activations are 8 x 16 x 16 = 2 KiB. Offchip: conv1 writes 2 KiB, norm reads/writes, act
  // reads/writes, conv2 reads: 3 intermediate tensors each written and read once = 12 KiB, plus
  // the graph input (2 KiB) and output (2 KiB).
  CHECK(off.total.dram_read_activation_bytes == 2048 * 4);
  CHECK(off.total.dram_write_activation_bytes == 2048 * 4);
  // Onchip: intermediates stay in SRAM; only the input is read and the output written.
  CHECK(on.total.dram_read_activation_bytes == 2048);
  CHECK(on.total.dram_write_activation_bytes == 2048);
  CHECK(on.total.dram_read_spill_bytes == 0);
  // Weights stream the same in every strategy: 2 x (8x8x3x3 B + 8 x 4 B bias) + the norm's
  // 8 + 8 B scale and shift = 1232 B.
  CHECK(off.total.dram_read_weight_bytes == 1232);
  CHECK(on.total.dram_read_weight_bytes == 1232);
  CHECK(fu.total.dram_read_weight_bytes == 1232);
  // Fused: the same DRAM traffic as onchip, and norm + act run inside conv2 (no own time).
  CHECK(fu.total.dram_bytes() == on.total.dram_bytes());
  CHECK(fu.ops[2].mapping == "fused into conv2");
  CHECK(fu.ops[2].c.latency_s == 0);
  CHECK(fu.total.vector_cycles == on.total.vector_cycles);
  CHECK(off.total.dram_bytes() > on.total.dram_bytes());
}

TEST_CASE("fused attention never stores the score matrix, and onchip spills it when SRAM is small") {
  GraphBuilder b("t", Precision::kW8A8);
  // 2 heads x 256 queries x 256 keys: scores 2 x 256 x 256 = 128 KiB > 64 KiB SRAM.
  auto q = b.input("q", {1, 2, 256, 16});
  auto k = b.input("k", {1, 2, 256, 16});
  auto v = b.input("v", {1, 2, 256, 16});
  auto s = b.attention_score("scores", q, k);
  auto p = b.softmax("softmax", s);
  b.attention_context("context", p, v);
  workloads::Graph g = b.finish();
  arch::NpuConfig hw = tiny();
  sim::RunStats on = run(g, hw, "onchip");
  sim::RunStats fu = run(g, hw, "fused");
  // Onchip: the scores and probabilities are oversize (128 KiB > 48 KiB of activation space):
  // each is written once and read once as spill traffic.
  CHECK(on.total.dram_write_spill_bytes == 2 * 131072);
  CHECK(on.total.dram_read_spill_bytes == 2 * 131072);
  // Fused: no spill, only q, k, v in (3 x 8 KiB) and the context out (8 KiB).
  CHECK(fu.total.dram_write_spill_bytes == 0);
  CHECK(fu.total.dram_read_spill_bytes == 0);
  CHECK(fu.total.dram_read_activation_bytes == 3 * 8192);
  CHECK(fu.total.dram_write_activation_bytes == 8192);
  CHECK(fu.ops[1].mapping == "fused into context");
}

namespace {
const sim::OpStats& stats_of(const sim::RunStats& r, const std::string& name) {
  for (const sim::OpStats& s : r.ops)
    if (s.name == name) return s;
  FAIL("no op " << name);
  return r.ops.at(0);
}

// A slice that is a view costs nothing in either engine: no time, no bytes, no fixed cost.
void check_view(const sim::RunStats& r, const std::string& name) {
  INFO("slice " << name);
  const sim::OpStats& s = stats_of(r, name);
  CHECK(s.mapping.starts_with("view"));
  CHECK(s.exposed_ps == 0);
  CHECK(s.c.busy_s == 0);
  CHECK(s.c.overhead_s == 0);
  CHECK(s.c.dram_bytes() == 0);
  CHECK(s.c.sram_read_bytes + s.c.sram_write_bytes == 0);
}

// Both engines on one schedule (their agreement is what the engine tests check at large).
std::vector<sim::RunStats> both_engines(const workloads::Graph& g, const arch::NpuConfig& hw, std::string_view st) {
  mappers::Mapper m(hw);
  const mappers::Schedule s = m.map(g, st);
  return {sim::run_analytic(g, hw, s), sim::run_systemc(g, hw, s)};
}
}  // namespace

TEST_CASE("a slice read only by a MAC op is a view: its reader loads the range in place") {
  // x [1, 8, 16] -> qkv linear [1, 8, 48] -> q, k, v slices of 8 x 16 = 128 B each (int8)
  // -> s = q.k^T [1, 8, 8] (64 B) -> o = s.v [1, 8, 16] (128 B): the attention pattern of Swin-T.
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 8, 16});
  auto qkv = b.linear("qkv", x, 48, false);
  auto q = b.slice("q", qkv, -1, 0, 16);
  auto k = b.slice("k", qkv, -1, 16, 16);
  auto v = b.slice("v", qkv, -1, 32, 16);
  b.matmul("av", b.matmul("qk", q, k, true), v);
  workloads::Graph g = b.finish();
  for (const char* name : {"q", "k", "v"}) {
    const workloads::OpId id = testing::op_id(g, name);
    CHECK(g.is_view(id));
    CHECK(g.operand_bytes(id).total_read() == 0);
    CHECK(g.operand_bytes(id).written == 0);
    CHECK(g.op(id).moved_bytes == 0);
  }
  // The readers read the slices' bytes, not the 384 B source.
  CHECK(g.operand_bytes(testing::op_id(g, "qk")).total_read() == 256);
  CHECK(g.operand_bytes(testing::op_id(g, "av")).total_read() == 64 + 128);

  // Fast DRAM, so tiles are chosen for fewest DRAM bytes (each operand loaded once); a copy
  // layer would cost 1 us.
  const arch::NpuConfig hw = tiny({"dram.bandwidth=1TB/s", "overhead.per_copy_op=1us"});

  // The onchip memory plan: the slices alias qkv, so qkv (384 B) stays resident up to av, its
  // last reader through v, beside s (64 B); no q, k, v copies are stored. Live peak 448 B at a
  // 0.75 activation share: 597.3 -> 598 B of SRAM without spills (copies would peak at 768 B).
  const mappers::MemoryPlan mp = mappers::plan_memory(g, hw, mappers::find_strategy("onchip", "strategy"));
  REQUIRE(mp.ops.size() == 6);
  for (const mappers::OpMemory& m : mp.ops) {
    const std::string& name = g.op(m.op).name;
    INFO("op " << name);
    if (g.is_view(m.op)) CHECK(m.out.at(0) == m.in.at(0));
    CHECK(m.resident_bytes == (name == "qk" || name == "av" ? 448 : 384));  // av: qkv still holds v
  }
  CHECK(mp.no_spill_sram_bytes == 598);

  for (const char* st : {"offchip", "onchip", "fused"}) {
    for (const sim::RunStats& r : both_engines(g, hw, st)) {
      INFO("strategy " << st);
      for (const char* name : {"q", "k", "v"}) check_view(r, name);
      CHECK(r.overhead_copy_ops == 0);
      if (std::string_view(st) == "offchip") {
        // Every activation in DRAM: qk loads q and k (2 x 128 B), av loads s (64 B) and v (128 B).
        CHECK(stats_of(r, "qk").c.dram_read_activation_bytes == 256);
        CHECK(stats_of(r, "av").c.dram_read_activation_bytes == 64 + 128);
        // x in; qkv, s and o out, once each; no slice copies (3 x 128 B each way).
        CHECK(r.total.dram_read_activation_bytes == 128 + 256 + 192);
        CHECK(r.total.dram_write_activation_bytes == 384 + 64 + 128);
      } else {
        // qkv stays resident until av, its last reader through the views: only x and o touch DRAM.
        CHECK(r.total.dram_read_activation_bytes == 128);
        CHECK(r.total.dram_write_activation_bytes == 128);
        CHECK(r.total.dram_read_spill_bytes == 0);
      }
    }
  }
}

TEST_CASE("a slice with two readers, or read by a vector op, still runs as a copy layer") {
  // q is read by a matmul and an add, g by a softmax: copies. k, read by the matmul alone, is
  // a view; it has q's shape and places, so a plan memoised for q must not serve it.
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 8, 16});
  auto qkv = b.linear("qkv", x, 48, false);
  auto q = b.slice("q", qkv, -1, 0, 16);
  auto k = b.slice("k", qkv, -1, 16, 16);
  auto gate = b.slice("g", qkv, -1, 32, 16);
  b.matmul("qk", q, k, true);
  b.add("res", q, x);
  b.softmax("p", gate);
  workloads::Graph g = b.finish();
  CHECK_FALSE(g.is_view(testing::op_id(g, "q")));
  CHECK_FALSE(g.is_view(testing::op_id(g, "g")));
  CHECK(g.is_view(testing::op_id(g, "k")));
  CHECK(g.operand_bytes(testing::op_id(g, "q")).total_read() == 128);  // the range, not the source
  CHECK(g.op(testing::op_id(g, "g")).moved_bytes == 128);

  const arch::NpuConfig hw = tiny({"dram.bandwidth=1TB/s", "overhead.per_copy_op=1us"});
  for (const char* st : {"offchip", "onchip", "fused"}) {
    for (const sim::RunStats& r : both_engines(g, hw, st)) {
      INFO("strategy " << st);
      check_view(r, "k");
      CHECK(r.overhead_copy_ops == 2);
      for (const char* name : {"q", "g"}) {
        INFO("slice " << name);
        const sim::OpStats& s = stats_of(r, name);
        CHECK_FALSE(s.mapping.starts_with("view"));
        CHECK(s.c.overhead_s == doctest::Approx(1e-6));
        CHECK(s.c.sram_read_bytes + s.c.dram_read_activation_bytes >= 128);
      }
    }
  }
}

TEST_CASE("Swin-T: every q, k and v slice is read in place by its attention matmul") {
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  const workloads::Graph g = workloads::load_model("swin-t", m).graph;
  int slices = 0, views = 0;
  for (workloads::OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).kind == workloads::OpKind::kSlice) ++slices, views += g.is_view(i);
  CHECK(slices == 36);  // 12 blocks x q, k, v
  CHECK(views == 36);
}

TEST_CASE("a tensor larger than SRAM makes onchip spill, and a larger SRAM stops it") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 64, 32, 32});  // 64 KiB activations
  auto a = b.silu("a", x);
  b.silu("b", a);
  workloads::Graph g = b.finish();
  mappers::Mapper small(tiny());
  mappers::Schedule s1 = small.map(g, "onchip");
  CHECK(s1.spilled_bytes == 65536);
  // No-spill SRAM: 64 KiB live / 0.75 activation share = 87382 B (rounded up).
  CHECK(s1.no_spill_sram_bytes == 87382);
  mappers::Mapper big(tiny({"sram.size=128KiB"}));
  CHECK(big.map(g, "onchip").spilled_bytes == 0);
}

TEST_CASE("tile plans are memoised by op signature") {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 8, 8, 8});
  auto c = b.conv2d("c1", x, 8, 3, 3, 1, 1);
  c = b.conv2d("c2", c, 8, 3, 3, 1, 1);
  b.conv2d("c3", c, 8, 3, 3, 1, 1);
  workloads::Graph g = b.finish();
  mappers::Mapper m(tiny());
  mappers::Schedule s = m.map(g, "offchip");
  // c1 and c2/c3 share a shape; all three read and write DRAM in offchip: one miss, two hits.
  CHECK(m.memo_stats().misses == 1);
  CHECK(m.memo_stats().hits == 2);
  mappers::Schedule again = m.map(g, "offchip");
  CHECK(m.memo_stats().hits == 5);
  CHECK(again.ops[1].mapping == s.ops[1].mapping);
}

TEST_CASE("the hardware must support the graph's precision") {
  GraphBuilder b("t", Precision::kFp16);
  b.silu("a", b.input("x", {4}));
  workloads::Graph g = b.finish();
  mappers::Mapper m(tiny({"mac_array.precision.fp16.macs_per_pe_per_cycle=0"}));
  CHECK_THROWS_WITH_AS(m.map(g, "offchip"), doctest::Contains("does not support precision fp16"), UserError);
}
