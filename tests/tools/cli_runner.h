#pragma once
// Runs the npusim CLI in-process for the tools suites: exit code and both streams.
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace npusim::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliResult run_cli_capture(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.code = tools::run_cli(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace npusim::testing
