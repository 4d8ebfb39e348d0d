#include "op_planner.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "npusim/checked.h"
#include "tiling.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;
using workloads::OpClass;
using workloads::OpKind;
using workloads::Tensor;
using workloads::TensorId;
using workloads::TensorKind;

namespace {

double vector_cost(const arch::VectorUnitConfig& v, workloads::VectorClass c) {
  switch (c) {
    case workloads::VectorClass::kNorm:
      return v.cost_norm;
    case workloads::VectorClass::kSoftmax:
      return v.cost_softmax;
    case workloads::VectorClass::kActivation:
      return v.cost_activation;
    case workloads::VectorClass::kEltwise:
      return v.cost_eltwise;
    case workloads::VectorClass::kNone:
      return 0;
  }
  return 0;
}

// A depthwise conv (one input channel per group) uses a sliver of a systolic array: its
// reduction is only the kernel taps. NPUs with a wide vector unit (Hexagon's HVX, for one)
// run it there instead, at vector_unit.cost.depthwise lane-cycles per MAC; the compiler picks
// the faster unit, and so does this. 0 keeps every conv on the array.
bool depthwise(const Op& op) { return op.kind == OpKind::kConv2d && op.conv.groups > 1 && op.conv.c == op.conv.groups; }

void move_depthwise_to_vector(OpPlan& p, const arch::NpuConfig& hw) {
  const double cost = hw.vector_unit.cost_depthwise;
  if (cost <= 0 || hw.vector_unit.lanes == 0) return;
  long double array_s = 0, vector_s = 0;
  std::vector<uint64_t> cycles;
  cycles.reserve(p.steps.size());
  for (const TileStep& t : p.steps) {
    const uint64_t c = checked_count(std::ceil(static_cast<long double>(t.macs) * cost / hw.vector_unit.lanes),
                                     "vector-unit cycles of a depthwise conv");
    cycles.push_back(c);
    array_s += static_cast<long double>(t.repeat) * t.mac_cycles / hw.mac_array.frequency_hz;
    vector_s += static_cast<long double>(t.repeat) * c / hw.vector_unit.frequency_hz;
  }
  if (vector_s >= array_s) return;
  for (size_t i = 0; i < p.steps.size(); ++i) {
    p.steps[i].vector_cycles += cycles[i];
    p.steps[i].mac_cycles = 0;
  }
  p.mapping = "vector unit (depthwise, faster than the array's " + p.mapping + ")";
}

}  // namespace

OpPlan plan_stream(const Graph& g, const Op& op, const OpMemory& ctx, const arch::NpuConfig& hw) {
  OpPlan plan;
  const uint64_t burst = hw.dram.burst_bytes;
  const auto vclass = workloads::vector_class(op.kind);
  const bool vector = op_class(op.kind) == OpClass::kVector;
  Totals t;
  uint64_t streamed = 0;  // DRAM bytes per pass, for buffer sizing
  uint64_t passes = 1;
  if (vector && vclass == workloads::VectorClass::kNorm && ctx.in.at(0).loc == Loc::kDram && !ctx.norm_stats_free) {
    // Statistics pass + normalise pass: one read if a normalisation group fits the buffers.
    const Tensor& x = g.tensor(op.inputs[0]);
    uint64_t slice = x.size_bytes;
    if (op.kind == OpKind::kGroupNorm)
      slice = ceil_div(x.size_bytes, x.shape.at(0) * op.groups);
    else
      slice = bytes_of(x.shape.back(), workloads::dtype_bits(x.dtype));
    if (2 * slice > ctx.tile_budget_bytes) passes = 2;
  }
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const Tensor& in = g.tensor(op.inputs[i]);
    uint64_t bytes = in.size_bytes;
    if ((op.kind == OpKind::kGather && in.kind == TensorKind::kWeight) || op.kind == OpKind::kSlice ||
        op.kind == OpKind::kCopy) {
      // Only the looked-up rows or the sliced range: the output's elements.
      const Tensor& out = g.tensor(op.outputs[0]);
      bytes = std::min(in.size_bytes, bytes_of(out.elems, workloads::dtype_bits(in.dtype)));
    }
    const Place& p = ctx.in.at(i);
    if (p.loc == Loc::kDram) {
      uint64_t reads = in.kind == TensorKind::kWeight ? bytes : bytes * passes;
      t.read[static_cast<int>(p.traffic)] += round_burst(reads, burst);
      streamed += bytes;
      t.transfers++;
    } else if (p.loc == Loc::kSram) {
      t.sram_read += bytes * passes;
    }
  }
  uint64_t out_bytes_total = 0;
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    const Tensor& o = g.tensor(op.outputs[i]);
    out_bytes_total += o.size_bytes;
    const Place& p = ctx.out.at(i);
    if (p.loc == Loc::kDram) {
      t.write[static_cast<int>(p.traffic)] += round_burst(o.size_bytes, burst);
      streamed += o.size_bytes;
      t.transfers++;
    } else if (p.loc == Loc::kSram) {
      t.sram_write += o.size_bytes;
    }
  }
  // DMA lands DRAM reads in SRAM and stores leave from it.
  for (int k = 0; k < kNumTraffic; ++k) t.sram_write += t.read[k], t.sram_read += t.write[k];
  if (vector) {
    t.vector_elems = op.vector_elems;
    t.vector_cycles = checked_count(std::ceil(static_cast<long double>(op.vector_elems) *
                                              vector_cost(hw.vector_unit, vclass) / hw.vector_unit.lanes),
                                    "vector-unit cycles");
  }
  // Steps sized so the DRAM-streamed buffers, double-buffered, fit the budget.
  const uint64_t budget = std::max<uint64_t>(ctx.tile_budget_bytes, 1);
  uint64_t n = std::max<uint64_t>(1, ceil_div(2 * streamed, budget));
  n = std::min<uint64_t>(n, std::max<uint64_t>(1, out_bytes_total));
  TileStep unit;
  unit.repeat = n * passes;
  plan.steps.push_back(unit);
  if (passes == 2) t.transfers = std::max<uint32_t>(t.transfers, 1);
  spread(plan.steps, t);
  plan.working_bytes = 2 * ceil_div(streamed, n);
  std::string what = vector ? "vector" : "copy";
  if (!vector && t.read[0] + t.read[1] + t.read[2] + t.read[3] + t.write[1] + t.write[2] + t.write[3] == 0)
    what = "on-chip copy";
  plan.mapping = what + (passes == 2 ? ", 2 passes (group exceeds SRAM)" : "") +
                 (n > 1 ? ", " + std::to_string(n) + " tiles" : "");
  return plan;
}

OpPlan OpPlanner::plan(const Graph& g, const Op& op, const OpMemory& mem, arch::PrecisionMode mode) {
  // A view (a reshape, or a slice its MAC reader reads in place) runs nothing: no tile plan to
  // search or memoise, so a copy of the same shape can never share its plan.
  if (g.is_view(mem.op)) {
    OpPlan view;
    view.mapping = op.kind == OpKind::kSlice ? "view (read in place by its MAC reader)" : "view";
    return view;
  }
  // MAC ops with no weight operand (attention scores and context, batched matmuls) run at the
  // activation x activation rate; the rate actually used is in the memo key below.
  const bool weight_operand = std::any_of(op.inputs.begin(), op.inputs.end(),
                                          [&](TensorId t) { return g.tensor(t).kind == TensorKind::kWeight; });
  const arch::PrecisionSpec& spec = hw_.mac_array.mode(mode);
  const double rate = weight_operand ? spec.macs_per_pe_per_cycle : spec.act_act_rate();
  std::string& key = key_;
  key.clear();
  auto put = [&](uint64_t x) { key.append(reinterpret_cast<const char*>(&x), sizeof x); };
  put(static_cast<uint64_t>(op.kind));
  put(static_cast<uint64_t>(mode));
  uint64_t rate_bits = 0;
  static_assert(sizeof rate_bits == sizeof rate);
  std::memcpy(&rate_bits, &rate, sizeof rate);
  put(rate_bits);
  // The array placement choices (fixed per hardware config, kept so the key stands alone).
  put(hw_.allowed_dataflows().size());
  for (arch::Dataflow d : hw_.allowed_dataflows()) put(static_cast<uint64_t>(d));
  put(uint64_t{hw_.mapping.transpose == "never"} | uint64_t{hw_.mapping.tiling == "whole"} << 1 |
      uint64_t{hw_.mac_array.gemv == "streaming"} << 2);
  put(hw_.mac_array.gemv_max_m);
  const auto& c = op.conv;
  for (uint64_t x : {c.n,
                     c.c,
                     c.h,
                     c.w,
                     c.k,
                     c.p,
                     c.q,
                     c.r,
                     c.s,
                     c.stride_h,
                     c.stride_w,
                     c.pad_h,
                     c.pad_w,
                     c.groups,
                     op.mm.batch,
                     op.mm.m,
                     op.mm.n,
                     op.mm.k,
                     op.groups,
                     op.macs,
                     op.vector_elems,
                     mem.tile_budget_bytes,
                     uint64_t{mem.norm_stats_free}})
    put(x);
  for (TensorId t : op.inputs) {
    const Tensor& tt = g.tensor(t);
    put(tt.size_bytes), put(tt.elems), put(static_cast<uint64_t>(tt.dtype)), put(static_cast<uint64_t>(tt.kind));
    if (op.kind == OpKind::kGroupNorm || op.kind == OpKind::kLayerNorm || op.kind == OpKind::kRmsNorm)
      for (uint64_t d : tt.shape) put(d);
  }
  for (TensorId t : op.outputs) put(g.tensor(t).size_bytes), put(g.tensor(t).elems);
  for (const Place& p : mem.in) put(uint64_t(p.loc) << 8 | uint64_t(p.traffic));
  for (const Place& p : mem.out) put(uint64_t(p.loc) << 8 | uint64_t(p.traffic));
  const bool dw_vector = depthwise(op) && hw_.vector_unit.cost_depthwise > 0;
  if (dw_vector) {
    // The unit choice depends on the vector unit's rate relative to the array's.
    for (double x : {hw_.vector_unit.cost_depthwise, hw_.vector_unit.frequency_hz, hw_.mac_array.frequency_hz}) {
      uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof x);
      put(bits);
    }
    put(hw_.vector_unit.lanes);
  }
  if (auto it = memo_.find(key); it != memo_.end()) {
    stats_.hits++;
    return it->second;
  }
  stats_.misses++;
  OpPlan p;
  try {
    p = op.macs > 0 && op.inputs.size() >= 2 && op_class(op.kind) == OpClass::kMac ? plan_mac(g, op, mem, hw_, rate)
                                                                                   : plan_stream(g, op, mem, hw_);
    if (dw_vector) move_depthwise_to_vector(p, hw_);
  } catch (const UserError& e) {  // a count that overflows (checked_count): name the op
    throw UserError("op '" + op.name + "': " + e.what());
  }
  memo_.emplace(key, p);
  return p;
}

}  // namespace npusim::mappers
