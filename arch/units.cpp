#include "units.h"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace npusim::arch {

namespace {

struct Scale {
  std::string_view suffix;
  double factor;  // base units per one of this unit
};

// Columns: suffix, factor to the base unit. Order matters for formatting: largest first.
constexpr Scale kFrequency[] = {{"GHz", 1e9}, {"MHz", 1e6}, {"kHz", 1e3}, {"Hz", 1}};
constexpr Scale kBytes[] = {
    {"TiB", 1099511627776.0}, {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0}, {"B", 1}};
// Decimal units and B/s come first: formatting uses only those (kBandwidthDecimal).
constexpr Scale kBandwidth[] = {{"TB/s", 1e12},          {"GB/s", 1e9},        {"MB/s", 1e6},
                                {"kB/s", 1e3},           {"B/s", 1},           {"TiB/s", 1099511627776.0},
                                {"GiB/s", 1073741824.0}, {"MiB/s", 1048576.0}, {"KiB/s", 1024.0}};
constexpr size_t kBandwidthDecimal = 5;
constexpr Scale kTime[] = {{"s", 1e12}, {"ms", 1e9}, {"us", 1e6}, {"ns", 1e3}, {"ps", 1}};
constexpr Scale kEnergy[] = {{"J", 1e12}, {"mJ", 1e9}, {"uJ", 1e6}, {"nJ", 1e3}, {"pJ", 1}, {"fJ", 1e-3}};
constexpr Scale kPower[] = {{"kW", 1e6}, {"W", 1e3}, {"mW", 1}, {"uW", 1e-3}};
constexpr Scale kArea[] = {{"mm2", 1e6}, {"um2", 1}};
constexpr Scale kPowerDensity[] = {{"W/mm2", 1e3}, {"mW/mm2", 1}, {"uW/mm2", 1e-3}};
constexpr Scale kVoltage[] = {{"V", 1}, {"mV", 1e-3}};
// Columns: ambiguous size suffix, binary unit to suggest, its decimal reading in bytes.
struct Ambiguous {
  std::string_view suffix, binary;
  double decimal;
};
constexpr Ambiguous kAmbiguousSizes[] = {
    {"kB", "KiB", 1e3}, {"KB", "KiB", 1e3}, {"MB", "MiB", 1e6}, {"GB", "GiB", 1e9}, {"TB", "TiB", 1e12}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "12.5 GB/s" into number 12.5 and unit "GB/s". Returns the failure: invalid_argument
// if no number leads, result_out_of_range if it does not fit a double ("1e400").
std::errc split_number(std::string_view s, double& number, std::string_view& unit) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, number);
  if (ec == std::errc() && ptr == s.data()) return std::errc::invalid_argument;
  if (ec != std::errc()) return ec;
  unit = trim(std::string_view(ptr, end - ptr));
  return std::errc();
}

std::string suffix_list(const Scale* scales, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + std::string(scales[i].suffix);
  return out;
}

template <size_t N>
Parsed scaled(double number, std::string_view unit, const Scale (&scales)[N], std::string_view example) {
  if (unit.empty())
    return {0, "a unit is required (e.g. " + std::string(example) + "); units: " + suffix_list(scales, N)};
  for (const Scale& s : scales)
    if (s.suffix == unit) return {number * s.factor, ""};
  return {0, "unknown unit '" + std::string(unit) + "'; units: " + suffix_list(scales, N)};
}

// Energy per data: "<energy>/B", "<energy>/byte" or "<energy>/bit"; result in pJ per `per_bits` bits.
Parsed energy_per_data(double number, std::string_view unit, double per_bits) {
  auto slash = unit.find('/');
  if (unit.empty()) return {0, "a unit is required (e.g. 0.5pJ/B or 4pJ/bit)"};
  if (slash == std::string_view::npos) return {0, "unknown unit '" + std::string(unit) + "'; write pJ/B or pJ/bit"};
  std::string_view denom = unit.substr(slash + 1);
  double bits = denom == "bit" ? 1 : (denom == "B" || denom == "byte") ? 8 : 0;
  if (bits == 0) return {0, "unknown unit '" + std::string(unit) + "'; write pJ/B or pJ/bit"};
  Parsed e = scaled(number, unit.substr(0, slash), kEnergy, "0.5pJ/B");
  if (!e.error.empty()) return {0, "unknown unit '" + std::string(unit) + "'; write pJ/B or pJ/bit"};
  return {e.value / bits * per_bits, ""};
}

}  // namespace

std::string_view base_unit_name(Unit u) {
  switch (u) {
    case Unit::kFrequency:
      return "Hz";
    case Unit::kBytes:
      return "B";
    case Unit::kBandwidth:
      return "B/s";
    case Unit::kTime:
      return "ps";
    case Unit::kEnergy:
      return "pJ";
    case Unit::kEnergyPerByte:
      return "pJ/B";
    case Unit::kEnergyPerBit:
      return "pJ/bit";
    case Unit::kPower:
      return "mW";
    case Unit::kArea:
      return "um2";
    case Unit::kPowerDensity:
      return "mW/mm2";
    case Unit::kVoltage:
      return "V";
    default:
      return "";
  }
}

std::string_view unit_kind_name(Unit u) {
  switch (u) {
    case Unit::kFrequency:
      return "frequency";
    case Unit::kBytes:
      return "size";
    case Unit::kBandwidth:
      return "bandwidth";
    case Unit::kTime:
      return "time";
    case Unit::kEnergy:
      return "energy";
    case Unit::kEnergyPerByte:
      return "energy/data";
    case Unit::kEnergyPerBit:
      return "energy/data";
    case Unit::kPower:
      return "power";
    case Unit::kArea:
      return "area";
    case Unit::kPowerDensity:
      return "power density";
    case Unit::kVoltage:
      return "voltage";
    case Unit::kCount:
      return "integer";
    case Unit::kRatio:
      return "number";
    case Unit::kBool:
      return "bool";
    case Unit::kText:
      return "text";
    case Unit::kDataflowList:
      return "list";
  }
  return "";
}

Parsed parse_quantity(std::string_view text, Unit u) {
  std::string_view s = trim(text);
  if (s.empty()) return {0, "a value is required"};
  double number = 0;
  std::string_view unit;
  std::errc ec = split_number(s, number, unit);
  if (ec == std::errc::result_out_of_range) return {0, "the number is out of range"};
  if (ec != std::errc()) return {0, "expected a number" + std::string(u <= Unit::kVoltage ? " with a unit" : "")};
  if (!std::isfinite(number)) return {0, "the number is not finite"};
  Parsed r;
  switch (u) {
    case Unit::kFrequency:
      r = scaled(number, unit, kFrequency, "750MHz");
      break;
    case Unit::kBytes:
      for (const Ambiguous& a : kAmbiguousSizes)
        if (unit == a.suffix)
          return {0, "ambiguous unit, write " + format_number(number) + std::string(a.binary) + " or " +
                         format_number(number * a.decimal) + "B"};
      r = scaled(number, unit, kBytes, "7MiB");
      if (r.error.empty() && r.value != std::floor(r.value)) return {0, "a size must be a whole number of bytes"};
      break;
    case Unit::kBandwidth:
      r = scaled(number, unit, kBandwidth, "12GB/s");
      break;
    case Unit::kTime:
      r = scaled(number, unit, kTime, "100ns");
      break;
    case Unit::kEnergy:
      r = scaled(number, unit, kEnergy, "0.2pJ");
      break;
    case Unit::kEnergyPerByte:
      r = energy_per_data(number, unit, 8);
      break;
    case Unit::kEnergyPerBit:
      r = energy_per_data(number, unit, 1);
      break;
    case Unit::kPower:
      r = scaled(number, unit, kPower, "200mW");
      break;
    case Unit::kArea:
      r = scaled(number, unit, kArea, "0.021um2");
      break;
    case Unit::kPowerDensity:
      r = scaled(number, unit, kPowerDensity, "20mW/mm2");
      break;
    case Unit::kVoltage:
      r = scaled(number, unit, kVoltage, "0.75V");
      break;
    case Unit::kCount:
      if (!unit.empty()) return {0, "expected a plain integer without a unit"};
      if (number != std::floor(number)) return {0, "expected an integer"};
      r = {number, ""};
      break;
    case Unit::kRatio:
      if (!unit.empty()) return {0, "expected a plain number without a unit"};
      r = {number, ""};
      break;
    default:
      return {0, "not a numeric key"};
  }
  if (r.error.empty() && !std::isfinite(r.value)) return {0, "the value is not finite"};
  return r;
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::array<char, 64> buf;
  auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), ptr);
}

std::string format_quantity(double value, Unit u) {
  auto pick = [&](const Scale* scales, size_t n, bool exact_only) -> std::string {
    for (size_t i = 0; i < n; ++i) {
      double x = value / scales[i].factor;
      bool exact = x * scales[i].factor == value;
      if (std::fabs(x) >= 1 && (!exact_only || x == std::floor(x)) && exact)
        return format_number(x) + std::string(scales[i].suffix);
    }
    // No unit gives an exact number >= 1: fall back to the base unit (factor 1), exact by definition.
    for (size_t i = 0; i < n; ++i)
      if (scales[i].factor == 1) return format_number(value) + std::string(scales[i].suffix);
    return format_number(value / scales[n - 1].factor) + std::string(scales[n - 1].suffix);
  };
  switch (u) {
    case Unit::kFrequency:
      return pick(kFrequency, std::size(kFrequency), false);
    case Unit::kBytes:
      return pick(kBytes, std::size(kBytes), true);
    case Unit::kBandwidth:
      return pick(kBandwidth, kBandwidthDecimal, false);
    case Unit::kTime:
      return pick(kTime, std::size(kTime), false);
    case Unit::kEnergy:
      return format_number(value) + "pJ";
    case Unit::kEnergyPerByte:
      return format_number(value) + "pJ/B";
    case Unit::kEnergyPerBit:
      return format_number(value) + "pJ/bit";
    case Unit::kPower:
      return pick(kPower, std::size(kPower), false);
    case Unit::kArea:
      return pick(kArea, std::size(kArea), false);
    case Unit::kPowerDensity:
      return pick(kPowerDensity, std::size(kPowerDensity), false);
    case Unit::kVoltage:
      return pick(kVoltage, std::size(kVoltage), false);
    default:
      return format_number(value);
  }
}

}  // namespace npusim::arch
