#include <doctest/doctest.h>

#include "sim/run_stats.h"

using npusim::sim::Counters;

TEST_CASE("merge sums every counter that visit reports") {
  Counters a, b;
  int n = 0;
  Counters::for_each_field([&](auto member, std::string_view, std::string_view, std::string_view) {
    ++n;
    a.*member = 1;
    b.*member = 2;
  });
  a.merge(b);
  int visited = 0;
  a.visit([&](std::string_view name, double v, std::string_view, std::string_view) {
    ++visited;
    if (name != "energy") CHECK_MESSAGE(v == 3, name);
  });
  CHECK(visited == n + 1);     // the stored counters plus the energy total
  CHECK(a.energy_pj() == 15);  // five energy components, each 1 + 2
}
