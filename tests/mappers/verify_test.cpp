// The functional check: tile programs of small MAC ops run on random int8 data must match a
// direct reference bit for bit under every dataflow, orientation, loop order and edge tile,
// and deliberately broken programs (TileProgramFault) must not.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "arch/config_loader.h"
#include "hw_presets.h"
#include "mappers/mapper.h"
#include "mappers/tile_program.h"
#include "mappers/verify.h"
#include "workloads/model_registry.h"

using namespace npusim;
using arch::Dataflow;
using mappers::MacTiling;
using mappers::TileProgramFault;
using mappers::VerifyResult;
using workloads::GraphBuilder;
using workloads::Precision;

using npusim::testing::tiny;

namespace {

constexpr Dataflow kDataflows[] = {Dataflow::kWeightStationary, Dataflow::kOutputStationary,
                                   Dataflow::kInputStationary};

workloads::OpId op_named(const workloads::Graph& g, const std::string& name) {
  for (workloads::OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return i;
  FAIL("no op " << name);
  return 0;
}

// conv: x [2, 6, 7, 9], 4 output channels, 3x2 kernel, stride 2, padding 1, groups 2:
// p = (7 + 2 - 3) / 2 + 1 = 4, q = (9 + 2 - 2) / 2 + 1 = 5; per group C = 3, N = 2, K = 3 * 6.
workloads::Graph conv_graph() {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {2, 6, 7, 9});
  b.conv2d("conv", x, 4, 3, 2, /*stride=*/2, /*padding=*/1, /*groups=*/2);
  return b.finish();
}

// The GEMM ops, none of whose dims is a multiple of 4.
workloads::Graph gemm_graph() {
  GraphBuilder b("t", Precision::kW8A8);
  auto a = b.input("a", {2, 5, 7});
  auto bk = b.input("b_kn", {2, 7, 6});
  auto bn = b.input("b_nk", {2, 6, 7});
  b.matmul("mm", a, bk);
  b.matmul("mm_t", a, bn, /*transpose_b=*/true);
  b.linear("fc", a, 6, /*bias=*/false);  // M = 2 * 5
  auto q = b.input("q", {1, 2, 5, 7});
  auto k = b.input("k", {1, 2, 6, 7});
  auto p = b.input("p", {1, 2, 5, 6});
  b.attention_score("score", q, k);
  b.attention_context("context", p, k);  // V [1, 2, 6, 7]: M 5, N 7, K 6
  return b.finish();
}

MacTiling tiling(uint64_t mt, uint64_t nt, uint64_t kt, bool wo, bool tr, Dataflow df) {
  return MacTiling{true, mt, nt, kt, wo, tr, df};
}

VerifyResult check(const workloads::Graph& g, const std::string& op, const MacTiling& t, uint32_t rows, uint32_t cols,
                   TileProgramFault fault = TileProgramFault::kNone) {
  return mappers::verify_op(g, op_named(g, op), t, rows, cols, 42, {.fault = fault});
}

}  // namespace

TEST_CASE("tile program order and folds, by hand") {
  // GEMM M=5, N=6, K=7 in tiles m2 n4 k3, N outer: tiles (n, m, k) = (0,0,0), (0,0,1), (0,0,2), (0,1,0) ...
  mappers::MacShape s;
  s.m = 5, s.n = 6, s.k = 7;
  std::vector<mappers::Tile> tiles;
  std::vector<mappers::Fold> folds0;
  auto st = mappers::run_tile_program(
      s, tiling(2, 4, 3, true, false, Dataflow::kWeightStationary), 2, 3,
      [&](const mappers::Tile& t) { tiles.push_back(t); },
      [&](const mappers::Tile& t, const mappers::Fold& f) {
        if (t.index == 0) folds0.push_back(f);
      });
  // 3 M tiles x 2 N tiles x 3 K tiles.
  REQUIRE(tiles.size() == 18);
  CHECK(st.tiles == 18);
  CHECK(st.macs == 5 * 6 * 7);
  CHECK(tiles[1].k.begin == 3);
  CHECK(tiles[2].k.begin == 6);
  CHECK(tiles[2].k.end == 7);  // edge K tile
  CHECK(tiles[3].m.begin == 2);
  CHECK(tiles[3].n.begin == 0);
  CHECK(tiles[8].m.begin == 4);
  CHECK(tiles[8].m.end == 5);  // edge M tile
  CHECK(tiles[9].n.begin == 4);
  CHECK(tiles[9].n.end == 6);  // edge N tile
  // First tile, WS on 2 rows x 3 cols: rows <- K (3 -> 2 + 1), cols <- N (4 -> 3 + 1): 4 folds,
  // row folds outer, each streaming the tile's 2 M rows.
  REQUIRE(folds0.size() == 4);
  CHECK(folds0[0].gk.begin == 0);
  CHECK(folds0[0].gk.end == 2);
  CHECK(folds0[0].gn.end == 3);
  CHECK(folds0[1].gn.begin == 3);
  CHECK(folds0[1].gn.end == 4);
  CHECK(folds0[2].gk.begin == 2);
  CHECK(folds0[3].gm.begin == 0);
  CHECK(folds0[3].gm.end == 2);

  // M outer, transposed OS: the array's rows take N (4 -> 2 + 2), its cols take M (2): 2 folds.
  tiles.clear();
  folds0.clear();
  mappers::run_tile_program(
      s, tiling(2, 4, 3, false, true, Dataflow::kOutputStationary), 2, 3,
      [&](const mappers::Tile& t) { tiles.push_back(t); },
      [&](const mappers::Tile& t, const mappers::Fold& f) {
        if (t.index == 0) folds0.push_back(f);
      });
  CHECK(tiles[3].n.begin == 4);  // (m, n, k) = (0, 1, 0)
  CHECK(tiles[3].m.begin == 0);
  REQUIRE(folds0.size() == 2);
  CHECK(folds0[1].gn.begin == 2);
  CHECK(folds0[1].gm.end == 2);
  CHECK(folds0[1].gk.end == 3);
}

TEST_CASE("conv tiles count output rows per image and input channels") {
  workloads::Graph g = conv_graph();
  mappers::MacShape s = mappers::mac_shape(g.op(op_named(g, "conv")));
  CHECK(s.batch == 2);
  CHECK(s.m == 2 * 4 * 5);
  CHECK(s.n == 2);
  CHECK(s.k == 3 * 6);
  std::vector<mappers::Tile> tiles;
  mappers::run_tile_program(
      s, tiling(3, 2, 2, false, false, Dataflow::kOutputStationary), 4, 4,
      [&](const mappers::Tile& t) { tiles.push_back(t); }, [](const mappers::Tile&, const mappers::Fold&) {});
  // Per group: 2 images x 2 row tiles (3 + 1 rows) x 2 channel tiles (2 + 1).
  REQUIRE(tiles.size() == 2 * 2 * 2 * 2);
  CHECK(tiles[2].m.begin == 3);  // image 0, rows 3..4
  CHECK(tiles[2].gm.begin == 15);
  CHECK(tiles[2].gm.end == 20);
  CHECK(tiles[4].image == 1);
  CHECK(tiles[4].gm.begin == 20);
  CHECK(tiles[1].gk.begin == 12);  // channel 2 x 6 taps
  CHECK(tiles[1].gk.end == 18);
  CHECK(tiles[8].batch == 1);
}

TEST_CASE("every dataflow, orientation and loop order matches the reference, edge tiles included") {
  workloads::Graph conv = conv_graph();
  workloads::Graph gemm = gemm_graph();
  struct Case {
    const workloads::Graph* g;
    std::string op;
    uint64_t mt, nt, kt;
  };
  // conv: m_tile in output rows (of 4), k_tile in channels (of 3); GEMM ops: their M, N, K.
  const std::vector<Case> cases = {
      {&conv, "conv", 4, 2, 3},  {&conv, "conv", 3, 1, 2},  {&conv, "conv", 1, 2, 1},    {&gemm, "mm", 2, 4, 3},
      {&gemm, "mm", 5, 6, 7},    {&gemm, "mm_t", 3, 5, 4},  {&gemm, "fc", 4, 4, 4},      {&gemm, "fc", 7, 1, 5},
      {&gemm, "score", 2, 4, 3}, {&gemm, "score", 5, 6, 7}, {&gemm, "context", 3, 5, 4}, {&gemm, "context", 1, 7, 6},
  };
  const std::pair<uint32_t, uint32_t> arrays[] = {{4, 4}, {3, 5}, {2, 1}};
  int runs = 0;
  for (const Case& c : cases)
    for (Dataflow df : kDataflows)
      for (bool tr : {false, true})
        for (bool wo : {true, false})
          for (auto [rows, cols] : arrays) {
            INFO(c.op, " m", c.mt, " n", c.nt, " k", c.kt, " ", arch::dataflow_name(df), tr ? " transposed" : "",
                 wo ? " N-outer" : " M-outer", " on ", rows, "x", cols);
            VerifyResult r = check(*c.g, c.op, tiling(c.mt, c.nt, c.kt, wo, tr, df), rows, cols);
            INFO(r.message);
            CHECK(r.passed());
            CHECK(r.mismatches == 0);
            CHECK(r.outputs > 0);
            CHECK(r.program.macs == r.macs);
            ++runs;
          }
  CHECK(runs == 12 * 3 * 2 * 2 * 3);
}

TEST_CASE("a program that drops, repeats or misplaces work fails") {
  workloads::Graph conv = conv_graph();
  workloads::Graph gemm = gemm_graph();
  const TileProgramFault faults[] = {TileProgramFault::kKLoopShort, TileProgramFault::kMRangeShifted,
                                     TileProgramFault::kTileRepeated, TileProgramFault::kFoldDropped,
                                     TileProgramFault::kFoldOverlap};
  for (TileProgramFault f : faults)
    for (Dataflow df : kDataflows) {
      INFO("fault ", int(f), " ", arch::dataflow_name(df));
      // The folds' row dimension (K for WS and IS, the array's M for OS) must exceed the array's
      // rows for kFoldOverlap to repeat anything: conv K tiles 2 x 6 taps, M tiles 3 rows x 5;
      // transposed mm K tiles 5, N tiles (the array's M) 6.
      VerifyResult r = check(conv, "conv", tiling(3, 2, 2, true, false, df), 4, 4, f);
      INFO(r.message);
      CHECK(r.failed());
      CHECK(r.mismatches > 0);
      CHECK(r.first_mismatch < r.outputs);
      CHECK_FALSE(r.coverage.proven);  // both methods catch it
      VerifyResult t = check(gemm, "mm", tiling(4, 6, 5, false, true, df), 4, 4, f);
      INFO(t.message);
      CHECK(t.failed());
      CHECK(t.mismatches > 0);
      CHECK_FALSE(t.coverage.proven);
    }
  // Without a fault the same programs pass.
  CHECK(check(conv, "conv", tiling(3, 2, 2, true, false, Dataflow::kInputStationary), 4, 4).passed());
}

TEST_CASE("a failed check names the first mismatching output") {
  workloads::Graph g = gemm_graph();
  // Every M tile starts one row late: row 0 of batch 0 is never computed, so flat index 0 differs.
  VerifyResult r =
      check(g, "mm", tiling(2, 6, 7, true, false, Dataflow::kWeightStationary), 4, 4, TileProgramFault::kMRangeShifted);
  CHECK(r.failed());
  CHECK(r.first_mismatch == 0);
  CHECK(r.message.find("first at flat index 0") != std::string::npos);
}

TEST_CASE("ops over the numeric limit are checked by coverage, broken tilings fail with a message") {
  workloads::Graph g = gemm_graph();
  const auto id = op_named(g, "mm");  // 2 x 5 x 6 x 7 = 420 MACs
  VerifyResult big =
      mappers::verify_op(g, id, tiling(5, 6, 7, true, false, Dataflow::kWeightStationary), 4, 4, 1, {.max_macs = 100});
  CHECK(big.passed());
  CHECK(big.method == mappers::VerifyMethod::kCoverage);
  CHECK(big.coverage.proven);
  CHECK(big.outputs == 0);  // nothing executed
  VerifyResult small = check(g, "mm", tiling(5, 6, 7, true, false, Dataflow::kWeightStationary), 4, 4);
  CHECK(small.method == mappers::VerifyMethod::kNumeric);
  CHECK(small.coverage.proven);  // the numeric check runs the proof too
  CHECK(small.outputs == 2 * 5 * 6);
  VerifyResult zero = check(g, "mm", tiling(0, 6, 7, true, false, Dataflow::kWeightStationary), 4, 4);
  CHECK(zero.failed());
  CHECK(zero.message.find("tile size is 0") != std::string::npos);
  VerifyResult none = check(g, "mm", MacTiling{}, 4, 4);
  CHECK(none.failed());
  CHECK(none.message.find("no MAC tiling") != std::string::npos);
}

TEST_CASE("the mapper's tilings of tiny-block pass under every strategy and dataflow") {
  workloads::ModelOptions mo;
  mo.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  const workloads::LoadedModel model = workloads::load_model("tiny-block", mo);
  for (Dataflow df : kDataflows) {
    const arch::NpuConfig hw = tiny({"mac_array.dataflows=[" + std::string(arch::dataflow_name(df)) + "]"});
    mappers::Mapper m(hw);
    for (const auto& st : mappers::strategies()) {
      const std::string_view s = st->name();
      INFO(s, " ", arch::dataflow_name(df));
      mappers::Schedule sched = m.map(model.graph, s);
      mappers::GraphVerifyResult r = mappers::verify_graph(model.graph, sched, 4, 4, 7);
      for (const auto& o : r.ops) {
        INFO(o.op, ": ", o.message);
        CHECK(o.passed());
      }
      CHECK(r.checked() == 8);  // conv1, conv2, q, k, v, scores, context, out_proj
      CHECK(r.numeric == 8);
      CHECK(r.coverage == 0);
      CHECK(r.failed == 0);
    }
  }
}
