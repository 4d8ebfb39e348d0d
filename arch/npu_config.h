#pragma once
// The hardware description, one immutable struct per unit (STYLE.md rule 1). Values are in
// base units with the unit in the member name; filled only by config_loader.cpp from the
// parameter table in config_schema.cpp, and never modified after validation.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow.h"
#include "npusim/error.h"

namespace npusim::arch {

// A hardware config is wrong. what() holds every problem found, one per line, each naming
// file, line, key path, value and rule.
class ConfigError : public UserError {
 public:
  using UserError::UserError;
};

// Precision modes of the MAC array; the names match workloads' precisions.
enum class PrecisionMode : uint8_t { kW8A8, kW8A16, kW4A16, kFp16 };
inline constexpr std::array<PrecisionMode, 4> kPrecisionModes = {PrecisionMode::kW8A8, PrecisionMode::kW8A16,
                                                                 PrecisionMode::kW4A16, PrecisionMode::kFp16};
std::string_view precision_mode_name(PrecisionMode p);
std::optional<PrecisionMode> precision_mode_from_name(std::string_view name);

struct PrecisionSpec {
  double macs_per_pe_per_cycle = 0;  // 0: the array does not support this precision
  // Rate of MAC ops with no weight operand (activation x activation: attention scores and
  // context, batched matmuls); 0 = macs_per_pe_per_cycle.
  double act_act_macs_per_pe_per_cycle = 0;
  double energy_per_mac_pj = 0;
  bool supported() const { return macs_per_pe_per_cycle > 0; }
  double act_act_rate() const {
    return act_act_macs_per_pe_per_cycle > 0 ? act_act_macs_per_pe_per_cycle : macs_per_pe_per_cycle;
  }
};

struct MacArrayConfig {
  uint32_t rows = 0;
  uint32_t cols = 0;
  double frequency_hz = 0;
  std::vector<Dataflow> dataflows;  // what the array can run
  // How matmuls with few rows (LLM decode) run: "systolic" (folds like any GEMM) or "streaming"
  // (weights stream through the array with one fill per tile, no per-fold fill and drain).
  std::string gemv = "systolic";
  uint64_t gemv_max_m = 8;  // GEMMs with at most this many rows (M) take the gemv path
  std::array<PrecisionSpec, kPrecisionModes.size()> precision{};  // indexed by PrecisionMode
  uint64_t pes() const { return uint64_t{rows} * cols; }
  const PrecisionSpec& mode(PrecisionMode p) const { return precision[static_cast<size_t>(p)]; }
};

struct VectorUnitConfig {
  uint32_t lanes = 0;  // elements per cycle at cost 1
  double frequency_hz = 0;
  // Lane-cycles per element for each class of vector work (multi-pass ops cost more).
  double cost_norm = 0;
  double cost_softmax = 0;
  double cost_activation = 0;
  double cost_eltwise = 0;
  double cost_depthwise = 0;         // lane-cycles per MAC of a depthwise conv run here; 0: on the array
  double energy_per_elem_op_pj = 0;  // per element per unit of cost
  bool overlaps_mac = false;         // vector work runs concurrently with the MAC array
};

struct SramConfig {
  uint64_t size_bytes = 0;
  uint32_t banks = 0;
  uint32_t bytes_per_cycle = 0;  // total port width, per MAC-array clock cycle
  uint32_t ports_per_bank = 1;   // accesses one bank serves per cycle; more to one bank wait
  double read_energy_pj_per_byte = 0;
  double write_energy_pj_per_byte = 0;
};

struct DramConfig {
  double bandwidth_bytes_per_s = 0;  // peak; GB/s = 1e9 B/s
  double latency_ps = 0;             // first-access latency of a transfer
  uint32_t burst_bytes = 0;          // transfers are rounded up to whole bursts
  double energy_pj_per_bit = 0;
  double turnaround_ps = 0;  // idle bus time when the direction switches read <-> write
  // Timing model of the SystemC engine: "simple" (bandwidth, latency, turnaround) or "lpddr"
  // (adds per-bank open rows, row-miss cost and all-bank refresh).
  std::string model = "simple";
  uint32_t banks = 8;
  uint64_t row_bytes = 2048;
  double row_miss_ps = 0;          // precharge + activate when a bank's open row changes
  double refresh_interval_ps = 0;  // tREFI; 0 = no refresh
  double refresh_ps = 0;           // tRFC: the bus is blocked this long every interval
  uint32_t phy_width_bits = 0;     // DRAM interface width counted in the NPU's area (0 = the SoC's PHY)
};

struct DmaConfig {
  uint32_t channels = 0;
  uint64_t max_transfer_bytes = 16384;  // a job is split into DRAM requests of at most this
};

// Constraints on the mapper's search, to pin a mapping (e.g. to reproduce SCALE-Sim).
struct MappingConfig {
  std::vector<Dataflow> dataflows;  // allowed dataflows; empty = every one the array supports
  std::string transpose = "allow";  // allow | never: may the mapper swap M and N on the array
  std::string tiling = "search";    // search | whole: whole-operand tiles, no SRAM-driven splitting
};

// Fixed costs of the NPU's control path, in ps: exposed time no data movement or compute hides.
struct OverheadConfig {
  double per_mac_op_ps = 0;     // each op with MAC work that runs as its own layer
  double per_vector_op_ps = 0;  // each vector op (norm, softmax, eltwise, ...) that runs as its own layer
  double per_copy_op_ps = 0;    // each data-movement op (permute, concat, slice, copy) that runs as its own layer
  double per_run_ps = 0;        // each evaluation of a network (graph launch)
  // A MAC op's fixed cost overlaps the tensor-unit time of the op before it when that op is a
  // MAC op too (the control core queues the next array layer while the array works); only the
  // rest is exposed. false: every fixed cost is exposed in full.
  bool queued_mac_dispatch = false;
  // > 0: the times above hold at this NPU clock and scale with 1/mac_array.frequency (control
  // cycles); 0: they are fixed times.
  double at_frequency_hz = 0;
  double scale(double mac_frequency_hz) const {
    return at_frequency_hz > 0 && mac_frequency_hz > 0 ? at_frequency_hz / mac_frequency_hz : 1.0;
  }
};

// Figures of a process node, from configs/tech/<node>.yaml (`technology:`); any of them can
// be overridden in a preset as tech.<key>. Areas in um^2, leakage in mW/mm^2 at
// nominal_voltage_v. Read by area.h; all zero when no technology is chosen.
struct TechConfig {
  double sram_bitcell_um2 = 0;         // high-density 6T bit cell
  double sram_array_efficiency = 0;    // bit-cell area / macro area (periphery, assists)
  double sram_bank_overhead_um2 = 0;   // control, decoders and I/O of each independent bank
  double sram_port_overhead = 0;       // extra macro area per port beyond one, as a share of the array
  double sram_leakage_mw_per_mm2 = 0;  // leakage of SRAM macros
  std::array<double, kPrecisionModes.size()> mac_um2{};  // per MAC/cycle of each precision (multiplier + adder)
  double mac_extra_mode_share = 0;      // share of each further precision's datapath not shared with the largest
  double pe_overhead_um2 = 0;           // operand, weight and partial-sum registers and pipeline of a PE
  double vector_lane_um2 = 0;           // one vector lane (ALU, LUT, registers)
  double dma_channel_um2 = 0;           // one DMA channel (descriptor queue, address generation, buffers)
  double dram_phy_um2_per_16bit = 0;    // DRAM PHY per 16 bits of interface width
  double control_overhead = 0;          // control, interconnect and clocking as a share of the blocks' area
  double logic_leakage_mw_per_mm2 = 0;  // leakage of logic
  double nominal_voltage_v = 0;         // the voltage the leakage figures are quoted at
  std::string vf;                       // V-f table: "0.55V@500MHz, 0.65V@800MHz, ..." (rising)
  std::string sram_source, mac_source, vector_source, dma_source, dram_phy_source, leakage_source, vf_source;
};

struct NpuConfig {
  std::string name;
  std::string description;
  std::string calibrated_on;  // network role the preset was fitted to ("" = none); see crosscheck
  MacArrayConfig mac_array;
  VectorUnitConfig vector_unit;
  SramConfig sram;
  DramConfig dram;
  DmaConfig dma;
  MappingConfig mapping;
  OverheadConfig overhead;
  // Fixed leakage and always-on power; 0 with a technology: leakage from the area model
  // (arch::static_power_mw() gives the figure a run uses).
  double static_power_mw = 0;
  std::string technology;  // "" = no area model; else configs/tech/<technology>.yaml or a path
  TechConfig tech;
  double power_budget_mw = 0;  // 0 = none; else the highest clock whose average power fits is sought
  // Provenance for reports: the file chain (base first) and the --set overrides applied.
  std::vector<std::string> sources;
  std::vector<std::string> overrides;

  // The dataflows the mapper may choose from: mapping.dataflows, else all the array supports.
  const std::vector<Dataflow>& allowed_dataflows() const {
    return mapping.dataflows.empty() ? mac_array.dataflows : mapping.dataflows;
  }
};

}  // namespace npusim::arch
