#pragma once
// Results of a run: plain structs with merge() and one visit() that lists every counter
// with its name, value, unit and meaning (STYLE.md rule 12). Values in base units:
// seconds, bytes, pJ, cycles.
#include <cstdint>
#include <string>
#include <vector>

namespace npusim::sim {

// What limits an op's latency.
enum class Bound : uint8_t { kCompute, kVector, kDram, kNone };
std::string_view bound_name(Bound b);

struct Counters {
  uint64_t macs = 0;
  uint64_t vector_elems = 0;
  uint64_t mac_cycles = 0;     // MAC-array busy cycles
  uint64_t vector_cycles = 0;  // vector-unit busy cycles
  double latency_s = 0;
  double mac_s = 0;
  double vector_s = 0;
  double dram_s = 0;
  uint64_t dram_read_weight_bytes = 0;
  uint64_t dram_read_activation_bytes = 0;
  uint64_t dram_read_kv_bytes = 0;
  uint64_t dram_write_bytes = 0;
  uint64_t sram_read_bytes = 0;
  uint64_t sram_write_bytes = 0;
  double energy_mac_pj = 0;
  double energy_vector_pj = 0;
  double energy_sram_pj = 0;
  double energy_dram_pj = 0;
  double energy_static_pj = 0;

  uint64_t dram_read_bytes() const { return dram_read_weight_bytes + dram_read_activation_bytes + dram_read_kv_bytes; }
  uint64_t dram_bytes() const { return dram_read_bytes() + dram_write_bytes; }
  double energy_pj() const { return energy_mac_pj + energy_vector_pj + energy_sram_pj + energy_dram_pj + energy_static_pj; }
  void merge(const Counters& o);

  // f(name, value, unit, description) for every counter, in a fixed order.
  template <class F>
  void visit(F&& f) const {
    f("macs", double(macs), "MAC", "multiply-accumulates");
    f("vector_elems", double(vector_elems), "elem", "elements through the vector unit");
    f("mac_cycles", double(mac_cycles), "cycle", "MAC-array busy cycles");
    f("vector_cycles", double(vector_cycles), "cycle", "vector-unit busy cycles");
    f("latency", latency_s, "s", "wall time");
    f("mac_time", mac_s, "s", "MAC-array busy time");
    f("vector_time", vector_s, "s", "vector-unit busy time");
    f("dram_time", dram_s, "s", "DRAM busy time incl. access latency");
    f("dram_read_weight", double(dram_read_weight_bytes), "B", "DRAM bytes read: weights");
    f("dram_read_activation", double(dram_read_activation_bytes), "B", "DRAM bytes read: activations");
    f("dram_read_kv", double(dram_read_kv_bytes), "B", "DRAM bytes read: KV cache");
    f("dram_write", double(dram_write_bytes), "B", "DRAM bytes written");
    f("sram_read", double(sram_read_bytes), "B", "SRAM bytes read");
    f("sram_write", double(sram_write_bytes), "B", "SRAM bytes written");
    f("energy_mac", energy_mac_pj, "pJ", "MAC-array energy");
    f("energy_vector", energy_vector_pj, "pJ", "vector-unit energy");
    f("energy_sram", energy_sram_pj, "pJ", "SRAM access energy");
    f("energy_dram", energy_dram_pj, "pJ", "DRAM access energy");
    f("energy_static", energy_static_pj, "pJ", "static power x time");
    f("energy", energy_pj(), "pJ", "total energy");
  }
};

struct OpStats {
  std::string name;     // op name from the model hierarchy
  std::string kind;     // op kind ("conv2d", ...)
  std::string mapping;  // the mapping the mapper chose
  Bound bound = Bound::kNone;
  double utilization = 0;  // MACs / (peak MACs/s x latency)
  Counters c;
};

struct RunStats {
  std::vector<OpStats> ops;  // in execution order
  Counters total;
  double peak_macs_per_s = 0;                 // of the hardware at the run's precision
  double time_by_bound_s[4] = {0, 0, 0, 0};  // latency summed per Bound
  double utilization() const {
    return total.latency_s > 0 ? double(total.macs) / (peak_macs_per_s * total.latency_s) : 0;
  }
  // Appends another run on the same hardware and precision (sequential execution).
  void merge(const RunStats& o);
};

}  // namespace npusim::sim
