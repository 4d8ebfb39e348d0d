#pragma once
// The npusim subcommands. Each takes the full argument list (args[0] is the command name)
// and writes its result to `out`; bad input throws UserError (exit code 2).
#include <iosfwd>
#include <string>
#include <vector>

namespace npusim::tools {

using CommandArgs = std::vector<std::string>;

// cli.cpp
int cmd_run(const CommandArgs& args, std::ostream& out);
int cmd_compare(const CommandArgs& args, std::ostream& out);
int cmd_config(const CommandArgs& args, std::ostream& out);
int cmd_models(const CommandArgs& args, std::ostream& out);
int cmd_graph(const CommandArgs& args, std::ostream& out);
int cmd_verify(const CommandArgs& args, std::ostream& out);
// cmd_crosscheck.cpp
int cmd_crosscheck(const CommandArgs& args, std::ostream& out);
// cmd_calibrate.cpp
int cmd_calibrate(const CommandArgs& args, std::ostream& out);
class Flags;
int crosscheck_corpus_command(const Flags& f, std::ostream& out);  // crosscheck --corpus

// cmd_sweep.cpp
int cmd_sweep(const CommandArgs& args, std::ostream& out);
int cmd_merge(const CommandArgs& args, std::ostream& out);

// cmd_report.cpp
int cmd_report(const CommandArgs& args, std::ostream& out);

}  // namespace npusim::tools
