#pragma once
// Quantities written with units in configs ("750MHz", "7MiB", "12GB/s", "0.2pJ").
// Each dimension has one base unit, used everywhere inside npusim:
//   frequency Hz, size bytes, bandwidth bytes/s (GB/s = 1e9 B/s), time ps, energy pJ,
//   energy per data pJ/byte or pJ/bit, power mW, area um^2, power density mW/mm^2,
//   voltage V. Counts and ratios are plain numbers.
#include <optional>
#include <string>
#include <string_view>

namespace npusim::arch {

enum class Unit : uint8_t {
  kFrequency,
  kBytes,
  kBandwidth,
  kTime,
  kEnergy,
  kEnergyPerByte,  // stored as pJ/byte; accepts /B, /byte or /bit
  kEnergyPerBit,   // stored as pJ/bit; accepts /B, /byte or /bit
  kPower,
  kArea,          // stored as um^2; written um2 or mm2
  kPowerDensity,  // stored as mW/mm^2; written uW/mm2, mW/mm2 or W/mm2
  kVoltage,       // stored as V; written mV or V
  kCount,         // a plain non-negative integer
  kRatio,         // a plain number
  kBool,
  kText,
  kDataflowList,
};

// Name of the base unit ("Hz", "B", "B/s", ...), or "" for plain numbers.
std::string_view base_unit_name(Unit u);
// Short human name of the dimension for --explain ("frequency", "size", ...).
std::string_view unit_kind_name(Unit u);

struct Parsed {
  double value = 0;   // in the base unit
  std::string error;  // the rule broken, empty on success
};

// Parses a number with a unit for dimension `u` (kFrequency .. kRatio). Plain numbers are
// rejected where a unit is required, units where a plain number is required; sizes in
// kB/MB/GB are rejected as ambiguous (write KiB/MiB/GiB or bytes).
Parsed parse_quantity(std::string_view text, Unit u);

// Shortest text that parse_quantity reads back to exactly `value` (round-trip exact),
// in the largest unit that keeps the number >= 1 (sizes: the largest exact binary unit).
std::string format_quantity(double value, Unit u);

// Shortest round-trip decimal text of a double ("0.2", "1333.3333333333333").
std::string format_number(double v);

}  // namespace npusim::arch
