#include "verify.h"

#include <algorithm>
#include <optional>
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

// The numeric check of one op: operands, reference, and the program's accumulators.
class NumericCheck {
 public:
  NumericCheck(const Graph& g, const Op& op, const MacShape& s, uint64_t seed) : op_(op), s_(s) {
    const workloads::Tensor &ta = g.tensor(op.inputs[0]), &tb = g.tensor(op.inputs[1]);
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
    ref_ = s.conv ? reference_conv(op.conv, o) : reference_gemm(op.kind, op.mm, o);
    go_ = gemm_operands(op, s, o);
    acc_.assign(s.batch * s.m * s.n, 0);
  }

  // Adds the fold's partial sums over its K range into the accumulators.
  void fold(const Tile& t, const Fold& f) {
    for (uint64_t m = f.gm.begin; m < f.gm.end; ++m) {
      const int8_t* arow = &go_.a[(t.batch * s_.m + m) * s_.k];
      for (uint64_t n = f.gn.begin; n < f.gn.end; ++n) {
        const int8_t* brow = &go_.bt[(t.batch * s_.n + n) * s_.k];
        uint32_t psum = 0;
        for (uint64_t k = f.gk.begin; k < f.gk.end; ++k) psum = mac(psum, arow[k], brow[k]);
        acc_[(t.batch * s_.m + m) * s_.n + n] += psum;
      }
    }
  }

  // Compares the accumulators with the reference into r; "" if they match, else why not.
  std::string compare(VerifyResult& r) const {
    std::vector<uint32_t> out(ref_.size(), 0);
    for (uint64_t b = 0; b < s_.batch; ++b)
      for (uint64_t m = 0; m < s_.m; ++m)
        for (uint64_t n = 0; n < s_.n; ++n) out[output_index(op_, s_, b, m, n)] = acc_[(b * s_.m + m) * s_.n + n];
    r.outputs = out.size();
    for (uint64_t i = 0; i < out.size(); ++i)
      if (out[i] != ref_[i] && r.mismatches++ == 0) r.first_mismatch = i;
    if (r.mismatches == 0) return "";
    return std::to_string(r.mismatches) + " of " + std::to_string(r.outputs) +
           " outputs differ from the reference, first at flat index " + std::to_string(r.first_mismatch) +
           " (program " + std::to_string(static_cast<int32_t>(out[r.first_mismatch])) + ", reference " +
           std::to_string(static_cast<int32_t>(ref_[r.first_mismatch])) + ")";
  }

 private:
  const Op& op_;
  const MacShape& s_;
  std::vector<uint32_t> ref_;
  GemmOperands go_;
  std::vector<uint32_t> acc_;
};

void add_failure(VerifyResult& r, const std::string& why) {
  r.status = VerifyResult::Status::kMismatch;
  r.message += (r.message.empty() ? "" : "; ") + why;
}

}  // namespace

std::string_view verify_method_name(VerifyMethod m) {
  switch (m) {
    case VerifyMethod::kNumeric:
      return "numeric";
    case VerifyMethod::kCoverage:
      return "coverage";
    case VerifyMethod::kNone:
      break;
  }
  return "-";
}

VerifyResult verify_op(const Graph& g, workloads::OpId id, const MacTiling& tiling, uint32_t rows, uint32_t cols,
                       uint64_t seed, const VerifyOptions& opts) {
  const Op& op = g.op(id);
  VerifyResult r;
  r.id = id;
  r.op = op.name;
  r.macs = op.macs;
  if (workloads::op_class(op.kind) != OpClass::kMac) {
    r.message = "not a MAC op";
    return r;
  }
  // Numerically only when the operands are tensors of the graph and the work is small.
  bool numeric = op.inputs.size() >= 2;
  if (numeric) {
    const workloads::Tensor &ta = g.tensor(op.inputs[0]), &tb = g.tensor(op.inputs[1]);
    numeric = std::max({op.macs, ta.elems, tb.elems}) <= opts.max_macs;
  }
  r.method = numeric ? VerifyMethod::kNumeric : VerifyMethod::kCoverage;
  const MacShape s = mac_shape(op);
  if (std::string why = tiling_problem(s, tiling); !why.empty()) {
    add_failure(r, "tiling cannot run: " + why);
    return r;
  }

  std::optional<NumericCheck> num;
  if (numeric) num.emplace(g, op, s, seed);
  CoverageProof proof(op);
  uint64_t model_folds = 0;
  auto on_tile = [&](const Tile& t) {
    proof.tile(t);
    const Gemm gm = tiling.transposed ? Gemm{1, t.gn.size(), t.gm.size(), t.gk.size()}
                                      : Gemm{1, t.gm.size(), t.gn.size(), t.gk.size()};
    if (gm.m > 0 && gm.n > 0 && gm.k > 0) model_folds += gemm_cycles(gm, tiling.dataflow, rows, cols, 1).folds;
  };
  auto on_fold = [&](const Tile& t, const Fold& f) {
    proof.fold(t, f);
    if (num) num->fold(t, f);
  };
  r.program = run_tile_program(s, tiling, rows, cols, on_tile, on_fold, opts.fault);
  r.coverage = proof.finish();

  r.status = VerifyResult::Status::kPass;
  if (num)
    if (std::string why = num->compare(r); !why.empty()) add_failure(r, why);
  if (!r.coverage.proven) add_failure(r, "coverage: " + r.coverage.message);
  if (r.program.macs != op.macs)
    add_failure(r,
                "the program ran " + std::to_string(r.program.macs) + " MACs, the op has " + std::to_string(op.macs));
  if (r.program.folds != model_folds)
    add_failure(r, "the program ran " + std::to_string(r.program.folds) + " folds, the dataflow cost model charges " +
                       std::to_string(model_folds));
  return r;
}

GraphVerifyResult verify_graph(const Graph& g, const Schedule& sched, uint32_t rows, uint32_t cols, uint64_t seed,
                               uint64_t max_macs) {
  GraphVerifyResult res;
  for (const OpSchedule& os : sched.ops) {
    const Op& op = g.op(os.op);
    if (workloads::op_class(op.kind) != OpClass::kMac) continue;
    VerifyResult r = verify_op(g, os.op, os.tiling, rows, cols, seed, VerifyOptions{.max_macs = max_macs});
    uint64_t step_macs = 0;
    for (const TileStep& t : os.steps) step_macs += t.repeat * t.macs;
    if (r.program.tiles > 0 && step_macs != r.program.macs)
      add_failure(r, "the schedule's tile steps charge " + std::to_string(step_macs) + " MACs, the program ran " +
                         std::to_string(r.program.macs));
    NPUSIM_ASSERT(r.method != VerifyMethod::kNone, "MAC op " + r.op + " not checked");
    res.numeric += r.method == VerifyMethod::kNumeric;
    res.coverage += r.method == VerifyMethod::kCoverage;
    res.failed += r.failed();
    res.ops.push_back(std::move(r));
  }
  return res;
}

}  // namespace npusim::mappers
