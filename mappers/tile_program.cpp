#include "tile_program.h"

#include <algorithm>

#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::OpClass;
using workloads::OpKind;

MacShape mac_shape(const workloads::Op& op) {
  NPUSIM_ASSERT(workloads::op_class(op.kind) == OpClass::kMac, "mac_shape of a non-MAC op " + op.name);
  MacShape s;
  if (op.kind == OpKind::kConv2d) {
    const auto& c = op.conv;
    s.conv = true;
    s.batch = c.groups;
    s.images = c.n, s.p = c.p, s.q = c.q;
    s.chans = c.c / c.groups;
    s.taps = c.r * c.s;
    s.m = c.n * c.p * c.q;
    s.n = c.k / c.groups;
    s.k = s.chans * s.taps;
  } else {
    s.batch = op.mm.batch, s.m = op.mm.m, s.n = op.mm.n, s.k = op.mm.k;
  }
  return s;
}

std::string tiling_problem(const MacShape& s, const MacTiling& t) {
  if (!t.valid) return "the op has no MAC tiling";
  if (t.m_tile == 0 || t.n_tile == 0 || t.k_tile == 0) return "a tile size is 0";
  if (t.m_tile > s.m_units() || t.n_tile > s.n || t.k_tile > s.k_units())
    return "a tile is larger than the op (m_tile " + std::to_string(t.m_tile) + "/" + std::to_string(s.m_units()) +
           ", n_tile " + std::to_string(t.n_tile) + "/" + std::to_string(s.n) + ", k_tile " + std::to_string(t.k_tile) +
           "/" + std::to_string(s.k_units()) + ")";
  return "";
}

namespace {

// How many pieces of at most `size` cover `r` when each starts `overlap` before the previous ends.
uint64_t pieces(const Range& r, uint64_t size, uint64_t overlap) {
  if (r.size() <= size) return 1;
  return 1 + ceil_div(r.size() - size, size - overlap);
}

}  // namespace

TileProgramStats run_tile_program(const MacShape& s, const MacTiling& t, uint32_t rows, uint32_t cols,
                                  const std::function<void(const Tile&)>& on_tile,
                                  const std::function<void(const Tile&, const Fold&)>& on_fold,
                                  TileProgramFault fault) {
  NPUSIM_ASSERT(tiling_problem(s, t).empty(), tiling_problem(s, t));
  NPUSIM_ASSERT(rows > 0 && cols > 0, "array without rows or columns");
  const uint64_t m_units = s.m_units(), k_units = s.k_units();
  const uint64_t tm_per_image = ceil_div(m_units, t.m_tile);
  const uint64_t tm = s.images * tm_per_image;  // images is 1 for non-conv ops
  const uint64_t tn = ceil_div(s.n, t.n_tile);
  const uint64_t tk_full = ceil_div(k_units, t.k_tile);
  const uint64_t tk = fault == TileProgramFault::kKLoopShort ? tk_full - 1 : tk_full;
  const uint64_t row_overlap = fault == TileProgramFault::kFoldOverlap && rows > 1 ? 1 : 0;

  TileProgramStats st;
  auto run_tile = [&](Tile& tile) {
    tile.index = st.tiles++;
    if (on_tile) on_tile(tile);
    // Which GEMM dimension sits on the array's rows and which on its columns.
    Range* const mp = t.transposed ? &tile.gn : &tile.gm;  // the array's "M" (dataflow.h)
    Range* const np = t.transposed ? &tile.gm : &tile.gn;  // the array's "N"
    const arch::DataflowSpec& spec = arch::dataflow_spec(t.dataflow);
    auto range_of = [&](arch::GemmDim d) {
      return d == arch::GemmDim::kM ? mp : d == arch::GemmDim::kN ? np : &tile.gk;
    };
    Range* const row_dim = range_of(spec.rows);
    Range* const col_dim = range_of(spec.cols);
    const uint64_t row_step = rows - row_overlap;
    const uint64_t n_row = pieces(*row_dim, rows, row_overlap), n_col = pieces(*col_dim, cols, 0);
    const bool drop_last = fault == TileProgramFault::kFoldDropped && tile.index == 0;
    Fold f;
    f.index = 0;
    for (uint64_t ri = 0; ri < n_row; ++ri) {
      const Range rr{row_dim->begin + ri * row_step, std::min(row_dim->end, row_dim->begin + ri * row_step + rows)};
      for (uint64_t ci = 0; ci < n_col; ++ci) {
        const Range cr{col_dim->begin + ci * cols, std::min(col_dim->end, col_dim->begin + (ci + 1) * cols)};
        if (drop_last && ri + 1 == n_row && ci + 1 == n_col) continue;
        f.gm = tile.gm, f.gn = tile.gn, f.gk = tile.gk;
        Range* const fr = row_dim == &tile.gm ? &f.gm : row_dim == &tile.gn ? &f.gn : &f.gk;
        Range* const fc = col_dim == &tile.gm ? &f.gm : col_dim == &tile.gn ? &f.gn : &f.gk;
        *fr = rr, *fc = cr;
        on_fold(tile, f);
        ++f.index;
        ++st.folds;
        st.macs += f.gm.size() * f.gn.size() * f.gk.size();
      }
    }
  };

  auto m_tile_range = [&](uint64_t mi, Tile& tile) {
    tile.image = s.conv ? mi / tm_per_image : 0;
    const uint64_t b = (mi % tm_per_image) * t.m_tile;
    tile.m = {b, std::min(m_units, b + t.m_tile)};
    if (fault == TileProgramFault::kMRangeShifted)
      tile.m = {std::min(m_units, tile.m.begin + 1), std::min(m_units, tile.m.end + 1)};
    if (s.conv) {
      tile.gm = {(tile.image * s.p + tile.m.begin) * s.q, (tile.image * s.p + tile.m.end) * s.q};
    } else {
      tile.gm = tile.m;
    }
  };
  auto k_tile_range = [&](uint64_t ki, Tile& tile) {
    tile.k = {ki * t.k_tile, std::min(k_units, (ki + 1) * t.k_tile)};
    tile.gk = s.conv ? Range{tile.k.begin * s.taps, tile.k.end * s.taps} : tile.k;
  };
  auto n_tile_range = [&](uint64_t ni, Tile& tile) {
    tile.n = {ni * t.n_tile, std::min(s.n, (ni + 1) * t.n_tile)};
    tile.gn = tile.n;
  };

  bool repeated = false;
  for (uint64_t b = 0; b < s.batch; ++b)
    for (uint64_t outer = 0; outer < (t.weights_outer ? tn : tm); ++outer)
      for (uint64_t inner = 0; inner < (t.weights_outer ? tm : tn); ++inner)
        for (uint64_t ki = 0; ki < tk; ++ki) {
          Tile tile;
          tile.batch = b;
          m_tile_range(t.weights_outer ? inner : outer, tile);
          n_tile_range(t.weights_outer ? outer : inner, tile);
          k_tile_range(ki, tile);
          run_tile(tile);
          if (fault == TileProgramFault::kTileRepeated && !repeated) {
            repeated = true;
            run_tile(tile);
          }
        }
  return st;
}

}  // namespace npusim::mappers
