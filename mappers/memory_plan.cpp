#include "memory_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;
using workloads::OpClass;
using workloads::TensorId;
using workloads::TensorKind;

namespace {

// Per storage root: producer, consumers and lifetime, by op position.
struct TensorInfo {
  TensorId root = 0;               // views alias their input's storage
  int64_t producer = -1;           // position of the producing op, -1 for graph inputs
  std::vector<int64_t> consumers;  // positions, ascending
  bool graph_output = false;
  bool internal = false;  // fused away: never stored
  uint64_t bytes = 0;
};

class Planner {
 public:
  // The SRAM size is all it takes of the hardware (memory_plan_key relies on it).
  Planner(const Graph& g, uint64_t sram_bytes, const MemoryStrategy& st)
      : g_(g), sram_bytes_(sram_bytes), st_(st), order_(g.topological_order()), tensors_(g.tensors()) {}

  MemoryPlan run() {
    MemoryPlan p;
    p.strategy = std::string(st_.name());
    p.residency_fraction = st_.residency_fraction();
    p.ops.resize(order_.size());
    lifetimes();
    fusion();
    residency(p);
    hosts(p);
    return p;
  }

 private:
  const Graph& g_;
  const uint64_t sram_bytes_;
  const MemoryStrategy& st_;
  const std::vector<workloads::OpId>& order_;
  const std::vector<workloads::Tensor>& tensors_;
  std::vector<TensorInfo> info_;

  const Op& op_at(size_t i) const { return g_.op(order_[i]); }
  // Reshapes and slices read in place by their MAC reader (Graph::is_view) alias their input's
  // storage in every strategy: a strided DMA read works wherever the source lives (DRAM or
  // SRAM), so offchip, onchip and fused agree on it and differ only in where the source is.
  bool view_at(size_t i) const { return g_.is_view(order_[i]); }
  TensorInfo& root(TensorId t) { return info_[info_[t].root]; }
  bool is_act(TensorId t) const { return tensors_[t].kind != TensorKind::kWeight; }
  int64_t next_op(size_t i) const {  // next non-view op position
    for (size_t j = i + 1; j < order_.size(); ++j)
      if (!view_at(j)) return int64_t(j);
    return -1;
  }

  void lifetimes() {
    const size_t nops = order_.size();
    info_.resize(tensors_.size());
    for (TensorId t = 0; t < tensors_.size(); ++t) info_[t].root = t, info_[t].bytes = tensors_[t].size_bytes;
    for (size_t i = 0; i < nops; ++i) {
      const Op& op = op_at(i);
      for (TensorId o : op.outputs) {
        info_[o].producer = int64_t(i);
        if (view_at(i)) info_[o].root = info_[op.inputs.at(0)].root;
      }
    }
    // Uses by storage root (a view's readers use its root); ascending, as ops are visited in order.
    for (size_t i = 0; i < nops; ++i) {
      if (view_at(i)) continue;
      for (TensorId in : op_at(i).inputs) {
        auto& c = root(in).consumers;
        if (c.empty() || c.back() != int64_t(i)) c.push_back(int64_t(i));
      }
    }
    auto live = g_.liveness();
    for (TensorId t = 0; t < tensors_.size(); ++t)
      if (live[t].graph_output) root(t).graph_output = true;
  }

  // A tensor with one consumer that runs right after its producer is fused away when the
  // strategy says so.
  void fusion() {
    for (size_t i = 0; i < order_.size(); ++i) {
      if (view_at(i)) continue;
      const Op& op = op_at(i);
      for (TensorId o : op.outputs) {
        TensorInfo& ti = root(o);
        if (ti.graph_output || ti.consumers.size() != 1 || ti.consumers[0] != next_op(i)) continue;
        ti.internal = st_.fuses(op, op_at(size_t(ti.consumers[0])));
      }
    }
  }

  // Residency: Belady eviction of the resident activation used furthest ahead.
  void residency(MemoryPlan& p) {
    const size_t nops = order_.size();
    const uint64_t sram = sram_bytes_;
    const double frac = st_.residency_fraction();
    const uint64_t cap = uint64_t(double(sram) * frac);
    std::vector<char> resident(tensors_.size(), 0), spilled(tensors_.size(), 0);
    uint64_t resident_bytes = 0;
    auto next_use = [&](TensorId r, int64_t after) -> int64_t {
      for (int64_t c : info_[r].consumers)
        if (c > after) return c;
      return std::numeric_limits<int64_t>::max();
    };
    // Peak live stored activations with unlimited SRAM: where spilling stops.
    if (frac > 0) {
      std::vector<int64_t> delta(nops + 1, 0);
      for (TensorId t = 0; t < tensors_.size(); ++t) {
        const TensorInfo& ti = info_[t];
        if (ti.root != t || !is_act(t) || ti.internal || ti.producer < 0 || ti.consumers.empty()) continue;
        delta[size_t(ti.producer)] += int64_t(ti.bytes);
        delta[size_t(ti.consumers.back()) + 1] -= int64_t(ti.bytes);
      }
      int64_t cur = 0;
      uint64_t live_peak = 0;
      for (size_t i = 0; i < nops; ++i) cur += delta[i], live_peak = std::max<uint64_t>(live_peak, uint64_t(cur));
      p.no_spill_sram_bytes =
          checked_count(std::ceil(static_cast<long double>(live_peak) / frac), "SRAM bytes needed without spills");
    }

    for (size_t i = 0; i < nops; ++i) {
      const Op& op = op_at(i);
      OpMemory& m = p.ops[i];
      m.op = order_[i];
      m.in.reserve(op.inputs.size());
      m.out.reserve(op.outputs.size());
      for (TensorId in : op.inputs) {
        const TensorId r = info_[in].root;
        const TensorInfo& ti = info_[r];
        Place pl;
        if (!is_act(in))
          pl = {Loc::kDram, Traffic::kWeight};
        else if (ti.internal)
          pl = {Loc::kInternal, traffic_of(tensors_[in].kind)};
        else if (resident[r])
          pl = {Loc::kSram, traffic_of(tensors_[in].kind)};
        else
          pl = {Loc::kDram, spilled[r] ? Traffic::kSpill : traffic_of(tensors_[in].kind)};
        m.in.push_back(pl);
      }
      // Outputs: stored in DRAM (no residency, graph outputs, oversize) or made resident.
      for (TensorId o : op.outputs) {
        const TensorId r = info_[o].root;
        const TensorInfo& ti = info_[r];
        Place pl{Loc::kDram, traffic_of(tensors_[o].kind)};
        if (view_at(i)) {
          pl = m.in.empty() ? pl : m.in[0];
        } else if (ti.internal) {
          pl.loc = Loc::kInternal;
        } else if (frac > 0 && !ti.graph_output && !ti.consumers.empty()) {
          const int64_t first = ti.consumers.front();
          if (ti.bytes > cap) {
            pl.traffic = Traffic::kSpill;  // oversize: cannot stay on chip
            spilled[r] = 1;
            p.spilled_bytes += ti.bytes;
          } else {
            // Evict residents (not this op's inputs) used later than this tensor's first use.
            while (resident_bytes + ti.bytes > cap) {
              TensorId victim = 0;
              int64_t far = -1;
              for (TensorId t = 0; t < tensors_.size(); ++t) {
                if (!resident[t]) continue;
                bool in_use = false;
                for (TensorId in : op.inputs) in_use |= info_[in].root == t;
                if (in_use) continue;
                const int64_t nu = next_use(t, int64_t(i));
                if (nu > far) far = nu, victim = t;
              }
              if (far <= first) break;  // this tensor is needed later than every resident one
              resident[victim] = 0;
              resident_bytes -= info_[victim].bytes;
              if (!spilled[victim]) {
                spilled[victim] = 1;
                m.spill_write_bytes += info_[victim].bytes;
                p.spilled_bytes += info_[victim].bytes;
              }
            }
            if (resident_bytes + ti.bytes <= cap) {
              pl.loc = Loc::kSram;
              resident[r] = 1;
              resident_bytes += ti.bytes;
            } else {
              pl.traffic = Traffic::kSpill;
              spilled[r] = 1;
              p.spilled_bytes += ti.bytes;
            }
          }
        }
        m.out.push_back(pl);
      }
      // Round the budget down to 1/64 of SRAM so that ops of one shape share a memoised plan.
      const uint64_t grain = std::max<uint64_t>(sram / 64, 1);
      m.tile_budget_bytes = (sram > resident_bytes ? sram - resident_bytes : 0) / grain * grain;
      m.resident_bytes = resident_bytes;
      if (st_.norm_stats_from_producer() && workloads::vector_class(op.kind) == workloads::VectorClass::kNorm) {
        const int64_t prod = root(op.inputs[0]).producer;
        m.norm_stats_free = prod >= 0 && prod + 1 == int64_t(i) && op_class(op_at(size_t(prod)).kind) == OpClass::kMac;
      }
      // Free what dies here.
      for (TensorId in : op.inputs) {
        const TensorId r = info_[in].root;
        if (resident[r] && !info_[r].consumers.empty() && info_[r].consumers.back() <= int64_t(i)) {
          resident[r] = 0;
          resident_bytes -= info_[r].bytes;
        }
      }
    }
  }

  // A fused op's work runs inside a MAC op: the consumer side first (prologue of the next MAC
  // op), else the producer side (epilogue).
  void hosts(MemoryPlan& p) {
    for (size_t i = 0; i < order_.size(); ++i) {
      const Op& op = op_at(i);
      if (op_class(op.kind) == OpClass::kMac || view_at(i)) continue;
      int64_t h = -1;
      for (size_t j = i;;) {  // follow internal outputs forward
        const Op& cur = op_at(j);
        if (cur.outputs.empty() || !root(cur.outputs[0]).internal) break;
        const int64_t nj = root(cur.outputs[0]).consumers.at(0);
        if (op_class(op_at(size_t(nj)).kind) == OpClass::kMac) {
          h = nj;
          break;
        }
        j = size_t(nj);
      }
      if (h < 0) {
        for (size_t j = i;;) {  // follow internal inputs backward
          const Op& cur = op_at(j);
          int64_t pj = -1;
          for (TensorId in : cur.inputs)
            if (is_act(in) && root(in).internal) pj = root(in).producer;
          if (pj < 0) break;
          if (op_class(op_at(size_t(pj)).kind) == OpClass::kMac) {
            h = pj;
            break;
          }
          j = size_t(pj);
        }
      }
      p.ops[i].host = h;
    }
  }
};

}  // namespace

std::string memory_plan_key(const arch::NpuConfig& hw, const MemoryStrategy& strategy) {
  return std::string(strategy.name()) + " sram " + std::to_string(hw.sram.size_bytes);
}

MemoryPlan plan_memory(const Graph& graph, const arch::NpuConfig& hw, const MemoryStrategy& strategy) {
  return Planner(graph, hw.sram.size_bytes, strategy).run();
}

}  // namespace npusim::mappers
