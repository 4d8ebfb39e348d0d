// The coverage proof (mappers/verify_coverage.h): partitions proven by merging boxes, reads
// checked against each tile's loads (conv halo included), deliberately broken programs
// (TileProgramFault) failing it on ops far too big for the numeric check, and every MAC op of
// every network of the tests checked under every preset, strategy and dataflow.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hw_presets.h"
#include "mappers/mapper.h"
#include "mappers/verify.h"
#include "mappers/verify_coverage.h"
#include "test_util.h"
#include "workloads/model_registry.h"

using namespace npusim;
using arch::Dataflow;
using mappers::CoverageProof;
using mappers::Fold;
using mappers::MacTiling;
using mappers::Range;
using mappers::Tile;
using mappers::TileProgramFault;
using mappers::VerifyResult;
using npusim::testing::contains;
using workloads::GraphBuilder;
using workloads::Precision;

namespace {

constexpr Dataflow kDataflows[] = {Dataflow::kWeightStationary, Dataflow::kOutputStationary,
                                   Dataflow::kInputStationary};
constexpr TileProgramFault kFaults[] = {TileProgramFault::kKLoopShort, TileProgramFault::kMRangeShifted,
                                        TileProgramFault::kTileRepeated, TileProgramFault::kFoldDropped,
                                        TileProgramFault::kFoldOverlap};

workloads::OpId op_named(const workloads::Graph& g, const std::string& name) {
  for (workloads::OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return i;
  FAIL("no op " << name);
  return 0;
}

// mm: M 8, N 10, K 6. conv: 2 channels of 4 x 4, 3 output channels, 3x3, stride 1, padding 1:
// p = q = 4, K = 2 x 9. conv_s2: 8 x 8 input, 3x3, stride 2, padding 1: p = q = 4.
workloads::Graph small_graph() {
  GraphBuilder b("t", Precision::kW8A8);
  auto a = b.input("a", {1, 8, 6});
  auto w = b.input("w", {1, 6, 10});
  b.matmul("mm", a, w);
  auto x = b.input("x", {1, 2, 4, 4});
  b.conv2d("conv", x, 3, 3, 3, /*stride=*/1, /*padding=*/1);
  auto y = b.input("y", {1, 2, 8, 8});
  b.conv2d("conv_s2", y, 3, 3, 3, /*stride=*/2, /*padding=*/1);
  return b.finish();
}

// Ops far over the numeric limit of 2^24 MACs: SD 1.5's 64 x 64 x 320 3x3 conv (3.8e9 MACs)
// and an 8-head self-attention score of 4096 tokens with head dim 40 (5.4e9 MACs).
workloads::Graph big_graph() {
  GraphBuilder b("t", Precision::kW8A8);
  auto x = b.input("x", {1, 320, 64, 64});
  b.conv2d("conv", x, 320, 3, 3, /*stride=*/1, /*padding=*/1);
  auto q = b.input("q", {1, 8, 4096, 40});
  auto k = b.input("k", {1, 8, 4096, 40});
  b.attention_score("score", q, k);
  return b.finish();
}

Tile tile(uint64_t index, Range gm, Range gn, Range gk) {
  Tile t;
  t.index = index;
  t.m = t.gm = gm, t.n = t.gn = gn, t.k = t.gk = gk;
  return t;
}

Fold fold(uint64_t index, Range gm, Range gn, Range gk) {
  Fold f;
  f.index = index;
  f.gm = gm, f.gn = gn, f.gk = gk;
  return f;
}

CoverageProof::Box box(Range m, Range n, Range k, Range b = {0, 1}) {
  CoverageProof::Box x;
  const Range r[4] = {b, m, n, k};
  for (int i = 0; i < 4; ++i) x.lo[i] = r[i].begin, x.hi[i] = r[i].end;
  return x;
}

}  // namespace

TEST_CASE("coverage proof: partitions merge to the whole box, gaps, repeats and overreach do not") {
  const auto whole = box({0, 8}, {0, 1}, {0, 4});
  // An irregular grid: the two K halves cut M at different rows. Merged along M first, then K.
  std::vector<CoverageProof::Box> v = {box({0, 3}, {0, 1}, {0, 2}), box({3, 8}, {0, 1}, {0, 2}),
                                       box({0, 5}, {0, 1}, {2, 4}), box({5, 8}, {0, 1}, {2, 4})};
  CHECK(mappers::prove_partition(v, whole, "t") == "");
  REQUIRE(v.size() == 1);

  v = {box({0, 3}, {0, 1}, {0, 4}), box({4, 8}, {0, 1}, {0, 4})};  // row 3 missing
  CHECK(mappers::prove_partition(v, whole, "the tiles") ==
        "the tiles leave 4 of the 32 (output, reduction index) pairs of batch [0,1) m [0,8) n [0,1) k [0,4) "
        "uncovered; they merge to 2 pieces, first batch [0,1) m [0,3) n [0,1) k [0,4)");
  v = {box({0, 8}, {0, 1}, {0, 3}), box({0, 8}, {0, 1}, {2, 4})};  // k 2 twice
  CHECK(mappers::prove_partition(v, whole, "t") == "t cover batch [0,1) m [0,8) n [0,1) k [2,3) more than once");
  v = {box({0, 8}, {0, 1}, {0, 5})};
  CHECK(contains(mappers::prove_partition(v, whole, "t"), "t reach outside"));

  // A pinwheel covers the 3 x 3 square once but no two of its pieces merge: not proven, which
  // is a failure (run_tile_program always cuts grids, so it never produces one).
  const auto square = box({0, 3}, {0, 3}, {0, 1});
  v = {box({0, 2}, {0, 1}, {0, 1}), box({2, 3}, {0, 2}, {0, 1}), box({1, 3}, {2, 3}, {0, 1}),
       box({0, 1}, {1, 3}, {0, 1}), box({1, 2}, {1, 2}, {0, 1})};
  CHECK(contains(mappers::prove_partition(v, square, "t"), "do not merge into it (unproven): 5 pieces"));
}

TEST_CASE("coverage proof: work counted right but misplaced fails, where the MAC count cannot see it") {
  workloads::Graph g = small_graph();
  const workloads::Op& mm = g.op(op_named(g, "mm"));
  // Two tiles of 4 rows, the second one a copy of the first: 2 x 4 x 10 x 6 = 480 MACs = the op's.
  CoverageProof p(mm);
  uint64_t macs = 0;
  for (uint64_t i = 0; i < 2; ++i) {
    const Tile t = tile(i, {0, 4}, {0, 10}, {0, 6});
    p.tile(t);
    p.fold(t, fold(0, t.gm, t.gn, t.gk));
    macs += 4 * 10 * 6;
  }
  CHECK(macs == mm.macs);
  mappers::CoverageResult r = p.finish();
  CHECK_FALSE(r.proven);
  CHECK(r.message == "the tiles cover batch [0,1) m [0,4) n [0,10) k [0,6) more than once");
  CHECK(r.tiles == 2);
  CHECK(r.folds == 2);

  // The same program with the second tile on rows 4..7 is proven.
  CoverageProof ok(mm);
  for (uint64_t i = 0; i < 2; ++i) {
    const Tile t = tile(i, {4 * i, 4 * i + 4}, {0, 10}, {0, 6});
    ok.tile(t);
    ok.fold(t, fold(0, t.gm, t.gn, {0, 2}));
    ok.fold(t, fold(1, t.gm, t.gn, {2, 6}));
  }
  CHECK(ok.finish().proven);
}

TEST_CASE("coverage proof: every read must have been loaded by its tile, before use") {
  workloads::Graph g = small_graph();
  {
    CoverageProof p(g.op(op_named(g, "mm")));
    const Tile t = tile(0, {0, 4}, {0, 10}, {0, 3});
    p.tile(t);
    p.fold(t, fold(0, {0, 4}, {0, 10}, {0, 4}));  // reduction index 3 was not loaded
    CHECK(p.finish().message ==
          "fold 0 of tile 0 reads A batch [0,1) m [0,4) k [0,4) but the tile loaded batch [0,1) m [0,4) k [0,3)");
  }
  {
    CoverageProof p(g.op(op_named(g, "mm")));
    const Tile t = tile(0, {0, 4}, {0, 8}, {0, 6});
    p.tile(t);
    p.fold(t, fold(0, {0, 4}, {4, 10}, {0, 6}));  // output columns 8, 9 of B were not loaded
    CHECK(p.finish().message ==
          "fold 0 of tile 0 reads B batch [0,1) k [0,6) n [4,10) but the tile loaded batch [0,1) k [0,6) n [0,8)");
  }
  {
    CoverageProof p(g.op(op_named(g, "mm")));
    const Tile t0 = tile(0, {0, 4}, {0, 10}, {0, 6}), t1 = tile(1, {4, 8}, {0, 10}, {0, 6});
    p.tile(t0);
    p.fold(t1, fold(0, t1.gm, t1.gn, t1.gk));  // tile 1's fold while tile 0 is loaded
    CHECK(p.finish().message == "fold 0 of tile 1 runs before its tile's loads");
  }
  // conv, 3x3, stride 1, padding 1: output rows 0..1 need input rows -1..2, i.e. rows [0,3)
  // inside the image (one halo row below, the one above is padding). Output row 2 needs input
  // row 3 too, which that tile did not load. GEMM rows are (row, col) pixels of 4 columns.
  const workloads::Op& conv = g.op(op_named(g, "conv"));
  auto conv_tile = [](uint64_t r0, uint64_t r1, uint64_t q) {
    Tile t;
    t.m = {r0, r1}, t.gm = {r0 * q, r1 * q};
    t.n = t.gn = {0, 3};
    t.k = {0, 2}, t.gk = {0, 18};
    return t;
  };
  {
    CoverageProof p(conv);
    const Tile t = conv_tile(0, 2, 4);
    p.tile(t);
    p.fold(t, fold(0, {0, 8}, {0, 3}, {0, 18}));
    CHECK(p.finish().proven == false);  // loads are fine, but rows 2..3 are never computed
    CoverageProof q(conv);
    q.tile(t);
    q.fold(t, fold(0, {4, 12}, {0, 3}, {0, 18}));  // output rows 1..2
    CHECK(q.finish().message ==
          "fold 0 of tile 0 reads A image [0,1) channels [0,2) rows [0,4) cols [0,4) but the tile loaded "
          "image [0,1) channels [0,2) rows [0,3) cols [0,4)");
  }
  {
    // Reads are bounded per kernel tap: output row 2 with tap row r = 0 only (reduction indices
    // 0..2 of channel 0) reads input row 1, which was loaded (the fold is outside its tile's
    // box, though); with tap row r = 2 (indices 6..8) it reads input row 3, which was not.
    const Tile t = conv_tile(0, 2, 4);
    CoverageProof p(conv);
    p.tile(t);
    p.fold(t, fold(0, {8, 12}, {0, 3}, {0, 3}));
    CHECK(contains(p.finish().message, "the folds of tile 0 reach outside"));
    CoverageProof q(conv);
    q.tile(t);
    q.fold(t, fold(0, {8, 12}, {0, 3}, {6, 9}));
    CHECK(contains(q.finish().message, "fold 0 of tile 0 reads A image [0,1) channels [0,1) rows [3,4) cols [0,4)"));
  }
  // stride 2: output rows 1..2 read input rows 1..5, i.e. (2 - 1) x 2 + 3 = 5 rows from row 1.
  const workloads::Op& s2 = g.op(op_named(g, "conv_s2"));
  CoverageProof p(s2);
  Tile t = conv_tile(1, 3, 4);
  p.tile(t);
  p.fold(t, fold(0, t.gm, t.gn, t.gk));
  mappers::CoverageResult r = p.finish();
  CHECK(contains(r.message, "the tiles leave"));  // rows 0 and 3 are missing, the reads were loaded
  CHECK_FALSE(contains(r.message, "reads A"));
}

TEST_CASE("faults fail the coverage proof on ops only it checks") {
  workloads::Graph g = big_graph();
  struct Case {
    std::string op;
    MacTiling tiling;
    uint32_t rows, cols;
  };
  // conv: 16-row M tiles (1024 GEMM rows), 128 output channels, 64 input channels (576 K) on
  // 64 x 128: the array's row dimension exceeds 64 under every dataflow, so kFoldOverlap bites.
  // score: M 512, N 512, K 40 on 32 x 32 (40 > 32 rows for WS and IS, 512 for OS).
  const std::vector<Case> cases = {
      {"conv", MacTiling{true, 16, 128, 64, true, false, Dataflow::kWeightStationary}, 64, 128},
      {"conv", MacTiling{true, 16, 128, 64, false, false, Dataflow::kWeightStationary}, 64, 128},
      {"score", MacTiling{true, 512, 512, 40, true, false, Dataflow::kWeightStationary}, 32, 32},
      {"score", MacTiling{true, 512, 512, 40, false, true, Dataflow::kWeightStationary}, 32, 32},
  };
  int failed = 0;
  for (const Case& c : cases)
    for (Dataflow df : kDataflows) {
      MacTiling t = c.tiling;
      t.dataflow = df;
      const workloads::OpId id = op_named(g, c.op);
      REQUIRE(g.op(id).macs > mappers::kDefaultVerifyMaxMacs);
      VerifyResult ok = mappers::verify_op(g, id, t, c.rows, c.cols, 1);
      INFO(c.op, " ", arch::dataflow_name(df), " ", ok.message);
      CHECK(ok.passed());
      CHECK(ok.method == mappers::VerifyMethod::kCoverage);
      CHECK(ok.coverage.proven);
      CHECK(ok.coverage.folds == ok.program.folds);
      for (TileProgramFault f : kFaults) {
        VerifyResult r = mappers::verify_op(g, id, t, c.rows, c.cols, 1, {.fault = f});
        INFO("fault ", int(f), ": ", r.message);
        CHECK(r.failed());
        CHECK(r.method == mappers::VerifyMethod::kCoverage);
        CHECK(r.outputs == 0);  // nothing was executed
        CHECK_FALSE(r.coverage.proven);
        CHECK(contains(r.message, "coverage: "));
        switch (f) {
          case TileProgramFault::kKLoopShort:
          case TileProgramFault::kMRangeShifted:
            CHECK(contains(r.coverage.message, "the tiles leave"));
            break;
          case TileProgramFault::kTileRepeated:
            CHECK(contains(r.coverage.message, "the tiles cover"));
            CHECK(contains(r.coverage.message, "more than once"));
            break;
          case TileProgramFault::kFoldDropped:
            CHECK(contains(r.coverage.message, "the folds of tile 0 leave"));
            break;
          case TileProgramFault::kFoldOverlap:
            CHECK(contains(r.coverage.message, "the folds of tile 0 cover"));
            CHECK(contains(r.coverage.message, "more than once"));
            break;
          case TileProgramFault::kNone:
            break;
        }
        failed += !r.coverage.proven;
      }
    }
  CHECK(failed == 4 * 3 * 5);
}

TEST_CASE("faults fail the coverage proof on SD 1.5 UNet ops as the mapper tiles them") {
  workloads::ModelOptions mo;
  mo.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  const workloads::LoadedModel model = workloads::load_model("sd15-unet", mo);
  const workloads::Graph& g = model.graph;
  for (Dataflow df : kDataflows) {
    const arch::NpuConfig hw = npusim::testing::load_preset(
        "expedera-8k", {"mac_array.dataflows=[" + std::string(arch::dataflow_name(df)) + "]"});
    mappers::Mapper m(hw);
    const mappers::Schedule sched = m.map(g, "onchip");
    // The biggest conv and the biggest other MAC op among those whose tiles put more than the
    // array's 64 rows on them (K for WS and IS, the array's M for OS), so that
    // kFoldOverlap changes the program.
    auto row_extent = [&](const mappers::OpSchedule& os) {
      const mappers::MacShape s = mappers::mac_shape(g.op(os.op));
      const mappers::MacTiling& t = os.tiling;
      if (df != Dataflow::kOutputStationary) return std::min(t.k_tile, s.k_units()) * (s.conv ? s.taps : 1);
      return t.transposed ? t.n_tile : t.m_tile * (s.conv ? s.q : 1);
    };
    const mappers::OpSchedule *conv = nullptr, *other = nullptr;
    for (const auto& os : sched.ops) {
      const workloads::Op& op = g.op(os.op);
      if (workloads::op_class(op.kind) != workloads::OpClass::kMac || row_extent(os) <= hw.mac_array.rows) continue;
      const mappers::OpSchedule*& pick = op.kind == workloads::OpKind::kConv2d ? conv : other;
      if (!pick || op.macs > g.op(pick->op).macs) pick = &os;
    }
    REQUIRE(conv);
    REQUIRE(other);
    for (const mappers::OpSchedule* os : {conv, other}) {
      INFO(g.op(os->op).name, " ", os->mapping);
      REQUIRE(g.op(os->op).macs > mappers::kDefaultVerifyMaxMacs);
      CHECK(mappers::verify_op(g, os->op, os->tiling, hw.mac_array.rows, hw.mac_array.cols, 1).passed());
      for (TileProgramFault f : kFaults) {
        VerifyResult r =
            mappers::verify_op(g, os->op, os->tiling, hw.mac_array.rows, hw.mac_array.cols, 1, {.fault = f});
        INFO("fault ", int(f), ": ", r.message);
        CHECK(r.method == mappers::VerifyMethod::kCoverage);
        CHECK(r.failed());
        CHECK_FALSE(r.coverage.proven);
      }
    }
  }
}

TEST_CASE("every MAC op of every network is checked under every preset, strategy and dataflow") {
  // The networks of the tests; the coverage proof on every op (numeric limit 2^16: the numeric
  // check of small ops has its own tests above and in verify_test.cpp, and costs their MACs).
  struct Net {
    std::string model, phase;
  };
  const std::vector<Net> nets = {{"sd15-text-encoder", ""}, {"sd15-unet", ""},        {"sd15-vae-decoder", ""},
                                 {"sdxl-unet", ""},         {"llama3-8b", "prefill"}, {"llama3-8b", "decode"}};
  constexpr uint64_t kNumericLimit = uint64_t{1} << 16;
  uint64_t checked = 0, numeric = 0, folds = 0, max_pieces = 0;
  for (const Net& n : nets) {
    workloads::ModelOptions mo;
    mo.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
    mo.phase = n.phase;
    const workloads::LoadedModel model = workloads::load_model(n.model, mo);
    const workloads::Graph& g = model.graph;
    uint64_t mac_ops = 0, small_ops = 0;
    for (workloads::OpId i = 0; i < g.num_ops(); ++i)
      if (workloads::op_class(g.op(i).kind) == workloads::OpClass::kMac) {
        ++mac_ops;
        const workloads::Op& op = g.op(i);
        small_ops += op.inputs.size() >= 2 &&
                     std::max({op.macs, g.tensor(op.inputs[0]).elems, g.tensor(op.inputs[1]).elems}) <= kNumericLimit;
      }
    REQUIRE(mac_ops > 0);
    for (const std::string preset : {"expedera-8k", "snapdragon-8gen2"})
      for (Dataflow df : kDataflows) {
        const arch::NpuConfig hw = npusim::testing::load_preset(
            preset, {"mac_array.dataflows=[" + std::string(arch::dataflow_name(df)) + "]"});
        mappers::Mapper m(hw);
        for (const auto& st : mappers::strategies()) {
          const std::string_view s = st->name();
          INFO(n.model, " ", n.phase, " on ", preset, " ", s, " ", arch::dataflow_name(df));
          const mappers::GraphVerifyResult r =
              mappers::verify_graph(g, m.map(g, s), hw.mac_array.rows, hw.mac_array.cols, 1, kNumericLimit);
          CHECK(r.ops.size() == mac_ops);
          CHECK(r.checked() == mac_ops);
          CHECK(r.numeric == small_ops);
          CHECK(r.failed == 0);
          for (const VerifyResult& o : r.ops) {
            if (o.passed() && o.coverage.proven && o.coverage.folds == o.program.folds &&
                o.coverage.tiles == o.program.tiles)
              continue;
            INFO(o.op, ": ", o.message);
            CHECK(o.passed());
            CHECK(o.coverage.proven);
            CHECK(o.coverage.folds == o.program.folds);
            CHECK(o.coverage.tiles == o.program.tiles);
          }
          for (const VerifyResult& o : r.ops) {
            folds += o.program.folds;
            max_pieces = std::max(max_pieces, o.coverage.max_pieces);
          }
          checked += r.checked();
          numeric += r.numeric;
        }
      }
  }
  MESSAGE(checked, " op mappings checked, ", numeric, " of them numerically too; ", folds, " folds proven, at most ",
          max_pieces, " boxes held at once");
  CHECK(checked == 2 * 3 * 3 * (96 + 346 + 42 + 1074 + 289 + 289));
}
