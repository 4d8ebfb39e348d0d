#include "mapper.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "dataflow.h"
#include "npusim/checked.h"
#include "tile_program.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;
using workloads::OpClass;
using workloads::OpId;
using workloads::OpKind;
using workloads::Tensor;
using workloads::TensorId;
using workloads::TensorKind;

std::string_view traffic_name(Traffic t) {
  switch (t) {
    case Traffic::kWeight:
      return "weight";
    case Traffic::kActivation:
      return "activation";
    case Traffic::kKvCache:
      return "kv_cache";
    case Traffic::kSpill:
      return "spill";
  }
  return "?";
}

Traffic traffic_of(TensorKind k) {
  switch (k) {
    case TensorKind::kWeight:
      return Traffic::kWeight;
    case TensorKind::kActivation:
      return Traffic::kActivation;
    case TensorKind::kKvCache:
      return Traffic::kKvCache;
  }
  return Traffic::kActivation;
}

std::string_view strategy_name(Strategy s) {
  switch (s) {
    case Strategy::kOffchip:
      return "offchip";
    case Strategy::kOnchip:
      return "onchip";
    case Strategy::kFused:
      return "fused";
  }
  return "?";
}

Strategy parse_strategy(std::string_view name, std::string_view what) {
  for (Strategy s : kAllStrategies)
    if (strategy_name(s) == name) return s;
  throw UserError(std::string(what) + ": unknown strategy '" + std::string(name) +
                  "'; expected offchip, onchip, fused or best");
}

arch::PrecisionMode precision_mode_for(workloads::Precision p) {
  auto mode = arch::precision_mode_from_name(workloads::precision_name(p));
  NPUSIM_ASSERT(mode.has_value(), "workload precision without a hardware mode");
  return *mode;
}

namespace {

// Where an operand lives while an op runs.
enum class Loc : uint8_t { kDram, kSram, kInternal };

struct Place {
  Loc loc = Loc::kDram;
  Traffic traffic = Traffic::kActivation;  // charged when loc is DRAM
};

// What the tile search needs to know about an op's surroundings.
struct OpContext {
  std::vector<Place> in;         // per op input
  std::vector<Place> out;        // per op output
  uint64_t budget = 0;           // SRAM bytes for this op's tile buffers
  bool norm_stats_free = false;  // fused: the producer's epilogue accumulated the statistics
};

struct OpPlan {
  MacTiling tiling;
  std::string mapping;
  uint64_t working_bytes = 0;
  std::vector<TileStep> steps;
};

uint64_t bytes_of(uint64_t elems, unsigned bits) { return ceil_div(elems * bits, 8); }
uint64_t round_burst(uint64_t bytes, uint64_t burst) { return bytes == 0 ? 0 : ceil_div(bytes, burst) * burst; }

// Totals of one op, spread over its steps so every sum stays exact.
struct Totals {
  uint64_t read[kNumTraffic] = {};
  uint64_t write[kNumTraffic] = {};
  uint64_t sram_read = 0, sram_write = 0;
  uint64_t vector_elems = 0, vector_cycles = 0;
  uint32_t transfers = 0;  // per step
};

// Spreads `t` evenly over the unit steps of `steps`; the remainders go to a first step of
// repeat 1 split off the first group.
void spread(std::vector<TileStep>& steps, const Totals& t) {
  NPUSIM_ASSERT(!steps.empty(), "spreading over no steps");
  uint64_t n = 0;
  for (const auto& s : steps) n += s.repeat;
  bool rem = false;
  auto each = [&](uint64_t total, uint64_t TileStep::*field) {
    for (auto& s : steps) s.*field += total / n;
    if (total % n) rem = true;
  };
  for (int k = 0; k < kNumTraffic; ++k) {
    for (auto& s : steps) s.dram_read_bytes[k] += t.read[k] / n, s.dram_write_bytes[k] += t.write[k] / n;
    if (t.read[k] % n || t.write[k] % n) rem = true;
  }
  each(t.sram_read, &TileStep::sram_read_bytes);
  each(t.sram_write, &TileStep::sram_write_bytes);
  each(t.vector_elems, &TileStep::vector_elems);
  each(t.vector_cycles, &TileStep::vector_cycles);
  for (auto& s : steps) s.dram_transfers += t.transfers;
  if (!rem) return;
  if (steps[0].repeat > 1) {
    TileStep first = steps[0];
    first.repeat = 1;
    steps[0].repeat -= 1;
    steps.insert(steps.begin(), first);
  }
  TileStep& f = steps[0];
  for (int k = 0; k < kNumTraffic; ++k) f.dram_read_bytes[k] += t.read[k] % n, f.dram_write_bytes[k] += t.write[k] % n;
  f.sram_read_bytes += t.sram_read % n;
  f.sram_write_bytes += t.sram_write % n;
  f.vector_elems += t.vector_elems % n;
  f.vector_cycles += t.vector_cycles % n;
}

// Adds `t` (another op's work, fused into this one) to the steps of a host op.
void absorb(std::vector<TileStep>& host, const std::vector<TileStep>& guest) {
  Totals t;
  for (const auto& s : guest) {
    for (int k = 0; k < kNumTraffic; ++k) t.read[k] += s.repeat * s.dram_read_bytes[k];
    for (int k = 0; k < kNumTraffic; ++k) t.write[k] += s.repeat * s.dram_write_bytes[k];
    t.sram_read += s.repeat * s.sram_read_bytes;
    t.sram_write += s.repeat * s.sram_write_bytes;
    t.vector_elems += s.repeat * s.vector_elems;
    t.vector_cycles += s.repeat * s.vector_cycles;
  }
  spread(host, t);
}

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

const char* dataflow_short(arch::Dataflow d) {
  switch (d) {
    case arch::Dataflow::kWeightStationary:
      return "WS";
    case arch::Dataflow::kOutputStationary:
      return "OS";
    case arch::Dataflow::kInputStationary:
      return "IS";
  }
  return "?";
}

// Halving sequence n, ceil(n/2), ... down to `floor` (at least 1), without repeats.
std::vector<uint64_t> halvings(uint64_t n, uint64_t floor) {
  std::vector<uint64_t> v;
  floor = std::max<uint64_t>(floor, 1);
  for (uint64_t x = n;; x = ceil_div(x, 2)) {
    v.push_back(x);
    if (x <= floor || x == 1) break;
  }
  return v;
}

}  // namespace

struct Mapper::Impl {
  const arch::NpuConfig& hw;
  arch::PrecisionMode mode = arch::PrecisionMode::kW8A8;
  double rate = 1;
  std::unordered_map<std::string, OpPlan> memo;
  MemoStats& stats;

  Impl(const arch::NpuConfig& h, MemoStats& s) : hw(h), stats(s) {}

  // ---- MAC ops: GEMM view, tile search ----

  // The op's GEMM view (tile_program.h's MacShape, shared with the functional check) plus
  // what tile sizing needs: conv halo geometry and operand widths.
  struct GemmView : MacShape {
    uint64_t kernel_h = 1, in_h = 1, in_w = 1, stride = 1;  // conv only
    unsigned a_bits = 8, b_bits = 8, o_bits = 8;
    uint64_t a_bytes = 0, b_bytes = 0, o_bytes = 0, bias_bytes = 0;
  };

  GemmView gemm_view(const Graph& g, const Op& op) const {
    GemmView v;
    static_cast<MacShape&>(v) = mac_shape(op);
    const Tensor& a = g.tensor(op.inputs.at(0));
    const Tensor& b = g.tensor(op.inputs.at(1));
    const Tensor& o = g.tensor(op.outputs.at(0));
    v.a_bits = workloads::dtype_bits(a.dtype);
    v.b_bits = workloads::dtype_bits(b.dtype);
    v.o_bits = workloads::dtype_bits(o.dtype);
    v.a_bytes = a.size_bytes;
    v.b_bytes = b.size_bytes;
    v.o_bytes = o.size_bytes;
    if (op.inputs.size() > 2) v.bias_bytes = g.tensor(op.inputs[2]).size_bytes;
    if (v.conv) v.kernel_h = op.conv.r, v.in_h = op.conv.h, v.in_w = op.conv.w, v.stride = op.conv.stride_h;
    return v;
  }

  struct Candidate {
    uint64_t mt = 0, nt = 0, kt = 0;  // conv: mt counts output rows (x q), kt channels (x kernel)
    bool weights_outer = true;        // N tiles outer (weights reused), else M tiles outer
    bool transposed = false;          // computes out^T = B^T A^T: M and N swap places on the array
    arch::Dataflow df = arch::Dataflow::kWeightStationary;
    uint64_t cycles = 0, folds = 0;
    uint64_t tiles = 0;  // unit steps
    uint64_t a_read = 0, b_read = 0, o_write = 0, working = 0;
    uint64_t a_tile = 0, b_tile = 0, o_tile = 0;
    double latency_s = 0;
    uint64_t sram_read = 0;
    bool fits = false;
  };

  OpPlan plan_mac(const Graph& g, const Op& op, const OpContext& ctx) {
    GemmView v = gemm_view(g, op);
    const Place& pa = ctx.in.at(0);
    const Place& pb = ctx.in.at(1);
    const Place& po = ctx.out.at(0);
    const bool b_is_weight = g.tensor(op.inputs[1]).kind == TensorKind::kWeight;
    const uint32_t rows = hw.mac_array.rows, cols = hw.mac_array.cols;
    const double bw = hw.dram.bandwidth_bytes_per_s, f = hw.mac_array.frequency_hz;

    // Tile candidates along M (conv: output rows), N and K (conv: input channels).
    std::vector<uint64_t> m_cands = halvings(v.m_units(), 1);
    std::vector<uint64_t> n_cands = {v.n};
    for (uint64_t x = cols; x < v.n; x *= 2) n_cands.push_back(x);
    const uint64_t k_units = v.k_units();  // what K tiles count
    std::vector<uint64_t> k_all = halvings(k_units, v.conv ? 1 : rows);

    Candidate best;
    bool have = false;
    auto better = [](const Candidate& a, const Candidate& b) {
      if (a.fits != b.fits) return a.fits;
      if (!a.fits) return a.working < b.working;
      // Latencies within 0.5 % are a tie: then the fewer DRAM bytes (energy) win.
      const double tol = 0.005 * std::min(a.latency_s, b.latency_s);
      if (std::abs(a.latency_s - b.latency_s) > tol) return a.latency_s < b.latency_s;
      uint64_t da = a.a_read + a.b_read + a.o_write, db = b.a_read + b.b_read + b.o_write;
      if (da != db) return da < db;
      if (a.cycles != b.cycles) return a.cycles < b.cycles;
      return a.working < b.working;
    };
    for (size_t ki = 0; ki < k_all.size(); ++ki) {
      if (ki > 0 && have && best.fits) break;  // split K only when nothing fits unsplit
      const uint64_t ku = k_all[ki];
      const uint64_t kt = v.conv ? ku * v.taps : ku;
      const uint64_t tk = ceil_div(k_units, ku);
      for (uint64_t mu : m_cands) {
        // M tiles per GEMM and A bytes read in one pass over them (conv: with halo rows).
        uint64_t mt, tm, a_once, a_tile;
        if (v.conv) {
          const uint64_t tp = ceil_div(v.p, mu), edge = v.p - (tp - 1) * mu;
          auto in_rows = [&](uint64_t rows_out) { return std::min(v.in_h, (rows_out - 1) * v.stride + v.kernel_h); };
          mt = mu * v.q;
          tm = v.images * tp;
          a_tile = bytes_of(ku * in_rows(mu) * v.in_w, v.a_bits);
          a_once = v.batch * v.images *
                   ((tp - 1) * bytes_of(v.chans * in_rows(mu) * v.in_w, v.a_bits) +
                    bytes_of(v.chans * in_rows(edge) * v.in_w, v.a_bits));
        } else {
          mt = mu;
          tm = ceil_div(v.m, mu);
          a_tile = bytes_of(mt * kt, v.a_bits);
          a_once = v.a_bytes;
        }
        for (uint64_t nt : n_cands) {
          const uint64_t tn = ceil_div(v.n, nt);
          const uint64_t b_tile =
              bytes_of(kt * nt, v.b_bits) + (b_is_weight ? ceil_div(v.bias_bytes, v.batch * tn) : 0);
          const uint64_t o_tile = bytes_of(mt * nt, v.o_bits);
          const uint64_t acc = tk > 1 ? mt * nt * 4 : 0;
          for (bool wo : {true, false}) {
            Candidate c;
            c.mt = mu, c.nt = nt, c.kt = ku, c.weights_outer = wo;
            c.tiles = v.batch * tm * tn * tk;
            const uint64_t reread_a = wo ? (tm == 1 && tk == 1 ? 1 : tn) : (tk == 1 ? 1 : tn);
            const uint64_t reread_b = !wo ? (tn == 1 && tk == 1 ? 1 : tm) : (tk == 1 ? 1 : tm);
            c.a_read = pa.loc == Loc::kDram ? a_once * reread_a : 0;
            c.b_read = pb.loc == Loc::kDram ? (v.b_bytes + (b_is_weight ? v.bias_bytes : 0)) * reread_b : 0;
            c.o_write = po.loc == Loc::kDram ? v.o_bytes : 0;
            c.a_tile = a_tile, c.b_tile = b_tile, c.o_tile = o_tile;
            c.working = (pa.loc == Loc::kDram ? 2 * a_tile : 0) + (pb.loc == Loc::kDram ? 2 * b_tile : 0) +
                        (po.loc == Loc::kDram       ? 2 * o_tile
                         : po.loc == Loc::kInternal ? o_tile
                                                    : 0) +
                        acc;
            c.fits = c.working <= ctx.budget;
            if (have && !c.fits && best.fits) continue;
            // Cycles: every combination of full and edge tiles along M, N and K.
            const uint64_t m_full = v.conv ? tm / v.images - 1 : tm - 1;
            const uint64_t m_edge = v.conv ? (v.p - m_full * mu) * v.q : v.m - m_full * mu;
            const uint64_t n_edge = v.n - (tn - 1) * nt;
            const uint64_t k_edge_u = k_units - (tk - 1) * ku;
            const uint64_t k_edge = v.conv ? k_edge_u * v.taps : k_edge_u;
            const uint64_t m_mult = v.conv ? v.images : 1;
            for (arch::Dataflow df : hw.mac_array.dataflows)
              for (bool tr : {false, true}) {
                if (tr && v.conv) continue;  // convs keep output channels on N
                uint64_t cyc = 0, folds = 0;
                for (int mi = 0; mi < 2; ++mi) {
                  uint64_t mc = (mi == 0 ? m_full : 1) * m_mult, ms = mi == 0 ? mt : m_edge;
                  if (mc == 0) continue;
                  for (int ni = 0; ni < 2; ++ni) {
                    uint64_t nc = ni == 0 ? tn - 1 : 1, ns = ni == 0 ? nt : n_edge;
                    if (nc == 0) continue;
                    for (int kk = 0; kk < 2; ++kk) {
                      uint64_t kc = kk == 0 ? tk - 1 : 1, ks = kk == 0 ? kt : k_edge;
                      if (kc == 0) continue;
                      FoldCost fc = tr ? gemm_cycles(Gemm{1, ns, ms, ks}, df, rows, cols, rate)
                                       : gemm_cycles(Gemm{1, ms, ns, ks}, df, rows, cols, rate);
                      cyc += v.batch * mc * nc * kc * fc.cycles;
                      folds += v.batch * mc * nc * kc * fc.folds;
                    }
                  }
                }
                Candidate d = c;
                d.df = df;
                d.transposed = tr;
                d.cycles = cyc;
                d.folds = folds;
                const double compute_s = double(cyc) / f;
                const double dram_s = double(c.a_read + c.b_read + c.o_write) / bw;
                const double first_load =
                    double((pa.loc == Loc::kDram ? a_tile : 0) + (pb.loc == Loc::kDram ? b_tile : 0)) / bw;
                const double last_store = double(po.loc == Loc::kDram ? o_tile : 0) / bw;
                d.latency_s = std::max(compute_s, dram_s) + first_load + last_store;
                if (!have || better(d, best)) best = d, have = true;
              }
          }
        }
      }
    }
    NPUSIM_ASSERT(have, "no tile candidate");

    // Steps: one group per distinct tile shape, DMA spread evenly over the unit steps.
    const Candidate& c = best;
    OpPlan plan;
    const uint64_t tk = ceil_div(k_units, c.kt);
    const uint64_t tn = ceil_div(v.n, c.nt);
    const uint64_t mt = v.conv ? c.mt * v.q : c.mt;
    const uint64_t tp = v.conv ? ceil_div(v.p, c.mt) : ceil_div(v.m, c.mt);
    const uint64_t m_full = tp - 1;
    const uint64_t m_edge = v.conv ? (v.p - m_full * c.mt) * v.q : v.m - m_full * c.mt;
    const uint64_t n_edge = v.n - (tn - 1) * c.nt;
    const uint64_t kt = v.conv ? c.kt * v.taps : c.kt;
    const uint64_t k_edge = v.conv ? (k_units - (tk - 1) * c.kt) * v.taps : k_units - (tk - 1) * c.kt;
    const uint64_t m_mult = v.conv ? v.images : 1;
    for (int mi = 0; mi < 2; ++mi) {
      uint64_t mc = (mi == 0 ? m_full : 1) * m_mult, ms = mi == 0 ? mt : m_edge;
      if (mc == 0) continue;
      for (int ni = 0; ni < 2; ++ni) {
        uint64_t nc = ni == 0 ? tn - 1 : 1, ns = ni == 0 ? c.nt : n_edge;
        if (nc == 0) continue;
        for (int kk = 0; kk < 2; ++kk) {
          uint64_t kc = kk == 0 ? tk - 1 : 1, ks = kk == 0 ? kt : k_edge;
          if (kc == 0) continue;
          TileStep t;
          t.repeat = v.batch * mc * nc * kc;
          t.macs = ms * ns * ks;
          t.mac_cycles = c.transposed ? gemm_cycles(Gemm{1, ns, ms, ks}, c.df, rows, cols, rate).cycles
                                      : gemm_cycles(Gemm{1, ms, ns, ks}, c.df, rows, cols, rate).cycles;
          plan.steps.push_back(t);
        }
      }
    }
    uint64_t step_macs = 0;
    for (const auto& s : plan.steps) step_macs += s.repeat * s.macs;
    NPUSIM_ASSERT(step_macs == op.macs, "tile MACs differ from the op's MACs");

    Totals t;
    const uint64_t burst = hw.dram.burst_bytes;
    t.read[static_cast<int>(pa.traffic)] += round_burst(c.a_read, burst);
    t.read[static_cast<int>(pb.traffic)] += round_burst(c.b_read, burst);
    t.write[static_cast<int>(po.traffic)] += round_burst(c.o_write, burst);
    // SRAM: DMA lands every DRAM byte; the array re-reads operands per fold (dataflow).
    uint64_t a_arr = 0, b_arr = 0;
    switch (c.df) {
      case arch::Dataflow::kWeightStationary:
        a_arr = v.a_bytes * ceil_div(v.n, cols), b_arr = v.b_bytes * (tp * m_mult);
        break;
      case arch::Dataflow::kOutputStationary:
        a_arr = v.a_bytes * ceil_div(v.n, cols), b_arr = v.b_bytes * ceil_div(v.m, rows);
        break;
      case arch::Dataflow::kInputStationary:
        a_arr = v.a_bytes * tn, b_arr = v.b_bytes * ceil_div(v.m, cols);
        break;
    }
    t.sram_read = a_arr + b_arr + (po.loc == Loc::kDram ? v.o_bytes : 0) + (tk > 1 ? v.o_bytes * 4 * (tk - 1) : 0);
    t.sram_write = c.a_read + c.b_read + v.o_bytes + (tk > 1 ? v.o_bytes * 4 * (tk - 1) : 0);
    t.transfers = (pa.loc == Loc::kDram) + (pb.loc == Loc::kDram) + (po.loc == Loc::kDram);
    spread(plan.steps, t);
    plan.working_bytes = c.working;
    plan.tiling = MacTiling{true, c.mt, c.nt, c.kt, c.weights_outer, c.transposed, c.df};

    char buf[200];
    const char* order = tn == 1 && tk == 1 ? "" : c.weights_outer ? " N-outer" : " M-outer";
    if (v.conv)
      std::snprintf(buf, sizeof buf, "%s rows%llu/%llu n%llu/%llu c%llu/%llu%s, %llu folds%s", dataflow_short(c.df),
                    (unsigned long long)c.mt, (unsigned long long)v.p, (unsigned long long)c.nt,
                    (unsigned long long)v.n, (unsigned long long)c.kt, (unsigned long long)v.chans, order,
                    (unsigned long long)c.folds, c.fits ? "" : " (tiles exceed SRAM)");
    else
      std::snprintf(buf, sizeof buf, "%s%s m%llu/%llu n%llu/%llu k%llu/%llu%s, %llu folds%s", dataflow_short(c.df),
                    c.transposed ? " transposed" : "", (unsigned long long)c.mt, (unsigned long long)v.m,
                    (unsigned long long)c.nt, (unsigned long long)v.n, (unsigned long long)c.kt,
                    (unsigned long long)v.k, order, (unsigned long long)c.folds, c.fits ? "" : " (tiles exceed SRAM)");
    plan.mapping = buf;
    return plan;
  }

  // ---- vector and data-movement ops ----

  OpPlan plan_stream(const Graph& g, const Op& op, const OpContext& ctx) {
    OpPlan plan;
    const uint64_t burst = hw.dram.burst_bytes;
    if (op.kind == OpKind::kReshape) {
      plan.mapping = "view";
      return plan;
    }
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
      if (2 * slice > ctx.budget) passes = 2;
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
      t.vector_cycles = static_cast<uint64_t>(std::ceil(static_cast<long double>(op.vector_elems) *
                                                        vector_cost(hw.vector_unit, vclass) / hw.vector_unit.lanes));
    }
    // Steps sized so the DRAM-streamed buffers, double-buffered, fit the budget.
    const uint64_t budget = std::max<uint64_t>(ctx.budget, 1);
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

  // ---- memoised op planning ----

  OpPlan plan(const Graph& g, const Op& op, const OpContext& ctx) {
    std::string key;
    key.reserve(256);
    auto put = [&](uint64_t x) { key.append(reinterpret_cast<const char*>(&x), sizeof x); };
    put(static_cast<uint64_t>(op.kind));
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
                       ctx.budget,
                       uint64_t{ctx.norm_stats_free}})
      put(x);
    for (TensorId t : op.inputs) {
      const Tensor& tt = g.tensor(t);
      put(tt.size_bytes), put(tt.elems), put(static_cast<uint64_t>(tt.dtype)), put(static_cast<uint64_t>(tt.kind));
      if (op.kind == OpKind::kGroupNorm || op.kind == OpKind::kLayerNorm || op.kind == OpKind::kRmsNorm)
        for (uint64_t d : tt.shape) put(d);
    }
    for (TensorId t : op.outputs) put(g.tensor(t).size_bytes), put(g.tensor(t).elems);
    for (const Place& p : ctx.in) put(uint64_t(p.loc) << 8 | uint64_t(p.traffic));
    for (const Place& p : ctx.out) put(uint64_t(p.loc) << 8 | uint64_t(p.traffic));
    if (auto it = memo.find(key); it != memo.end()) {
      stats.hits++;
      return it->second;
    }
    stats.misses++;
    OpPlan p = op.macs > 0 && op.inputs.size() >= 2 && op_class(op.kind) == OpClass::kMac ? plan_mac(g, op, ctx)
                                                                                          : plan_stream(g, op, ctx);
    memo.emplace(std::move(key), p);
    return p;
  }
};

Mapper::Mapper(const arch::NpuConfig& hw) : hw_(hw), impl_(std::make_unique<Impl>(hw_, memo_stats_)) {}
Mapper::~Mapper() = default;

namespace {

// Placement of every activation by the strategy; see mapper.h.
struct TensorInfo {
  TensorId root = 0;               // views alias their input's storage
  int64_t producer = -1;           // position of the producing op, -1 for graph inputs
  std::vector<int64_t> consumers;  // positions, ascending
  bool graph_output = false;
  bool internal = false;  // fused away: never stored
  uint64_t bytes = 0;
};

}  // namespace

Schedule Mapper::map(const Graph& g, Strategy strategy) {
  Schedule s;
  s.mapper = kMapperName;
  s.strategy = strategy;
  s.precision = precision_mode_for(g.precision());
  const arch::PrecisionSpec& mode = hw_.mac_array.mode(s.precision);
  if (!mode.supported())
    throw UserError("hardware '" + hw_.name + "' does not support precision " +
                    std::string(arch::precision_mode_name(s.precision)) + " (mac_array.precision." +
                    std::string(arch::precision_mode_name(s.precision)) +
                    ".macs_per_pe_per_cycle is 0); choose another with --precision");
  impl_->mode = s.precision;
  impl_->rate = mode.macs_per_pe_per_cycle;

  const auto& order = g.topological_order();
  const size_t nops = order.size();
  const auto& tensors = g.tensors();
  std::vector<TensorInfo> info(tensors.size());
  for (TensorId t = 0; t < tensors.size(); ++t) info[t].root = t, info[t].bytes = tensors[t].size_bytes;
  for (size_t i = 0; i < nops; ++i) {
    const Op& op = g.op(order[i]);
    for (TensorId o : op.outputs) {
      info[o].producer = int64_t(i);
      if (op.kind == OpKind::kReshape) info[o].root = info[op.inputs.at(0)].root;
    }
  }
  // Uses and lifetimes by storage root (a view's readers use its root); ascending, as ops
  // are visited in order.
  for (size_t i = 0; i < nops; ++i) {
    const Op& op = g.op(order[i]);
    for (TensorId in : op.inputs) {
      if (op.kind == OpKind::kReshape) continue;
      auto& c = info[info[in].root].consumers;
      if (c.empty() || c.back() != int64_t(i)) c.push_back(int64_t(i));
    }
  }
  {
    auto live = g.liveness();
    for (TensorId t = 0; t < tensors.size(); ++t)
      if (live[t].graph_output) info[info[t].root].graph_output = true;
  }

  auto is_act = [&](TensorId t) { return tensors[t].kind != TensorKind::kWeight; };
  auto next_op = [&](size_t i) -> int64_t {  // next non-view op position
    for (size_t j = i + 1; j < nops; ++j)
      if (g.op(order[j]).kind != OpKind::kReshape) return int64_t(j);
    return -1;
  };

  // Fusion (fused strategy): a tensor with one consumer that runs right after its producer
  // is not stored when the consumer can apply the producer's work on the fly (vector and
  // data-movement producers) or the producer can apply the consumer's (a MAC op's
  // element-wise epilogue, or softmax over attention scores computed per query tile).
  std::vector<int64_t> host(nops, -1);  // fused op -> position of the MAC op that runs its work
  if (strategy == Strategy::kFused) {
    for (size_t i = 0; i < nops; ++i) {
      const Op& op = g.op(order[i]);
      if (op.kind == OpKind::kReshape) continue;
      for (TensorId o : op.outputs) {
        TensorInfo& ti = info[info[o].root];
        if (ti.graph_output || ti.consumers.size() != 1 || ti.consumers[0] != next_op(i)) continue;
        const Op& consumer = g.op(order[size_t(ti.consumers[0])]);
        const OpClass pc = op_class(op.kind);
        const auto cv = workloads::vector_class(consumer.kind);
        bool fuse = false;
        if (pc != OpClass::kMac && op.kind != OpKind::kGather) fuse = true;  // applied by the consumer's loads
        if (pc == OpClass::kMac &&
            (cv == workloads::VectorClass::kActivation || cv == workloads::VectorClass::kEltwise ||
             (cv == workloads::VectorClass::kSoftmax && op.kind == OpKind::kAttentionScore)))
          fuse = true;  // epilogue
        ti.internal = fuse;
      }
    }
  }

  // Residency (onchip, fused): Belady eviction of the resident activation used furthest ahead.
  const uint64_t sram = hw_.sram.size_bytes;
  const uint64_t cap = strategy == Strategy::kOffchip ? 0 : uint64_t(double(sram) * (1 - kWorkingReserveFraction));
  std::vector<char> resident(tensors.size(), 0), spilled(tensors.size(), 0);
  uint64_t resident_bytes = 0;
  auto next_use = [&](TensorId r, int64_t after) -> int64_t {
    for (int64_t c : info[r].consumers)
      if (c > after) return c;
    return std::numeric_limits<int64_t>::max();
  };
  // Peak live stored activations with unlimited SRAM: where spilling stops.
  uint64_t live_peak = 0;
  {
    std::vector<int64_t> delta(nops + 1, 0);
    for (TensorId t = 0; t < tensors.size(); ++t) {
      const TensorInfo& ti = info[t];
      if (ti.root != t || !is_act(t) || ti.internal || ti.producer < 0 || ti.consumers.empty()) continue;
      delta[size_t(ti.producer)] += int64_t(ti.bytes);
      delta[size_t(ti.consumers.back()) + 1] -= int64_t(ti.bytes);
    }
    int64_t cur = 0;
    for (size_t i = 0; i < nops; ++i) cur += delta[i], live_peak = std::max<uint64_t>(live_peak, uint64_t(cur));
  }
  s.no_spill_sram_bytes =
      strategy == Strategy::kOffchip ? 0 : uint64_t(std::ceil(double(live_peak) / (1 - kWorkingReserveFraction)));

  std::vector<OpPlan> plans(nops);
  std::vector<uint64_t> peak(nops, 0);
  std::vector<uint64_t> spill_write_at(nops, 0);
  for (size_t i = 0; i < nops; ++i) {
    const OpId id = order[i];
    const Op& op = g.op(id);
    OpContext ctx;
    for (TensorId in : op.inputs) {
      const TensorInfo& ti = info[info[in].root];
      TensorId r = info[in].root;
      Place p;
      if (!is_act(in)) {
        p = {Loc::kDram, Traffic::kWeight};
      } else if (ti.internal) {
        p = {Loc::kInternal, traffic_of(tensors[in].kind)};
      } else if (resident[r]) {
        p = {Loc::kSram, traffic_of(tensors[in].kind)};
      } else {
        p = {Loc::kDram, spilled[r] ? Traffic::kSpill : traffic_of(tensors[in].kind)};
      }
      ctx.in.push_back(p);
    }
    // Outputs: stored in DRAM (offchip, graph outputs, oversize) or made resident.
    for (TensorId o : op.outputs) {
      TensorId r = info[o].root;
      const TensorInfo& ti = info[r];
      Place p{Loc::kDram, traffic_of(tensors[o].kind)};
      if (op.kind == OpKind::kReshape) {
        p = ctx.in.empty() ? p : ctx.in[0];
      } else if (ti.internal) {
        p.loc = Loc::kInternal;
      } else if (strategy != Strategy::kOffchip && !ti.graph_output && !ti.consumers.empty()) {
        const int64_t first = ti.consumers.front();
        if (ti.bytes > cap) {
          p.traffic = Traffic::kSpill;  // oversize: cannot stay on chip
          spilled[r] = 1;
          s.spilled_bytes += ti.bytes;
        } else {
          // Evict residents (not this op's inputs) used later than this tensor's first use.
          while (resident_bytes + ti.bytes > cap) {
            TensorId victim = 0;
            int64_t far = -1;
            for (TensorId t = 0; t < tensors.size(); ++t) {
              if (!resident[t]) continue;
              bool in_use = false;
              for (TensorId in : op.inputs) in_use |= info[in].root == t;
              if (in_use) continue;
              int64_t nu = next_use(t, int64_t(i));
              if (nu > far) far = nu, victim = t;
            }
            if (far <= first) break;  // this tensor is needed later than every resident one
            resident[victim] = 0;
            resident_bytes -= info[victim].bytes;
            if (!spilled[victim]) {
              spilled[victim] = 1;
              spill_write_at[i] += info[victim].bytes;
              s.spilled_bytes += info[victim].bytes;
            }
          }
          if (resident_bytes + ti.bytes <= cap) {
            p.loc = Loc::kSram;
            resident[r] = 1;
            resident_bytes += ti.bytes;
          } else {
            p.traffic = Traffic::kSpill;
            spilled[r] = 1;
            s.spilled_bytes += ti.bytes;
          }
        }
      }
      ctx.out.push_back(p);
    }
    ctx.budget = sram > resident_bytes ? sram - resident_bytes : 0;
    // Round the budget down to 1/64 of SRAM so that ops of one shape share a memoised plan.
    const uint64_t grain = std::max<uint64_t>(sram / 64, 1);
    ctx.budget = ctx.budget / grain * grain;
    if (strategy == Strategy::kFused && workloads::vector_class(op.kind) == workloads::VectorClass::kNorm) {
      int64_t prod = info[info[op.inputs[0]].root].producer;
      ctx.norm_stats_free =
          prod >= 0 && prod + 1 == int64_t(i) && op_class(g.op(order[size_t(prod)]).kind) == OpClass::kMac;
    }
    plans[i] = impl_->plan(g, op, ctx);
    peak[i] = resident_bytes + plans[i].working_bytes;
    // Free what dies here.
    for (TensorId in : op.inputs) {
      TensorId r = info[in].root;
      if (resident[r] && !info[r].consumers.empty() && info[r].consumers.back() <= int64_t(i)) {
        resident[r] = 0;
        resident_bytes -= info[r].bytes;
      }
    }
  }

  // Spill writes land on the op that needed the room.
  for (size_t i = 0; i < nops; ++i) {
    if (!spill_write_at[i]) continue;
    if (plans[i].steps.empty()) plans[i].steps.push_back(TileStep{});
    Totals t;
    t.write[static_cast<int>(Traffic::kSpill)] = round_burst(spill_write_at[i], hw_.dram.burst_bytes);
    t.sram_read = spill_write_at[i];
    spread(plans[i].steps, t);
  }

  // Fused ops run inside the MAC op next to them: their work joins its tile steps.
  if (strategy == Strategy::kFused) {
    for (size_t i = 0; i < nops; ++i) {
      const Op& op = g.op(order[i]);
      if (op_class(op.kind) == OpClass::kMac || op.kind == OpKind::kReshape) continue;
      // Consumer side first (prologue of the next MAC op), else producer side (epilogue).
      int64_t h = -1;
      for (size_t j = i;;) {  // follow internal outputs forward
        const Op& cur = g.op(order[j]);
        bool out_internal = !cur.outputs.empty() && info[info[cur.outputs[0]].root].internal;
        if (!out_internal) break;
        int64_t nj = info[info[cur.outputs[0]].root].consumers.at(0);
        if (op_class(g.op(order[size_t(nj)]).kind) == OpClass::kMac) {
          h = nj;
          break;
        }
        j = size_t(nj);
      }
      if (h < 0) {
        for (size_t j = i;;) {  // follow internal inputs backward
          const Op& cur = g.op(order[j]);
          int64_t pj = -1;
          for (TensorId in : cur.inputs)
            if (is_act(in) && info[info[in].root].internal) pj = info[info[in].root].producer;
          if (pj < 0) break;
          if (op_class(g.op(order[size_t(pj)]).kind) == OpClass::kMac) {
            h = pj;
            break;
          }
          j = size_t(pj);
        }
      }
      if (h >= 0) host[i] = h;
    }
    for (size_t i = 0; i < nops; ++i) {
      if (host[i] < 0) continue;
      OpPlan& hp = plans[size_t(host[i])];
      if (!plans[i].steps.empty()) absorb(hp.steps, plans[i].steps);
      plans[i].steps.clear();
      plans[i].mapping = "fused into " + g.op(order[size_t(host[i])]).name;
    }
  }

  for (size_t i = 0; i < nops; ++i) {
    OpSchedule os;
    os.op = order[i];
    os.tiling = plans[i].tiling;
    os.mapping = std::move(plans[i].mapping);
    os.sram_peak_bytes = peak[i];
    os.steps = std::move(plans[i].steps);
    s.ops.push_back(std::move(os));
  }

  s.assumptions = {
      "array timing per fold as in SCALE-Sim: fill and drain of 2 x rows + cols - 2 cycles per fold, edge folds "
      "charged in full; the best of the configured dataflows is chosen per op",
      "tiles double-buffered in SRAM: per op, latency = first load + sum over tile steps of max(compute, DMA of the "
      "next load and previous store) + last store; ops run in order, and an op that does not read the previous "
      "op's stored output starts while that op drains",
      "tile sizes, loop order and dataflow per op minimise latency, then DRAM bytes, within the SRAM left by resident "
      "activations",
      "weights always stream from DRAM; DRAM transfers are rounded up to whole bursts",
      "vector work: elements x per-class cost / lanes; norms read their input twice when one normalisation group does "
      "not fit the tile buffers",
  };
  switch (strategy) {
    case Strategy::kOffchip:
      s.assumptions.push_back("offchip: every op reads its inputs from DRAM and writes its output to DRAM");
      break;
    case Strategy::kFused:
      s.assumptions.push_back(
          "fused: element-wise ops, norms (normalise pass), softmax and data movement run inside the adjacent MAC op's "
          "tile loop; attention runs QK^T -> softmax -> AV per query tile (scores never stored); a norm's statistics "
          "come from its producer's epilogue when that producer is a MAC op; fused work counted once");
      [[fallthrough]];
    case Strategy::kOnchip:
      s.assumptions.push_back(
          "onchip residency: activations stay in " + std::to_string(int(100 * (1 - kWorkingReserveFraction))) +
          " % of SRAM (the rest holds tile buffers); when full, the resident tensor needed furthest ahead is spilled "
          "to DRAM (Belady) and read back as spill traffic; tensors larger than that space and graph inputs/outputs "
          "live in DRAM");
      break;
  }
  return s;
}

}  // namespace npusim::mappers
