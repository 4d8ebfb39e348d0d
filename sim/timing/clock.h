#pragma once
// Integer time for the event engine (STYLE.md rule 9): picoseconds as uint64_t. Cycle counts
// convert with one rounding per conversion (to the nearest ps), never a rounded period times
// a count, so long runs at 750 MHz (1333.33 ps) do not drift.
#include <cmath>
#include <cstdint>

namespace npusim::sim::timing {

// ps of `cycles` at `frequency_hz`, rounded to the nearest ps.
inline uint64_t cycles_to_ps(uint64_t cycles, double frequency_hz) {
  return static_cast<uint64_t>(std::llround(static_cast<long double>(cycles) * 1e12L / frequency_hz));
}

// ps to move `bytes` at `bytes_per_s`, rounded up (a transfer is never faster than peak).
inline uint64_t bytes_to_ps(uint64_t bytes, double bytes_per_s) {
  return static_cast<uint64_t>(std::ceil(static_cast<long double>(bytes) * 1e12L / bytes_per_s - 1e-9L));
}

}  // namespace npusim::sim::timing
