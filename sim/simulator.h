#pragma once
// The façade (STYLE.md rule 20): what the CLI, tests and any binding use to run a model.
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/npu_config.h"
#include "mappers/mapper.h"
#include "mappers/schedule.h"
#include "power_budget.h"
#include "run_stats.h"
#include "timing/trace.h"
#include "workloads/model_registry.h"
#include "workloads/workload.h"

namespace npusim::sim {

struct RunResult {
  arch::NpuConfig hw;
  std::string model;         // graph name
  std::string model_source;  // file it came from
  std::vector<std::string> workload_notes;
  workloads::PrecisionSpec precision;
  uint64_t param_count = 0;
  std::string engine;                     // "analytic" or "systemc"
  std::vector<std::string> engine_notes;  // what the engine leaves out of this hardware config
  std::string strategy_choice;            // what was asked: offchip | onchip | fused | best
  mappers::Schedule schedule;             // of the strategy that ran (best: the fastest)
  RunStats stats;
};

// "offchip", "onchip", "fused" or "best" (the lowest latency of the three, per network).
inline constexpr const char* kDefaultStrategy = "best";
// Throws UserError naming `what` for anything else.
void check_strategy(const std::string& name, const std::string& what);

// How runs are evaluated. The sweep code and the CLI pass this to Simulator.
struct RunOptions {
  std::string engine = "analytic";  // "analytic" (closed form) or "systemc" (event-driven reference)
  // systemc only: every run of the chosen strategy appends its timeline here (runs laid out
  // one after another). Runs through the SystemC engine are serialised process-wide.
  timing::Trace* trace = nullptr;
  // false: RunResult::schedule is left empty, for callers that read only the stats (calibrate's
  // search evaluates thousands of points): it saves a deep copy of the winning schedule per run.
  bool keep_schedule = true;
};
inline constexpr const char* kDefaultEngine = "analytic";
// Throws UserError naming `what` unless `name` is analytic or systemc.
void check_engine(const std::string& name, const std::string& what);

// One stage of a workload (a network and how often it runs) and its result.
struct StageResult {
  std::string name;
  workloads::StageRole role = workloads::StageRole::kNetwork;
  uint64_t runs = 1;
  RunResult run;
};

struct WorkloadResult {
  std::string name, source;
  workloads::WorkloadKind kind = workloads::WorkloadKind::kNetwork;
  uint64_t steps = 0, resolution = 0;
  bool guidance = false, cfg_batched = false;
  uint64_t batch = 1;  // images, sequences or inputs one pass of the stages serves
  uint64_t prompt_tokens = 0, context = 0;
  std::vector<std::string> notes;
  std::vector<StageResult> stages;
  // With hw.power_budget > 0: the clock that fits the budget and the sustained figures.
  std::optional<PowerBudgetResult> budget;

  const StageResult* stage(workloads::StageRole r) const;
  // Sum over stages of runs x latency / energy, divided by the batch: one image (diffusion)
  // or one input's share of a pass of each stage.
  double seconds_per_image() const;
  double energy_per_image_j() const;
  // LLMs (0 without the phase): prefill latency (every sequence of the batch gets its first
  // token then); batch / decode-step latency; decode-step energy / batch.
  double time_to_first_token_s() const;
  double decode_tokens_per_s() const;
  double decode_energy_per_token_j() const;
};

// Schedules of one model, by mapping key (mappers::mapping_key) and strategy: a caller that runs
// one model on configs differing only in keys the mapper does not read (npusim calibrate) maps
// it once. Holds the `capacity` most recently used schedules; one cache per model. Configs that
// differ in keys the memory plan does not read (the clock: mappers::memory_plan_key) share
// its memory plans, so a new clock re-tiles the ops without planning memory again.
class ScheduleCache {
 public:
  explicit ScheduleCache(size_t capacity = 12) : capacity_(capacity) {}
  // The pointer stays valid until the next add().
  const mappers::Schedule* find(const std::string& key);
  const mappers::Schedule& add(std::string key, mappers::Schedule schedule);
  // The memory plan of this cache's model for `strategy` on `hw`, made on first use. The
  // reference stays valid until the next call.
  const mappers::MemoryPlan& memory_plan(const workloads::Graph& graph, const arch::NpuConfig& hw,
                                         const mappers::MemoryStrategy& strategy);
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  // One least-recently-used list of `capacity_` entries, for schedules and memory plans alike.
  template <class T>
  static T* lru_find(std::list<std::pair<std::string, T>>& list, const std::string& key);
  template <class T>
  T& lru_add(std::list<std::pair<std::string, T>>& list, std::string key, T value) const;
  size_t capacity_;
  std::list<std::pair<std::string, mappers::Schedule>> entries_;  // least recently used first
  std::list<std::pair<std::string, mappers::MemoryPlan>> plans_;  // the same, memory plans
  uint64_t hits_ = 0, misses_ = 0;
};

class Simulator {
 public:
  // Keeps one mapper (and its memoised tile plans) for every run on `hw`.
  explicit Simulator(const arch::NpuConfig& hw, RunOptions options = {});
  RunResult run(const workloads::LoadedModel& model, const std::string& strategy = kDefaultStrategy);
  // The same, reusing (and filling) `cache`'s schedules of this model.
  RunResult run(const workloads::LoadedModel& model, const std::string& strategy, ScheduleCache* cache);
  // Every stage on the same mapper; `best` picks the fastest strategy per network.
  WorkloadResult run(const workloads::Workload& w, const std::string& strategy = kDefaultStrategy);
  const mappers::Mapper& mapper() const { return mapper_; }

  // One-off run with a fresh mapper.
  static RunResult run(const arch::NpuConfig& hw, const workloads::LoadedModel& model,
                       const std::string& strategy = kDefaultStrategy, RunOptions options = {});

 private:
  RunStats evaluate(const workloads::Graph& graph, const mappers::Schedule& schedule, timing::Trace* trace);
  mappers::Mapper mapper_;
  RunOptions options_;
};

}  // namespace npusim::sim
