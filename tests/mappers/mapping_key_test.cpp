// mappers::mapping_key and sim::ScheduleCache: npusim calibrate reuses a network's schedules
// across hardware points that differ only in keys the mapper does not read. These tests check
// that claim on a real network: the schedule mapped on such a point is the schedule reused.
#include <doctest/doctest.h>

#include "hw_presets.h"
#include "mappers/mapper.h"
#include "sim/analytic_engine.h"
#include "sim/simulator.h"
#include "workloads/model_registry.h"

using namespace npusim;

namespace {

workloads::LoadedModel model(const std::string& name, const std::string& precision) {
  workloads::ModelOptions o;
  o.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  o.precision = workloads::parse_precision_spec(precision, "precision");
  return workloads::load_model(name, o);
}

// Everything a run reports per op, as text: equal text = equal schedules as far as timing sees.
std::string run_text(const workloads::Graph& g, const arch::NpuConfig& hw, const mappers::Schedule& s) {
  const sim::RunStats r = sim::run_analytic(g, hw, s);
  std::string t = std::to_string(r.latency_ps) + "\n";
  for (const auto& op : r.ops)
    t += op.name + " " + op.mapping + " " + std::to_string(op.c.mac_cycles) + " " + std::to_string(op.c.vector_cycles) +
         " " + std::to_string(op.c.dram_read_weight_bytes) + "\n";
  return t;
}

}  // namespace

TEST_CASE("mapping_key: leaves out fixed costs and other precisions' rates, keeps what the mapper reads") {
  const arch::NpuConfig base = testing::load_preset("snapdragon-8gen2");
  const auto w8a16 = arch::PrecisionMode::kW8A16;
  const std::string key = mappers::mapping_key(base, w8a16);
  CHECK(mappers::mapping_key(
            testing::load_preset("snapdragon-8gen2", {"overhead.per_mac_op=9us", "overhead.per_copy_op=1us"}), w8a16) ==
        key);
  CHECK(mappers::mapping_key(
            testing::load_preset("snapdragon-8gen2", {"mac_array.precision.fp16.macs_per_pe_per_cycle=0.3"}), w8a16) ==
        key);
  // What the mapper reads changes the key: the clock (DRAM bytes per cycle), the own rate, SRAM.
  CHECK(mappers::mapping_key(testing::load_preset("snapdragon-8gen2", {"mac_array.frequency=800MHz"}), w8a16) != key);
  CHECK(mappers::mapping_key(
            testing::load_preset("snapdragon-8gen2", {"mac_array.precision.w8a16.act_act_macs_per_pe_per_cycle=0.25"}),
            w8a16) != key);
  CHECK(mappers::mapping_key(testing::load_preset("snapdragon-8gen2", {"sram.size=4MiB"}), w8a16) != key);
  CHECK(mappers::mapping_key(base, arch::PrecisionMode::kFp16) != key);
}

TEST_CASE("mapping_key: configs with one key map a network to one schedule") {
  const workloads::LoadedModel m = model("sd15-text-encoder", "w8a16");
  const arch::NpuConfig a = testing::load_preset("snapdragon-8gen2");
  const arch::NpuConfig b = testing::load_preset(
      "snapdragon-8gen2", {"overhead.per_mac_op=20us", "overhead.per_vector_op=3us", "overhead.per_copy_op=0ns",
                           "mac_array.precision.fp16.macs_per_pe_per_cycle=0.1"});
  REQUIRE(mappers::mapping_key(a, arch::PrecisionMode::kW8A16) == mappers::mapping_key(b, arch::PrecisionMode::kW8A16));
  for (const char* s : {"offchip", "onchip", "fused"}) {
    mappers::Mapper ma(a), mb(b);
    const mappers::Schedule sa = ma.map(m.graph, s), sb = mb.map(m.graph, s);
    CAPTURE(s);
    // Timed on one config, the two schedules give the same per-op figures.
    CHECK(run_text(m.graph, a, sa) == run_text(m.graph, a, sb));
  }
}

TEST_CASE("ScheduleCache: a run that reuses schedules reports what a fresh run reports") {
  const workloads::LoadedModel m = model("sd15-text-encoder", "w8a16");
  const arch::NpuConfig a = testing::load_preset("snapdragon-8gen2");
  const arch::NpuConfig b = testing::load_preset("snapdragon-8gen2", {"overhead.per_mac_op=20us"});
  const arch::NpuConfig c = testing::load_preset("snapdragon-8gen2", {"mac_array.frequency=900MHz"});
  sim::ScheduleCache cache;
  sim::Simulator(a).run(m, "best", &cache);
  CHECK(cache.misses() == 3);  // best maps all three strategies
  CHECK(cache.hits() == 0);
  const sim::RunResult reused = sim::Simulator(b).run(m, "best", &cache);
  CHECK(cache.hits() == 3);
  const sim::RunResult fresh = sim::Simulator(b).run(m, "best");
  CHECK(reused.stats.total.latency_s == fresh.stats.total.latency_s);
  CHECK(reused.stats.op_overhead_ps == fresh.stats.op_overhead_ps);
  CHECK(reused.schedule.strategy == fresh.schedule.strategy);
  CHECK(reused.stats.op_overhead_ps > sim::Simulator(a).run(m, "best").stats.op_overhead_ps);
  // Another clock is another key: mapped afresh.
  const sim::RunResult other = sim::Simulator(c).run(m, "best", &cache);
  CHECK(cache.misses() == 6);
  CHECK(other.stats.total.latency_s == sim::Simulator(c).run(m, "best").stats.total.latency_s);
  // The least recently used schedules go first: a cache of 3 keeps only the last key's.
  sim::ScheduleCache small(3);
  sim::Simulator(a).run(m, "best", &small);
  sim::Simulator(c).run(m, "best", &small);
  sim::Simulator(a).run(m, "best", &small);
  CHECK(small.hits() == 0);
  CHECK(small.misses() == 9);
}

TEST_CASE(
    "ScheduleCache: configs that differ in the clock share a memory plan, and the schedule is a fresh mapping's") {
  const workloads::LoadedModel m = model("sd15-text-encoder", "w8a16");
  const arch::NpuConfig a = testing::load_preset("snapdragon-8gen2");
  const arch::NpuConfig c = testing::load_preset("snapdragon-8gen2", {"mac_array.frequency=900MHz"});
  const arch::NpuConfig small = testing::load_preset("snapdragon-8gen2", {"sram.size=1MiB"});
  for (const char* name : {"offchip", "onchip", "fused"}) {
    CAPTURE(name);
    const mappers::MemoryStrategy& s = mappers::find_strategy(name, "strategy");
    sim::ScheduleCache cache;
    const mappers::MemoryPlan* at_a = &cache.memory_plan(m.graph, a, s);
    CHECK(&cache.memory_plan(m.graph, c, s) == at_a);  // the clock is not in the plan's key
    mappers::Mapper mc(c);
    const mappers::Schedule from_cache = mc.map(m.graph, s, cache.memory_plan(m.graph, c, s));
    CHECK(run_text(m.graph, c, from_cache) == run_text(m.graph, c, mappers::Mapper(c).map(m.graph, s)));
    // Another SRAM size is another plan, and its schedule is the fresh one too.
    mappers::Mapper ms(small);
    const mappers::Schedule other = ms.map(m.graph, s, cache.memory_plan(m.graph, small, s));
    CHECK(run_text(m.graph, small, other) == run_text(m.graph, small, mappers::Mapper(small).map(m.graph, s)));
    CHECK(mappers::memory_plan_key(small, s) != mappers::memory_plan_key(a, s));
  }
}
