#pragma once
// Overflow-checked unsigned arithmetic for shapes, MACs and bytes. The callers turn a
// failure into a UserError that names the offending field.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "npusim/error.h"

namespace npusim {

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// ceil(a / b) for b > 0.
constexpr uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

// `v` (already rounded as the caller wants) as a uint64_t count of cycles, ps or bytes. NaN, a
// negative value or one of 2^64 or more is a UserError naming `what`: a cast would wrap or be
// undefined behaviour, and a wrapped cycle count reads as a faster run.
inline uint64_t checked_count(long double v, std::string_view what) {
  if (v >= 0.0L && v < 18446744073709551616.0L) return static_cast<uint64_t>(v);
  char text[40];
  std::snprintf(text, sizeof text, "%.4Lg", v);
  throw UserError(std::string(what) + " = " + text +
                  " does not fit in 64 bits (a rate, clock or bandwidth far too low, or an op far too large?)");
}

// The same for a double: no x87 arithmetic, for hot loops (the mapper's fold count).
inline uint64_t checked_count(double v, std::string_view what) {
  if (v >= 0.0 && v < 18446744073709551616.0) return static_cast<uint64_t>(v);
  return checked_count(static_cast<long double>(v), what);
}

// a * b, or a UserError naming `what` when the product does not fit in 64 bits.
inline uint64_t checked_product(uint64_t a, uint64_t b, std::string_view what) {
  if (auto r = checked_mul(a, b)) return *r;
  return checked_count(static_cast<long double>(a) * static_cast<long double>(b), what);
}

}  // namespace npusim
