#pragma once
// Stage 2 of the mapper: tiling a MAC op (conv2d, linear, matmul, attention) for the SRAM the
// memory plan left it. A search over tile sizes, loop order, dataflow and M/N transposition
// picks the lowest latency (then the fewest DRAM bytes); the choice is lowered into tile steps
// using the same enumeration of full and edge tile shapes that costed it.
#include <cstdint>
#include <memory>
#include <type_traits>

#include "arch/npu_config.h"
#include "dataflow.h"
#include "memory_plan.h"
#include "op_plan.h"
#include "tile_program.h"
#include "workloads/graph.h"

namespace npusim::mappers {

// The op's GEMM view (tile_program.h's MacShape, shared with the functional check) plus what
// tile sizing needs: conv halo geometry and operand widths.
struct GemmView : MacShape {
  uint64_t kernel_h = 1, in_h = 1, in_w = 1, stride = 1;  // conv only
  unsigned a_bits = 8, b_bits = 8, o_bits = 8;
  uint64_t a_bytes = 0, b_bytes = 0, o_bytes = 0, bias_bytes = 0;
  bool b_is_weight = false;
};
GemmView gemm_view(const workloads::Graph& g, const workloads::Op& op);

// One distinct tile step of a tiling: `groups` tiles of m x n x k (GEMM elements), one per
// group, that run side by side on the array, and how many such steps there are.
struct TileShape {
  uint64_t count = 0, m = 0, n = 0, k = 0;
  uint64_t groups = 1;
};
// A callable taken by reference, not std::function: the tile search walks tile shapes per
// candidate, and a std::function of a capturing lambda allocated on the heap each time.
class TileShapeFn {
 public:
  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, TileShapeFn>)
      TileShapeFn(F&& f)  // NOLINT(google-explicit-constructor): a lambda converts at the call
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, const TileShape& t) { (*static_cast<std::remove_reference_t<F>*>(o))(t); }) {}
  void operator()(const TileShape& t) const { call_(obj_, t); }

 private:
  void* obj_;
  void (*call_)(void*, const TileShape&);
};
// Every combination of full and edge tiles along M, N and K when `v` is cut into tiles of
// `m_units` (conv: output rows), `n` and `k_units` (conv: input channels), with up to `pack`
// groups of a grouped conv side by side per step. Calls `fn` once per distinct shape with a
// non-zero count, in M, N, K order (full before edge; full group packs before the rest).
void for_each_tile_shape(const GemmView& v, uint64_t m_units, uint64_t n, uint64_t k_units, uint64_t pack,
                         TileShapeFn fn);

// How many groups of a grouped conv fit on the array at once under `tiling`'s dataflow with
// tiles of k_gemm x n_gemm per group: blocks placed block-diagonally along the array dimension
// that holds K (each group's reduction on its own band of PEs, fed its own input stream) and,
// where N is spatial too, along the one that holds N. 1 when a group's tile fills the array,
// for ops that are not grouped convs, and for dataflows that keep K in time (OS).
uint64_t group_pack(const GemmView& v, const MacTiling& tiling, const arch::MacArrayConfig& array, uint64_t k_gemm,
                    uint64_t n_gemm);

// Folds and array cycles of one tile of `tiling`'s placement (its dataflow, transposition and
// gemv path; the tile sizes are not read).
FoldCost tile_cost(const TileShape& t, const MacTiling& tiling, const arch::MacArrayConfig& array, double rate);

// The best tiling of `op` within the memory plan's budget, lowered into steps.
OpPlan plan_mac(const workloads::Graph& g, const workloads::Op& op, const OpMemory& mem, const arch::NpuConfig& hw,
                double rate);

}  // namespace npusim::mappers
