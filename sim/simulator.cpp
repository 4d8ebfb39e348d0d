#include "simulator.h"

#include <algorithm>

#include "analytic_engine.h"
#include "npusim/error.h"
#include "systemc/systemc_engine.h"

namespace npusim::sim {

void check_strategy(const std::string& name, const std::string& what) {
  if (name != "best") mappers::find_strategy(name, what);
}

void check_engine(const std::string& name, const std::string& what) {
  if (name != "analytic" && name != "systemc") throw UserError(what + ": unknown engine; valid: analytic, systemc");
}

Simulator::Simulator(const arch::NpuConfig& hw, RunOptions options) : mapper_(hw), options_(std::move(options)) {
  check_engine(options_.engine, "--engine " + options_.engine);
}

RunStats Simulator::evaluate(const workloads::Graph& graph, const mappers::Schedule& schedule, timing::Trace* trace) {
  if (options_.engine == "systemc") return run_systemc(graph, mapper_.hw(), schedule, SystemcOptions{trace, false});
  return run_analytic(graph, mapper_.hw(), schedule);
}

template <class T>
T* ScheduleCache::lru_find(std::list<std::pair<std::string, T>>& list, const std::string& key) {
  for (auto it = list.begin(); it != list.end(); ++it)
    if (it->first == key) {
      list.splice(list.end(), list, it);  // least recently used goes first: a hit moves to the back
      return &list.back().second;
    }
  return nullptr;
}

template <class T>
T& ScheduleCache::lru_add(std::list<std::pair<std::string, T>>& list, std::string key, T value) const {
  if (list.size() >= std::max<size_t>(capacity_, 1)) list.pop_front();
  list.emplace_back(std::move(key), std::move(value));
  return list.back().second;
}

const mappers::Schedule* ScheduleCache::find(const std::string& key) {
  const mappers::Schedule* s = lru_find(entries_, key);
  ++(s ? hits_ : misses_);
  return s;
}

const mappers::Schedule& ScheduleCache::add(std::string key, mappers::Schedule schedule) {
  return lru_add(entries_, std::move(key), std::move(schedule));
}

const mappers::MemoryPlan& ScheduleCache::memory_plan(const workloads::Graph& graph, const arch::NpuConfig& hw,
                                                      const mappers::MemoryStrategy& strategy) {
  std::string key = mappers::memory_plan_key(hw, strategy);
  if (const mappers::MemoryPlan* p = lru_find(plans_, key)) return *p;
  return lru_add(plans_, std::move(key), mappers::plan_memory(graph, hw, strategy));
}

RunResult Simulator::run(const workloads::LoadedModel& model, const std::string& strategy) {
  return run(model, strategy, nullptr);
}

RunResult Simulator::run(const workloads::LoadedModel& model, const std::string& strategy, ScheduleCache* cache) {
  check_strategy(strategy, "--strategy " + strategy);
  const arch::NpuConfig& hw = mapper_.hw();
  RunResult r;
  r.hw = hw;
  r.model = model.name.empty() ? model.graph.name() : model.name;
  r.model_source = model.source;
  r.workload_notes = model.notes;
  r.precision = model.graph.precision_spec();
  r.param_count = model.graph.param_count();
  r.engine = options_.engine;
  if (options_.engine == "analytic" && hw.dram.model == "lpddr")
    r.engine_notes.push_back(
        "dram.model: lpddr is modelled by the SystemC engine only (open rows, row misses, refresh); the analytic "
        "engine times DRAM by bandwidth and latency alone, so lpddr's row and refresh overhead is not in these "
        "figures (run with --engine systemc for it)");
  r.strategy_choice = strategy;
  bool have = false;
  // With a trace and a choice to make, the winner runs once more to record its timeline.
  const bool retrace = options_.trace && strategy == "best";
  const std::string key =
      cache ? mappers::mapping_key(hw, mappers::precision_mode_for(model.graph.precision())) : std::string();
  for (const auto& s : mappers::strategies()) {
    if (strategy != "best" && s->name() != strategy) continue;
    mappers::Schedule mapped;
    const std::string cache_key = cache ? key + std::string(s->name()) : std::string();
    const mappers::Schedule* sched = cache ? cache->find(cache_key) : nullptr;
    if (!sched) {
      mapped =
          cache ? mapper_.map(model.graph, *s, cache->memory_plan(model.graph, hw, *s)) : mapper_.map(model.graph, *s);
      sched = cache ? &cache->add(cache_key, std::move(mapped)) : &mapped;
    }
    RunStats stats = evaluate(model.graph, *sched, retrace ? nullptr : options_.trace);
    // Best: strictly faster wins, so ties keep the simpler strategy.
    if (!have || stats.total.latency_s < r.stats.total.latency_s) {
      if (options_.keep_schedule || retrace) r.schedule = cache ? *sched : std::move(mapped);
      r.stats = std::move(stats);
      have = true;
    }
  }
  if (retrace) evaluate(model.graph, r.schedule, options_.trace);
  return r;
}

WorkloadResult Simulator::run(const workloads::Workload& w, const std::string& strategy) {
  WorkloadResult r;
  r.name = w.name;
  r.source = w.source;
  r.kind = w.kind;
  r.steps = w.steps;
  r.resolution = w.resolution;
  r.guidance = w.guidance;
  r.cfg_batched = w.cfg_batched;
  r.batch = w.batch;
  r.prompt_tokens = w.prompt_tokens;
  r.context = w.context;
  r.notes = w.notes;
  for (const workloads::Stage& s : w.stages) {
    StageResult sr;
    sr.name = s.name;
    sr.role = s.role;
    sr.runs = s.runs;
    sr.run = run(s.model, strategy);
    r.stages.push_back(std::move(sr));
  }
  if (mapper_.hw().power_budget_mw > 0) r.budget = fit_power_budget(mapper_.hw(), w, strategy, options_, r);
  return r;
}

const StageResult* WorkloadResult::stage(workloads::StageRole role) const {
  for (const auto& s : stages)
    if (s.role == role) return &s;
  return nullptr;
}

double WorkloadResult::seconds_per_image() const {
  double t = 0;
  for (const auto& s : stages) t += double(s.runs) * s.run.stats.total.latency_s;
  return t / double(std::max<uint64_t>(batch, 1));
}

double WorkloadResult::energy_per_image_j() const {
  double e = 0;
  for (const auto& s : stages) e += double(s.runs) * s.run.stats.total.energy_pj() * 1e-12;
  return e / double(std::max<uint64_t>(batch, 1));
}

double WorkloadResult::time_to_first_token_s() const {
  const StageResult* p = stage(workloads::StageRole::kPrefill);
  return p ? p->run.stats.total.latency_s : 0;
}

double WorkloadResult::decode_tokens_per_s() const {
  const StageResult* d = stage(workloads::StageRole::kDecode);
  const double lat = d ? d->run.stats.total.latency_s : 0;
  return lat > 0 ? double(std::max<uint64_t>(batch, 1)) / lat : 0;
}

double WorkloadResult::decode_energy_per_token_j() const {
  const StageResult* d = stage(workloads::StageRole::kDecode);
  return d ? d->run.stats.total.energy_pj() * 1e-12 / double(std::max<uint64_t>(batch, 1)) : 0;
}

RunResult Simulator::run(const arch::NpuConfig& hw, const workloads::LoadedModel& model, const std::string& strategy,
                         RunOptions options) {
  Simulator sim(hw, std::move(options));
  return sim.run(model, strategy);
}

}  // namespace npusim::sim
