#include "compare_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "json_writer.h"
#include "run_report.h"
#include "sim/metrics.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

const char* by_name(CompareBy by) { return by == CompareBy::kStrategy ? "strategy" : "hardware"; }

double value_of(const std::vector<sim::MetricValue>& v, sim::Metric m) {
  for (const auto& x : v)
    if (x.id == m) return x.value;
  return 0;
}

}  // namespace

std::vector<LayerChange> changed_layers(const sim::WorkloadResult& a, const sim::WorkloadResult& b, size_t top) {
  std::vector<LayerChange> out;
  for (const sim::StageResult& sa : a.stages) {
    const sim::StageResult* sb = nullptr;
    for (const auto& s : b.stages)
      if (s.name == sa.name) sb = &s;
    if (!sb) continue;
    std::map<std::string, const sim::OpStats*> by_name;
    for (const auto& op : sb->run.stats.ops) by_name.emplace(op.name, &op);
    std::vector<LayerChange> net;
    for (const sim::OpStats& op : sa.run.stats.ops) {
      auto it = by_name.find(op.name);
      if (it == by_name.end()) continue;
      net.push_back({sa.name, op.name, op.kind, op.c.latency_s * 1e6, it->second->c.latency_s * 1e6, op.bound,
                     it->second->bound});
    }
    std::stable_sort(net.begin(), net.end(), [](const LayerChange& x, const LayerChange& y) {
      return std::fabs(x.b_us - x.a_us) > std::fabs(y.b_us - y.a_us);
    });
    if (net.size() > top) net.resize(top);
    out.insert(out.end(), net.begin(), net.end());
  }
  return out;
}

std::string compare_text(const std::vector<CompareRun>& runs, CompareBy by, size_t top_layers) {
  std::ostringstream o;
  o << "npusim " << version_string() << " (commit " << git_commit() << ")\n";
  if (runs.empty() || runs[0].result.stages.empty()) return o.str();
  const sim::WorkloadResult& w0 = runs[0].result;
  const sim::RunResult& r0 = w0.stages[0].run;
  o << "workload   " << w0.name << "  (" << w0.source << ")\n";
  if (by == CompareBy::kStrategy)
    o << hardware_lines(r0.hw);
  else
    for (const auto& run : runs) o << hardware_lines(run.result.stages[0].run.hw);
  o << "precision  " << r0.precision.name() << "   engine " << r0.engine;
  if (by == CompareBy::kHardware) o << "   strategy " << r0.strategy_choice;
  o << "\n";
  for (const auto& n : w0.notes) o << "workload   " << n << "\n";
  o << "\n";
  size_t label_w = 9;
  for (const auto& run : runs) label_w = std::max(label_w, run.label.size());
  o << fmt("%-14s %-*s %-9s %11s %11s %7s %12s %12s %16s %14s %10s %11s %-8s\n", "network", int(label_w), by_name(by),
           "strategy", "latency_ms", "eval_per_s", "util%", "dram_read_MB", "dram_write_MB", "spill_traffic_MB",
           "sram_peak_MiB", "energy_mJ", "no_spill", "bound");
  for (size_t si = 0; si < w0.stages.size(); ++si) {
    for (const auto& run : runs) {
      if (si >= run.result.stages.size()) continue;
      const sim::StageResult& st = run.result.stages[si];
      const auto m = sim::network_metrics(st);
      using sim::Metric;
      o << fmt("%-14s %-*s %-9s %11.3f %11.3f %7.1f %12.3f %12.3f %16.3f %14.3f %10.3f %7.1f MiB %-8s\n",
               st.name.c_str(), int(label_w), run.label.c_str(), st.run.schedule.strategy.c_str(),
               value_of(m, Metric::kNetLatency), value_of(m, Metric::kNetEvaluationsPerS),
               value_of(m, Metric::kNetMacUtilization) * 100, value_of(m, Metric::kNetDramReadBytes) / 1e6,
               value_of(m, Metric::kNetDramWriteBytes) / 1e6, value_of(m, Metric::kNetSpillTrafficBytes) / 1e6,
               value_of(m, Metric::kNetSramPeakBytes) / 1048576.0, value_of(m, Metric::kNetEnergy),
               value_of(m, Metric::kNetNoSpillSramBytes) / 1048576.0,
               std::string(sim::bound_name(dominant_bound(st.run.stats).first)).c_str());
    }
  }
  o << "\nspill_traffic: DRAM bytes written for spilled activations plus read back (run's \"spilled activations\"\n"
       "is the bytes spilled once); no_spill: the SRAM size at which the strategy keeps every activation it\n"
       "wants on chip (0 for offchip).\n";
  if (w0.kind != workloads::WorkloadKind::kNetwork || w0.stages.size() > 1) {
    o << "\n" << (w0.kind == workloads::WorkloadKind::kLlm ? "LLM" : "Pipeline") << " figures:\n";
    for (const auto& run : runs) {
      o << fmt("  %-*s", int(label_w), run.label.c_str());
      for (const auto& v : sim::headline_metrics(run.result)) {
        const sim::MetricDef& d = sim::metric_def(v.id);
        if (v.id == sim::latency_metric(w0.kind) || v.id == sim::throughput_metric(w0.kind) ||
            v.id == sim::energy_metric(w0.kind))
          o << "  " << d.key << " " << fmt("%.4g", v.value);
      }
      o << "\n";
    }
  }
  if (by == CompareBy::kHardware && top_layers > 0) {
    for (size_t i = 1; i < runs.size(); ++i) {
      o << "\nLayers whose latency changed most, " << runs[0].label << " -> " << runs[i].label << " (top " << top_layers
        << " per network):\n";
      o << fmt("  %-13s %-40s %-14s %12s %-10s %12s %-10s %12s\n", "network", "layer", "kind", "a_us", "a_bound",
               "b_us", "b_bound", "change_us");
      for (const LayerChange& c : changed_layers(runs[0].result, runs[i].result, top_layers))
        o << fmt("  %-13s %-40s %-14s %12.3f %-10s %12.3f %-10s %+12.3f\n", c.network.c_str(), c.layer.c_str(),
                 c.kind.c_str(), c.a_us, std::string(sim::bound_name(c.a_bound)).c_str(), c.b_us,
                 std::string(sim::bound_name(c.b_bound)).c_str(), c.b_us - c.a_us);
    }
  }
  return o.str();
}

std::string compare_json(const std::vector<CompareRun>& runs, CompareBy by, size_t top_layers) {
  JsonWriter w;
  w.begin_object();
  w.field("schema", "npusim.compare");
  w.field("schema_version", uint64_t{1});
  w.field("npusim_version", version_string());
  w.field("git_commit", git_commit());
  w.field("by", by_name(by));
  w.key("runs");
  w.begin_array();
  for (const auto& run : runs) {
    w.begin_object();
    w.field("label", run.label);
    w.key("run");
    write_workload_json(w, run.result, false);
    w.end_object();
  }
  w.end_array();
  if (by == CompareBy::kHardware) {
    w.key("changed_layers");
    w.begin_array();
    for (size_t i = 1; i < runs.size(); ++i) {
      for (const LayerChange& c : changed_layers(runs[0].result, runs[i].result, top_layers)) {
        w.begin_object();
        w.field("a", runs[0].label);
        w.field("b", runs[i].label);
        w.field("network", c.network);
        w.field("layer", c.layer);
        w.field("kind", c.kind);
        w.field("a_latency_us", c.a_us);
        w.field("a_bound", sim::bound_name(c.a_bound));
        w.field("b_latency_us", c.b_us);
        w.field("b_bound", sim::bound_name(c.b_bound));
        w.end_object();
      }
    }
    w.end_array();
  }
  w.end_object();
  return w.str() + "\n";
}

}  // namespace npusim::reports
