#pragma once
// Results of a run: plain structs with merge() and one visit() that lists every counter
// with its name, value, unit and meaning (STYLE.md rule 12). Values in base units:
// seconds, bytes, pJ, cycles.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace npusim::sim {

// What limits an op's latency: the unit with the most busy time in the op's own busy span;
// kOverlapped: the op has work but adds no latency (all of it hidden under its neighbours');
// kNone: the op has no work (a view, or fused into another op).
enum class Bound : uint8_t { kCompute, kVector, kDram, kNone, kOverlapped };
inline constexpr int kNumBounds = 5;
std::string_view bound_name(Bound b);

struct Counters {
  uint64_t macs = 0;
  uint64_t vector_elems = 0;
  uint64_t mac_cycles = 0;     // MAC-array busy cycles
  uint64_t vector_cycles = 0;  // vector-unit busy cycles
  double latency_s = 0;        // exposed: what the op adds to the network's latency
  double overlapped_s = 0;     // own busy time hidden under a neighbour's work
  double busy_s = 0;           // own busy span = latency + overlapped
  double overhead_s = 0;       // fixed per-op cost (hw overhead.per_*_op), part of latency_s and busy_s
  double mac_s = 0;
  double vector_s = 0;
  double dram_s = 0;
  uint64_t dram_read_weight_bytes = 0;
  uint64_t dram_read_activation_bytes = 0;
  uint64_t dram_read_kv_bytes = 0;
  uint64_t dram_read_spill_bytes = 0;
  uint64_t dram_write_activation_bytes = 0;
  uint64_t dram_write_kv_bytes = 0;
  uint64_t dram_write_spill_bytes = 0;
  uint64_t sram_read_bytes = 0;
  uint64_t sram_write_bytes = 0;
  double energy_mac_pj = 0;
  double energy_vector_pj = 0;
  double energy_sram_pj = 0;
  double energy_dram_pj = 0;
  double energy_static_pj = 0;

  uint64_t dram_read_bytes() const {
    return dram_read_weight_bytes + dram_read_activation_bytes + dram_read_kv_bytes + dram_read_spill_bytes;
  }
  uint64_t dram_write_bytes() const {
    return dram_write_activation_bytes + dram_write_kv_bytes + dram_write_spill_bytes;
  }
  uint64_t dram_bytes() const { return dram_read_bytes() + dram_write_bytes(); }
  double energy_pj() const {
    return energy_mac_pj + energy_vector_pj + energy_sram_pj + energy_dram_pj + energy_static_pj;
  }
  // Sums every counter: run totals and multi-step ops are sums of their parts.
  void merge(const Counters& o) {
    for_each_field(
        [&](auto member, std::string_view, std::string_view, std::string_view) { this->*member += o.*member; });
  }

  // f(name, value, unit, description) for every counter and the energy total, in a fixed order.
  template <class F>
  void visit(F&& f) const {
    for_each_field([&](auto member, std::string_view name, std::string_view unit, std::string_view doc) {
      f(name, double(this->*member), unit, doc);
    });
    f("energy", energy_pj(), "pJ", "total energy");
  }

  // f(member pointer, name, unit, description) for every stored counter: the one list that
  // merge(), visit() and so every writer follow.
  template <class F>
  static void for_each_field(F&& f) {
    f(&Counters::macs, "macs", "MAC", "multiply-accumulates");
    f(&Counters::vector_elems, "vector_elems", "elem", "elements through the vector unit");
    f(&Counters::mac_cycles, "mac_cycles", "cycle", "MAC-array busy cycles");
    f(&Counters::vector_cycles, "vector_cycles", "cycle", "vector-unit busy cycles");
    f(&Counters::latency_s, "latency", "s", "time added to the network (exposed); ops sum to the network's");
    f(&Counters::overlapped_s, "overlapped", "s", "own busy time hidden under a neighbour's work");
    f(&Counters::busy_s, "busy", "s", "own busy span: latency + overlapped");
    f(&Counters::overhead_s, "overhead", "s",
      "fixed per-op cost (dispatch, synchronisation): in latency, never hidden");
    f(&Counters::mac_s, "mac_time", "s", "MAC-array busy time");
    f(&Counters::vector_s, "vector_time", "s", "vector-unit busy time");
    f(&Counters::dram_s, "dram_time", "s", "DRAM busy time incl. access latency");
    f(&Counters::dram_read_weight_bytes, "dram_read_weight", "B", "DRAM bytes read: weights");
    f(&Counters::dram_read_activation_bytes, "dram_read_activation", "B", "DRAM bytes read: activations");
    f(&Counters::dram_read_kv_bytes, "dram_read_kv", "B", "DRAM bytes read: KV cache");
    f(&Counters::dram_read_spill_bytes, "dram_read_spill", "B", "DRAM bytes read: spilled activations read back");
    f(&Counters::dram_write_activation_bytes, "dram_write_activation", "B", "DRAM bytes written: activations");
    f(&Counters::dram_write_kv_bytes, "dram_write_kv", "B", "DRAM bytes written: KV cache");
    f(&Counters::dram_write_spill_bytes, "dram_write_spill", "B", "DRAM bytes written: spilled activations");
    f(&Counters::sram_read_bytes, "sram_read", "B", "SRAM bytes read");
    f(&Counters::sram_write_bytes, "sram_write", "B", "SRAM bytes written");
    f(&Counters::energy_mac_pj, "energy_mac", "pJ", "MAC-array energy");
    f(&Counters::energy_vector_pj, "energy_vector", "pJ", "vector-unit energy");
    f(&Counters::energy_sram_pj, "energy_sram", "pJ", "SRAM access energy");
    f(&Counters::energy_dram_pj, "energy_dram", "pJ", "DRAM access energy");
    f(&Counters::energy_static_pj, "energy_static", "pJ", "static power x time");
  }
};

struct OpStats {
  std::string name;     // op name from the model hierarchy
  std::string kind;     // op kind ("conv2d", ...)
  std::string mapping;  // the mapping the mapper chose
  Bound bound = Bound::kNone;
  double utilization = 0;      // MACs / (peak MACs/s x busy time): at most 1
  uint64_t exposed_ps = 0;     // latency in integer ps: the ops' exposed_ps sum to RunStats::latency_ps
  uint64_t overlapped_ps = 0;  // overlapped time in integer ps
  uint64_t busy_ps() const { return exposed_ps + overlapped_ps; }
  uint64_t sram_peak_bytes = 0;  // resident activations + tile buffers while the op runs
  Counters c;
};

struct RunStats {
  std::vector<OpStats> ops;  // in execution order
  Counters total;
  double peak_macs_per_s = 0;  // of the hardware at the run's precision
  // Network latency in integer ps: the ops' exposed_ps plus per_run_ps. total.latency_s is the
  // same in seconds (the ops' latency_s plus the per-run cost).
  uint64_t latency_ps = 0;
  uint64_t op_overhead_ps = 0;         // fixed per-op costs summed (in the ops' latencies)
  uint64_t op_overhead_hidden_ps = 0;  // per-MAC-op costs a queued dispatch hid (overhead.queued_mac_dispatch)
  uint64_t per_run_ps = 0;             // fixed cost of the run (hw overhead.per_run), in no op
  uint64_t overhead_mac_ops = 0, overhead_vector_ops = 0;  // ops charged overhead.per_mac_op / per_vector_op
  uint64_t overhead_copy_ops = 0;                          // ops charged overhead.per_copy_op
  // Latency minus fixed costs, summed per Bound (kOverlapped ops add none): with
  // op_overhead_ps and per_run_ps it sums to the network latency.
  double time_by_bound_s[kNumBounds] = {};
  uint64_t sram_peak_bytes = 0;          // max over ops
  uint64_t prefetched_weight_bytes = 0;  // weights loaded during the previous op (cross-op prefetch)
  double utilization() const {
    return total.latency_s > 0 ? double(total.macs) / (peak_macs_per_s * total.latency_s) : 0;
  }
  // Appends another run on the same hardware and precision (sequential execution).
  void merge(const RunStats& o);
};

}  // namespace npusim::sim
