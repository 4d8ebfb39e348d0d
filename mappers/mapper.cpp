#include "mapper.h"

#include <cstring>

#include "arch/config_schema.h"
#include "memory_plan.h"
#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;

arch::PrecisionMode precision_mode_for(workloads::Precision p) {
  auto mode = arch::precision_mode_from_name(workloads::precision_name(p));
  NPUSIM_ASSERT(mode.has_value(), "workload precision without a hardware mode");
  return *mode;
}

std::string mapping_key(const arch::NpuConfig& hw, arch::PrecisionMode mode) {
  const std::string own = "mac_array.precision." + std::string(arch::precision_mode_name(mode)) + ".";
  std::string key;
  key.reserve(4096);
  for (const arch::ParamSpec& spec : arch::param_table()) {
    const std::string_view k = spec.key;
    if (k.starts_with("overhead.")) continue;
    if (k.starts_with("mac_array.precision.") && !k.starts_with(own)) continue;
    const arch::ParamValue v = spec.get(hw);
    key += spec.key;
    key += '=';
    char bits[sizeof v.number];
    std::memcpy(bits, &v.number, sizeof bits);
    key.append(bits, sizeof bits);
    key += v.flag ? '1' : '0';
    key += v.text;
    for (const auto& item : v.list) key += item + ',';
    key += '\n';
  }
  return key;
}

Mapper::Mapper(const arch::NpuConfig& hw) : hw_(hw), planner_(hw_) {}

Schedule Mapper::map(const Graph& g, std::string_view strategy) { return map(g, find_strategy(strategy, "strategy")); }

Schedule Mapper::map(const Graph& g, const MemoryStrategy& strategy) {
  return map(g, strategy, plan_memory(g, hw_, strategy));
}

Schedule Mapper::map(const Graph& g, const MemoryStrategy& strategy, const MemoryPlan& mem) {
  NPUSIM_ASSERT(mem.strategy == strategy.name() && mem.ops.size() == g.num_ops(),
                "memory plan made for another strategy or graph");
  Schedule s;
  s.mapper = kMapperName;
  s.strategy = std::string(strategy.name());
  s.resident_activations = strategy.residency_fraction() > 0;
  s.precision = precision_mode_for(g.precision());
  const std::string mode_name(arch::precision_mode_name(s.precision));
  if (!hw_.mac_array.mode(s.precision).supported())
    throw UserError("hardware '" + hw_.name + "' does not support precision " + mode_name + " (mac_array.precision." +
                    mode_name + ".macs_per_pe_per_cycle is 0); choose another with --precision");

  // Stage 1 (plan_memory, by the caller): where every operand lives.
  s.spilled_bytes = mem.spilled_bytes;
  s.no_spill_sram_bytes = mem.no_spill_sram_bytes;

  // Stage 2: each op tiled for the SRAM the plan left it.
  const size_t nops = mem.ops.size();
  std::vector<OpPlan> plans(nops);
  for (size_t i = 0; i < nops; ++i) plans[i] = planner_.plan(g, g.op(mem.ops[i].op), mem.ops[i], s.precision);

  // Spill writes land on the op that needed the room.
  for (size_t i = 0; i < nops; ++i) {
    const uint64_t spill = mem.ops[i].spill_write_bytes;
    if (!spill) continue;
    if (plans[i].steps.empty()) plans[i].steps.push_back(TileStep{});
    Totals t;
    t.write[static_cast<int>(Traffic::kSpill)] = round_burst(spill, hw_.dram.burst_bytes);
    t.sram_read = spill;
    spread(plans[i].steps, t);
  }

  // Fused ops run inside their host MAC op: their work joins its tile steps.
  for (size_t i = 0; i < nops; ++i) {
    const int64_t h = mem.ops[i].host;
    if (h < 0) continue;
    OpPlan& hp = plans[size_t(h)];
    if (!plans[i].steps.empty()) absorb(hp.steps, plans[i].steps);
    plans[i].steps.clear();
    plans[i].mapping = "fused into " + g.op(mem.ops[size_t(h)].op).name;
  }

  // Stage 3: the schedule.
  for (size_t i = 0; i < nops; ++i) {
    OpSchedule os;
    os.op = mem.ops[i].op;
    os.tiling = plans[i].tiling;
    os.mapping = std::move(plans[i].mapping);
    os.sram_peak_bytes = mem.ops[i].resident_bytes + plans[i].working_bytes;
    os.steps = std::move(plans[i].steps);
    s.ops.push_back(std::move(os));
  }

  std::string folds;
  for (arch::Dataflow d : hw_.allowed_dataflows()) {
    const arch::DataflowSpec& spec = arch::dataflow_spec(d);
    folds += (folds.empty() ? "" : ", ") + std::string(spec.short_name) + " " +
             (spec.fill_rows == 1 ? "" : std::to_string(spec.fill_rows) + " x ") + "rows + " +
             (spec.fill_cols == 1 ? "" : std::to_string(spec.fill_cols) + " x ") + "cols - 2";
  }
  const bool pinned =
      !hw_.mapping.dataflows.empty() || hw_.mapping.transpose == "never" || hw_.mapping.tiling == "whole";
  s.assumptions = {
      "array timing per fold as in SCALE-Sim v2: the streamed dimension plus a fill and drain of " + folds +
          " cycles, edge folds charged in full, an op's total one cycle less than the sum of its folds; the best of "
          "the allowed dataflows is chosen per op",
      "tiles double-buffered in SRAM: per op, latency = first load + sum over tile steps of max(compute, DMA of the "
      "next load and previous store) + last store; ops run in order, and an op that does not read the previous "
      "op's stored output starts while that op drains",
      hw_.mapping.tiling == "whole"
          ? "mapping.tiling whole: every MAC op is one tile of whole operands, folded onto the array with no "
            "SRAM-driven splitting (as SCALE-Sim assumes)"
          : "tile sizes, loop order and dataflow per op minimise latency, then DRAM bytes, within the SRAM left by "
            "resident activations",
      "weights always stream from DRAM; DRAM transfers are rounded up to whole bursts",
      "a slice read by a single MAC op (the q, k, v of a fused qkv projection) is read in place by that op's strided "
      "DMA: no copy layer, no fixed cost, and the reader loads only the range; other slices run as copy layers",
      "vector work: elements x per-class cost / lanes; norms read their input twice when one normalisation group does "
      "not fit the tile buffers",
  };
  if (pinned) {
    std::string allowed;
    for (arch::Dataflow d : hw_.allowed_dataflows())
      allowed += (allowed.empty() ? "" : ", ") + std::string(arch::dataflow_name(d));
    s.assumptions.push_back("mapping pinned: dataflows [" + allowed + "], transpose " + hw_.mapping.transpose +
                            ", tiling " + hw_.mapping.tiling);
  }
  if (hw_.mac_array.gemv == "streaming")
    s.assumptions.push_back("matmuls with at most " + std::to_string(hw_.mac_array.gemv_max_m) +
                            " rows may take the streaming gemv path: weight blocks stream through the array back to "
                            "back with one fill per tile, bounded by the SRAM port and DRAM weight rate");
  for (auto& a : strategy.assumptions()) s.assumptions.push_back(std::move(a));
  return s;
}

}  // namespace npusim::mappers
