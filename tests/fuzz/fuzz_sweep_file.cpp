// Fuzz target: the sweep-file parser (axes, ranges, compound axes, grid/zip) and the point
// expansion it feeds. Input: the sweep file's YAML text.
#include <algorithm>

#include "fuzz_util.h"
#include "sim/sweep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  fuzz::expect_user_error([&] {
    const sim::SweepSpec spec =
        sim::parse_sweep_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml", ".");
    const uint64_t n = spec.num_points();
    // The first points, and the last, exercise every axis's expansion without running them.
    for (uint64_t i = 0; i < std::min<uint64_t>(n, 4); ++i) sim::sweep_point(spec, i);
    if (n > 0) sim::sweep_point(spec, n - 1);
  });
  return 0;
}
