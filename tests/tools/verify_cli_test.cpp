// `npusim verify`: the functional check over strategies and dataflows, from the command line.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

using npusim::testing::contains;

namespace {

using Result = npusim::testing::CliResult;

Result verify(std::vector<std::string> args) {
  args.insert(args.begin(), "verify");
  return npusim::testing::run_cli_capture(args);
}

}  // namespace

TEST_CASE("npusim verify passes tiny-block on tiny-test for every strategy and dataflow") {
  Result r = verify({"--hw", "tiny-test", "--model", "tiny-block"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "strategy  dataflow            MAC ops  numeric  coverage  failed\n"));
  // 3 strategies x 3 dataflows, each with all 8 MAC ops checked numerically (and by the proof).
  CHECK(contains(r.out, "offchip   weight_stationary         8        8         0       0\n"));
  CHECK(contains(r.out, "fused     input_stationary          8        8         0       0\n"));
  CHECK(contains(r.out, "8 MAC ops: 8 numerically, 0 by coverage, 0 failed (each under 9 mappings)\n"));
  CHECK(contains(r.out, "every MAC op passes"));
}

TEST_CASE("npusim verify: one strategy, a MAC limit, the op list, and bad flags") {
  // conv1 and conv2 have 64 x 64 x 9 x 256 = 9437184 MACs; the others at most 4194304.
  Result r =
      verify({"--hw", "tiny-test", "--model", "tiny-block", "--strategy", "onchip", "--max-macs", "5000000", "--ops"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "onchip    output_stationary         8        6         2       0\n"));
  CHECK(contains(r.out, "8 MAC ops: 6 numerically, 2 by coverage, 0 failed (each under 3 mappings)\n"));
  CHECK_FALSE(contains(r.out, "offchip"));
  // --ops: one line per op and mapping, naming the method.
  CHECK(contains(r.out, "strategy  dataflow                      MACs  method      tiles      folds  result  op\n"));
  CHECK(contains(r.out, "onchip    output_stationary          9437184  coverage "));
  CHECK(contains(r.out, "  pass  conv1\n"));
  Result bad = verify({"--hw", "tiny-test", "--model", "tiny-block", "--max-macs", "lots"});
  CHECK(bad.code == 2);
  CHECK(contains(bad.err, "--max-macs lots: expected a whole number"));
  Result strat = verify({"--hw", "tiny-test", "--model", "tiny-block", "--strategy", "best"});
  CHECK(strat.code == 2);
  CHECK(contains(verify({"--help"}).out, "usage: npusim verify"));
}
