#include "run_report.h"

#include <algorithm>
#include <cstdarg>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "arch/area.h"
#include "arch/config_schema.h"
#include "arch/units.h"
#include "json_writer.h"
#include "npusim/file_io.h"
#include "sim/metrics.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

// Display scaling for CSV and JSON keys: seconds become microseconds (per layer) or
// milliseconds (totals); bytes and pJ stay in base units for exactness.
struct Scaled {
  std::string key;
  double value;
};
Scaled scale(std::string_view name, double v, std::string_view unit, bool totals) {
  std::string n(name);
  if (unit == "s") return totals ? Scaled{n + "_ms", v * 1e3} : Scaled{n + "_us", v * 1e6};
  if (unit == "pJ" && totals) return {n + "_mJ", v * 1e-9};
  if (unit == "B" && totals) return {n + "_MB", v * 1e-6};
  if (unit == "MAC" || unit == "elem" || unit == "cycle") return {n, v};
  return {n + "_" + std::string(unit), v};
}

double inferences_per_s(const sim::RunStats& s) { return s.total.latency_s > 0 ? 1.0 / s.total.latency_s : 0; }

}  // namespace

std::string fixed_costs_line(const sim::RunResult& r) {
  const sim::RunStats& s = r.stats;
  const arch::OverheadConfig& oh = r.hw.overhead;
  const double total_s = double(s.op_overhead_ps + s.per_run_ps) * 1e-12;
  const double scale = oh.scale(r.hw.mac_array.frequency_hz);  // overhead.at_frequency
  // A queued dispatch (overhead.queued_mac_dispatch) hides part of the MAC ops' costs.
  const std::string hidden = s.op_overhead_hidden_ps > 0 ? fmt(" - %.3f us queued under the MAC op before",
                                                               double(s.op_overhead_hidden_ps) * 1e-6)
                                                         : "";
  return fmt(
      "fixed costs          %12.3f ms  (%llu MAC ops x %.3f us%s + %llu vector ops x %.3f us + %llu copy ops x %.3f "
      "us + per run %.3f us; %.1f %% of latency)",
      total_s * 1e3, static_cast<unsigned long long>(s.overhead_mac_ops), oh.per_mac_op_ps * scale * 1e-6,
      hidden.c_str(), static_cast<unsigned long long>(s.overhead_vector_ops), oh.per_vector_op_ps * scale * 1e-6,
      static_cast<unsigned long long>(s.overhead_copy_ops), oh.per_copy_op_ps * scale * 1e-6,
      double(s.per_run_ps) * 1e-6, s.total.latency_s > 0 ? 100 * total_s / s.total.latency_s : 0.0);
}

std::string static_power_basis(const arch::NpuConfig& hw) {
  if (hw.technology.empty()) return "static_power (fixed)";
  if (hw.static_power_mw > 0) return "static_power (fixed; overrides the " + hw.technology + " leakage model)";
  return fmt("leakage of the %s area model at %.3f V", hw.technology.c_str(), arch::supply_voltage(hw));
}

std::string area_lines(const arch::NpuConfig& hw) {
  const arch::AreaModel m = arch::area_model(hw);
  if (m.blocks.empty()) return "";
  std::ostringstream o;
  o << fmt("area       %.3f mm2 at %s (SRAM %.3f mm2, logic %.3f mm2); static power %.1f mW (%s)\n", m.total_mm2(),
           hw.technology.c_str(), m.sram_mm2(), m.logic_mm2(), arch::static_power_mw(hw),
           static_power_basis(hw).c_str());
  for (const auto& b : m.blocks) {
    o << fmt("  %-12s %8.3f mm2  ", b.name.c_str(), b.mm2) << b.basis << "\n";
    if (!b.source.empty()) o << "  " << std::string(12, ' ') << "              source: " << b.source << "\n";
  }
  return o.str();
}

void write_silicon_json(JsonWriter& w, const arch::NpuConfig& hw) {
  const arch::AreaModel m = arch::area_model(hw);
  w.begin_object();
  w.field("technology", hw.technology);
  w.field("area_mm2", m.total_mm2());
  w.field("sram_area_mm2", m.sram_mm2());
  w.field("logic_area_mm2", m.logic_mm2());
  w.key("area_blocks");
  w.begin_array();
  for (const auto& b : m.blocks) {
    w.begin_object();
    w.field("name", b.name);
    w.field("area_mm2", b.mm2);
    w.field("basis", b.basis);
    w.field("source", b.source);
    w.end_object();
  }
  w.end_array();
  w.field("supply_voltage_v", arch::supply_voltage(hw));
  w.field("static_power_mw", arch::static_power_mw(hw));
  w.field("static_power_basis", static_power_basis(hw));
  w.end_object();
}

void write_hw_json(JsonWriter& w, const arch::NpuConfig& hw) {
  w.begin_object();
  arch::walk_param_tree({
                            .enter =
                                [&](const std::string& segment, size_t) {
                                  w.key(segment);
                                  w.begin_object();
                                },
                            .leave = [&] { w.end_object(); },
                            .leaf = [&](const arch::ParamSpec& spec, const std::string& segment,
                                        size_t) { w.field(segment, arch::format_param(spec, spec.get(hw))); },
                        },
                        [&](const arch::ParamSpec& spec) { return arch::param_shown(hw, spec); });
  w.key("sources");
  w.begin_array();
  for (const auto& s : hw.sources) w.value(s);
  w.end_array();
  w.key("overrides");
  w.begin_array();
  for (const auto& s : hw.overrides) w.value(s);
  w.end_array();
  w.end_object();
}

namespace {

void write_counters_json(JsonWriter& w, const sim::Counters& c, bool totals) {
  c.visit([&](std::string_view name, double v, std::string_view unit, std::string_view) {
    Scaled s = scale(name, v, unit, totals);
    w.field(s.key, s.value);
  });
}

}  // namespace

std::string hardware_lines(const arch::NpuConfig& hw) {
  std::ostringstream o;
  o << "hardware   " << hw.name << "  (" << hw.mac_array.rows << "x" << hw.mac_array.cols << " PEs @ "
    << arch::format_quantity(hw.mac_array.frequency_hz, arch::Unit::kFrequency) << ", SRAM "
    << arch::format_quantity(double(hw.sram.size_bytes), arch::Unit::kBytes) << ", DRAM "
    << arch::format_quantity(hw.dram.bandwidth_bytes_per_s, arch::Unit::kBandwidth) << ")\n";
  for (const auto& ov : hw.overrides) o << "           --set " << ov << "\n";
  o << area_lines(hw);
  return o.str();
}

std::pair<sim::Bound, double> dominant_bound(const sim::RunStats& s) {
  int best = 0;
  for (int b = 1; b < sim::kNumBounds; ++b)
    if (s.time_by_bound_s[b] > s.time_by_bound_s[best]) best = b;
  return {sim::Bound(best), s.total.latency_s > 0 ? s.time_by_bound_s[best] / s.total.latency_s : 0};
}

std::string text_report(const sim::RunResult& r, const TextOptions& opts) {
  const sim::RunStats& s = r.stats;
  const sim::Counters& t = s.total;
  std::ostringstream o;
  if (opts.header) o << "npusim " << version_string() << " (commit " << git_commit() << ")\n";
  o << "model      " << r.model << "  (" << r.model_source << ", " << r.stats.ops.size() << " ops, "
    << fmt("%.2f", r.param_count / 1e6) << " M params)\n";
  if (opts.header) o << hardware_lines(r.hw);
  o << "precision  " << r.precision.name() << "   strategy " << r.schedule.strategy
    << (r.strategy_choice == "best" ? " (best of " + mappers::strategy_names() + ")" : "") << "   mapper "
    << r.schedule.mapper << "   engine " << r.engine << "\n";
  for (const auto& n : r.workload_notes) o << "workload   " << n << "\n";
  if (opts.header)
    for (const auto& n : r.engine_notes) o << "note       " << n << "\n";
  o << "\nAssumptions:\n";
  for (const auto& a : r.schedule.assumptions) o << "  - " << a << "\n";

  std::vector<size_t> idx(s.ops.size());
  std::iota(idx.begin(), idx.end(), 0);
  bool all = opts.max_layers == 0 || s.ops.size() <= opts.max_layers;
  if (!all) {
    std::stable_sort(idx.begin(), idx.end(),
                     [&](size_t a, size_t b) { return s.ops[a].c.latency_s > s.ops[b].c.latency_s; });
    idx.resize(opts.max_layers);
  }
  size_t name_w = 5;
  for (size_t i : idx) name_w = std::max(name_w, s.ops[i].name.size());
  o << "\n"
    << (all ? "Per layer"
            : fmt("Slowest %zu of %zu layers (--layers all lists every one; --out DIR writes layers.csv)", idx.size(),
                  s.ops.size()))
    << ":\n";
  o << fmt("%5s  %-*s  %-17s %12s %11s %14s %-10s %6s %12s %12s %11s\n", "#", int(name_w), "layer", "kind", "MACs(M)",
           "latency(us)", "overlapped(us)", "bound", "util%", "DRAM_rd(KB)", "DRAM_wr(KB)", "energy(uJ)");
  for (size_t i : idx) {
    const sim::OpStats& op = s.ops[i];
    o << fmt("%5zu  %-*s  %-17s %12.3f %11.3f %14.3f %-10s %6.1f %12.1f %12.1f %11.3f\n", i, int(name_w),
             op.name.c_str(), op.kind.c_str(), op.c.macs / 1e6, op.c.latency_s * 1e6, op.c.overlapped_s * 1e6,
             std::string(sim::bound_name(op.bound)).c_str(), op.utilization * 100, op.c.dram_read_bytes() / 1e3,
             op.c.dram_write_bytes() / 1e3, op.c.energy_pj() * 1e-6);
  }
  o << "latency: what the layer adds to the network (layers sum to its latency); overlapped: the layer's own\n"
       "busy time hidden under a neighbour's work; util% = MACs / (peak x (latency + overlapped)); bound\n"
       "\"overlapped\": the layer's work is entirely hidden and adds no latency.\n";

  // By op kind: where the time goes.
  std::map<std::string, std::pair<size_t, sim::Counters>> by_kind;
  for (const auto& op : s.ops) {
    auto& e = by_kind[op.kind];
    e.first++;
    e.second.merge(op.c);
  }
  o << "\nBy op kind:\n" << fmt("  %-18s %6s %12s %8s %14s\n", "kind", "ops", "latency(ms)", "share%", "DRAM(MB)");
  for (const auto& [kind, e] : by_kind)
    o << fmt("  %-18s %6zu %12.3f %8.1f %14.3f\n", kind.c_str(), e.first, e.second.latency_s * 1e3,
             t.latency_s > 0 ? 100 * e.second.latency_s / t.latency_s : 0.0, e.second.dram_bytes() / 1e6);

  o << "\nSummary (" << r.model << " on " << r.hw.name << ", " << r.precision.name() << ", " << r.schedule.strategy
    << "):\n";
  o << fmt("  latency              %12.3f ms\n", t.latency_s * 1e3);
  o << fmt("  throughput           %12.3f evaluations/s  (1 / latency: runs of the graph as built, at its batch)\n",
           inferences_per_s(s));
  o << fmt("  MACs                 %12.3f GMAC\n", t.macs / 1e9);
  o << fmt("  peak MAC rate        %12.3f TMAC/s\n", s.peak_macs_per_s / 1e12);
  o << fmt("  achieved MAC rate    %12.3f TMAC/s  (utilisation %.1f %%)\n",
           t.latency_s > 0 ? t.macs / t.latency_s / 1e12 : 0.0, s.utilization() * 100);
  o << fmt("  overlapped           %12.3f ms  (layers' busy time hidden under a neighbour's, not in latency)\n",
           t.overlapped_s * 1e3);
  o << "  " << fixed_costs_line(r) << "\n";
  for (int b = 0; b < sim::kNumBounds; ++b) {
    if (s.time_by_bound_s[b] == 0 && sim::Bound(b) >= sim::Bound::kNone) continue;  // ops without own time
    o << fmt("  time %-8s bound   %12.3f ms  (%.1f %%)\n", std::string(sim::bound_name(sim::Bound(b))).c_str(),
             s.time_by_bound_s[b] * 1e3, t.latency_s > 0 ? 100 * s.time_by_bound_s[b] / t.latency_s : 0.0);
  }
  o << fmt("  DRAM read weights    %12.3f MB\n", t.dram_read_weight_bytes / 1e6);
  o << fmt("  DRAM read activations%12.3f MB\n", t.dram_read_activation_bytes / 1e6);
  o << fmt("  DRAM read KV cache   %12.3f MB\n", t.dram_read_kv_bytes / 1e6);
  o << fmt("  DRAM read spills     %12.3f MB\n", t.dram_read_spill_bytes / 1e6);
  o << fmt("  DRAM write           %12.3f MB  (activations %.3f, KV cache %.3f, spills %.3f)\n",
           t.dram_write_bytes() / 1e6, t.dram_write_activation_bytes / 1e6, t.dram_write_kv_bytes / 1e6,
           t.dram_write_spill_bytes / 1e6);
  o << fmt("  weights prefetched   %12.3f MB  (loaded during the previous op and the op's own fixed cost)\n",
           s.prefetched_weight_bytes / 1e6);
  o << fmt("  SRAM peak            %12.3f MiB  (resident activations + tile buffers, of %.3f MiB)\n",
           s.sram_peak_bytes / 1048576.0, r.hw.sram.size_bytes / 1048576.0);
  if (r.schedule.resident_activations)
    o << fmt("  spilled activations  %12.3f MB  (no spills with SRAM >= %.3f MiB)\n", r.schedule.spilled_bytes / 1e6,
             r.schedule.no_spill_sram_bytes / 1048576.0);
  o << fmt("  DRAM average         %12.3f GB/s  (of %.3f GB/s peak)\n",
           t.latency_s > 0 ? t.dram_bytes() / t.latency_s / 1e9 : 0.0, r.hw.dram.bandwidth_bytes_per_s / 1e9);
  o << fmt("  SRAM read / write    %12.3f / %.3f MB\n", t.sram_read_bytes / 1e6, t.sram_write_bytes / 1e6);
  o << fmt("  energy               %12.3f mJ  (MAC %.3f, vector %.3f, SRAM %.3f, DRAM %.3f, static %.3f)\n",
           t.energy_pj() * 1e-9, t.energy_mac_pj * 1e-9, t.energy_vector_pj * 1e-9, t.energy_sram_pj * 1e-9,
           t.energy_dram_pj * 1e-9, t.energy_static_pj * 1e-9);
  o << fmt("  average power        %12.3f W\n", t.latency_s > 0 ? t.energy_pj() * 1e-12 / t.latency_s : 0.0);
  return o.str();
}

std::string layers_csv(const sim::RunResult& r) {
  std::ostringstream o;
  o << "index,name,kind,mapping,bound,utilization_pct";
  sim::Counters{}.visit([&](std::string_view n, double v, std::string_view u, std::string_view) {
    o << "," << scale(n, v, u, false).key;
  });
  o << "\n";
  for (size_t i = 0; i < r.stats.ops.size(); ++i) {
    const sim::OpStats& op = r.stats.ops[i];
    o << i << "," << csv_field(op.name) << "," << op.kind << "," << csv_field(op.mapping) << ","
      << sim::bound_name(op.bound) << "," << arch::format_number(op.utilization * 100);
    op.c.visit([&](std::string_view n, double v, std::string_view u, std::string_view) {
      o << "," << arch::format_number(scale(n, v, u, false).value);
    });
    o << "\n";
  }
  return o.str();
}

namespace {

std::string bound_sentence(const sim::RunResult& r) {
  auto [b, share] = dominant_bound(r.stats);
  const sim::Counters& t = r.stats.total;
  std::string why;
  if (b == sim::Bound::kDram)
    why = fmt("DRAM moves %.1f MB per run (%.1f MB of it weights) at %.1f GB/s", t.dram_bytes() / 1e6,
              t.dram_read_weight_bytes / 1e6, r.hw.dram.bandwidth_bytes_per_s / 1e9);
  else if (b == sim::Bound::kCompute)
    why = fmt("the MAC array runs %.1f GMAC at %.1f %% of its %.3f TMAC/s peak", t.macs / 1e9,
              r.stats.utilization() * 100, r.stats.peak_macs_per_s / 1e12);
  else
    why = fmt("the vector unit is busy %.3f ms", t.vector_s * 1e3);
  return fmt("%s-bound for %.0f %% of the time: ", std::string(sim::bound_name(b)).c_str(), share * 100) + why;
}

}  // namespace

namespace {

std::string budget_lines(const sim::WorkloadResult& w) {
  if (!w.budget) return "";
  const sim::PowerBudgetResult& b = *w.budget;
  const bool llm = w.kind == workloads::WorkloadKind::kLlm;
  const bool diffusion = w.kind == workloads::WorkloadKind::kDiffusion;
  const char* per = diffusion ? "per image" : llm ? "per token and prompt" : "per run";
  std::ostringstream o;
  o << "\n==== Power budget " << arch::format_quantity(b.budget_mw, arch::Unit::kPower) << " ====\n";
  o << fmt("  peak clock        %10.1f MHz at %.3f V: average power %.3f W, %.4f s %s\n", b.peak_mac_hz / 1e6,
           b.peak_voltage_v, b.peak_power_mw / 1e3, b.peak_seconds, per);
  if (!b.fits) {
    o << fmt("  does not fit: even at %.1f MHz (%.3f V) the average power is %.3f W\n", b.chosen_mac_hz / 1e6,
             b.chosen_voltage_v, b.chosen_power_mw / 1e3);
    return o.str();
  }
  o << fmt("  sustained clock   %10.1f MHz at %.3f V: average power %.3f W, %.4f s %s%s\n", b.chosen_mac_hz / 1e6,
           b.chosen_voltage_v, b.chosen_power_mw / 1e3, b.chosen_seconds, per,
           b.chosen_mac_hz == b.peak_mac_hz ? " (the peak fits)" : "");
  for (size_t i = 0; i < w.stages.size() && i < b.chosen_stage_latency_s.size(); ++i) {
    const double peak = w.stages[i].run.stats.total.latency_s, sus = b.chosen_stage_latency_s[i];
    const char* unit = llm                                                      ? "runs/s"
                       : w.stages[i].role == workloads::StageRole::kTextEncoder ? "prompts/s"
                                                                                : "images/s";
    o << fmt("  %-13s     sustained %9.3f %s (%.3f ms)   peak %9.3f %s (%.3f ms)\n",
             role_label(w.stages[i].role).c_str(), sus > 0 ? 1 / sus : 0.0, unit, sus * 1e3, peak > 0 ? 1 / peak : 0.0,
             unit, peak * 1e3);
  }
  o << fmt("  energy %s  %.3f J sustained (%.3f J at peak); %u runs of the workload in the search\n", per,
           b.chosen_energy_j, w.energy_per_image_j(), b.evaluations);
  return o.str();
}

}  // namespace

std::string workload_text(const sim::WorkloadResult& w, const TextOptions& opts) {
  if (w.stages.size() == 1 && w.kind == workloads::WorkloadKind::kNetwork) {
    // A network's headline: inferences/s = batch / latency (sim/metrics.h).
    const auto h = sim::headline_metrics(w);
    return text_report(w.stages[0].run, opts) +
           fmt("  inferences per second%12.3f  (batch %llu / latency)\n", h.at(0).value,
               static_cast<unsigned long long>(std::max<uint64_t>(w.batch, 1))) +
           budget_lines(w);
  }
  std::ostringstream o;
  o << "npusim " << version_string() << " (commit " << git_commit() << ")\n";
  o << "workload   " << w.name << "  (" << w.source << ")\n";
  if (!w.stages.empty()) o << hardware_lines(w.stages[0].run.hw);
  for (const auto& n : w.notes) o << "workload   " << n << "\n";
  if (!w.stages.empty())
    for (const auto& n : w.stages[0].run.engine_notes) o << "note       " << n << "\n";
  TextOptions inner = opts;
  inner.header = false;
  const bool llm = w.kind == workloads::WorkloadKind::kLlm;
  const unsigned long long batch = std::max<uint64_t>(w.batch, 1);
  for (const auto& s : w.stages) {
    std::string per;
    if (llm)
      per = s.role == workloads::StageRole::kPrefill ? "once per prompt" : "once per generated token";
    else
      per = "x" + std::to_string(s.runs) + (batch == 1 ? " per image" : fmt(" per batch of %llu images", batch));
    o << "\n==== " << role_label(s.role) << ": " << s.run.model << " (" << per << ") ====\n";
    o << text_report(s.run, inner);
  }
  o << "\n==== " << (llm ? "LLM" : "Pipeline") << " summary (" << w.name << ") ====\n";
  if (w.kind == workloads::WorkloadKind::kDiffusion) {
    for (const auto& s : w.stages) {
      const double lat = s.run.stats.total.latency_s;
      o << fmt("  %-13s %10.3f ms per run = %8.3f evaluations/s   x%-3llu %9.3f ms per image   %s\n",
               role_label(s.role).c_str(), lat * 1e3, lat > 0 ? 1 / lat : 0.0, (unsigned long long)s.runs,
               lat * double(s.runs) / double(batch) * 1e3, s.run.schedule.strategy.c_str());
    }
    o << fmt(
        "  seconds per image %10.3f s  (%llu steps, guidance %s; batch %llu; sum of runs x latency / batch, "
        "stages back to back)\n",
        w.seconds_per_image(), (unsigned long long)w.steps,
        !w.guidance     ? "off"
        : w.cfg_batched ? "on, cfg=batched"
                        : "on, cfg=sequential",
        batch);
    o << fmt("  energy per image  %10.3f J\n", w.energy_per_image_j());
    o << "  evaluations/s = 1 / latency of one run of that network (at its batch), not a pipeline rate; the\n"
         "  pipeline rate is 1 / seconds per image\n";
    for (const auto& s : w.stages) o << "  " << role_label(s.role) << ": " << bound_sentence(s.run) << "\n";
  } else {
    const sim::StageResult* pre = w.stage(workloads::StageRole::kPrefill);
    const sim::StageResult* dec = w.stage(workloads::StageRole::kDecode);
    o << fmt("  at batch %llu", batch);
    if (w.prompt_tokens) o << fmt(", prompt %llu tokens", (unsigned long long)w.prompt_tokens);
    if (w.context) o << fmt(", decode context %llu tokens", (unsigned long long)w.context);
    o << "\n";
    if (pre)
      o << fmt("  time to first token %10.3f ms  (prefill; %s)\n", w.time_to_first_token_s() * 1e3,
               bound_sentence(pre->run).c_str());
    if (dec) {
      const sim::Counters& t = dec->run.stats.total;
      const double bw = dec->run.hw.dram.bandwidth_bytes_per_s;
      o << fmt("  decode              %10.3f ms per step = %.2f tokens/s  (%llu token%s per step; %s)\n",
               t.latency_s * 1e3, w.decode_tokens_per_s(), batch, batch == 1 ? "" : "s",
               bound_sentence(dec->run).c_str());
      o << fmt("  decode energy       %10.3f mJ per token\n", w.decode_energy_per_token_j() * 1e3);
      o << "  decode time by cause (busy time of each resource; they overlap):\n";
      o << fmt("    weight streaming  %10.3f ms  (%.1f MB at %.1f GB/s)\n", t.dram_read_weight_bytes / bw * 1e3,
               t.dram_read_weight_bytes / 1e6, bw / 1e9);
      o << fmt("    KV-cache traffic  %10.3f ms  (%.1f MB read, %.3f MB written)\n",
               (t.dram_read_kv_bytes + t.dram_write_kv_bytes) / bw * 1e3, t.dram_read_kv_bytes / 1e6,
               t.dram_write_kv_bytes / 1e6);
      o << fmt("    MAC compute       %10.3f ms  (%.3f GMAC)\n", t.mac_s * 1e3, t.macs / 1e9);
      o << fmt("    vector compute    %10.3f ms\n", t.vector_s * 1e3);
    }
  }
  o << budget_lines(w);
  return o.str();
}

namespace {

void write_network_json(JsonWriter& w, const sim::StageResult& st, bool layers) {
  const sim::RunResult& r = st.run;
  const sim::RunStats& s = r.stats;
  const sim::Counters& t = s.total;
  w.begin_object();
  w.field("name", st.name);
  w.field("role", workloads::stage_role_name(st.role));
  w.field("graph", r.model);
  w.field("model_source", r.model_source);
  w.field("runs_per_batch", st.runs);
  w.field("param_count", r.param_count);
  w.field("strategy", r.schedule.strategy);
  w.field("mapper", r.schedule.mapper);
  for (const sim::MetricValue& m : sim::network_metrics(st)) w.field(sim::metric_def(m.id).key, m.value);
  w.field("dominant_bound", sim::bound_name(dominant_bound(s).first));
  for (int b = 0; b < sim::kNumBounds; ++b) w.field(sim::bound_time_key(sim::Bound(b)), s.time_by_bound_s[b] * 1e3);
  w.key("workload_notes");
  w.begin_array();
  for (const auto& n : r.workload_notes) w.value(n);
  w.end_array();
  w.key("assumptions");
  w.begin_array();
  for (const auto& a : r.schedule.assumptions) w.value(a);
  w.end_array();
  w.key("totals");
  w.begin_object();
  write_counters_json(w, t, true);
  w.end_object();
  if (layers) {
    w.key("layers");
    w.begin_array();
    for (const sim::OpStats& op : s.ops) {
      w.begin_object();
      w.field("name", op.name);
      w.field("kind", op.kind);
      w.field("mapping", op.mapping);
      w.field("bound", sim::bound_name(op.bound));
      w.field("utilization_pct", op.utilization * 100);
      w.field("sram_peak_bytes", op.sram_peak_bytes);
      write_counters_json(w, op.c, false);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

}  // namespace

void write_workload_json(JsonWriter& w, const sim::WorkloadResult& wr, bool layers) {
  w.begin_object();
  w.field("schema", "npusim.run");
  w.field("schema_version", uint64_t{kWorkloadSchemaVersion});
  w.field("npusim_version", version_string());
  w.field("git_commit", git_commit());
  w.field("workload", wr.name);
  w.field("source", wr.source);
  w.field("kind", sim::kind_name(wr.kind));
  w.field("batch", wr.batch);
  if (!wr.stages.empty()) {
    const sim::RunResult& r0 = wr.stages[0].run;
    w.field("precision", r0.precision.name());
    w.field("strategy", r0.strategy_choice);
    w.field("engine", r0.engine);
  }
  w.key("notes");
  w.begin_array();
  for (const auto& n : wr.notes) w.value(n);
  w.end_array();
  w.key("engine_notes");
  w.begin_array();
  if (!wr.stages.empty())
    for (const auto& n : wr.stages[0].run.engine_notes) w.value(n);
  w.end_array();
  if (!wr.stages.empty()) {
    w.key("hardware");
    write_hw_json(w, wr.stages[0].run.hw);
    w.key("silicon");
    write_silicon_json(w, wr.stages[0].run.hw);
  }
  w.key("networks");
  w.begin_array();
  for (const auto& st : wr.stages) write_network_json(w, st, layers);
  w.end_array();
  // The kind's headline figures (sim/metrics.h), under "pipeline", "llm" or "inference".
  using workloads::WorkloadKind;
  w.key(wr.kind == WorkloadKind::kDiffusion ? "pipeline" : wr.kind == WorkloadKind::kLlm ? "llm" : "inference");
  w.begin_object();
  w.field("batch", wr.batch);
  if (wr.kind == WorkloadKind::kDiffusion) {
    w.field("steps", wr.steps);
    w.field("guidance", wr.guidance);
    w.field("cfg", wr.cfg_batched ? "batched" : "sequential");
    w.field("resolution_px", wr.resolution);
  } else if (wr.kind == WorkloadKind::kLlm) {
    if (wr.prompt_tokens) w.field("prompt_tokens", wr.prompt_tokens);
    if (wr.context) w.field("context_tokens", wr.context);
  }
  for (const sim::MetricValue& m : sim::headline_metrics(wr)) w.field(sim::metric_def(m.id).key, m.value);
  w.end_object();
  if (wr.budget) {
    const sim::PowerBudgetResult& b = *wr.budget;
    w.key("power_budget");
    w.begin_object();
    w.field("budget_mw", b.budget_mw);
    w.field("fits", b.fits);
    w.field("peak_clock_hz", b.peak_mac_hz);
    w.field("peak_voltage_v", b.peak_voltage_v);
    w.field("peak_power_mw", b.peak_power_mw);
    w.field("peak_seconds", b.peak_seconds);
    w.field("sustained_clock_hz", b.chosen_mac_hz);
    w.field("sustained_voltage_v", b.chosen_voltage_v);
    w.field("sustained_power_mw", b.chosen_power_mw);
    w.field("sustained_seconds", b.chosen_seconds);
    w.field("sustained_energy_mj", b.chosen_energy_j * 1e3);
    w.key("sustained_stage_latency_ms");
    w.begin_array();
    for (double s : b.chosen_stage_latency_s) w.value(s * 1e3);
    w.end_array();
    w.field("evaluations", uint64_t{b.evaluations});
    w.end_object();
  }
  w.end_object();
}

std::string workload_json(const sim::WorkloadResult& wr, bool layers) {
  JsonWriter w;
  write_workload_json(w, wr, layers);
  return w.str();
}

void write_workload_dir(const sim::WorkloadResult& wr, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw UserError("--out " + dir + ": cannot create the directory" + (ec ? ": " + ec.message() : ""));
  auto write = [&](const std::string& name, const std::string& text) {
    replace_file_safely(fs::path(dir) / name, text);
  };
  std::string csv;
  for (size_t i = 0; i < wr.stages.size(); ++i) {
    std::string part = layers_csv(wr.stages[i].run);
    std::istringstream in(part);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      if (first) {
        first = false;
        if (i == 0) csv += "network," + line + "\n";
        continue;
      }
      csv += csv_field(wr.stages[i].name) + "," + line + "\n";
    }
  }
  write("layers.csv", csv);
  write("summary.json", workload_json(wr, false));
}

std::string metrics_text() {
  std::ostringstream o;
  o << "Figures of npusim's run JSON, sweep lines, compare and reports (sim/metrics.cpp); keys carry\n"
       "their unit. Per workload kind the headline figures are:\n";
  for (auto k :
       {workloads::WorkloadKind::kDiffusion, workloads::WorkloadKind::kLlm, workloads::WorkloadKind::kNetwork}) {
    o << "  " << sim::kind_name(k) << ":";
    for (sim::Metric m : sim::headline_metric_list(k)) o << " " << sim::metric_def(m).key;
    o << "\n";
  }
  o << "\n" << fmt("%-30s %-9s %s\n", "key", "unit", "meaning");
  for (const sim::MetricDef& d : sim::all_metrics())
    o << fmt("%-30s %-9s %s\n", std::string(d.key).c_str(), std::string(d.unit).c_str(),
             std::string(d.meaning).c_str());
  o << fmt("%-30s %-9s %s\n", "time_<bound>_bound_ms", "ms",
           "latency held by each bound (compute, vector, dram, none, overlapped)");
  return o.str();
}

void write_metric_definitions(JsonWriter& w) {
  w.begin_array();
  for (const sim::MetricDef& d : sim::all_metrics()) {
    w.begin_object();
    w.field("key", d.key);
    w.field("unit", d.unit);
    w.field("label", d.label);
    w.field("meaning", d.meaning);
    w.end_object();
  }
  w.end_array();
}

std::string metrics_json() {
  JsonWriter w;
  write_metric_definitions(w);
  return w.str() + "\n";
}

}  // namespace npusim::reports
