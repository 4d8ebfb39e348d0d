#pragma once
// What planning one op produces (its tile steps, tiling and mapping text) and the arithmetic
// shared by the planning stages: per-op totals spread exactly over tile steps.
#include <cstdint>
#include <string>
#include <vector>

#include "schedule.h"

namespace npusim::mappers {

struct OpPlan {
  MacTiling tiling;
  std::string mapping;
  uint64_t working_bytes = 0;  // SRAM of the op's tile buffers
  std::vector<TileStep> steps;
};

// Totals of one op, spread over its steps so every sum stays exact.
struct Totals {
  uint64_t read[kNumTraffic] = {};
  uint64_t write[kNumTraffic] = {};
  uint64_t sram_read = 0, sram_write = 0;
  uint64_t vector_elems = 0, vector_cycles = 0;
  uint32_t transfers = 0;  // per step
};

uint64_t bytes_of(uint64_t elems, unsigned bits);
uint64_t round_burst(uint64_t bytes, uint64_t burst);

// Spreads `t` evenly over the unit steps of `steps`; the remainders go to a first step of
// repeat 1 split off the first group.
void spread(std::vector<TileStep>& steps, const Totals& t);
// Adds another op's work (fused into this one) to the steps of a host op.
void absorb(std::vector<TileStep>& host, const std::vector<TileStep>& guest);

}  // namespace npusim::mappers
