#pragma once
// The npusim command line. Subcommands only parse flags and call the façade and writers.
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace npusim::tools {

// Exit codes: 0 success, 2 bad input (flags, configs, models), 1 unexpected failure.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// An error message fit for a terminal: control characters and invalid UTF-8 escaped, and at
// most 60 lines, then a count of the rest.
std::string safe_message(std::string_view what);

// Runs the CLI with args (without argv[0]); output to `out`, messages to `err`.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace npusim::tools
