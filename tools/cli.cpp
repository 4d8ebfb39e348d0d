#include "cli.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include "cli_common.h"
#include "commands.h"

#include "arch/config_loader.h"
#include "mappers/mapper.h"
#include "mappers/verify.h"
#include "npusim/file_io.h"
#include "npusim/text.h"
#include "reports/compare_report.h"
#include "reports/graph_report.h"
#include "reports/run_report.h"
#include "sim/simulator.h"
#include "sim/version.h"
#include "workloads/model_registry.h"
#include "workloads/workload.h"
#include "workloads/yaml_graph.h"

namespace npusim::tools {

namespace {

constexpr const char* kUsage = R"(usage: npusim <command> [options]

commands:
  run       map a model onto a hardware config and report latency, traffic and energy
  compare   run a model under several memory strategies and print them side by side
  config    print a hardware config fully resolved (--resolved) or every key (--explain)
  models    list built-in models and model files
  metrics   list every reported figure: key (with its unit), unit and meaning
  graph     print a model's layer graph, or the YAML graph ops (--explain-ops)
  verify    prove every MAC op's tile program covers its work once (small ops: also run on int8 data)
  crosscheck  set predictions against measured latencies (AI Hub perf.yaml or a layer CSV)
  calibrate   fit hardware keys jointly on a measured corpus, with leave-one-out errors
  sweep     run a sweep file's hardware x model x strategy points on all cores (JSON Lines)
  merge     join the result files of a sweep's shards
  report    turn runs and sweeps into report.md, report.html, CSVs and plots

  npusim --version      version and git commit
  npusim <command> --help

Configs are looked up in $NPUSIM_CONFIG_DIR (default: the source tree's configs/).
)";

constexpr const char* kRunUsage = R"(usage: npusim run --hw HW --model MODEL [options]

  --hw HW            hardware preset name (configs/hw/HW.yaml) or a YAML file
  --model MODEL      a pipeline (sd15), built-in model name (sd15-unet, llama3-8b, ...), model
                     name under configs/models/, or a file (.yaml, .json, .onnx, SCALE-Sim .csv)
  --precision P      w8a8 | w8a16 | w4a16 | fp16, with per-kind dtype overrides such as
                     w4a16,kv_cache=int8 (default: the model's own, else w8a8)
  --dim NAME=VALUE   a model size: batch, resolution (image px), text_tokens, prompt_tokens,
                     context, prefill_context (LLM prefill attending over a longer KV cache),
                     or an ONNX model's symbolic dim (repeatable); pipelines also
                     take steps, guidance=0|1 and cfg=batched|sequential (guidance branches
                     as one run at twice the batch, or two runs)
  --phase P          LLMs: prefill or decode only (default: both, with time to first token
                     and decode tokens/s)
  --allow-unknown-ops  ONNX: count unsupported ops as generic vector ops (said in the report)
  --max-ops N, --max-tensor-bytes N  refuse a model with more ops in one graph (default 200000)
                     or a larger tensor (default 1099511627776, 1 TiB)
  --set KEY=VALUE    override one hardware key, e.g. --set dram.bandwidth=24GB/s (repeatable)
  --strategy S       offchip | onchip | fused | best (default best: the fastest per network)
  --engine E         analytic (closed form, default) | systemc (event-driven TLM-2.0 reference)
  --trace FILE.json  with --engine systemc: write a Chrome/Perfetto trace-event timeline
                     (one track per unit, ops as spans; open in ui.perfetto.dev)
  --layers N|all     list the N slowest layers (default 30), or all of them
  --json             print the result as JSON instead of the text report
  --out DIR          also write DIR/layers.csv and DIR/summary.json
)";

constexpr const char* kModelsUsage = R"(usage: npusim models

  Lists the pipelines, built-in models and model files under the config directories, one line
  each: name, parameters (millions), MACs (10^9) of one run at its default dims, and that input.
)";

constexpr const char* kMetricsUsage = R"(usage: npusim metrics [--json]

  Lists every figure npusim reports (run JSON, sweep lines, compare, reports): its key, with the
  unit in the name, the unit and its meaning, and the headline figures of each workload kind.
  --json   the same as a JSON array of {key, unit, label, meaning}
)";

constexpr const char* kConfigUsage = R"(usage: npusim config [--hw HW [--set KEY=VALUE]...] (--resolved | --explain)

  --resolved   print HW with every key resolved (base chain, defaults, --set applied)
  --explain    list every hardware key with its unit, default, valid range and meaning
)";

constexpr const char* kGraphUsage =
    R"(usage: npusim graph (--model MODEL [--precision P] [--dim NAME=VALUE]... [--format F] | --explain-ops)

  --model MODEL   print every op of MODEL in topological order
  --format F      summary: output shape, MACs and tensor lifetimes per op (default)
                  csv:     per op params, MACs, vector elems, bytes read by tensor kind and written
                  json:    the same per op, with totals, inputs and provenance
                  dot:     a Graphviz digraph (ops as nodes, tensors as edges), e.g. | dot -Tsvg
  --explain-ops   list the ops of the YAML layer-graph format with their keys
)";

constexpr const char* kVerifyUsage = R"(usage: npusim verify --hw HW --model MODEL [options]

Maps MODEL under each strategy with each dataflow HW lists (one at a time) and checks every
MAC op's tile program. Every op gets the coverage proof: by index ranges per tile and fold,
every output receives every reduction index exactly once and every operand element a fold
reads was loaded by its tile. Ops of at most --max-macs MACs are also executed fold by fold
on random int8 data (int32 accumulation) and compared bit-exactly with a direct reference
("numeric"); the others are checked by the proof alone ("coverage"). Exit code 1 if any fails.

  --hw HW, --model MODEL, --precision P, --dim NAME=VALUE, --set KEY=VALUE   as for run
  --strategy S|all   offchip | onchip | fused | all (default all)
  --max-macs N       check ops of at most N MACs numerically too (default 16777216)
  --seed N           seed of the random operands (default 1)
  --ops              also list every MAC op: its MACs, method, tiles, folds and result
)";

}  // namespace

int cmd_run(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        with_model_flags({{"--hw", true, false},
                                          {"--set", true, true},
                                          {"--layers", true, false},
                                          {"--strategy", true, false},
                                          {"--engine", true, false},
                                          {"--trace", true, false},
                                          {"--json", false, false},
                                          {"--out", true, false},
                                          {"--help", false, false}}),
                        "run");
  if (f.has("--help")) {
    out << kRunUsage;
    return kExitOk;
  }
  reports::TextOptions text;
  if (f.has("--layers")) {
    std::string v = f.get("--layers");
    auto n = whole_number(v, 6);
    if (v == "all")
      text.max_layers = 0;
    else if (n && *n > 0)
      text.max_layers = *n;
    else
      throw UserError("--layers " + v + ": expected a positive number or 'all'");
  }
  if (!f.has("--model")) throw UserError("npusim run: --model is required (see npusim models)");
  arch::NpuConfig hw = load_hw(f, "run");
  const std::string strategy = f.has("--strategy") ? f.get("--strategy") : sim::kDefaultStrategy;
  sim::check_strategy(strategy, "--strategy " + strategy);
  sim::RunOptions run_opts;
  run_opts.engine = f.has("--engine") ? f.get("--engine") : sim::kDefaultEngine;
  sim::check_engine(run_opts.engine, "--engine " + run_opts.engine);
  sim::timing::Trace trace;
  if (f.has("--trace")) {
    if (run_opts.engine != "systemc") throw UserError("--trace " + f.get("--trace") + ": needs --engine systemc");
    run_opts.trace = &trace;
  }
  workloads::Workload w = workloads::load_workload(f.get("--model"), model_options(f));
  // Streamed to disk span by span; the file appears when the run has finished.
  if (f.has("--trace")) trace.stream_to(f.get("--trace"), "npusim " + hw.name + " " + w.name);
  sim::Simulator simulator(hw, run_opts);
  sim::WorkloadResult r = simulator.run(w, strategy);
  trace.finish();
  if (f.has("--out")) reports::write_workload_dir(r, f.get("--out"));
  out << (f.has("--json") ? reports::workload_json(r, true) : reports::workload_text(r, text));
  return kExitOk;
}

constexpr const char* kCompareUsage = R"(usage: npusim compare --hw HW --model MODEL [--strategies S1,S2,...] [options]
       npusim compare --hw HW1,HW2[,...] --model MODEL [--strategy S] [options]

  Strategies: runs MODEL under each strategy (default offchip,onchip,fused) on HW.
  Hardware: runs MODEL under one strategy (default best) on each HW, then lists per network
  the layers whose latency changed most from HW1 to each other (both bounds).
  Both print networks side by side: latency, evaluations/s, utilisation, DRAM traffic, spill
  traffic, SRAM peak, energy, the SRAM size at which the strategy stops spilling, and the
  headline figures of the workload. Takes run's --precision, --dim, --phase, --set and --engine.

  --json             print JSON (schema npusim.compare: each run as run --json, changed layers)
  --out DIR          also write DIR/compare.txt and DIR/compare.json
  --layers N         changed layers to list per network (default 10)
)";

int cmd_compare(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        with_model_flags({{"--hw", true, false},
                                          {"--set", true, true},
                                          {"--strategies", true, false},
                                          {"--strategy", true, false},
                                          {"--engine", true, false},
                                          {"--json", false, false},
                                          {"--out", true, false},
                                          {"--layers", true, false},
                                          {"--help", false, false}}),
                        "compare");
  if (f.has("--help")) {
    out << kCompareUsage;
    return kExitOk;
  }
  if (!f.has("--model")) throw UserError("npusim compare: --model is required (see npusim models)");
  if (!f.has("--hw")) throw UserError("npusim compare: --hw is required (a preset name or a YAML file, or a list)");
  const std::vector<std::string> hws = comma_list(f.get("--hw"));
  for (const auto& h : hws)
    if (h.empty()) throw UserError("--hw " + f.get("--hw") + ": an empty name in the list");
  const bool by_hw = hws.size() > 1;
  if (by_hw && f.has("--strategies"))
    throw UserError(
        "npusim compare: compare hardware (--hw A,B with one --strategy) or strategies (--strategies "
        "on one --hw), not both");
  if (!by_hw && f.has("--strategy"))
    throw UserError("npusim compare: --strategy goes with a --hw list; on one --hw give --strategies S1,S2");
  size_t top = 10;
  if (f.has("--layers")) {
    auto n = whole_number(f.get("--layers"), 6);
    if (!n) throw UserError("--layers " + f.get("--layers") + ": expected a whole number");
    top = *n;
  }
  sim::RunOptions run_opts;
  run_opts.engine = f.has("--engine") ? f.get("--engine") : sim::kDefaultEngine;
  sim::check_engine(run_opts.engine, "--engine " + run_opts.engine);
  workloads::Workload w = workloads::load_workload(f.get("--model"), model_options(f));
  std::vector<reports::CompareRun> runs;
  if (by_hw) {
    const std::string strategy = f.has("--strategy") ? f.get("--strategy") : sim::kDefaultStrategy;
    sim::check_strategy(strategy, "--strategy " + strategy);
    for (const auto& h : hws) {
      sim::Simulator simulator(load_hw(f, "compare", {}, h), run_opts);
      runs.push_back({h, simulator.run(w, strategy)});
    }
  } else {
    const std::string list = f.has("--strategies") ? f.get("--strategies") : "offchip,onchip,fused";
    const std::vector<std::string> strategies = comma_list(list);
    for (const auto& s : strategies) sim::check_strategy(s, "--strategies " + list);
    sim::Simulator simulator(load_hw(f, "compare"), run_opts);
    for (const auto& s : strategies) runs.push_back({s, simulator.run(w, s)});
  }
  const reports::CompareBy by = by_hw ? reports::CompareBy::kHardware : reports::CompareBy::kStrategy;
  const std::string text = reports::compare_text(runs, by, top);
  const std::string json = reports::compare_json(runs, by, top);
  if (f.has("--out")) {
    namespace fs = std::filesystem;
    const std::string dir = f.get("--out");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
      throw UserError("--out " + dir + ": cannot create the directory" + (ec ? ": " + ec.message() : ""));
    replace_file_safely(fs::path(dir) / "compare.txt", text);
    replace_file_safely(fs::path(dir) / "compare.json", json);
  }
  out << (f.has("--json") ? json : text);
  return kExitOk;
}

int cmd_config(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        {{"--hw", true, false},
                         {"--set", true, true},
                         {"--resolved", false, false},
                         {"--explain", false, false},
                         {"--help", false, false}},
                        "config");
  if (f.has("--help")) {
    out << kConfigUsage;
    return kExitOk;
  }
  if (f.has("--explain")) {
    out << arch::explain_params();
    return kExitOk;
  }
  if (!f.has("--resolved")) throw UserError(std::string("npusim config: say --resolved or --explain\n") + kConfigUsage);
  out << arch::resolved_yaml(load_hw(f, "config"));
  return kExitOk;
}

int cmd_models(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1, {{"--help", false, false}}, "models");
  if (f.has("--help")) {
    out << kModelsUsage;
    return kExitOk;
  }
  for (const auto& m : workloads::list_pipelines(model_dirs())) out << m << "  (pipeline)\n";
  // One line per model: name, parameters (millions), MACs (10^9) of one run at its default dims.
  const std::vector<workloads::ModelSummary> models = workloads::summarize_models(model_dirs());
  size_t width = 0;
  for (const auto& m : models) width = std::max(width, m.name.size());
  char line[256];
  for (const auto& m : models) {
    if (!m.error.empty()) {
      out << m.name << "  (cannot build: " << m.error << ")\n";
      continue;
    }
    std::snprintf(line, sizeof line, "%-*s %10.2f M params %10.3f GMACs  ", static_cast<int>(width), m.name.c_str(),
                  static_cast<double>(m.params) / 1e6, static_cast<double>(m.macs) / 1e9);
    out << line << m.input << "\n";
  }
  return kExitOk;
}

int cmd_metrics(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1, {{"--json", false, false}, {"--help", false, false}}, "metrics");
  if (f.has("--help")) {
    out << kMetricsUsage;
    return kExitOk;
  }
  out << (f.has("--json") ? reports::metrics_json() : reports::metrics_text());
  return kExitOk;
}

int cmd_graph(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(
      args, 1, with_model_flags({{"--format", true, false}, {"--explain-ops", false, false}, {"--help", false, false}}),
      "graph");
  if (f.has("--help")) {
    out << kGraphUsage;
    return kExitOk;
  }
  if (f.has("--explain-ops")) {
    out << workloads::explain_yaml_ops();
    return kExitOk;
  }
  if (!f.has("--model"))
    throw UserError(std::string("npusim graph: --model or --explain-ops is required\n") + kGraphUsage);
  reports::GraphFormat format = reports::parse_graph_format(f.has("--format") ? f.get("--format") : "summary");
  out << reports::graph_report(workloads::load_model(f.get("--model"), model_options(f)), format);
  return kExitOk;
}

int cmd_verify(const std::vector<std::string>& args, std::ostream& out) {
  Flags f = parse_flags(args, 1,
                        with_model_flags({{"--hw", true, false},
                                          {"--set", true, true},
                                          {"--strategy", true, false},
                                          {"--max-macs", true, false},
                                          {"--seed", true, false},
                                          {"--ops", false, false},
                                          {"--help", false, false}}),
                        "verify");
  if (f.has("--help")) {
    out << kVerifyUsage;
    return kExitOk;
  }
  if (!f.has("--model")) throw UserError("npusim verify: --model is required (see npusim models)");
  auto count_flag = [&](const std::string& name, uint64_t fallback) {
    if (!f.has(name)) return fallback;
    const std::string v = f.get(name);
    auto n = whole_number(v, 18);
    if (!n) throw UserError(name + " " + v + ": expected a whole number");
    return *n;
  };
  const uint64_t max_macs = count_flag("--max-macs", mappers::kDefaultVerifyMaxMacs);
  const uint64_t seed = count_flag("--seed", 1);
  const bool list_ops = f.has("--ops");
  std::vector<const mappers::MemoryStrategy*> strategies;
  for (const auto& s : mappers::strategies()) strategies.push_back(s.get());
  if (f.has("--strategy") && f.get("--strategy") != "all")
    strategies = {&mappers::find_strategy(f.get("--strategy"), "--strategy " + f.get("--strategy"))};
  const arch::NpuConfig hw = load_hw(f, "verify");
  const workloads::LoadedModel model = workloads::load_model(f.get("--model"), model_options(f));

  // strategy, dataflow, MAC ops, checked numerically (and by the proof), by the proof alone, failed
  out << "strategy  dataflow            MAC ops  numeric  coverage  failed\n";
  // One mapper per dataflow: the same hardware with only that dataflow, shared by the strategies.
  std::deque<mappers::Mapper> mappers_by_dataflow;
  for (arch::Dataflow df : hw.allowed_dataflows())
    mappers_by_dataflow.emplace_back(
        load_hw(f, "verify", {"mapping.dataflows=[" + std::string(arch::dataflow_name(df)) + "]"}));
  std::string failures, op_lines;
  // Per MAC op, in first-seen order: its method and whether any mapping failed it.
  std::vector<std::pair<workloads::OpId, mappers::VerifyMethod>> ops;
  std::map<workloads::OpId, bool> op_failed;
  uint64_t mappings = 0;
  for (const mappers::MemoryStrategy* s : strategies)
    for (size_t d = 0; d < hw.allowed_dataflows().size(); ++d) {
      const arch::Dataflow df = hw.allowed_dataflows()[d];
      const mappers::GraphVerifyResult r =
          mappers::verify_graph(model.graph, mappers_by_dataflow[d].map(model.graph, *s), hw.mac_array.rows,
                                hw.mac_array.cols, seed, max_macs);
      ++mappings;
      const std::string where = std::string(s->name()) + " " + std::string(arch::dataflow_name(df));
      char line[200];
      std::snprintf(line, sizeof line, "%-9s %-19s %7zu  %7llu  %8llu  %6llu\n", std::string(s->name()).c_str(),
                    std::string(arch::dataflow_name(df)).c_str(), r.ops.size(), (unsigned long long)r.numeric,
                    (unsigned long long)r.coverage, (unsigned long long)r.failed);
      out << line;
      for (const auto& o : r.ops) {
        auto [it, added] = op_failed.emplace(o.id, false);
        if (added) ops.emplace_back(o.id, o.method);
        it->second = it->second || o.failed();
        if (o.failed()) failures += "  " + where + " " + o.op + ": " + o.message + "\n";
        if (list_ops) {
          std::snprintf(line, sizeof line, "%-9s %-19s %14llu  %-8s %8llu %10llu  %s  ", std::string(s->name()).c_str(),
                        std::string(arch::dataflow_name(df)).c_str(), (unsigned long long)o.macs,
                        std::string(mappers::verify_method_name(o.method)).c_str(), (unsigned long long)o.program.tiles,
                        (unsigned long long)o.program.folds, o.failed() ? "FAIL" : "pass");
          op_lines += line + o.op + "\n";
        }
      }
    }
  if (list_ops)
    out << "\nstrategy  dataflow                      MACs  method      tiles      folds  result  op\n"
        << op_lines << "\n";
  uint64_t numeric = 0, coverage = 0, failed = 0;
  for (const auto& [id, method] : ops) {
    numeric += method == mappers::VerifyMethod::kNumeric;
    coverage += method == mappers::VerifyMethod::kCoverage;
    failed += op_failed[id];
  }
  out << ops.size() << " MAC ops: " << numeric << " numerically, " << coverage << " by coverage, " << failed
      << " failed (each under " << mappings << (mappings == 1 ? " mapping" : " mappings") << ")\n";
  out << (failed == 0 ? "every MAC op passes\n" : "FAILED:\n" + failures);
  return failed == 0 ? kExitOk : kExitFailure;
}

std::string safe_message(std::string_view what) {
  // Control characters and invalid UTF-8 escaped (an ONNX op type could hold a terminal
  // escape sequence); at most kMaxErrorLines lines kept.
  // A backstop for messages not built from an ErrorList (which keeps 50 errors and a count).
  constexpr size_t kMaxErrorLines = 60;
  const std::string text = printable(what, true);
  size_t at = 0, lines = 0;
  while (at < text.size() && lines < kMaxErrorLines) {
    const size_t nl = text.find('\n', at);
    if (nl == std::string::npos) return text;
    at = nl + 1;
    ++lines;
  }
  if (at >= text.size()) return text;
  const size_t more = static_cast<size_t>(std::count(text.begin() + at, text.end(), '\n')) + 1;
  return text.substr(0, at) + "  ... and " + std::to_string(more) + " more lines";
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty()) {
      err << kUsage;
      return kExitUsage;
    }
    const std::string& cmd = args[0];
    if (cmd == "--version" || cmd == "version") {
      out << "npusim " << version_string() << " (commit " << git_commit() << ")\n";
      return kExitOk;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      out << kUsage;
      return kExitOk;
    }
    // One line per command; a new command adds its line here and its usage line in kUsage.
    // clang-format off
    static const std::map<std::string, std::function<int(const CommandArgs&, std::ostream&)>> commands = {
        {"run", cmd_run},
        {"compare", cmd_compare},
        {"config", cmd_config},
        {"models", cmd_models},
        {"metrics", cmd_metrics},
        {"graph", cmd_graph},
        {"verify", cmd_verify},
        {"crosscheck", cmd_crosscheck},
        {"calibrate", cmd_calibrate},
        {"sweep", cmd_sweep},
        {"merge", cmd_merge},
        {"report", cmd_report},
    };
    // clang-format on
    auto it = commands.find(cmd);
    if (it == commands.end()) {
      std::vector<std::string> names;
      for (const auto& [n, _] : commands) names.push_back(n);
      std::string hint = did_you_mean(cmd, names);
      err << "npusim: unknown command '" << cmd << "'" << (hint.empty() ? "" : "; did you mean " + hint + "?") << "\n"
          << kUsage;
      return kExitUsage;
    }
    return it->second(args, out);
  } catch (const UserError& e) {
    err << "error: " << safe_message(e.what()) << "\n";
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    err << "error: out of memory\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    err << "npusim internal error (a bug, please report): " << safe_message(e.what()) << "\n";
    return kExitFailure;
  }
}

}  // namespace npusim::tools
