#include "verify.h"

#include <algorithm>
#include <random>

#include "dataflow.h"
#include "npusim/checked.h"

namespace npusim::mappers {

using workloads::Graph;
using workloads::Op;
using workloads::OpClass;
using workloads::OpKind;

namespace {

// Deterministic int8 values: the low byte of each mt19937 draw (portable, unlike the
// standard distributions).
std::vector<int8_t> random_int8(uint64_t n, std::mt19937& rng) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(static_cast<uint8_t>(rng() & 0xff));
  return v;
}

// int8 x int8 into a wrapping 32-bit accumulator (bit-identical to int32 two's complement).
inline uint32_t mac(uint32_t acc, int8_t a, int8_t b) { return acc + static_cast<uint32_t>(int32_t{a} * int32_t{b}); }

// The op's operands and its direct reference output, in the tensors' own layouts.
struct Operands {
  std::vector<int8_t> a, b;
  bool b_kn = true;  // matmul: B stored [.., K, N] (else [.., N, K])
};

// Direct conv2d: out[i][o][y][x] = sum in[i][g*Cg + c][y*sh + r - ph][x*sw + s - pw] * w[o][c][r][s].
std::vector<uint32_t> reference_conv(const workloads::ConvBounds& c, const Operands& o) {
  const uint64_t cg = c.c / c.groups, kg = c.k / c.groups;
  std::vector<uint32_t> out(c.n * c.k * c.p * c.q, 0);
  for (uint64_t i = 0; i < c.n; ++i)
    for (uint64_t oc = 0; oc < c.k; ++oc) {
      const uint64_t g = oc / kg;
      for (uint64_t y = 0; y < c.p; ++y)
        for (uint64_t x = 0; x < c.q; ++x) {
          uint32_t acc = 0;
          for (uint64_t ch = 0; ch < cg; ++ch)
            for (uint64_t r = 0; r < c.r; ++r) {
              const int64_t iy = int64_t(y * c.stride_h + r) - int64_t(c.pad_h);
              if (iy < 0 || iy >= int64_t(c.h)) continue;
              for (uint64_t s = 0; s < c.s; ++s) {
                const int64_t ix = int64_t(x * c.stride_w + s) - int64_t(c.pad_w);
                if (ix < 0 || ix >= int64_t(c.w)) continue;
                const int8_t in = o.a[((i * c.c + g * cg + ch) * c.h + uint64_t(iy)) * c.w + uint64_t(ix)];
                const int8_t w = o.b[((oc * cg + ch) * c.r + r) * c.s + s];
                acc = mac(acc, in, w);
              }
            }
          out[((i * c.k + oc) * c.p + y) * c.q + x] = acc;
        }
    }
  return out;
}

// Direct GEMM-like ops, out[b][m][n] in all cases:
//   linear x[m][k] . W[n][k]^T, matmul a[b][m][k] . b[b][k][n] (or b[b][n][k]^T),
//   attention score Q[b][m][d] . K[b][n][d]^T, attention context P[b][m][j] . V[b][j][d].
std::vector<uint32_t> reference_gemm(OpKind kind, const workloads::MatmulBounds& mm, const Operands& o) {
  const uint64_t M = mm.m, N = mm.n, K = mm.k;
  std::vector<uint32_t> out(mm.batch * M * N, 0);
  for (uint64_t b = 0; b < mm.batch; ++b)
    for (uint64_t m = 0; m < M; ++m)
      for (uint64_t n = 0; n < N; ++n) {
        uint32_t acc = 0;
        for (uint64_t k = 0; k < K; ++k) {
          const int8_t x = o.a[(b * M + m) * K + k];
          int8_t y = 0;
          switch (kind) {
            case OpKind::kLinear:
              y = o.b[n * K + k];
              break;
            case OpKind::kAttentionScore:
              y = o.b[(b * N + n) * K + k];
              break;
            case OpKind::kAttentionContext:
              y = o.b[(b * K + k) * N + n];
              break;
            default:  // matmul
              y = o.b_kn ? o.b[(b * K + k) * N + n] : o.b[(b * N + n) * K + k];
              break;
          }
          acc = mac(acc, x, y);
        }
        out[(b * M + m) * N + n] = acc;
      }
  return out;
}

// The op's GEMM view as the array sees it: A[b][m][k] (im2col for conv) and B transposed to
// Bt[b][n][k], so a fold's dot products run over contiguous memory.
struct GemmOperands {
  std::vector<int8_t> a, bt;
};

GemmOperands gemm_operands(const Op& op, const MacShape& s, const Operands& o) {
  GemmOperands g;
  g.a.assign(s.batch * s.m * s.k, 0);
  g.bt.assign(s.batch * s.n * s.k, 0);
  if (s.conv) {
    const auto& c = op.conv;
    for (uint64_t grp = 0; grp < s.batch; ++grp)
      for (uint64_t m = 0; m < s.m; ++m) {
        const uint64_t img = m / (s.p * s.q), y = m / s.q % s.p, x = m % s.q;
        for (uint64_t k = 0; k < s.k; ++k) {
          const uint64_t ch = k / s.taps, r = k % s.taps / c.s, sc = k % c.s;
          const int64_t iy = int64_t(y * c.stride_h + r) - int64_t(c.pad_h);
          const int64_t ix = int64_t(x * c.stride_w + sc) - int64_t(c.pad_w);
          if (iy < 0 || iy >= int64_t(c.h) || ix < 0 || ix >= int64_t(c.w)) continue;  // padding
          g.a[(grp * s.m + m) * s.k + k] =
              o.a[((img * c.c + grp * s.chans + ch) * c.h + uint64_t(iy)) * c.w + uint64_t(ix)];
        }
      }
    // w[o][c][r][s] with o = grp * n + j is already Bt[grp][j][k].
    g.bt = o.b;
    return g;
  }
  g.a = o.a;  // [b][m][k] for every GEMM kind
  for (uint64_t b = 0; b < s.batch; ++b)
    for (uint64_t n = 0; n < s.n; ++n)
      for (uint64_t k = 0; k < s.k; ++k) {
        uint64_t src = 0;
        switch (op.kind) {
          case OpKind::kLinear:
            src = n * s.k + k;
            break;
          case OpKind::kAttentionScore:
            src = (b * s.n + n) * s.k + k;
            break;
          case OpKind::kAttentionContext:
            src = (b * s.k + k) * s.n + n;
            break;
          default:
            src = o.b_kn ? (b * s.k + k) * s.n + n : (b * s.n + n) * s.k + k;
            break;
        }
        g.bt[(b * s.n + n) * s.k + k] = o.b[src];
      }
  return g;
}

// Flat index into the op's output tensor of GEMM output (b, m, n).
uint64_t output_index(const Op& op, const MacShape& s, uint64_t b, uint64_t m, uint64_t n) {
  if (!s.conv) return (b * s.m + m) * s.n + n;
  const uint64_t img = m / (s.p * s.q), yx = m % (s.p * s.q);
  return (img * op.conv.k + b * s.n + n) * (s.p * s.q) + yx;
}

}  // namespace

VerifyResult verify_op(const Graph& g, workloads::OpId id, const MacTiling& tiling, uint32_t rows, uint32_t cols,
                       uint64_t seed, const VerifyOptions& opts) {
  const Op& op = g.op(id);
  VerifyResult r;
  r.op = op.name;
  r.macs = op.macs;
  if (workloads::op_class(op.kind) != OpClass::kMac || op.inputs.size() < 2) {
    r.message = "not a MAC op";
    return r;
  }
  const workloads::Tensor &ta = g.tensor(op.inputs[0]), &tb = g.tensor(op.inputs[1]);
  const uint64_t biggest = std::max({op.macs, ta.elems, tb.elems});
  if (biggest > opts.max_macs) {
    r.message = std::to_string(op.macs) + " MACs (operands of " + std::to_string(ta.elems) + " and " +
                std::to_string(tb.elems) + " elements) exceed the verify limit of " + std::to_string(opts.max_macs);
    return r;
  }
  const MacShape s = mac_shape(op);
  if (std::string why = tiling_problem(s, tiling); !why.empty()) {
    r.status = VerifyResult::Status::kMismatch;
    r.message = "tiling cannot run: " + why;
    return r;
  }

  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  Operands o;
  o.a = random_int8(ta.elems, rng);
  o.b = random_int8(tb.elems, rng);
  NPUSIM_ASSERT(ta.elems == s.batch * s.m * s.k || s.conv, "GEMM operand A of " + op.name + " is not batch x M x K");
  NPUSIM_ASSERT(tb.elems == s.batch * s.n * s.k, "operand B of " + op.name + " is not batch x K x N");
  if (op.kind == OpKind::kMatmul) {
    // The op does not record transpose_b; the shape tells unless K == N (then either reading is the same GEMM).
    const auto& sh = tb.shape;
    o.b_kn = sh[sh.size() - 2] == s.k && sh.back() == s.n;
  }
  const std::vector<uint32_t> ref = s.conv ? reference_conv(op.conv, o) : reference_gemm(op.kind, op.mm, o);

  // Execute the program: each fold adds its partial sums over its K range into the accumulators.
  const GemmOperands go = gemm_operands(op, s, o);
  std::vector<uint32_t> acc(s.batch * s.m * s.n, 0);
  uint64_t model_folds = 0;
  auto on_tile = [&](const Tile& t) {
    const Gemm gm = tiling.transposed ? Gemm{1, t.gn.size(), t.gm.size(), t.gk.size()}
                                      : Gemm{1, t.gm.size(), t.gn.size(), t.gk.size()};
    if (gm.m > 0 && gm.n > 0 && gm.k > 0) model_folds += gemm_cycles(gm, tiling.dataflow, rows, cols, 1).folds;
  };
  auto on_fold = [&](const Tile& t, const Fold& f) {
    for (uint64_t m = f.gm.begin; m < f.gm.end; ++m) {
      const int8_t* arow = &go.a[(t.batch * s.m + m) * s.k];
      for (uint64_t n = f.gn.begin; n < f.gn.end; ++n) {
        const int8_t* brow = &go.bt[(t.batch * s.n + n) * s.k];
        uint32_t psum = 0;
        for (uint64_t k = f.gk.begin; k < f.gk.end; ++k) psum = mac(psum, arow[k], brow[k]);
        acc[(t.batch * s.m + m) * s.n + n] += psum;
      }
    }
  };
  r.program = run_tile_program(s, tiling, rows, cols, on_tile, on_fold, opts.fault);

  std::vector<uint32_t> out(ref.size(), 0);
  for (uint64_t b = 0; b < s.batch; ++b)
    for (uint64_t m = 0; m < s.m; ++m)
      for (uint64_t n = 0; n < s.n; ++n) out[output_index(op, s, b, m, n)] = acc[(b * s.m + m) * s.n + n];
  r.outputs = out.size();
  for (uint64_t i = 0; i < out.size(); ++i)
    if (out[i] != ref[i] && r.mismatches++ == 0) r.first_mismatch = i;

  r.status = VerifyResult::Status::kPass;
  if (r.mismatches > 0) {
    r.status = VerifyResult::Status::kMismatch;
    r.message = std::to_string(r.mismatches) + " of " + std::to_string(r.outputs) +
                " outputs differ from the reference, first at flat index " + std::to_string(r.first_mismatch) +
                " (program " + std::to_string(static_cast<int32_t>(out[r.first_mismatch])) + ", reference " +
                std::to_string(static_cast<int32_t>(ref[r.first_mismatch])) + ")";
  } else if (r.program.macs != op.macs) {
    r.status = VerifyResult::Status::kMismatch;
    r.message = "the program ran " + std::to_string(r.program.macs) + " MACs, the op has " + std::to_string(op.macs);
  } else if (r.program.folds != model_folds) {
    r.status = VerifyResult::Status::kMismatch;
    r.message = "the program ran " + std::to_string(r.program.folds) + " folds, the dataflow cost model charges " +
                std::to_string(model_folds);
  }
  return r;
}

GraphVerifyResult verify_graph(const Graph& g, const Schedule& sched, uint32_t rows, uint32_t cols, uint64_t seed,
                               uint64_t max_macs) {
  GraphVerifyResult res;
  for (const OpSchedule& os : sched.ops) {
    const Op& op = g.op(os.op);
    if (workloads::op_class(op.kind) != OpClass::kMac || op.inputs.size() < 2) continue;
    VerifyResult r = verify_op(g, os.op, os.tiling, rows, cols, seed, VerifyOptions{.max_macs = max_macs});
    uint64_t step_macs = 0;
    for (const TileStep& t : os.steps) step_macs += t.repeat * t.macs;
    if (r.passed() && step_macs != r.program.macs) {
      r.status = VerifyResult::Status::kMismatch;
      r.message = "the schedule's tile steps charge " + std::to_string(step_macs) + " MACs, the program ran " +
                  std::to_string(r.program.macs);
    }
    res.checked += r.status != VerifyResult::Status::kSkipped;
    res.skipped += r.status == VerifyResult::Status::kSkipped;
    res.failed += r.failed();
    res.ops.push_back(std::move(r));
  }
  return res;
}

}  // namespace npusim::mappers
