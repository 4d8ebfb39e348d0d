#include "tiling.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iterator>

#include "dataflow.h"
#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;
using workloads::Tensor;
using workloads::TensorKind;

GemmView gemm_view(const Graph& g, const Op& op) {
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
  v.b_is_weight = b.kind == TensorKind::kWeight;
  if (op.inputs.size() > 2) v.bias_bytes = g.tensor(op.inputs[2]).size_bytes;
  if (v.conv) v.kernel_h = op.conv.r, v.in_h = op.conv.h, v.in_w = op.conv.w, v.stride = op.conv.stride_h;
  return v;
}

void for_each_tile_shape(const GemmView& v, uint64_t mu, uint64_t nt, uint64_t ku, uint64_t pack, TileShapeFn fn) {
  const uint64_t tp = ceil_div(v.m_units(), mu), tn = ceil_div(v.n, nt), tk = ceil_div(v.k_units(), ku);
  const uint64_t m_full = tp - 1;
  const uint64_t mt = v.conv ? mu * v.q : mu;
  const uint64_t m_edge = v.conv ? (v.p - m_full * mu) * v.q : v.m - m_full * mu;
  const uint64_t n_edge = v.n - (tn - 1) * nt;
  const uint64_t kt = v.conv ? ku * v.taps : ku;
  const uint64_t k_edge = v.conv ? (v.k_units() - (tk - 1) * ku) * v.taps : v.k_units() - (tk - 1) * ku;
  const uint64_t m_mult = v.conv ? v.images : 1;
  pack = std::clamp<uint64_t>(pack, 1, v.batch);
  const uint64_t packs[2][2] = {{v.batch / pack, pack}, {1, v.batch % pack}};  // {steps, groups side by side}
  for (const auto& [steps, groups] : packs) {
    if (steps == 0 || groups == 0) continue;
    for (int mi = 0; mi < 2; ++mi) {
      const uint64_t mc = (mi == 0 ? m_full : 1) * m_mult, ms = mi == 0 ? mt : m_edge;
      if (mc == 0) continue;
      for (int ni = 0; ni < 2; ++ni) {
        const uint64_t nc = ni == 0 ? tn - 1 : 1, ns = ni == 0 ? nt : n_edge;
        if (nc == 0) continue;
        for (int kk = 0; kk < 2; ++kk) {
          const uint64_t kc = kk == 0 ? tk - 1 : 1, ks = kk == 0 ? kt : k_edge;
          if (kc == 0) continue;
          fn(TileShape{steps * mc * nc * kc, ms, ns, ks, groups});
        }
      }
    }
  }
}

uint64_t group_pack(const GemmView& v, const MacTiling& tiling, const arch::MacArrayConfig& array, uint64_t k_gemm,
                    uint64_t n_gemm) {
  if (!v.conv || v.batch <= 1 || tiling.gemv_stream) return 1;
  const arch::DataflowSpec& spec = arch::dataflow_spec(tiling.dataflow);
  auto extent = [&](arch::GemmDim d) -> uint64_t {
    return spec.rows == d ? array.rows : spec.cols == d ? array.cols : 0;  // 0: in time
  };
  const uint64_t ek = extent(arch::GemmDim::kK), en = extent(arch::GemmDim::kN);
  if (ek == 0 || k_gemm == 0 || k_gemm > ek) return 1;
  uint64_t pack = ek / k_gemm;
  if (en != 0) pack = n_gemm == 0 || n_gemm > en ? 1 : std::min(pack, en / n_gemm);
  return std::clamp<uint64_t>(pack, 1, v.batch);
}

FoldCost tile_cost(const TileShape& t, const MacTiling& tiling, const arch::MacArrayConfig& array, double rate) {
  const Gemm g = tiling.transposed ? Gemm{1, t.n, t.m, t.k} : Gemm{1, t.m, t.n, t.k};
  return tiling.gemv_stream ? gemv_stream_cycles(g, array.rows, array.cols, rate)
                            : gemm_cycles(g, tiling.dataflow, array.rows, array.cols, rate);
}

namespace {

// A list of at most N values on the stack: the search runs once per MAC op per hardware point,
// and its candidate lists (at most 65 halvings of a 64-bit count, 7 placements) would otherwise
// be heap vectors each time.
template <class T, size_t N>
class FixedList {
 public:
  FixedList() = default;
  FixedList(std::initializer_list<T> init) {
    for (const T& x : init) push_back(x);
  }
  void push_back(const T& x) {
    NPUSIM_ASSERT(size_ < N, "fixed list full");
    items_[size_++] = x;
  }
  size_t size() const { return size_; }
  const T& operator[](size_t i) const { return items_[i]; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }

 private:
  std::array<T, N> items_{};
  size_t size_ = 0;
};
using Extents = FixedList<uint64_t, 65>;

// Halving sequence n, ceil(n/2), ... down to `floor` (at least 1), without repeats.
Extents halvings(uint64_t n, uint64_t floor) {
  Extents v;
  floor = std::max<uint64_t>(floor, 1);
  for (uint64_t x = n;; x = ceil_div(x, 2)) {
    v.push_back(x);
    if (x <= floor || x == 1) break;
  }
  return v;
}

struct Candidate {
  uint64_t mt = 0, nt = 0, kt = 0;  // conv: mt counts output rows (x q), kt channels (x kernel)
  bool weights_outer = true;        // N tiles outer (weights reused), else M tiles outer
  bool transposed = false;          // computes out^T = B^T A^T: M and N swap places on the array
  arch::Dataflow df = arch::Dataflow::kWeightStationary;
  bool gemv_stream = false;
  uint64_t pack = 1;  // groups side by side (group_pack)
  uint64_t cycles = 0, folds = 0;
  uint64_t a_read = 0, b_read = 0, o_write = 0, working = 0;
  uint64_t a_tile = 0, b_tile = 0, o_tile = 0;
  double latency_s = 0;
  bool fits = false;
};

bool better(const Candidate& a, const Candidate& b) {
  if (a.fits != b.fits) return a.fits;
  if (!a.fits) return a.working < b.working;
  // Latencies within 0.5 % are a tie: then the fewer DRAM bytes (energy) win.
  const double tol = 0.005 * std::min(a.latency_s, b.latency_s);
  if (std::abs(a.latency_s - b.latency_s) > tol) return a.latency_s < b.latency_s;
  const uint64_t da = a.a_read + a.b_read + a.o_write, db = b.a_read + b.b_read + b.o_write;
  if (da != db) return da < db;
  if (a.cycles != b.cycles) return a.cycles < b.cycles;
  return a.working < b.working;
}

Candidate search(const GemmView& v, const OpMemory& mem, const arch::NpuConfig& hw, double rate) {
  const Place& pa = mem.in.at(0);
  const Place& pb = mem.in.at(1);
  const Place& po = mem.out.at(0);
  const uint32_t rows = hw.mac_array.rows, cols = hw.mac_array.cols;
  const double bw = hw.dram.bandwidth_bytes_per_s, f = hw.mac_array.frequency_hz;

  // Tile candidates along M (conv: output rows), N and K (conv: input channels); with
  // mapping.tiling: whole, only the whole operands.
  const bool whole = hw.mapping.tiling == "whole";
  const uint64_t k_units = v.k_units();
  const Extents m_cands = whole ? Extents{v.m_units()} : halvings(v.m_units(), 1);
  Extents n_cands = {v.n};
  for (uint64_t x = cols; x < v.n && !whole; x *= 2) n_cands.push_back(x);
  const Extents k_all = whole ? Extents{k_units} : halvings(k_units, v.conv ? 1 : rows);
  // Array placements: each allowed dataflow, M and N swapped unless pinned, and the streaming
  // gemv path for GEMMs with few rows where the array has one.
  FixedList<MacTiling, 2 * std::size(arch::kDataflowTable) + 1> placements;
  for (arch::Dataflow df : hw.allowed_dataflows())
    for (bool tr : {false, true}) {
      if (tr && (v.conv || hw.mapping.transpose == "never")) continue;  // convs keep output channels on N
      placements.push_back(MacTiling{true, 0, 0, 0, true, tr, df, false, 1});
    }
  if (hw.mac_array.gemv == "streaming" && !v.conv && v.m <= hw.mac_array.gemv_max_m)
    placements.push_back(MacTiling{true, 0, 0, 0, true, false, arch::Dataflow::kWeightStationary, true, 1});

  Candidate best;
  bool have = false;
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
            bytes_of(kt * nt, v.b_bits) + (v.b_is_weight ? ceil_div(v.bias_bytes, v.batch * tn) : 0);
        const uint64_t o_tile = bytes_of(mt * nt, v.o_bits);
        const uint64_t acc = tk > 1 ? mt * nt * 4 : 0;
        for (bool wo : {true, false}) {
          Candidate c;
          c.mt = mu, c.nt = nt, c.kt = ku, c.weights_outer = wo;
          const uint64_t reread_a = wo ? (tm == 1 && tk == 1 ? 1 : tn) : (tk == 1 ? 1 : tn);
          const uint64_t reread_b = !wo ? (tn == 1 && tk == 1 ? 1 : tm) : (tk == 1 ? 1 : tm);
          c.a_read = pa.loc == Loc::kDram ? a_once * reread_a : 0;
          c.b_read = pb.loc == Loc::kDram ? (v.b_bytes + (v.b_is_weight ? v.bias_bytes : 0)) * reread_b : 0;
          c.o_write = po.loc == Loc::kDram ? v.o_bytes : 0;
          c.a_tile = a_tile, c.b_tile = b_tile, c.o_tile = o_tile;
          c.working = (pa.loc == Loc::kDram ? 2 * a_tile : 0) + (pb.loc == Loc::kDram ? 2 * b_tile : 0) +
                      (po.loc == Loc::kDram       ? 2 * o_tile
                       : po.loc == Loc::kInternal ? o_tile
                                                  : 0) +
                      acc;
          c.fits = c.working <= mem.tile_budget_bytes;
          if (have && !c.fits && best.fits) continue;
          for (const MacTiling& pl : placements) {
            uint64_t cyc = 0, folds = 0;
            const uint64_t pack = group_pack(v, pl, hw.mac_array, kt, nt);
            for_each_tile_shape(v, mu, nt, ku, pack, [&](const TileShape& t) {
              const FoldCost fc = tile_cost(t, pl, hw.mac_array, rate);
              cyc += t.count * fc.cycles;
              folds += t.count * t.groups * fc.folds;
            });
            Candidate d = c;
            d.df = pl.dataflow;
            d.transposed = pl.transposed;
            d.gemv_stream = pl.gemv_stream;
            d.pack = pack;
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
  return best;
}

}  // namespace

OpPlan plan_mac(const Graph& g, const Op& op, const OpMemory& mem, const arch::NpuConfig& hw, double rate) {
  const GemmView v = gemm_view(g, op);
  const Candidate c = search(v, mem, hw, rate);
  const Place& pa = mem.in.at(0);
  const Place& pb = mem.in.at(1);
  const Place& po = mem.out.at(0);

  // Steps: one group per distinct tile shape, DMA spread evenly over the unit steps.
  OpPlan plan;
  plan.tiling = MacTiling{true, c.mt, c.nt, c.kt, c.weights_outer, c.transposed, c.df, c.gemv_stream, c.pack};
  plan.steps.reserve(2 * 2 * 2 * 2 + 1);  // group packs x M x N x K full/edge shapes, + the last split off
  for_each_tile_shape(v, c.mt, c.nt, c.kt, c.pack, [&](const TileShape& t) {
    TileStep s;
    s.repeat = t.count;
    s.macs = t.groups * t.m * t.n * t.k;
    s.mac_cycles = tile_cost(t, plan.tiling, hw.mac_array, rate).cycles;
    plan.steps.push_back(s);
  });
  uint64_t step_macs = 0;
  for (const auto& s : plan.steps) step_macs += s.repeat * s.macs;
  NPUSIM_ASSERT(step_macs == op.macs, "tile MACs differ from the op's MACs");
  // SCALE-Sim v2 reports a layer's cycles as the index of its last output cycle, one less than
  // the sum of its folds (arch/dataflow.h): the op's last step is one cycle shorter.
  if (plan.steps.back().repeat > 1) {
    TileStep last = plan.steps.back();
    last.repeat = 1;
    plan.steps.back().repeat -= 1;
    plan.steps.push_back(last);
  }
  if (plan.steps.back().mac_cycles > 0) plan.steps.back().mac_cycles -= 1;

  const uint64_t tk = ceil_div(v.k_units(), c.kt);
  const uint64_t tn = ceil_div(v.n, c.nt);
  const uint64_t tm = (v.conv ? v.images : 1) * ceil_div(v.m_units(), c.mt);
  Totals t;
  const uint64_t burst = hw.dram.burst_bytes;
  t.read[static_cast<int>(pa.traffic)] += round_burst(c.a_read, burst);
  t.read[static_cast<int>(pb.traffic)] += round_burst(c.b_read, burst);
  t.write[static_cast<int>(po.traffic)] += round_burst(c.o_write, burst);
  // SRAM: DMA lands every DRAM byte; the array re-reads each operand once per piece of the
  // GEMM dimension it lacks (arch/dataflow.h): array-sized pieces when that dimension is
  // spatial, the op's tiles along it when it streams.
  const arch::DataflowSpec& spec = arch::dataflow_spec(c.df);
  auto pieces = [&](arch::GemmDim d, uint64_t extent, uint64_t tiles) -> uint64_t {
    if (c.transposed && d != arch::GemmDim::kK) d = d == arch::GemmDim::kM ? arch::GemmDim::kN : arch::GemmDim::kM;
    if (spec.rows == d) return ceil_div(extent, hw.mac_array.rows);
    if (spec.cols == d) return ceil_div(extent, hw.mac_array.cols);
    return tiles;
  };
  const uint64_t a_arr = v.a_bytes * pieces(arch::GemmDim::kN, v.n, tn);
  const uint64_t b_arr = v.b_bytes * pieces(arch::GemmDim::kM, v.m, tm);
  t.sram_read = a_arr + b_arr + (po.loc == Loc::kDram ? v.o_bytes : 0) + (tk > 1 ? v.o_bytes * 4 * (tk - 1) : 0);
  t.sram_write = c.a_read + c.b_read + v.o_bytes + (tk > 1 ? v.o_bytes * 4 * (tk - 1) : 0);
  t.transfers = (pa.loc == Loc::kDram) + (pb.loc == Loc::kDram) + (po.loc == Loc::kDram);
  spread(plan.steps, t);
  plan.working_bytes = c.working;

  char buf[200];
  const char* order = tn == 1 && tk == 1 ? "" : c.weights_outer ? " N-outer" : " M-outer";
  const char* df = c.gemv_stream ? "GEMV-stream" : spec.short_name.data();
  const std::string packed = c.pack > 1 ? " (" + std::to_string(c.pack) + " groups side by side)" : "";
  if (v.conv)
    std::snprintf(buf, sizeof buf, "%s rows%llu/%llu n%llu/%llu c%llu/%llu%s, %llu folds%s%s", df,
                  (unsigned long long)c.mt, (unsigned long long)v.p, (unsigned long long)c.nt, (unsigned long long)v.n,
                  (unsigned long long)c.kt, (unsigned long long)v.chans, order, (unsigned long long)c.folds,
                  packed.c_str(), c.fits ? "" : " (tiles exceed SRAM)");
  else
    std::snprintf(buf, sizeof buf, "%s%s m%llu/%llu n%llu/%llu k%llu/%llu%s, %llu folds%s", df,
                  c.transposed ? " transposed" : "", (unsigned long long)c.mt, (unsigned long long)v.m,
                  (unsigned long long)c.nt, (unsigned long long)v.n, (unsigned long long)c.kt, (unsigned long long)v.k,
                  order, (unsigned long long)c.folds, c.fits ? "" : " (tiles exceed SRAM)");
  plan.mapping = buf;
  return plan;
}

}  // namespace npusim::mappers
