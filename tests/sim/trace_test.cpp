#include <doctest/doctest.h>

#include <limits>

#include "sim/timing/trace.h"

using npusim::sim::timing::Trace;
using npusim::sim::timing::TraceArgs;

TEST_CASE("trace: a span's args are a JSON object in the event, escaped, and none without args") {
  Trace t;
  const uint32_t ops = t.track("ops");
  // 1 500 000 ps = 1.5 us from 0; 2 us to 3 us with no args.
  t.span(ops, "conv", 0, 1500000,
         TraceArgs().add("kind", "conv2d").add("macs", uint64_t{1024}).add("latency_us", 1.5).add("mapping", "a\"b"));
  t.span(ops, "copy", 2000000, 3000000);
  const std::string j = t.json("p");
  CHECK(j.find(R"({"name":"conv","ph":"X","pid":1,"tid":1,"ts":0.000000,"dur":1.500000,)"
               R"("args":{"kind":"conv2d","macs":1024,"latency_us":1.5,"mapping":"a\"b"}})") != std::string::npos);
  CHECK(j.find(R"({"name":"copy","ph":"X","pid":1,"tid":1,"ts":2.000000,"dur":1.000000})") != std::string::npos);
}

TEST_CASE("trace: empty args, and a non-finite number written as 0") {
  CHECK(TraceArgs().json() == "");
  CHECK(TraceArgs().add("x", std::numeric_limits<double>::infinity()).json() == R"({"x":0})");
}
