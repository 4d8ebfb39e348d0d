#pragma once
// Timing of one DRAM channel, plain C++ (no SystemC) so tests drive it directly. Requests are
// served first come, first served on one data bus:
//   start = max(now, bus free) [+ turnaround if the direction changed]
//   bus busy for bytes / bandwidth (bytes rounded up to bursts) [+ row misses, refreshes]
//   reads complete at bus end + access latency; writes are posted (complete at bus end).
// The "lpddr" model adds per-bank open rows (rows interleave over banks: bank = row % banks;
// each new row in a bank costs row_miss on the bus) and an all-bank refresh that blocks the
// bus for refresh_time at every multiple of refresh_interval and closes every row.
#include <cstdint>
#include <vector>

#include "arch/npu_config.h"

namespace npusim::sim::timing {

struct DramAccess {
  uint64_t start_ps = 0;    // bus starts moving data (after any turnaround)
  uint64_t bus_end_ps = 0;  // bus free again
  uint64_t done_ps = 0;     // data delivered (reads) or accepted (writes)
  uint64_t bytes = 0;       // burst-rounded
  uint32_t row_misses = 0;
  uint32_t refreshes = 0;
  bool turnaround = false;
};

class DramChannel {
 public:
  explicit DramChannel(const arch::DramConfig& cfg);
  // Serves `bytes` at `addr`, requested at `now_ps`; calls must come in non-decreasing now_ps.
  DramAccess access(uint64_t now_ps, uint64_t addr, uint64_t bytes, bool write);

  uint64_t free_ps() const { return free_ps_; }
  uint64_t busy_ps() const { return busy_ps_; }  // total bus occupancy so far
  uint64_t row_misses() const { return row_misses_; }
  uint64_t refreshes() const { return refreshes_; }
  uint64_t turnarounds() const { return turnarounds_; }

 private:
  const arch::DramConfig cfg_;  // a copy: callers may pass a temporary
  const bool lpddr_;
  const uint64_t latency_ps_, turnaround_ps_, row_miss_ps_, refresh_interval_ps_, refresh_ps_;
  uint64_t free_ps_ = 0, busy_ps_ = 0;
  int last_dir_ = -1;  // -1 none yet, 0 read, 1 write
  std::vector<int64_t> open_row_;
  uint64_t next_refresh_ps_ = 0;
  uint64_t row_misses_ = 0, refreshes_ = 0, turnarounds_ = 0;
};

}  // namespace npusim::sim::timing
