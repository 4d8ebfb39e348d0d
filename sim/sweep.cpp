#include "sweep.h"

#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "npusim/error.h"

namespace npusim::sim {

uint64_t SweepSpec::num_points() const {
  uint64_t n = models.size() * strategies.size();
  if (zip) return axes.empty() ? n : n * axes[0].values.size();
  for (const SweepAxis& a : axes) n *= a.values.size();
  return n;
}

SweepPoint sweep_point(const SweepSpec& spec, uint64_t index) {
  NPUSIM_ASSERT(index < spec.num_points(), "sweep point index out of range");
  SweepPoint p;
  p.index = index;
  uint64_t rest = index;
  p.strategy = spec.strategies[rest % spec.strategies.size()];
  rest /= spec.strategies.size();
  // Axis value indices, last axis fastest.
  std::vector<size_t> pick(spec.axes.size());
  if (spec.zip && !spec.axes.empty()) {
    const uint64_t len = spec.axes[0].values.size();
    for (auto& v : pick) v = size_t(rest % len);
    rest /= len;
  } else {
    for (size_t i = spec.axes.size(); i-- > 0;) {
      pick[i] = size_t(rest % spec.axes[i].values.size());
      rest /= spec.axes[i].values.size();
    }
  }
  p.model = spec.models[rest];
  p.overrides = spec.set;
  p.labels.emplace_back("model", p.model);
  for (size_t i = 0; i < spec.axes.size(); ++i) {
    const SweepAxisValue& v = spec.axes[i].values[pick[i]];
    p.labels.emplace_back(spec.axes[i].name, v.label);
    for (const auto& [key, value] : v.sets) p.overrides.push_back(key + "=" + value);
  }
  p.labels.emplace_back("strategy", p.strategy);
  return p;
}

arch::NpuConfig load_sweep_base(const SweepSpec& spec, const std::vector<std::string>& hw_dirs) {
  arch::LoadOptions opts;
  opts.overrides = spec.set;
  opts.preset_dirs = hw_dirs;
  return arch::load_npu_config(spec.hw, opts);
}

std::string sweep_hash(const SweepSpec& spec, const arch::NpuConfig& base) {
  // Everything that decides results, one item per line; the resolved config without its
  // comment lines (they name source paths, which differ between checkouts).
  std::string text = "npusim.sweep 1\n";
  std::string resolved = arch::resolved_yaml(base);
  for (size_t start = 0; start < resolved.size();) {
    size_t end = resolved.find('\n', start);
    if (end == std::string::npos) end = resolved.size();
    if (resolved[start] != '#') text += resolved.substr(start, end - start) + "\n";
    start = end + 1;
  }
  for (const auto& m : spec.models) text += "model " + m + "\n";
  text += "precision " + spec.precision + "\n";
  for (const auto& [k, v] : spec.dims) text += "dim " + k + "=" + std::to_string(v) + "\n";
  for (const auto& s : spec.strategies) text += "strategy " + s + "\n";
  text += "engine " + spec.engine + "\n";
  text += spec.zip ? "zip\n" : "grid\n";
  for (const SweepAxis& a : spec.axes) {
    text += "axis " + a.name + "\n";
    for (const SweepAxisValue& v : a.values) {
      text += "  " + v.label + ":";
      for (const auto& [k, val] : v.sets) text += " " + k + "=" + val;
      text += "\n";
    }
  }
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void check_sweep_engine(const std::string& engine, const std::string& where) {
  // SystemC runs are serialised process-wide (its kernel is one per process), so a SystemC
  // sweep's threads only overlap config loading and mapping; shards give real parallelism.
  check_engine(engine, where + "engine " + engine);
}

void run_sweep(const SweepSpec& spec, const std::vector<uint64_t>& todo,
               const std::map<std::string, workloads::Workload>& workloads, const std::vector<std::string>& hw_dirs,
               unsigned jobs, const SweepDone& done, std::stop_token stop) {
  check_sweep_engine(spec.engine, spec.file + ": ");
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex lock;
  std::exception_ptr failure;  // from `done` (e.g. the results file cannot be written)
  auto worker = [&] {
    while (!failed && !stop.stop_requested()) {
      const size_t i = next++;
      if (i >= todo.size()) return;
      const SweepPoint p = sweep_point(spec, todo[i]);
      std::string error;
      WorkloadResult r;
      try {
        arch::LoadOptions opts;
        opts.overrides = p.overrides;
        opts.preset_dirs = hw_dirs;
        RunOptions run_options;
        run_options.engine = spec.engine;
        Simulator simulator(arch::load_npu_config(spec.hw, opts), run_options);
        r = simulator.run(workloads.at(p.model), p.strategy);
      } catch (const UserError& e) {
        error = e.what();
      } catch (const std::exception& e) {
        error = std::string("internal error: ") + e.what();
      }
      std::lock_guard<std::mutex> g(lock);
      if (failed) return;
      try {
        done(p, error.empty() ? &r : nullptr, error);
      } catch (...) {
        failure = std::current_exception();
        failed = true;
      }
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(jobs, unsigned(std::max<size_t>(todo.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace npusim::sim
