#pragma once
// The schedule: the contract between mappers and engines (DESIGN.md). Per op, a list of
// tile steps saying what is loaded, computed and stored; both engines read the same one.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/npu_config.h"
#include "workloads/graph.h"

namespace npusim::mappers {

struct TileStep {
  uint64_t dram_read_bytes[workloads::kNumTensorKinds] = {0, 0, 0};  // by TensorKind, burst-rounded
  uint64_t dram_write_bytes = 0;                                     // burst-rounded
  uint32_t dram_transfers = 0;  // separate DMA transfers (each pays the DRAM latency once)
  uint64_t macs = 0;
  uint64_t mac_cycles = 0;  // MAC-array clock cycles of the compute
  uint64_t vector_elems = 0;
  uint64_t vector_cycles = 0;  // vector-unit clock cycles
  uint64_t sram_read_bytes = 0;
  uint64_t sram_write_bytes = 0;
};

struct OpSchedule {
  workloads::OpId op = 0;
  std::string mapping;  // the chosen mapping, human-readable, shown per layer
  std::vector<TileStep> steps;
};

struct Schedule {
  std::string mapper;    // which mapper produced it
  std::string strategy;  // memory strategy
  arch::PrecisionMode precision = arch::PrecisionMode::kW8A8;
  std::vector<OpSchedule> ops;           // in execution order
  std::vector<std::string> assumptions;  // what the mapper assumed, for reports
};

}  // namespace npusim::mappers
