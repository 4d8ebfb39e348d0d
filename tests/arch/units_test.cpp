#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "arch/units.h"

using namespace npusim::arch;

namespace {

// The value of a text that must parse; fails the test with the parser's rule otherwise.
double value_of(const std::string& text, Unit u) {
  Parsed p = parse_quantity(text, u);
  INFO("text: ", text, "  error: ", p.error);
  CHECK(p.error.empty());
  return p.value;
}

std::string error_of(const std::string& text, Unit u) {
  Parsed p = parse_quantity(text, u);
  INFO("text: ", text);
  CHECK_FALSE(p.error.empty());
  return p.error;
}

void check_values(Unit u, const std::vector<std::pair<std::string, double>>& cases) {
  for (const auto& [text, expected] : cases) {
    INFO("text: ", text);
    CHECK(value_of(text, u) == expected);
  }
}

}  // namespace

TEST_CASE("parse_quantity: every frequency unit, in Hz") {
  check_values(Unit::kFrequency, {{"2GHz", 2e9}, {"750MHz", 750e6}, {"3kHz", 3e3}, {"5Hz", 5}, {"1.5GHz", 1.5e9}});
}

TEST_CASE("parse_quantity: every size unit, in bytes (binary prefixes only)") {
  // 1 TiB = 2^40, 1 GiB = 2^30, 1 MiB = 2^20, 1 KiB = 2^10.
  check_values(Unit::kBytes, {{"1TiB", 1099511627776.0},
                              {"2GiB", 2147483648.0},
                              {"7MiB", 7340032.0},
                              {"3KiB", 3072},
                              {"100B", 100},
                              {"0.5KiB", 512},
                              {"0B", 0}});
}

TEST_CASE("parse_quantity: every bandwidth unit, in B/s (decimal and binary prefixes)") {
  check_values(Unit::kBandwidth, {{"1TB/s", 1e12},
                                  {"12GB/s", 12e9},
                                  {"5MB/s", 5e6},
                                  {"3kB/s", 3e3},
                                  {"1TiB/s", 1099511627776.0},
                                  {"2GiB/s", 2147483648.0},
                                  {"1MiB/s", 1048576.0},
                                  {"4KiB/s", 4096},
                                  {"7B/s", 7}});
}

TEST_CASE("parse_quantity: every time unit, in ps") {
  check_values(Unit::kTime, {{"1s", 1e12}, {"2ms", 2e9}, {"3us", 3e6}, {"100ns", 1e5}, {"5ps", 5}});
}

TEST_CASE("parse_quantity: every energy unit, in pJ") {
  // fJ is 1e-3 pJ: 500 * 1e-3 rounds to exactly 0.5.
  check_values(Unit::kEnergy,
               {{"1J", 1e12}, {"2mJ", 2e9}, {"3uJ", 3e6}, {"4nJ", 4e3}, {"0.17pJ", 0.17}, {"500fJ", 0.5}});
}

TEST_CASE("parse_quantity: energy per data converts /bit and /B by a factor of 8 both ways") {
  SUBCASE("stored per byte") {
    check_values(Unit::kEnergyPerByte, {{"1pJ/B", 1},
                                        {"1.2pJ/byte", 1.2},
                                        {"1pJ/bit", 8},     // 8 bits per byte
                                        {"0.5pJ/bit", 4},   // 0.5 * 8
                                        {"2nJ/B", 2000},    // 1 nJ = 1000 pJ
                                        {"4000fJ/B", 4}});  // 4000 * 1e-3
  }
  SUBCASE("stored per bit") {
    check_values(Unit::kEnergyPerBit, {{"6pJ/bit", 6},
                                       {"8pJ/B", 1},  // 8 pJ per 8 bits
                                       {"8pJ/byte", 1},
                                       {"1pJ/B", 0.125},  // 1 / 8, exact in binary
                                       {"1nJ/bit", 1000}});
  }
  SUBCASE("the two dimensions agree") {
    for (double x : {0.1, 0.17, 1.0, 6.0, 13.5}) {
      std::string per_bit = format_number(x) + "pJ/bit", per_byte = format_number(x) + "pJ/B";
      CHECK(value_of(per_bit, Unit::kEnergyPerByte) == x * 8);
      CHECK(value_of(per_byte, Unit::kEnergyPerBit) == x / 8);
    }
  }
}

TEST_CASE("parse_quantity: every power unit, in mW") {
  check_values(Unit::kPower, {{"1kW", 1e6}, {"2W", 2e3}, {"150mW", 150}, {"500uW", 0.5}});
}

TEST_CASE("parse_quantity: plain counts and ratios") {
  check_values(Unit::kCount, {{"64", 64}, {"0", 0}, {"65536", 65536}, {"1e3", 1000}});
  check_values(Unit::kRatio, {{"0.5", 0.5}, {"3", 3}, {"0.25", 0.25}, {"-2", -2}, {"1e-3", 1e-3}});
}

TEST_CASE("parse_quantity: whitespace and scientific notation") {
  CHECK(value_of("750 MHz", Unit::kFrequency) == 750e6);
  CHECK(value_of("  750MHz\t", Unit::kFrequency) == 750e6);
  CHECK(value_of("1e3MHz", Unit::kFrequency) == 1e9);
  CHECK(value_of("1.2e1 GB/s", Unit::kBandwidth) == 12e9);
  CHECK(value_of("7e0MiB", Unit::kBytes) == 7340032.0);
  CHECK(value_of("1e-1pJ", Unit::kEnergy) == 0.1);
}

TEST_CASE("parse_quantity: errors") {
  SUBCASE("empty") {
    CHECK(error_of("", Unit::kFrequency) == "a value is required");
    CHECK(error_of("   ", Unit::kCount) == "a value is required");
  }
  SUBCASE("no number") {
    CHECK(error_of("MHz", Unit::kFrequency) == "expected a number with a unit");
    CHECK(error_of("abc", Unit::kCount) == "expected a number");
  }
  SUBCASE("a bare number where a unit is required") {
    for (Unit u : {Unit::kFrequency, Unit::kBytes, Unit::kBandwidth, Unit::kTime, Unit::kEnergy, Unit::kEnergyPerByte,
                   Unit::kEnergyPerBit, Unit::kPower}) {
      std::string e = error_of("750", u);
      CHECK(e.find("a unit is required") != std::string::npos);
    }
    CHECK(error_of("750", Unit::kFrequency) == "a unit is required (e.g. 750MHz); units: GHz, MHz, kHz, Hz");
  }
  SUBCASE("unknown unit") {
    CHECK(error_of("750MHZ", Unit::kFrequency) == "unknown unit 'MHZ'; units: GHz, MHz, kHz, Hz");
    CHECK(error_of("7Mib", Unit::kBytes) == "unknown unit 'Mib'; units: TiB, GiB, MiB, KiB, B");
    CHECK(error_of("12Gb/s", Unit::kBandwidth) ==
          "unknown unit 'Gb/s'; units: TB/s, GB/s, MB/s, kB/s, B/s, TiB/s, GiB/s, MiB/s, KiB/s");
    CHECK(error_of("100sec", Unit::kTime) == "unknown unit 'sec'; units: s, ms, us, ns, ps");
    CHECK(error_of("1kJ", Unit::kEnergy) == "unknown unit 'kJ'; units: J, mJ, uJ, nJ, pJ, fJ");
    CHECK(error_of("1pJ/word", Unit::kEnergyPerByte) == "unknown unit 'pJ/word'; write pJ/B or pJ/bit");
    CHECK(error_of("1xJ/B", Unit::kEnergyPerBit) == "unknown unit 'xJ/B'; write pJ/B or pJ/bit");
    // An energy without "/data" is a unit, just the wrong one: saying "a unit is required" would mislead.
    CHECK(error_of("1pJ", Unit::kEnergyPerByte) == "unknown unit 'pJ'; write pJ/B or pJ/bit");
    CHECK(error_of("1MW", Unit::kPower) == "unknown unit 'MW'; units: kW, W, mW, uW");
  }
  SUBCASE("ambiguous decimal sizes name both readings") {
    CHECK(error_of("7MB", Unit::kBytes) == "ambiguous unit, write 7MiB or 7000000B");
    CHECK(error_of("2kB", Unit::kBytes) == "ambiguous unit, write 2KiB or 2000B");
    CHECK(error_of("2KB", Unit::kBytes) == "ambiguous unit, write 2KiB or 2000B");
    CHECK(error_of("1.5GB", Unit::kBytes) == "ambiguous unit, write 1.5GiB or 1500000000B");
    CHECK(error_of("3TB", Unit::kBytes) == "ambiguous unit, write 3TiB or 3000000000000B");
    CHECK(error_of("7 MB", Unit::kBytes) == "ambiguous unit, write 7MiB or 7000000B");
  }
  SUBCASE("fractional bytes") {
    CHECK(error_of("1.5B", Unit::kBytes) == "a size must be a whole number of bytes");
    CHECK(error_of("0.1KiB", Unit::kBytes) == "a size must be a whole number of bytes");  // 102.4 B
  }
  SUBCASE("a unit on a plain number") {
    CHECK(error_of("64x", Unit::kCount) == "expected a plain integer without a unit");
    CHECK(error_of("64MHz", Unit::kCount) == "expected a plain integer without a unit");
    CHECK(error_of("0.5MHz", Unit::kRatio) == "expected a plain number without a unit");
  }
  SUBCASE("non-integer count") {
    CHECK(error_of("1.5", Unit::kCount) == "expected an integer");
    CHECK(error_of("1e-3", Unit::kCount) == "expected an integer");
  }
  SUBCASE("infinite and not-a-number") {
    CHECK(error_of("inf", Unit::kRatio) == "the number is not finite");
    CHECK(error_of("infMHz", Unit::kFrequency) == "the number is not finite");
    CHECK(error_of("nan", Unit::kCount) == "the number is not finite");
    CHECK(error_of("nanB", Unit::kBytes) == "the number is not finite");
    // Finite number, infinite value after scaling: 1e300 * 1e12 overflows a double.
    CHECK(error_of("1e300s", Unit::kTime) == "the value is not finite");
  }
  SUBCASE("a number beyond a double is out of range, not missing") {
    CHECK(error_of("1e400MHz", Unit::kFrequency) == "the number is out of range");
    CHECK(error_of("1e400", Unit::kCount) == "the number is out of range");
  }
  SUBCASE("non-numeric units are not parsed here") {
    CHECK(error_of("true", Unit::kBool) == "expected a number");
    CHECK(error_of("1", Unit::kBool) == "not a numeric key");
  }
}

TEST_CASE("format_quantity reads back to exactly the same value") {
  const std::vector<std::pair<Unit, std::vector<double>>> cases = {
      {Unit::kFrequency,
       {0, 0.5, 1, 1.5, 999, 1000, 750e6, 1e9, 1.2e9, 100e9, 1333.3333333333333, 123456789, 1e6 + 0.5}},
      {Unit::kBytes,
       {0, 1, 1023, 1024, 1536, 7340032, 7.5 * 1048576, 68719476736.0, 1099511627776.0, 3 * 1099511627776.0 + 1,
        9007199254740992.0, 1e18}},
      {Unit::kBandwidth, {0, 0.25, 1, 500, 999, 1024, 1e6, 12e9, 12.8e9, 1.5e9, 1073741824.0, 10e12, 123456.789, 1e15}},
      {Unit::kTime, {0, 0.1, 1, 1.5, 100e3, 1e9, 1e12, 123456.789, 3.6e15}},
      {Unit::kEnergy, {0, 0.1, 0.17, 1.1, 6, 1e12, 1e-3}},
      {Unit::kEnergyPerByte, {0, 0.125, 1, 1.2, 48, 1000}},
      {Unit::kEnergyPerBit, {0, 0.75, 6, 13.5, 1000}},
      {Unit::kPower, {0, 1e-3, 0.3, 0.5, 1, 150, 2500, 1e6, 1e6 + 0.1, 0.1234}},
      {Unit::kCount, {0, 1, 64, 65536, 4294967295.0}},
      {Unit::kRatio, {0, 0.5, 0.25, 3, 1e-9, 1000, 0.1}},
  };
  for (const auto& [u, values] : cases) {
    for (double v : values) {
      std::string text = format_quantity(v, u);
      Parsed p = parse_quantity(text, u);
      INFO("unit: ", unit_kind_name(u), "  value: ", format_number(v), "  text: ", text, "  error: ", p.error);
      CHECK(p.error.empty());
      CHECK(p.value == v);
    }
  }
}

TEST_CASE("format_quantity picks the largest readable unit") {
  CHECK(format_quantity(750e6, Unit::kFrequency) == "750MHz");
  CHECK(format_quantity(1e9, Unit::kFrequency) == "1GHz");
  CHECK(format_quantity(7340032, Unit::kBytes) == "7MiB");
  CHECK(format_quantity(1536, Unit::kBytes) == "1536B");  // 1.5 KiB is not a whole number of KiB
  CHECK(format_quantity(12e9, Unit::kBandwidth) == "12GB/s");
  CHECK(format_quantity(500, Unit::kBandwidth) == "500B/s");  // decimal units only, down to B/s
  CHECK(format_quantity(1e5, Unit::kTime) == "100ns");
  CHECK(format_quantity(150, Unit::kPower) == "150mW");
  CHECK(format_quantity(0.5, Unit::kPower) == "500uW");
  CHECK(format_quantity(0.17, Unit::kEnergy) == "0.17pJ");
  CHECK(format_quantity(6, Unit::kEnergyPerBit) == "6pJ/bit");
}

TEST_CASE("format_number is the shortest exact decimal") {
  CHECK(format_number(0.2) == "0.2");
  CHECK(format_number(64) == "64");
  CHECK(format_number(-3) == "-3");
  CHECK(format_number(1333.3333333333333) == "1333.3333333333333");
  CHECK(format_number(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
}
