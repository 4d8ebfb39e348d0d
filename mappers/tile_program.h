#pragma once
// The tile program of a MAC op: the ordered tiles its MacTiling (schedule.h) cuts the op's
// GEMM view into, and within each tile the array folds of its dataflow (dataflow.h). It is
// what the functional check (verify.h) executes, and is enumerated by callback so that big
// ops never materialise the list.
#include <cstdint>
#include <functional>
#include <string>

#include "schedule.h"
#include "workloads/op.h"

namespace npusim::mappers {

// Half-open [begin, end).
struct Range {
  uint64_t begin = 0, end = 0;
  uint64_t size() const { return end > begin ? end - begin : 0; }
};

// The GEMM view of a MAC op exactly as the mapper tiles it: `batch` GEMMs of m x n x k.
// conv2d: batch = groups, m = images * p * q (m index = (image * p + out_row) * q + out_col),
// n = output channels of a group, k = channels of a group * taps (k index = chan * taps +
// r * s_kernel + s). Other MAC ops: their MatmulBounds.
struct MacShape {
  bool conv = false;
  uint64_t batch = 1, m = 1, n = 1, k = 1;
  uint64_t images = 1, p = 1, q = 1, chans = 1, taps = 1;  // conv only
  uint64_t m_units() const { return conv ? p : m; }        // what m_tile counts (per image for conv)
  uint64_t k_units() const { return conv ? chans : k; }    // what k_tile counts
};
// NPUSIM_ASSERTs that `op` is a MAC op.
MacShape mac_shape(const workloads::Op& op);

// One tile, in tiling units (conv: `m` = output rows of `image`, `k` = input channels of the
// group) and in GEMM coordinates (contiguous in both views).
struct Tile {
  uint64_t index = 0;  // position in the program, from 0
  uint64_t batch = 0;
  uint64_t image = 0;  // conv only
  Range m, n, k;       // tiling units
  Range gm, gn, gk;    // GEMM coordinates of the batch's GEMM
};

// One array fold of a tile: the GEMM rows (gm), columns (gn) and reduction indices (gk) it
// covers. The two dimensions the dataflow places spatially are cut into rows- and
// cols-sized pieces; the streamed one spans the tile.
struct Fold {
  uint64_t index = 0;  // within the tile, from 0
  Range gm, gn, gk;
};

// Test-only deliberate mistakes, so tests can show the functional check catches them.
enum class TileProgramFault : uint8_t {
  kNone,
  kKLoopShort,     // every K loop stops one tile short (drops work)
  kMRangeShifted,  // every M tile starts one unit late, the last one clipped (misplaces work)
  kTileRepeated,   // the first tile runs twice (repeats work)
  kFoldDropped,    // the first tile's last fold is skipped (drops work)
  kFoldOverlap,    // row folds advance by rows - 1 (repeats work; needs rows > 1)
};

struct TileProgramStats {
  uint64_t tiles = 0, folds = 0, macs = 0;
};

// Why `t` cannot be run on `s` (zero tile sizes, invalid), or "" if it can.
std::string tiling_problem(const MacShape& s, const MacTiling& t);

// Calls on_tile (may be empty) for every tile in program order and on_fold for each of its
// folds in array order. NPUSIM_ASSERTs tiling_problem(s, t) is empty and rows, cols > 0.
TileProgramStats run_tile_program(const MacShape& s, const MacTiling& t, uint32_t rows, uint32_t cols,
                                  const std::function<void(const Tile&)>& on_tile,
                                  const std::function<void(const Tile&, const Fold&)>& on_fold,
                                  TileProgramFault fault = TileProgramFault::kNone);

}  // namespace npusim::mappers
