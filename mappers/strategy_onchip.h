#pragma once
// onchip: activations stay resident in SRAM while they fit (Belady eviction in plan_memory);
// weights always stream. fused (strategy_fused.cpp) builds on it.
#include <string>

#include "memory_strategy.h"

namespace npusim::mappers {

class Onchip : public MemoryStrategy {
 public:
  std::string_view name() const override { return "onchip"; }
  // A quarter of SRAM stays free of resident activations for tile buffers.
  double residency_fraction() const override { return 0.75; }
  std::vector<std::string> assumptions() const override {
    return {"onchip residency: activations stay in " + std::to_string(int(100 * residency_fraction())) +
            " % of SRAM (the rest holds tile buffers); when full, the resident tensor needed furthest ahead is "
            "spilled to DRAM (Belady) and read back as spill traffic; tensors larger than that space and graph "
            "inputs/outputs live in DRAM"};
  }
};

}  // namespace npusim::mappers
