// Fold timing against SCALE-Sim v2 (scalesim-project/scale-sim-v2, scalesim/compute/
// systolic_compute_{ws,os,is}.py), cycle for cycle. Per fold (arch/dataflow.h):
//   WS, IS: T + 2*rows + cols - 2     OS: T + rows + cols - 2
// with T the streamed dimension (WS: M, OS: K, IS: N); edge folds cost a full fold; a layer's
// total is one cycle less than the sum of its folds. The totals marked "SCALE-Sim v2" below
// were produced by running SCALE-Sim v2 itself (commit 22f88b1, its COMPUTE_REPORT "Total
// Cycles" for GEMM and conv topologies, no stalls); the others are the same formulas by hand.
#include <doctest/doctest.h>

#include "hw_presets.h"
#include "mappers/dataflow.h"
#include "mappers/mapper.h"
#include "mappers/tiling.h"
#include "sim/analytic_engine.h"
#include "workloads/model_registry.h"

using namespace npusim;
using arch::Dataflow;
using workloads::GraphBuilder;
using workloads::Precision;

namespace {

// The MAC cycles npusim charges for the graph's only MAC op on a rows x cols array with the
// mapping pinned as SCALE-Sim assumes it: whole operands, no transposition, one dataflow.
uint64_t pinned_cycles(const workloads::Graph& g, uint32_t rows, uint32_t cols, std::string_view df) {
  const arch::NpuConfig hw =
      testing::tiny({"mac_array.rows=" + std::to_string(rows), "mac_array.cols=" + std::to_string(cols),
                     "mapping.tiling=whole", "mapping.transpose=never", "mapping.dataflows=[" + std::string(df) + "]"});
  mappers::Mapper m(hw);
  const mappers::Schedule s = m.map(g, "offchip");
  uint64_t cycles = 0, mac_ops = 0;
  for (const auto& op : s.ops) {
    if (!op.tiling.valid) continue;
    ++mac_ops;
    for (const auto& st : op.steps) cycles += st.repeat * st.mac_cycles;
  }
  REQUIRE(mac_ops == 1);
  return cycles;
}

workloads::Graph gemm(uint64_t m, uint64_t n, uint64_t k) {
  GraphBuilder b("gemm", Precision::kW8A8);
  b.linear("fc", b.input("x", {m, k}), n, /*bias=*/false);
  return b.finish();
}

// SCALE-Sim's conv: no padding, one image; M = P*Q output pixels, K = R*S*C, N = filters.
workloads::Graph conv(uint64_t h, uint64_t w, uint64_t r, uint64_t s, uint64_t c, uint64_t filters) {
  GraphBuilder b("conv", Precision::kW8A8);
  b.conv2d("conv", b.input("x", {1, c, h, w}), filters, r, s, /*stride=*/1, /*padding=*/0, 1, /*bias=*/false);
  return b.finish();
}

}  // namespace

TEST_CASE("dataflow table: names, placements and fill/drain") {
  CHECK(arch::dataflow_names() == "weight_stationary, output_stationary, input_stationary");
  CHECK(arch::dataflow_from_name("output_stationary") == Dataflow::kOutputStationary);
  CHECK(!arch::dataflow_from_name("row_stationary"));
  // 128 x 64: WS/IS 2*128 + 64 - 2 = 318, OS 128 + 64 - 2 = 190.
  CHECK(mappers::fill_drain_cycles(Dataflow::kWeightStationary, 128, 64) == 318);
  CHECK(mappers::fill_drain_cycles(Dataflow::kOutputStationary, 128, 64) == 190);
  CHECK(mappers::fill_drain_cycles(Dataflow::kInputStationary, 128, 64) == 318);
}

TEST_CASE("SD 1.5 conv_in as a GEMM (M 4096, N 320, K 36) on 128 x 64: SCALE-Sim v2 cycles") {
  const mappers::Gemm g{1, 4096, 320, 36};
  // OS: rows <- M: 32 folds, cols <- N: 5 -> 160 folds x (36 + 190) = 36,160; SCALE-Sim v2: 36,159.
  CHECK(mappers::gemm_cycles(g, Dataflow::kOutputStationary, 128, 64, 1).folds == 160);
  CHECK(mappers::gemm_cycles(g, Dataflow::kOutputStationary, 128, 64, 1).cycles == 36160);
  // WS: rows <- K: 1 fold (36 of 128 rows), cols <- N: 5 -> 5 x (4096 + 318) = 22,070; SCALE-Sim v2: 22,069.
  CHECK(mappers::gemm_cycles(g, Dataflow::kWeightStationary, 128, 64, 1).cycles == 22070);
  // IS: rows <- K: 1, cols <- M: 64 -> 64 x (320 + 318) = 40,832; SCALE-Sim v2: 40,831.
  CHECK(mappers::gemm_cycles(g, Dataflow::kInputStationary, 128, 64, 1).cycles == 40832);

  const workloads::Graph w = gemm(4096, 320, 36);
  CHECK(pinned_cycles(w, 128, 64, "output_stationary") == 36159);
  CHECK(pinned_cycles(w, 128, 64, "weight_stationary") == 22069);
  CHECK(pinned_cycles(w, 128, 64, "input_stationary") == 40831);
  // Non-square the other way, 8 x 4, WS: rows <- K: 5 (the last with 4 of 8 rows), cols <- N: 80
  // -> 400 folds x (4096 + 2*8 + 4 - 2) = 1,645,600; SCALE-Sim v2: 1,645,599.
  CHECK(pinned_cycles(w, 8, 4, "weight_stationary") == 1645599);
  // 8 x 4, IS: rows <- K: 5, cols <- M: 1024 -> 5120 folds x (320 + 18) = 1,730,560; SCALE-Sim v2: 1,730,559.
  CHECK(pinned_cycles(w, 8, 4, "input_stationary") == 1730559);
}

TEST_CASE("edge folds on a non-square 8 x 4 array: a 50 x 20 x 30 GEMM") {
  const workloads::Graph w = gemm(50, 20, 30);
  // WS: rows <- K: ceil(30/8) = 4, cols <- N: 5 -> 20 folds x (50 + 18) = 1,360; SCALE-Sim v2: 1,359.
  CHECK(pinned_cycles(w, 8, 4, "weight_stationary") == 1359);
  // OS: rows <- M: ceil(50/8) = 7, cols <- N: 5 -> 35 folds x (30 + 10) = 1,400 - 1 = 1,399.
  CHECK(pinned_cycles(w, 8, 4, "output_stationary") == 1399);
  // IS: rows <- K: 4, cols <- M: ceil(50/4) = 13 -> 52 folds x (20 + 18) = 1,976; SCALE-Sim v2: 1,975.
  CHECK(pinned_cycles(w, 8, 4, "input_stationary") == 1975);
  // On 128 x 64 everything fits one fold: WS 50 + 318 = 368 - 1; OS 30 + 190 = 220 - 1;
  // IS 20 + 318 = 338 - 1 (SCALE-Sim v2: 367, 219 and 337).
  CHECK(pinned_cycles(w, 128, 64, "weight_stationary") == 367);
  CHECK(pinned_cycles(w, 128, 64, "output_stationary") == 219);
  CHECK(pinned_cycles(w, 128, 64, "input_stationary") == 337);
}

TEST_CASE("stride-1 conv (10x10 input, 3x3, 8 channels, 12 filters) as SCALE-Sim folds it") {
  // P = Q = 8: M = 64, K = 3*3*8 = 72, N = 12.
  const workloads::Graph c = conv(10, 10, 3, 3, 8, 12);
  // 8 x 4 WS: rows <- K: 9, cols <- N: 3 -> 27 folds x (64 + 18) = 2,214; SCALE-Sim v2: 2,213.
  CHECK(pinned_cycles(c, 8, 4, "weight_stationary") == 2213);
  // 8 x 4 OS: rows <- M: 8, cols <- N: 3 -> 24 x (72 + 10) = 1,968; SCALE-Sim v2: 1,967.
  CHECK(pinned_cycles(c, 8, 4, "output_stationary") == 1967);
  // 8 x 4 IS: rows <- K: 9, cols <- M: 16 -> 144 x (12 + 18) = 4,320; SCALE-Sim v2: 4,319.
  CHECK(pinned_cycles(c, 8, 4, "input_stationary") == 4319);
  // 128 x 64, one fold each: WS 64 + 318 = 382 - 1, OS 72 + 190 = 262 - 1, IS 12 + 318 = 330 - 1
  // (SCALE-Sim v2: 381, 261, 329).
  CHECK(pinned_cycles(c, 128, 64, "weight_stationary") == 381);
  CHECK(pinned_cycles(c, 128, 64, "output_stationary") == 261);
  CHECK(pinned_cycles(c, 128, 64, "input_stationary") == 329);
}

TEST_CASE("mapping pins: transpose never and tiling whole are obeyed and reported") {
  // M = 4, N = 64: transposed, N's 64 would sit on the rows as M. With transpose never no op
  // may say "transposed"; with tiling whole the one tile covers the op.
  const workloads::Graph w = gemm(4, 64, 64);
  const arch::NpuConfig hw = testing::tiny({"mapping.transpose=never", "mapping.tiling=whole"});
  mappers::Mapper m(hw);
  const mappers::Schedule s = m.map(w, "offchip");
  bool found = false;
  for (const auto& op : s.ops) {
    if (!op.tiling.valid) continue;
    found = true;
    CHECK(!op.tiling.transposed);
    CHECK(op.tiling.m_tile == 4);
    CHECK(op.tiling.n_tile == 64);
    CHECK(op.tiling.k_tile == 64);
  }
  CHECK(found);
  bool said = false;
  for (const auto& a : s.assumptions) said |= a.find("mapping pinned") != std::string::npos;
  CHECK(said);
  // A dataflow outside what the array supports is a config error.
  CHECK_THROWS_WITH_AS(
      testing::tiny({"mac_array.dataflows=[weight_stationary]", "mapping.dataflows=[output_stationary]"}),
      doctest::Contains("mapping.dataflows: output_stationary is not in mac_array.dataflows"), arch::ConfigError);
  CHECK_THROWS_WITH_AS(testing::tiny({"mapping.tiling=greedy"}),
                       doctest::Contains("mapping.tiling = \"greedy\": must be search or whole"), arch::ConfigError);
}

TEST_CASE("gemv: streaming removes the per-fold fill and drain of a one-row GEMM") {
  // x[1, 8] x W[8, 8] on the 4 x 4 tiny array at 1 MAC/PE/cycle.
  //   systolic: WS 2 x 2 folds x (10 + 1) = 44; OS 1 x 2 x (6 + 8) = 28; IS 2 x 1 x (10 + 8) = 36.
  //   streaming: 4 WS folds of 1 cycle each + one fill and drain of 10 = 14.
  // Each op total is one cycle less.
  // DRAM at 1 TB/s so that the array, not the pipeline's first load, decides the tiling.
  auto cycles = [](const workloads::Graph& w, std::vector<std::string> set, std::string* mapping) {
    set.push_back("dram.bandwidth=1TB/s");
    const arch::NpuConfig hw = testing::tiny(set);
    mappers::Mapper m(hw);
    const mappers::Schedule s = m.map(w, "offchip");
    uint64_t c = 0;
    for (const auto& op : s.ops)
      if (op.tiling.valid) {
        for (const auto& st : op.steps) c += st.repeat * st.mac_cycles;
        *mapping = op.mapping;
      }
    return c;
  };
  std::string mapping;
  CHECK(cycles(gemm(1, 8, 8), {}, &mapping) == 27);
  CHECK(mapping.starts_with("OS"));
  CHECK(cycles(gemm(1, 8, 8), {"mac_array.gemv=streaming"}, &mapping) == 13);
  CHECK(mapping.starts_with("GEMV-stream"));
  // Above gemv_max_m rows the systolic folds apply again: M = 2 with gemv_max_m 1 runs OS,
  // 1 x 2 folds x (6 + 8) = 28 - 1 (streaming would take 4 x 2 + 10 = 18).
  CHECK(cycles(gemm(2, 8, 8), {"mac_array.gemv=streaming", "mac_array.gemv_max_m=1"}, &mapping) == 27);
  CHECK(mapping.starts_with("OS"));
  CHECK(mappers::gemv_stream_cycles({1, 1, 8, 8}, 4, 4, 1).cycles == 14);
  CHECK(mappers::gemv_stream_cycles({1, 1, 8, 8}, 4, 4, 0.5).cycles == 4 * 2 + 10);
}

TEST_CASE("memo key holds the precision mode and MAC rate, not only the shapes") {
  // A w8a16 linear and a w8a8 linear whose activations are int16 have the same operand dtypes
  // and shapes but run at different MAC rates (tiny-test: w8a16 0.5, w8a8 1 MAC/PE/cycle).
  auto linear = [](const workloads::PrecisionSpec& p) {
    GraphBuilder b("l", p);
    b.linear("fc", b.input("x", {64, 64}), 64, false);
    return b.finish();
  };
  const workloads::Graph a16 = linear(Precision::kW8A16);
  const workloads::Graph a8_int16 = linear(workloads::parse_precision_spec("w8a8,activation=int16", "test"));
  auto mac_cycles = [](mappers::Mapper& m, const workloads::Graph& g) {
    uint64_t c = 0;
    for (const auto& op : m.map(g, "offchip").ops)
      for (const auto& st : op.steps) c += st.repeat * st.mac_cycles;
    return c;
  };
  const arch::NpuConfig hw = testing::tiny();
  mappers::Mapper warm(hw), fresh(hw);
  const uint64_t slow = mac_cycles(warm, a16);
  const uint64_t reused = mac_cycles(warm, a8_int16);
  const uint64_t cold = mac_cycles(fresh, a8_int16);
  CHECK(reused == cold);
  CHECK(reused < slow);
}

TEST_CASE("Llama-3-8B decode on snapdragon-8gen2: streaming gemv makes it DRAM-bound, systolic MAC-bound") {
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  m.phase = "decode";
  m.precision = workloads::parse_precision_spec("w4a16", "test");
  const workloads::LoadedModel lm = workloads::load_model("llama3-8b", m);
  auto run = [&](const std::string& gemv) {
    // Without the preset's fixed per-layer costs (time bound by nothing).
    const arch::NpuConfig hw = testing::load_preset(
        "snapdragon-8gen2", {"mac_array.gemv=" + gemv, "overhead.per_mac_op=0ns", "overhead.per_copy_op=0ns"});
    mappers::Mapper mapper(hw);
    return sim::run_analytic(lm.graph, hw, mapper.map(lm.graph, "fused"));
  };
  // The preset's own setting is streaming (its comment gives the reasoning).
  CHECK(testing::load_preset("snapdragon-8gen2").mac_array.gemv == "streaming");
  const sim::RunStats streaming = run("streaming"), systolic = run("systolic");
  CHECK(streaming.time_by_bound_s[int(sim::Bound::kDram)] / streaming.total.latency_s > 0.95);
  // Streaming, the array is busy a few percent of the time; systolic, each fold pays its fill
  // and drain for one row and the array alone takes about as long as the weight stream.
  CHECK(streaming.total.mac_s / streaming.total.latency_s < 0.1);
  CHECK(systolic.total.mac_s / systolic.total.latency_s > 0.9);
  CHECK(systolic.total.mac_s > 15 * streaming.total.mac_s);
}

TEST_CASE("cycle counts that do not fit in 64 bits are errors, not wrapped counts") {
  // 2^20 x 2^20 x 2^20 on 4 x 4 at 1e-6 MACs per PE per cycle: 2^36 folds of ~1.05e12 cycles,
  // 7.2e22 in all. Wrapped modulo 2^64 it read as a faster run.
  const mappers::Gemm g{1, uint64_t{1} << 20, uint64_t{1} << 20, uint64_t{1} << 20};
  for (Dataflow d : {Dataflow::kWeightStationary, Dataflow::kOutputStationary})
    CHECK_THROWS_WITH_AS(mappers::gemm_cycles(g, d, 4, 4, 1e-6), doctest::Contains("does not fit in 64 bits"),
                         npusim::UserError);
  CHECK_THROWS_WITH_AS(mappers::gemv_stream_cycles(g, 4, 4, 1e-6), doctest::Contains("does not fit in 64 bits"),
                       npusim::UserError);
  // M 2^20, N = K = 2^10 fits: WS folds K and N, 2^8 x 2^8 = 2^16 folds of M / 1e-6 = 1.05e12
  // cycles, 6.9e16 in all.
  const mappers::Gemm ok{1, uint64_t{1} << 20, uint64_t{1} << 10, uint64_t{1} << 10};
  CHECK(mappers::gemm_cycles(ok, Dataflow::kWeightStationary, 4, 4, 1e-6).cycles > uint64_t{1} << 55);
}
