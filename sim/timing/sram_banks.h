#pragma once
// Timing of the banked SRAM, plain C++. Each bank has `ports_per_bank` ports, each moving
// width = bytes_per_cycle / (banks x ports_per_bank) bytes per cycle (at least 1); words of
// that width interleave over banks (bank = addr / width % banks). Accesses issued together
// take as many cycles as the busiest bank needs: ceil(words in that bank / ports_per_bank).
// Two accesses to the same bank in one cycle is a bank conflict and costs a cycle more.
#include <cstdint>
#include <span>

#include "arch/npu_config.h"

namespace npusim::sim::timing {

struct SramAccess {
  uint64_t addr = 0;
  uint64_t bytes = 0;
};

class SramBanks {
 public:
  explicit SramBanks(const arch::SramConfig& cfg);
  uint32_t bank_of(uint64_t addr) const { return static_cast<uint32_t>(addr / width_ % banks_); }
  uint64_t word_bytes() const { return width_; }
  // Cycles to serve `accesses` issued in the same cycle.
  uint64_t cycles(std::span<const SramAccess> accesses) const;
  // Cycles of `bytes` streamed over every bank evenly (a tile's operands): ceil(bytes / peak).
  uint64_t stream_cycles(uint64_t bytes) const;
  uint64_t conflict_cycles() const { return conflict_cycles_; }

 private:
  uint32_t banks_, ports_;
  uint64_t width_;
  mutable uint64_t conflict_cycles_ = 0;  // cycles beyond the conflict-free minimum, summed
};

}  // namespace npusim::sim::timing
