#include "roofline_mapper.h"

#include <cmath>

#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::OpClass;
using workloads::VectorClass;

arch::PrecisionMode precision_mode_for(workloads::Precision p) {
  auto mode = arch::precision_mode_from_name(workloads::precision_name(p));
  NPUSIM_ASSERT(mode.has_value(), "workload precision without a hardware mode");
  return *mode;
}

namespace {

uint64_t ceil_cycles(long double work, long double per_cycle) {
  return static_cast<uint64_t>(std::ceil(work / per_cycle));
}

double vector_cost(const arch::VectorUnitConfig& v, VectorClass c) {
  switch (c) {
    case VectorClass::kNorm:
      return v.cost_norm;
    case VectorClass::kSoftmax:
      return v.cost_softmax;
    case VectorClass::kActivation:
      return v.cost_activation;
    case VectorClass::kEltwise:
      return v.cost_eltwise;
    case VectorClass::kNone:
      return 0;
  }
  return 0;
}

uint64_t round_to_burst(uint64_t bytes, uint64_t burst) { return ceil_div(bytes, burst) * burst; }

}  // namespace

Schedule map_roofline(const workloads::Graph& graph, const arch::NpuConfig& hw) {
  Schedule s;
  s.mapper = kRooflineMapperName;
  s.strategy = "offchip";
  s.precision = precision_mode_for(graph.precision());
  const arch::PrecisionSpec& mode = hw.mac_array.mode(s.precision);
  if (!mode.supported())
    throw UserError("hardware '" + hw.name + "' does not support precision " +
                    std::string(arch::precision_mode_name(s.precision)) + " (mac_array.precision." +
                    std::string(arch::precision_mode_name(s.precision)) +
                    ".macs_per_pe_per_cycle is 0); choose another with --precision");
  const long double macs_per_cycle = static_cast<long double>(hw.mac_array.pes()) * mode.macs_per_pe_per_cycle;
  const uint64_t burst = hw.dram.burst_bytes;
  s.assumptions = {
      "PLACEHOLDER roofline mapper: each op reads every operand from DRAM once and writes its output back "
      "(offchip); no tiling, no array fill/drain, no reuse limits; to be replaced by the mapper issue",
      "MAC time at the array's peak rate: ceil(MACs / (PEs x MACs/PE/cycle))",
      "vector time: ceil(elements x cost / lanes) cycles at the vector clock",
      "op latency = max(MAC time [+ vector time if not overlapped], vector time, DRAM time) + one DRAM latency per "
      "transfer",
      "reshape is a view (no traffic); transpose, concat, upsample and gather copy through SRAM",
  };

  for (workloads::OpId id : graph.topological_order()) {
    const workloads::Op& op = graph.op(id);
    workloads::OperandBytes ob = graph.operand_bytes(id);
    TileStep t;
    // Each operand is its own DMA transfer, rounded up to whole bursts. A gather reads only
    // the rows it needs (operand_bytes), so its table is charged that, not the whole tensor.
    const bool view = op.kind == workloads::OpKind::kReshape;
    for (workloads::TensorId tid : op.inputs) {
      const workloads::Tensor& in = graph.tensor(tid);
      uint64_t bytes = op.kind == workloads::OpKind::kGather && in.kind == workloads::TensorKind::kWeight
                           ? ob.read[static_cast<int>(in.kind)]
                           : in.size_bytes;
      if (view || bytes == 0) continue;
      t.dram_read_bytes[static_cast<int>(in.kind)] += round_to_burst(bytes, burst);
      ++t.dram_transfers;
    }
    for (workloads::TensorId tid : op.outputs) {
      if (view) continue;
      t.dram_write_bytes += round_to_burst(graph.tensor(tid).size_bytes, burst);
      ++t.dram_transfers;
    }
    t.macs = op.macs;
    t.mac_cycles = op.macs ? ceil_cycles(op.macs, macs_per_cycle) : 0;
    const double cost = vector_cost(hw.vector_unit, workloads::vector_class(op.kind));
    t.vector_elems = op.vector_elems;
    t.vector_cycles =
        op.vector_elems ? ceil_cycles(static_cast<long double>(op.vector_elems) * cost, hw.vector_unit.lanes) : 0;
    // Every byte loaded is written into SRAM and read once by the consumer; the output is
    // written into SRAM and read once by the store.
    t.sram_write_bytes = ob.total_read() + ob.written;
    t.sram_read_bytes = ob.total_read() + ob.written;
    OpSchedule os;
    os.op = id;
    os.mapping = op.macs                                 ? "roofline: peak rate"
                 : op_class(op.kind) == OpClass::kVector ? "roofline: vector"
                                                         : "roofline: copy";
    if (op.kind == workloads::OpKind::kReshape) os.mapping = "view";
    os.steps.push_back(t);
    s.ops.push_back(std::move(os));
  }
  return s;
}

}  // namespace npusim::mappers
