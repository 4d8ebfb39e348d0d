#include "dram_channel.h"

#include <algorithm>
#include <cmath>

#include "clock.h"

namespace npusim::sim::timing {

namespace {
uint64_t ps(double v) { return static_cast<uint64_t>(std::llround(v)); }
}  // namespace

DramChannel::DramChannel(const arch::DramConfig& cfg)
    : cfg_(cfg),
      lpddr_(cfg.model == "lpddr"),
      latency_ps_(ps(cfg.latency_ps)),
      turnaround_ps_(ps(cfg.turnaround_ps)),
      row_miss_ps_(ps(cfg.row_miss_ps)),
      refresh_interval_ps_(lpddr_ ? ps(cfg.refresh_interval_ps) : 0),
      refresh_ps_(ps(cfg.refresh_ps)),
      open_row_(lpddr_ ? cfg.banks : 0, -1),
      next_refresh_ps_(refresh_interval_ps_) {}

DramAccess DramChannel::access(uint64_t now_ps, uint64_t addr, uint64_t bytes, bool write) {
  DramAccess a;
  const uint64_t burst = std::max<uint64_t>(cfg_.burst_bytes, 1);
  a.bytes = (bytes + burst - 1) / burst * burst;
  uint64_t t = std::max(now_ps, free_ps_);
  const int dir = write ? 1 : 0;
  if (a.bytes == 0) {
    a.start_ps = a.bus_end_ps = a.done_ps = t;
    return a;
  }
  if (last_dir_ >= 0 && last_dir_ != dir && turnaround_ps_ > 0) {
    t += turnaround_ps_;
    a.turnaround = true;
    ++turnarounds_;
  }
  last_dir_ = dir;
  uint64_t occupy = bytes_to_ps(a.bytes, cfg_.bandwidth_bytes_per_s);
  if (lpddr_) {
    // Refreshes due before the transfer starts close every row; one in progress delays it.
    while (refresh_interval_ps_ > 0 && next_refresh_ps_ <= t) {
      t = std::max(t, next_refresh_ps_ + refresh_ps_);
      std::fill(open_row_.begin(), open_row_.end(), -1);
      next_refresh_ps_ += refresh_interval_ps_;
    }
    const uint64_t row_bytes = std::max<uint64_t>(cfg_.row_bytes, 1);
    for (uint64_t row = addr / row_bytes; row <= (addr + a.bytes - 1) / row_bytes; ++row) {
      int64_t& open = open_row_[row % open_row_.size()];
      if (open != static_cast<int64_t>(row)) {
        open = static_cast<int64_t>(row);
        ++a.row_misses;
      }
    }
    occupy += a.row_misses * row_miss_ps_;
  }
  a.start_ps = t;
  uint64_t end = t + occupy;
  // Refreshes falling inside the transfer stall the bus for refresh_time each.
  while (refresh_interval_ps_ > 0 && next_refresh_ps_ < end) {
    end += refresh_ps_;
    ++a.refreshes;
    next_refresh_ps_ += refresh_interval_ps_;
  }
  a.bus_end_ps = end;
  a.done_ps = write ? end : end + latency_ps_;
  busy_ps_ += end - t;
  free_ps_ = end;
  row_misses_ += a.row_misses;
  refreshes_ += a.refreshes;
  return a;
}

}  // namespace npusim::sim::timing
