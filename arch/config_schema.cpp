#include "config_schema.h"

#include <limits>
#include <type_traits>

namespace npusim::arch {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One table row. `access` is a generic lambda returning a reference to the config field, so
// the same lambda serves the setter (mutable config) and the getter (const config); `Slot`
// is the ParamValue member that carries the value across (number, flag or text).
template <auto Slot, class Access>
ParamSpec field(std::string key, Unit unit, std::optional<std::string> def, Range range, std::string doc,
                Access access) {
  ParamSpec p{std::move(key), unit, std::move(def), range, std::move(doc), {}, {}};
  p.set = [access](NpuConfig& c, const ParamValue& v) {
    auto& f = access(c);
    f = static_cast<std::remove_reference_t<decltype(f)>>(v.*Slot);
  };
  p.get = [access](const NpuConfig& c) {
    ParamValue v;
    v.*Slot = static_cast<std::remove_reference_t<decltype(v.*Slot)>>(access(c));
    return v;
  };
  return p;
}

constexpr auto kNumber = &ParamValue::number;
constexpr auto kFlag = &ParamValue::flag;
constexpr auto kText = &ParamValue::text;

template <class Access>
ParamSpec dataflow_list(std::string key, std::string def, std::string doc, Access access) {
  ParamSpec p{std::move(key), Unit::kDataflowList, std::move(def), {}, std::move(doc), {}, {}};
  p.set = [access](NpuConfig& c, const ParamValue& v) {
    auto& list = access(c);
    list.clear();
    for (const auto& name : v.list) list.push_back(*dataflow_from_name(name));
  };
  p.get = [access](const NpuConfig& c) {
    ParamValue v;
    for (Dataflow d : access(c)) v.list.emplace_back(dataflow_name(d));
    return v;
  };
  return p;
}

// The technology rows: `technology:` names a file of tech.* figures (configs/tech/), the power
// budget, and every figure of the area/leakage/V-f model.
void add_technology_rows(std::vector<ParamSpec>& t) {
  t.push_back(field<kText>(
      "technology", Unit::kText, "", {},
      "process node whose figures (configs/tech/<node>.yaml: n7, n5, n4, n3, or a path) give the area model, leakage "
      "and V-f table; any tech.* key overrides one figure; \"\" = no area model (energies and static_power as given)",
      [](auto& c) -> auto& { return c.technology; }));
  t.push_back(field<kNumber>(
      "power_budget", Unit::kPower, "0mW", {0, 1e6},
      "average power the NPU may draw over a run (0 = none): npusim finds the highest clock (MAC array and vector "
      "unit, scaled together, down the technology's V-f table) whose average power fits, and reports the sustained "
      "throughput next to the peak; needs a technology",
      [](auto& c) -> auto& { return c.power_budget_mw; }));
  // Columns: key, unit, default, range, doc, field. The defaults are zero: a technology file sets them.
  auto area = [&](std::string key, std::string doc, auto access) {
    t.push_back(field<kNumber>("tech." + key, Unit::kArea, "0um2", {0, 1e12}, std::move(doc), access));
  };
  auto ratio = [&](std::string key, double hi, std::string doc, auto access) {
    t.push_back(field<kNumber>("tech." + key, Unit::kRatio, "0", {0, hi}, std::move(doc), access));
  };
  auto density = [&](std::string key, std::string doc, auto access) {
    t.push_back(field<kNumber>("tech." + key, Unit::kPowerDensity, "0mW/mm2", {0, 1e5}, std::move(doc), access));
  };
  auto text = [&](std::string key, std::string doc, auto access) {
    t.push_back(field<kText>("tech." + key, Unit::kText, "", {}, std::move(doc), access));
  };
  area(
      "sram.bitcell", "area of one SRAM bit cell (high-density 6T)",
      [](auto& c) -> auto& { return c.tech.sram_bitcell_um2; });
  ratio(
      "sram.array_efficiency", 1,
      "bit-cell area over macro area (the rest is periphery: decoders, sense amps, assists); 0 < x <= 1",
      [](auto& c) -> auto& { return c.tech.sram_array_efficiency; });
  area(
      "sram.bank_overhead", "area each independent SRAM bank adds (control, address decode, I/O, routing)",
      [](auto& c) -> auto& { return c.tech.sram_bank_overhead_um2; });
  ratio(
      "sram.port_overhead", 10, "macro area each port per bank beyond the first adds, as a share of the array",
      [](auto& c) -> auto& { return c.tech.sram_port_overhead; });
  density(
      "sram.leakage", "leakage of SRAM macros per mm^2 at tech.voltage.nominal",
      [](auto& c) -> auto& { return c.tech.sram_leakage_mw_per_mm2; });
  text(
      "sram.source", "where the SRAM figures come from (printed with the area)",
      [](auto& c) -> auto& { return c.tech.sram_source; });
  for (PrecisionMode m : kPrecisionModes) {
    const size_t i = static_cast<size_t>(m);
    area(
        "mac." + std::string(precision_mode_name(m)),
        "area of a " + std::string(precision_mode_name(m)) +
            " MAC datapath (multiplier, accumulator adder) per MAC/cycle; a PE's datapath is macs_per_pe_per_cycle x "
            "this",
        [i](auto& c) -> auto& { return c.tech.mac_um2[i]; });
  }
  ratio(
      "mac.extra_mode_share", 1,
      "share of each supported precision's datapath beyond the largest that is not shared with it (0 = fully "
      "shared, 1 = separate units)",
      [](auto& c) -> auto& { return c.tech.mac_extra_mode_share; });
  area(
      "mac.pe_overhead", "area of a PE besides its MAC datapath: weight, operand and partial-sum registers, pipeline",
      [](auto& c) -> auto& { return c.tech.pe_overhead_um2; });
  text(
      "mac.source", "where the MAC figures come from", [](auto& c) -> auto& { return c.tech.mac_source; });
  area(
      "vector.lane", "area of one vector-unit lane (ALU, lookup tables, registers)",
      [](auto& c) -> auto& { return c.tech.vector_lane_um2; });
  text(
      "vector.source", "where the vector-lane figure comes from",
      [](auto& c) -> auto& { return c.tech.vector_source; });
  area(
      "dma.channel", "area of one DMA channel (descriptor queue, address generation, buffers)",
      [](auto& c) -> auto& { return c.tech.dma_channel_um2; });
  text(
      "dma.source", "where the DMA figure comes from", [](auto& c) -> auto& { return c.tech.dma_source; });
  area(
      "dram_phy.per_16bit", "DRAM PHY area per 16 bits of interface width (one LPDDR5 channel)",
      [](auto& c) -> auto& { return c.tech.dram_phy_um2_per_16bit; });
  text(
      "dram_phy.source", "where the PHY figure comes from", [](auto& c) -> auto& { return c.tech.dram_phy_source; });
  ratio(
      "logic.control_overhead", 10,
      "control, interconnect and clock tree as a share of the other blocks' area (a block of its own)",
      [](auto& c) -> auto& { return c.tech.control_overhead; });
  density(
      "logic.leakage", "leakage of logic (MAC array, vector unit, DMA, control) per mm^2 at tech.voltage.nominal",
      [](auto& c) -> auto& { return c.tech.logic_leakage_mw_per_mm2; });
  text(
      "logic.source", "where the leakage figures come from", [](auto& c) -> auto& { return c.tech.leakage_source; });
  t.push_back(field<kNumber>(
      "tech.voltage.nominal", Unit::kVoltage, "0V", {0, 5}, "supply voltage the leakage figures are quoted at",
      [](auto& c) -> auto& { return c.tech.nominal_voltage_v; }));
  text(
      "voltage.vf",
      "V-f table, points V@f rising in both (\"0.55V@500MHz, 0.75V@1GHz\"); voltage at a clock is interpolated, "
      "held at the lowest point below it and extrapolated linearly above the highest; dynamic energies scale with "
      "V^2 and leakage with V relative to the preset's own clock",
      [](auto& c) -> auto& { return c.tech.vf; });
  text(
      "voltage.source", "where the V-f points come from", [](auto& c) -> auto& { return c.tech.vf_source; });
}

std::vector<ParamSpec> build_table() {
  std::vector<ParamSpec> t;
  // Columns: key, unit, default (nullopt = required), valid range, doc, field.
  t.push_back(field<kText>(
      "name", Unit::kText, std::nullopt, {}, "preset name, echoed into every report",
      [](auto& c) -> auto& { return c.name; }));
  t.push_back(field<kText>(
      "description", Unit::kText, "", {}, "one line about the design and its sources",
      [](auto& c) -> auto& { return c.description; }));
  t.push_back(field<kText>(
      "calibrated_on", Unit::kText, "", {},
      "network the preset's fitted values were calibrated on (text_encoder, denoiser, decoder, prefill, decode); "
      "crosscheck marks it as fitted, not predicted",
      [](auto& c) -> auto& { return c.calibrated_on; }));

  t.push_back(field<kNumber>(
      "mac_array.rows", Unit::kCount, std::nullopt, {1, 65536}, "PE rows of the MAC array",
      [](auto& c) -> auto& { return c.mac_array.rows; }));
  t.push_back(field<kNumber>(
      "mac_array.cols", Unit::kCount, std::nullopt, {1, 65536}, "PE columns of the MAC array",
      [](auto& c) -> auto& { return c.mac_array.cols; }));
  t.push_back(field<kNumber>(
      "mac_array.frequency", Unit::kFrequency, std::nullopt, {1e6, 100e9}, "MAC array clock",
      [](auto& c) -> auto& { return c.mac_array.frequency_hz; }));
  std::string all_dataflows = dataflow_names();  // built in steps: GCC 12 -Wrestrict misfires on "[" + s + "]"
  all_dataflows.insert(0, 1, '[');
  all_dataflows.push_back(']');
  t.push_back(dataflow_list(
      "mac_array.dataflows", all_dataflows, "dataflows the array supports: " + dataflow_names(),
      [](auto& c) -> auto& { return c.mac_array.dataflows; }));
  t.push_back(field<kText>(
      "mac_array.gemv", Unit::kText, "systolic", {},
      "matmuls with at most gemv_max_m rows (LLM decode): systolic (folds with fill and drain each, as SCALE-Sim) "
      "or streaming (weights stream through the array, one fill per tile; bounded by the SRAM and DRAM weight rate)",
      [](auto& c) -> auto& { return c.mac_array.gemv; }));
  t.push_back(field<kNumber>(
      "mac_array.gemv_max_m", Unit::kCount, "8", {1, 65536}, "largest GEMM row count (M) that takes the gemv path",
      [](auto& c) -> auto& { return c.mac_array.gemv_max_m; }));
  for (PrecisionMode m : kPrecisionModes) {
    const size_t i = static_cast<size_t>(m);
    const std::string base = "mac_array.precision." + std::string(precision_mode_name(m));
    t.push_back(field<kNumber>(
        base + ".macs_per_pe_per_cycle", Unit::kRatio, "0", {0, 64},
        "MACs each PE completes per cycle in " + std::string(precision_mode_name(m)) + " (0 = unsupported)",
        [i](auto& c) -> auto& { return c.mac_array.precision[i].macs_per_pe_per_cycle; }));
    t.push_back(field<kNumber>(
        base + ".act_act_macs_per_pe_per_cycle", Unit::kRatio, "0", {0, 64},
        "MACs each PE completes per cycle in " + std::string(precision_mode_name(m)) +
            " when no operand is a weight (attention QK^T and A.V, batched activation matmuls): both operands are "
            "activations at the activation width (e.g. 16 x 16 bit under w8a16), so the array may run them slower than "
            "weight x activation MACs; at most macs_per_pe_per_cycle (0 = macs_per_pe_per_cycle)",
        [i](auto& c) -> auto& { return c.mac_array.precision[i].act_act_macs_per_pe_per_cycle; }));
    t.push_back(field<kNumber>(
        base + ".energy_per_mac", Unit::kEnergy, "0pJ", {0, 1000},
        "energy of one " + std::string(precision_mode_name(m)) + " MAC incl. PE-local registers",
        [i](auto& c) -> auto& { return c.mac_array.precision[i].energy_per_mac_pj; }));
  }

  t.push_back(field<kNumber>(
      "vector_unit.lanes", Unit::kCount, std::nullopt, {1, 65536},
      "elements the vector unit processes per cycle at cost 1", [](auto& c) -> auto& { return c.vector_unit.lanes; }));
  t.push_back(field<kNumber>(
      "vector_unit.frequency", Unit::kFrequency, std::nullopt, {1e6, 100e9}, "vector unit clock",
      [](auto& c) -> auto& { return c.vector_unit.frequency_hz; }));
  t.push_back(field<kNumber>(
      "vector_unit.cost.norm", Unit::kRatio, "3", {0, 1000, true},
      "lane-cycles per element of group/layer/RMS norm (statistics + normalise passes)",
      [](auto& c) -> auto& { return c.vector_unit.cost_norm; }));
  t.push_back(field<kNumber>(
      "vector_unit.cost.softmax", Unit::kRatio, "4", {0, 1000, true},
      "lane-cycles per element of softmax (max, exp-sum, scale)",
      [](auto& c) -> auto& { return c.vector_unit.cost_softmax; }));
  t.push_back(field<kNumber>(
      "vector_unit.cost.activation", Unit::kRatio, "2", {0, 1000, true},
      "lane-cycles per element of SiLU / GELU / GEGLU",
      [](auto& c) -> auto& { return c.vector_unit.cost_activation; }));
  t.push_back(field<kNumber>(
      "vector_unit.cost.eltwise", Unit::kRatio, "1", {0, 1000, true}, "lane-cycles per element of eltwise add / mul",
      [](auto& c) -> auto& { return c.vector_unit.cost_eltwise; }));
  t.push_back(field<kNumber>(
      "vector_unit.cost.depthwise", Unit::kRatio, "0", {0, 1000},
      "lane-cycles per MAC of a depthwise conv (one input channel per group) run on the vector unit, which takes it "
      "whenever that is faster than the MAC array (a depthwise conv's reduction is only its kernel taps, so it fills "
      "a sliver of a systolic array; NPUs with wide SIMD units run it there). 0: depthwise convs stay on the array",
      [](auto& c) -> auto& { return c.vector_unit.cost_depthwise; }));
  t.push_back(field<kNumber>(
      "vector_unit.energy_per_elem_op", Unit::kEnergy, "0pJ", {0, 10000},
      "energy per element per lane-cycle of vector work",
      [](auto& c) -> auto& { return c.vector_unit.energy_per_elem_op_pj; }));
  t.push_back(field<kFlag>(
      "vector_unit.overlaps_mac", Unit::kBool, "true", {}, "vector work runs concurrently with the MAC array",
      [](auto& c) -> auto& { return c.vector_unit.overlaps_mac; }));

  t.push_back(field<kNumber>(
      "sram.size", Unit::kBytes, std::nullopt, {1024, 64.0 * (1ull << 30)}, "on-chip SRAM capacity",
      [](auto& c) -> auto& { return c.sram.size_bytes; }));
  t.push_back(field<kNumber>(
      "sram.banks", Unit::kCount, "16", {1, 4096}, "independent SRAM banks",
      [](auto& c) -> auto& { return c.sram.banks; }));
  t.push_back(field<kNumber>(
      "sram.bytes_per_cycle", Unit::kCount, std::nullopt, {1, 1 << 20},
      "SRAM bytes per MAC-array clock cycle, all ports together",
      [](auto& c) -> auto& { return c.sram.bytes_per_cycle; }));
  t.push_back(field<kNumber>(
      "sram.ports_per_bank", Unit::kCount, "1", {1, 64},
      "accesses one bank serves per cycle (SystemC engine); more to the same bank wait: a bank conflict",
      [](auto& c) -> auto& { return c.sram.ports_per_bank; }));
  t.push_back(field<kNumber>(
      "sram.read_energy", Unit::kEnergyPerByte, "0pJ/B", {0, 1000}, "SRAM read energy",
      [](auto& c) -> auto& { return c.sram.read_energy_pj_per_byte; }));
  t.push_back(field<kNumber>(
      "sram.write_energy", Unit::kEnergyPerByte, "0pJ/B", {0, 1000}, "SRAM write energy",
      [](auto& c) -> auto& { return c.sram.write_energy_pj_per_byte; }));

  t.push_back(field<kNumber>(
      "dram.bandwidth", Unit::kBandwidth, std::nullopt, {1e6, 10e12}, "peak DRAM bandwidth (GB/s = 1e9 B/s)",
      [](auto& c) -> auto& { return c.dram.bandwidth_bytes_per_s; }));
  t.push_back(field<kNumber>(
      "dram.latency", Unit::kTime, "100ns", {0, 1e9}, "first-access latency of a DRAM transfer",
      [](auto& c) -> auto& { return c.dram.latency_ps; }));
  t.push_back(field<kNumber>(
      "dram.burst", Unit::kBytes, "64B", {1, 4096}, "DRAM burst size; transfers round up to whole bursts",
      [](auto& c) -> auto& { return c.dram.burst_bytes; }));
  t.push_back(field<kNumber>(
      "dram.energy", Unit::kEnergyPerBit, "0pJ/bit", {0, 1000}, "DRAM access energy incl. I/O",
      [](auto& c) -> auto& { return c.dram.energy_pj_per_bit; }));
  t.push_back(field<kNumber>(
      "dram.turnaround", Unit::kTime, "0ns", {0, 1e6}, "idle bus time when transfers switch between read and write",
      [](auto& c) -> auto& { return c.dram.turnaround_ps; }));
  t.push_back(field<kText>(
      "dram.model", Unit::kText, "simple", {},
      "SystemC engine DRAM timing: simple (bandwidth, latency, turnaround) or lpddr (adds bank rows and refresh)",
      [](auto& c) -> auto& { return c.dram.model; }));
  t.push_back(field<kNumber>(
      "dram.banks", Unit::kCount, "8", {1, 256}, "lpddr model: banks, each with one open row",
      [](auto& c) -> auto& { return c.dram.banks; }));
  t.push_back(field<kNumber>(
      "dram.row_size", Unit::kBytes, "2KiB", {64, 1 << 20}, "lpddr model: bytes per row (page)",
      [](auto& c) -> auto& { return c.dram.row_bytes; }));
  t.push_back(field<kNumber>(
      "dram.row_miss", Unit::kTime, "36ns", {0, 1e6}, "lpddr model: precharge + activate (tRP + tRCD) on a row miss",
      [](auto& c) -> auto& { return c.dram.row_miss_ps; }));
  t.push_back(field<kNumber>(
      "dram.refresh_interval", Unit::kTime, "3.9us", {0, 1e9},
      "lpddr model: all-bank refresh interval tREFI (0 = none)",
      [](auto& c) -> auto& { return c.dram.refresh_interval_ps; }));
  t.push_back(field<kNumber>(
      "dram.refresh_time", Unit::kTime, "210ns", {0, 1e6}, "lpddr model: bus blocked per refresh (tRFC)",
      [](auto& c) -> auto& { return c.dram.refresh_ps; }));
  t.push_back(field<kNumber>(
      "dram.phy_width", Unit::kCount, "0", {0, 1024},
      "bits of DRAM interface whose PHY counts in the NPU's area (a multiple of 16; 0 = the PHY is the SoC's)",
      [](auto& c) -> auto& { return c.dram.phy_width_bits; }));

  t.push_back(field<kNumber>(
      "dma.channels", Unit::kCount, "2", {1, 256}, "concurrent DMA channels",
      [](auto& c) -> auto& { return c.dma.channels; }));
  t.push_back(field<kNumber>(
      "dma.max_transfer", Unit::kBytes, "16KiB", {64, 1 << 30},
      "largest DRAM request of a DMA channel (SystemC engine); channels interleave at this grain",
      [](auto& c) -> auto& { return c.dma.max_transfer_bytes; }));
  t.push_back(dataflow_list(
      "mapping.dataflows", "[]",
      "dataflows the mapper may choose per op, a subset of mac_array.dataflows ([] = all of them)",
      [](auto& c) -> auto& { return c.mapping.dataflows; }));
  t.push_back(field<kText>(
      "mapping.transpose", Unit::kText, "allow", {},
      "allow: the mapper may swap a matmul's M and N on the array; never: M stays M (as SCALE-Sim)",
      [](auto& c) -> auto& { return c.mapping.transpose; }));
  t.push_back(field<kText>(
      "mapping.tiling", Unit::kText, "search", {},
      "search: tile sizes chosen for the SRAM left; whole: one tile per op, whole operands folded onto the array "
      "with no SRAM-driven splitting (as SCALE-Sim assumes)",
      [](auto& c) -> auto& { return c.mapping.tiling; }));
  // Fixed costs: time of the NPU's control path (firmware/driver dispatch of a layer, the
  // barrier that synchronises its units between layers, descriptor set-up), independent of
  // the op's size. Exposed time: both engines add it to the op's latency after the op's own
  // pipeline and its overlap with neighbouring ops (cross-op prefetch, boundary overlap) have
  // been timed, as a stall of the compute units at the op's dispatch; it never hides. The DMA is
  // not stalled: it goes on prefetching the op's weights into free SRAM meanwhile.
  t.push_back(field<kNumber>(
      "overhead.per_mac_op", Unit::kTime, "0ns", {0, 1e9},
      "fixed cost of each op with MAC work (conv, matmul, attention; with any ops fused into it) that runs as its "
      "own layer: dispatch and synchronisation of the layer, exposed in full (never hidden under a neighbour's "
      "work); views and fused ops pay nothing",
      [](auto& c) -> auto& { return c.overhead.per_mac_op_ps; }));
  t.push_back(field<kNumber>(
      "overhead.per_vector_op", Unit::kTime, "0ns", {0, 1e9},
      "fixed cost of each vector op (norm, softmax, activation, eltwise, pooling: work on the vector unit) that runs "
      "as its own layer: dispatch and synchronisation, exposed in full; views and fused ops pay nothing",
      [](auto& c) -> auto& { return c.overhead.per_vector_op_ps; }));
  t.push_back(field<kNumber>(
      "overhead.per_copy_op", Unit::kTime, "0ns", {0, 1e9},
      "fixed cost of each data-movement op with no vector work (permute/transpose, concat, slice, copy, gather) that "
      "runs as its own layer: dispatch and synchronisation, exposed in full; views and fused ops pay nothing",
      [](auto& c) -> auto& { return c.overhead.per_copy_op_ps; }));
  t.push_back(field<kFlag>(
      "overhead.queued_mac_dispatch", Unit::kBool, "false", {},
      "true: an op with MAC work that follows another op with MAC work pays only the part of its per_mac_op that "
      "exceeds the earlier op's tensor-unit (MAC array) time: the control core dispatches the next array layer while "
      "the array runs the current one. After a vector or data-movement op (run by the cores that dispatch), at the "
      "start of a network and in isolated runs, per_mac_op is paid in full. false: every fixed cost in full",
      [](auto& c) -> auto& { return c.overhead.queued_mac_dispatch; }));
  t.push_back(field<kNumber>(
      "overhead.per_run", Unit::kTime, "0ns", {0, 1e9},
      "fixed cost of each network evaluation (graph launch and completion on the NPU), reported as its own "
      "line: the ops' latencies plus this are the network latency",
      [](auto& c) -> auto& { return c.overhead.per_run_ps; }));
  t.push_back(field<kNumber>(
      "overhead.at_frequency", Unit::kFrequency, "0Hz", {0, 100e9},
      "NPU clock at which the overhead.* times hold: they are control cycles (a scalar core dispatching layers and "
      "waiting on barriers), so at another mac_array.frequency they scale with at_frequency / frequency; 0: fixed "
      "times whatever the clock",
      [](auto& c) -> auto& { return c.overhead.at_frequency_hz; }));
  t.push_back(field<kNumber>(
      "static_power", Unit::kPower, "0mW", {0, 1e6},
      "leakage and always-on power of the NPU while a network runs; with a technology, 0 = leakage from the area "
      "model (tech.*.leakage x block area x V/nominal_voltage) and any other value overrides it",
      [](auto& c) -> auto& { return c.static_power_mw; }));
  add_technology_rows(t);
  return t;
}

}  // namespace

const std::vector<ParamSpec>& param_table() {
  static const std::vector<ParamSpec> table = build_table();  // read-only after first use
  return table;
}

const ParamSpec* find_param(std::string_view key) {
  for (const ParamSpec& p : param_table())
    if (p.key == key) return &p;
  return nullptr;
}

void walk_param_tree(const ParamTreeVisitor& v) {
  walk_param_tree(v, [](const ParamSpec&) { return true; });
}

bool param_shown(const NpuConfig& cfg, const ParamSpec& spec) {
  return !cfg.technology.empty() || !spec.key.starts_with("tech.");
}

void walk_param_tree(const ParamTreeVisitor& v, const std::function<bool(const ParamSpec&)>& include) {
  std::vector<std::string> open;  // segments of the sections we are inside
  for (const ParamSpec& spec : param_table()) {
    if (!include(spec)) continue;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t dot = spec.key.find('.', start);
      parts.push_back(spec.key.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    for (; open.size() > common; open.pop_back()) v.leave();
    for (size_t i = common; i + 1 < parts.size(); ++i) {
      v.enter(parts[i], i);
      open.push_back(parts[i]);
    }
    v.leaf(spec, parts.back(), parts.size() - 1);
  }
  for (; !open.empty(); open.pop_back()) v.leave();
}

std::string format_param(const ParamSpec& spec, const ParamValue& v) {
  switch (spec.unit) {
    case Unit::kBool:
      return v.flag ? "true" : "false";
    case Unit::kText:
      return v.text;
    case Unit::kDataflowList: {
      std::string out = "[";
      for (size_t i = 0; i < v.list.size(); ++i) out += (i ? ", " : "") + v.list[i];
      return out + "]";
    }
    default:
      return format_quantity(v.number, spec.unit);
  }
}

std::string format_range(const ParamSpec& spec) {
  if (spec.unit == Unit::kBool || spec.unit == Unit::kText || spec.unit == Unit::kDataflowList) return "";
  std::string lo = format_quantity(spec.range.lo, spec.unit);
  std::string hi = spec.range.hi == kInf ? "" : format_quantity(spec.range.hi, spec.unit);
  return (spec.range.lo_open ? "> " + lo + ", <= " : lo + " .. ") + hi;
}

}  // namespace npusim::arch
