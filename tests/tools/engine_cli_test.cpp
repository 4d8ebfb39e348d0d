// --engine and --trace on run and compare.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cli_runner.h"
#include "test_util.h"

using npusim::testing::run_cli_capture;

TEST_CASE("run --engine systemc reports the engine and the same shape of results") {
  auto a = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--json"});
  auto s = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--json", "--engine", "systemc"});
  REQUIRE(a.code == 0);
  REQUIRE(s.code == 0);
  CHECK(a.out.find("\"engine\": \"analytic\"") != std::string::npos);
  CHECK(s.out.find("\"engine\": \"systemc\"") != std::string::npos);
  // Nothing but the JSON on stdout (no SystemC banner).
  CHECK(s.out.rfind("{", 0) == 0);
  auto t = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "systemc"});
  CHECK(t.out.find("engine systemc") != std::string::npos);
}

TEST_CASE("compare --engine systemc runs every strategy through the event engine") {
  auto r = run_cli_capture({"compare", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "systemc"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("systemc") != std::string::npos);
}

TEST_CASE("--engine and --trace errors exit 2 naming the flag") {
  auto r = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "verilator"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--engine verilator: unknown engine; valid: analytic, systemc") != std::string::npos);
  r = run_cli_capture({"compare", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "x"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--engine x") != std::string::npos);
  r = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--trace", "t.json"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--trace t.json: needs --engine systemc") != std::string::npos);
  r = run_cli_capture(
      {"run", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "systemc", "--trace", "/no/such/dir/t.json"});
  CHECK(r.code == 2);
  CHECK(
      r.err.find("--trace /no/such/dir/t.json: cannot create a temporary file beside it: No such file or directory") !=
      std::string::npos);
}

TEST_CASE("run --trace writes a trace-event timeline") {
  npusim::testing::TempDir dir;
  const std::string path = dir.path("t.json");
  auto r =
      run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--engine", "systemc", "--trace", path});
  REQUIRE(r.code == 0);
  const std::string j = npusim::testing::read_file(path);
  CHECK(j.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", 0) == 0);
  for (const char* track : {"\"DRAM\"", "\"DMA ch0\"", "\"MAC array\"", "\"vector unit\"", "\"ops\""})
    CHECK(j.find(track) != std::string::npos);
  CHECK(j.find("\"ph\":\"X\"") != std::string::npos);
}
