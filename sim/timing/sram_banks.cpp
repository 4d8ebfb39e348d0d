#include "sram_banks.h"

#include <algorithm>
#include <vector>

namespace npusim::sim::timing {

SramBanks::SramBanks(const arch::SramConfig& cfg)
    : banks_(std::max<uint32_t>(cfg.banks, 1)),
      ports_(std::max<uint32_t>(cfg.ports_per_bank, 1)),
      width_(std::max<uint64_t>(1, cfg.bytes_per_cycle / (uint64_t{banks_} * ports_))) {}

uint64_t SramBanks::cycles(std::span<const SramAccess> accesses) const {
  std::vector<uint64_t> words(banks_, 0);
  uint64_t total = 0;
  for (const SramAccess& a : accesses) {
    if (a.bytes == 0) continue;
    const uint64_t first = a.addr / width_, last = (a.addr + a.bytes - 1) / width_;
    const uint64_t n = last - first + 1;
    total += n;
    // Whole rounds over every bank, then the partial round.
    for (uint32_t b = 0; b < banks_; ++b) words[b] += n / banks_;
    for (uint64_t w = 0; w < n % banks_; ++w) ++words[(first + w) % banks_];
  }
  uint64_t busiest = *std::max_element(words.begin(), words.end());
  const uint64_t c = (busiest + ports_ - 1) / ports_;
  const uint64_t ideal = (total + uint64_t{banks_} * ports_ - 1) / (uint64_t{banks_} * ports_);
  conflict_cycles_ += c - ideal;
  return c;
}

uint64_t SramBanks::stream_cycles(uint64_t bytes) const {
  const uint64_t peak = width_ * banks_ * ports_;
  return (bytes + peak - 1) / peak;
}

}  // namespace npusim::sim::timing
