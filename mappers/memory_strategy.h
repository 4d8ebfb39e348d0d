#pragma once
// Memory strategies: where activations live between ops (DESIGN.md). A strategy is a small
// policy object read by plan_memory (memory_plan.h); each lives in its own file
// (strategy_*.cpp) and is listed once in the registry in memory_strategy.cpp, which the CLI,
// sweeps, `compare` and `best` iterate. Adding a strategy is one file and one registry line.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/op.h"

namespace npusim::mappers {

class MemoryStrategy {
 public:
  virtual ~MemoryStrategy() = default;
  virtual std::string_view name() const = 0;
  // Share of SRAM that resident activations may fill; the rest holds tile buffers. 0 keeps
  // every activation in DRAM.
  virtual double residency_fraction() const = 0;
  // Whether the tensor from `producer` to `consumer` (its only consumer, run right after it)
  // is fused away: computed and consumed on chip inside one tile loop, never stored.
  virtual bool fuses(const workloads::Op& producer, const workloads::Op& consumer) const {
    (void)producer, (void)consumer;
    return false;
  }
  // Whether a norm right after a MAC op gets its statistics from that op's epilogue.
  virtual bool norm_stats_from_producer() const { return false; }
  // What the strategy assumes, one line each, for reports.
  virtual std::vector<std::string> assumptions() const = 0;
};

// The registered strategies, in the order `best` tries them (ties keep the earlier one).
const std::vector<std::unique_ptr<const MemoryStrategy>>& strategies();
// The strategy named `name`; throws UserError naming `what` and the valid names otherwise.
const MemoryStrategy& find_strategy(std::string_view name, std::string_view what);
// "offchip, onchip, fused", for docs and errors.
std::string strategy_names();

}  // namespace npusim::mappers
