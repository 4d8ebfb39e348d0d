#pragma once
// Flag parsing and the model/hardware loading every npusim subcommand shares. Each command
// lives in its own file (cli.cpp, cmd_*.cpp) and is listed in commands.h.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arch/npu_config.h"
#include "sim/sweep.h"
#include "workloads/model_registry.h"
#include "workloads/tensor.h"

namespace npusim::tools {

// Flags of one subcommand: name -> takes a value; repeatable ones collect every value.
struct FlagSpec {
  std::string name;
  bool takes_value;
  bool repeatable;
};

class Flags {
 public:
  std::map<std::string, std::vector<std::string>> values;
  bool has(const std::string& f) const { return values.count(f) > 0; }
  std::string get(const std::string& f) const { return has(f) ? values.at(f).back() : ""; }
  std::vector<std::string> all(const std::string& f) const {
    return has(f) ? values.at(f) : std::vector<std::string>{};
  }
};

// Parses args[start..] against specs; an unknown, repeated or valueless flag is a UserError
// naming `command`.
Flags parse_flags(const std::vector<std::string>& args, size_t start, const std::vector<FlagSpec>& specs,
                  const std::string& command);

// `text` as a whole number of at most `max_digits` digits (so it fits 64 bits), if it is one.
std::optional<uint64_t> whole_number(const std::string& text, size_t max_digits);

// The flags that choose and size a model, read by model_options(); every command that loads
// a model takes them.
std::vector<FlagSpec> with_model_flags(std::vector<FlagSpec> specs);

// $NPUSIM_CONFIG_DIR, else the source tree's configs/.
std::string config_root();
std::vector<std::string> hw_dirs();
std::vector<std::string> model_dirs();

std::optional<workloads::PrecisionSpec> precision_flag(const Flags& f);

// --model, --precision and every --dim NAME=VALUE of a command.
workloads::ModelOptions model_options(const Flags& f);

// --hw with every --set applied, then `extra` overrides ("key=value"); `command` names the
// subcommand in the error.
// `hw_name` (one of a --hw list) instead of --hw when given.
arch::NpuConfig load_hw(const Flags& f, const std::string& command, const std::vector<std::string>& extra = {},
                        const std::string& hw_name = "");
// Refuses a calibrated_on entry that names no network role and no model (it matched nothing, silently).
void check_calibrated_on(const arch::NpuConfig& hw);

// "a,b,c" -> {"a", "b", "c"}; empty items are kept, so the caller's check rejects them.
std::vector<std::string> comma_list(const std::string& text);

// Each model of a sweep built once (spec's dims and precision), shared read-only by its points.
std::map<std::string, workloads::Workload> load_sweep_workloads(const sim::SweepSpec& spec);

}  // namespace npusim::tools
