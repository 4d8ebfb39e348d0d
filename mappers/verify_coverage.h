#pragma once
// Coverage proof of a MAC op's tile program (tile_program.h): no arithmetic on values, so it
// runs on ops of any size (verify.h runs it on every MAC op, next to the numeric check on the
// small ones). It proves two things, with index ranges per tile and fold, never per element:
//   1. every output (b, m, n) of the op's GEMM view receives every reduction index k exactly
//      once: the folds of each tile partition that tile's b x m x n x k box, and the tiles
//      partition the op's batch x M x N x K box;
//   2. every operand element a fold reads was loaded by its tile, in program order: a tile
//      loads A[b][m][k] and B[b][k][n] over its own m, n and k ranges; for conv2d, A is the
//      input tensor and the tile loads its image's input channels of the k range, whole input
//      rows of its output rows plus the kernel's halo (clipped to the image), and all columns.
// A partition is proven by merging boxes that agree on three axes and meet on the fourth,
// which never changes how often any point is covered, until one box is left: it must be the
// whole box. Two boxes that agree on three axes and overlap on the fourth cover points twice.
// A program that covers every point once but cannot be merged into one box (no grid; never
// produced by run_tile_program) is reported as unproven, which counts as a failure.
// Cost: O(F log F) for F folds, memory O(folds of one tile + tiles that do not merge in order).
#include <cstdint>
#include <string>
#include <vector>

#include "tile_program.h"
#include "workloads/op.h"

namespace npusim::mappers {

struct CoverageResult {
  bool proven = false;
  std::string message;  // why not ("" when proven)
  uint64_t tiles = 0, folds = 0;
  uint64_t max_pieces = 0;  // most boxes held at once: the proof's memory, in boxes
};

// Feed it a tile program's events in program order (run_tile_program's on_tile and on_fold),
// then call finish() once. After the first failure the remaining events are ignored.
class CoverageProof {
 public:
  explicit CoverageProof(const workloads::Op& op);
  void tile(const Tile& t);
  void fold(const Tile& t, const Fold& f);
  CoverageResult finish();

  // Axes of a box: batch, m, n, k (GEMM coordinates), each half-open.
  struct Box {
    uint64_t lo[4] = {}, hi[4] = {};
  };

 private:
  void fail(std::string why);
  void close_tile();
  bool reads_loaded(const Fold& f, std::string& why) const;

  workloads::ConvBounds conv_;
  MacShape shape_;
  bool have_tile_ = false;
  Tile tile_;               // the current tile
  Box tile_box_;            // its GEMM box
  Box a_loaded_;            // what it loaded of A: conv (image, channel, row, col), else (b, m, k, -)
  Box b_loaded_;            // ... of B: (b, k, n, -) in GEMM coordinates
  std::vector<Box> folds_;  // the current tile's folds
  std::vector<Box> tiles_;  // closed tiles
  CoverageResult res_;
  bool finished_ = false;
};

// "" if `boxes` (merged in place) cover every point of `whole` exactly once, else why not.
// `what` names the pieces in the message ("folds of tile 3", "tiles").
std::string prove_partition(std::vector<CoverageProof::Box>& boxes, const CoverageProof::Box& whole,
                            const std::string& what);

}  // namespace npusim::mappers
