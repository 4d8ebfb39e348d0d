#include "verify_coverage.h"

#include <algorithm>
#include <functional>

#include "npusim/checked.h"

namespace npusim::mappers {

using Box = CoverageProof::Box;

namespace {

constexpr int kAxes = 4;
// Names the pieces in a message; called only on a failure, so the hot path builds no strings.
using Name = std::function<std::string()>;

// Axis names of a GEMM box, for messages.
constexpr const char* kGemmAxes[kAxes] = {"batch", "m", "n", "k"};

bool empty(const Box& b) {
  for (int d = 0; d < kAxes; ++d)
    if (b.hi[d] <= b.lo[d]) return true;
  return false;
}

uint64_t volume(const Box& b) {
  if (empty(b)) return 0;
  uint64_t v = 1;
  for (int d = 0; d < kAxes; ++d) v *= b.hi[d] - b.lo[d];
  return v;
}

bool same(const Box& a, const Box& b) {
  for (int d = 0; d < kAxes; ++d)
    if (a.lo[d] != b.lo[d] || a.hi[d] != b.hi[d]) return false;
  return true;
}

// `inner` lies within `outer` (an empty `inner` always does).
bool within(const Box& inner, const Box& outer) {
  if (empty(inner)) return true;
  for (int d = 0; d < kAxes; ++d)
    if (inner.lo[d] < outer.lo[d] || inner.hi[d] > outer.hi[d]) return false;
  return true;
}

std::string describe(const Box& b, const char* const* names, int axes = kAxes) {
  std::string s;
  for (int d = 0; d < axes; ++d) {
    if (d > 0) s += ' ';
    s += std::string(names[d]) + " [" + std::to_string(b.lo[d]) + "," + std::to_string(b.hi[d]) + ")";
  }
  return s;
}

// Appends `b`, merged into the last box when the two agree on three axes and meet on the
// fourth (a program's consecutive folds and K tiles usually do), so memory stays small.
void push(std::vector<Box>& v, const Box& b) {
  if (empty(b)) return;
  if (!v.empty()) {
    Box& l = v.back();
    int differ = -1, count = 0;
    for (int d = 0; d < kAxes; ++d)
      if (l.lo[d] != b.lo[d] || l.hi[d] != b.hi[d]) differ = d, ++count;
    if (count == 1 && l.hi[differ] == b.lo[differ]) {
      l.hi[differ] = b.hi[differ];
      return;
    }
    if (count == 1 && b.hi[differ] == l.lo[differ]) {
      l.lo[differ] = b.lo[differ];
      return;
    }
  }
  v.push_back(b);
}

// Merges boxes that agree on every axis but `a` and meet along it. Returns false, with the
// doubly covered box in `why`, when two that agree on the other axes overlap along `a`.
bool merge_along(std::vector<Box>& v, int a, const Name& what, std::string& why) {
  auto other_less = [a](const Box& x, const Box& y) {
    for (int d = 0; d < kAxes; ++d) {
      if (d == a) continue;
      if (x.lo[d] != y.lo[d]) return x.lo[d] < y.lo[d];
      if (x.hi[d] != y.hi[d]) return x.hi[d] < y.hi[d];
    }
    return false;
  };
  std::sort(v.begin(), v.end(), [&](const Box& x, const Box& y) {
    if (other_less(x, y)) return true;
    if (other_less(y, x)) return false;
    return x.lo[a] < y.lo[a];
  });
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && !other_less(v[out - 1], v[i]) && !other_less(v[i], v[out - 1])) {
      Box& p = v[out - 1];
      if (v[i].lo[a] < p.hi[a]) {
        Box twice = v[i];
        twice.hi[a] = std::min(p.hi[a], v[i].hi[a]);
        why = what() + " cover " + describe(twice, kGemmAxes) + " more than once";
        return false;
      }
      if (v[i].lo[a] == p.hi[a]) {
        p.hi[a] = v[i].hi[a];
        continue;
      }
    }
    v[out++] = v[i];
  }
  v.resize(out);
  return true;
}

// Clips [lo, hi] (inclusive, may be negative) to [0, size) as a half-open range.
Range clip(int64_t lo, int64_t hi, uint64_t size) {
  const int64_t b = std::max<int64_t>(lo, 0), e = std::min<int64_t>(hi + 1, static_cast<int64_t>(size));
  return e > b ? Range{uint64_t(b), uint64_t(e)} : Range{};
}

Box box_of(const Range& a, const Range& b, const Range& c, const Range& d) {
  Box x;
  const Range* r[kAxes] = {&a, &b, &c, &d};
  for (int i = 0; i < kAxes; ++i) x.lo[i] = r[i]->begin, x.hi[i] = r[i]->end;
  return x;
}

std::string partition_problem(std::vector<Box>& boxes, const Box& whole, const Name& what) {
  for (const Box& b : boxes)
    if (!within(b, whole))
      return what() + " reach outside " + describe(whole, kGemmAxes) + ": " + describe(b, kGemmAxes);
  std::erase_if(boxes, [](const Box& b) { return empty(b); });
  std::string why;
  // Each round merges along every axis, K first (the innermost loop); stop when one adds nothing.
  while (boxes.size() > 1) {
    const size_t before = boxes.size();
    for (int a = kAxes - 1; a >= 0; --a)
      if (!merge_along(boxes, a, what, why)) return why;
    if (boxes.size() == before) break;
  }
  if (empty(whole) && boxes.empty()) return "";
  if (boxes.size() == 1 && same(boxes[0], whole)) return "";
  uint64_t covered = 0;
  for (const Box& b : boxes) covered += volume(b);
  const uint64_t want = volume(whole);
  std::string first = boxes.empty() ? std::string("nothing") : describe(boxes[0], kGemmAxes);
  std::string pieces = std::to_string(boxes.size()) + " piece" + (boxes.size() == 1 ? "" : "s") + ", first " + first;
  if (covered < want)
    return what() + " leave " + std::to_string(want - covered) + " of the " + std::to_string(want) +
           " (output, reduction index) pairs of " + describe(whole, kGemmAxes) + " uncovered; they merge to " + pieces;
  if (covered > want)
    return what() + " cover " + std::to_string(covered - want) + " (output, reduction index) pairs of " +
           describe(whole, kGemmAxes) + " more than once; they merge to " + pieces;
  return what() + " cover as many points as " + describe(whole, kGemmAxes) +
         " but do not merge into it (unproven): " + pieces;
}

}  // namespace

std::string prove_partition(std::vector<Box>& boxes, const Box& whole, const std::string& what) {
  return partition_problem(boxes, whole, [&] { return what; });
}

CoverageProof::CoverageProof(const workloads::Op& op) : shape_(mac_shape(op)) {
  if (shape_.conv) conv_ = op.conv;
}

void CoverageProof::fail(std::string why) {
  if (res_.message.empty()) res_.message = std::move(why);
}

void CoverageProof::tile(const Tile& t) {
  if (!res_.message.empty()) return;
  close_tile();
  ++res_.tiles;
  have_tile_ = true;
  tile_ = t;
  tile_box_ = box_of({t.batch, t.batch + 1}, t.gm, t.gn, t.gk);
  const Range one{0, 1};
  if (shape_.conv) {
    // Output rows [m.begin, m.end) need input rows m.begin * stride - pad ... (m.end - 1) *
    // stride - pad + R - 1, clipped to the image: the rows plus the kernel's halo.
    const auto& c = conv_;
    Range rows;
    if (t.m.size() > 0)
      rows = clip(int64_t(t.m.begin * c.stride_h) - int64_t(c.pad_h),
                  int64_t((t.m.end - 1) * c.stride_h + c.r - 1) - int64_t(c.pad_h), c.h);
    const uint64_t ch0 = t.batch * shape_.chans;
    a_loaded_ = box_of({t.image, t.image + 1}, {ch0 + t.k.begin, ch0 + t.k.end}, rows, {0, c.w});
    b_loaded_ = box_of({t.batch, t.batch + 1}, {t.k.begin * shape_.taps, t.k.end * shape_.taps}, t.n, one);
  } else {
    a_loaded_ = box_of({t.batch, t.batch + 1}, t.m, t.k, one);
    b_loaded_ = box_of({t.batch, t.batch + 1}, t.k, t.n, one);
  }
}

bool CoverageProof::reads_loaded(const Fold& f, std::string& why) const {
  static constexpr const char* kA[kAxes] = {"batch", "m", "k", "-"};
  static constexpr const char* kConvA[kAxes] = {"image", "channels", "rows", "cols"};
  static constexpr const char* kB[kAxes] = {"batch", "k", "n", "-"};
  const Range one{0, 1};
  const Range b{tile_.batch, tile_.batch + 1};
  Box a_read = box_of(b, f.gm, f.gk, one);
  if (shape_.conv && f.gm.size() > 0 && f.gk.size() > 0) {
    // The fold's GEMM rows are output pixels (image, y, x), its reduction indices (channel,
    // r, s): it reads input pixels (image, channel, y * stride + r - pad, x * stride + s - pad)
    // inside the image. Contiguous GEMM ranges give exact per-axis bounds on those.
    const auto& c = conv_;
    const uint64_t pq = shape_.p * shape_.q;
    const uint64_t g0 = f.gm.begin, g1 = f.gm.end - 1;
    const uint64_t img0 = g0 / pq, img1 = g1 / pq;
    uint64_t y0 = 0, y1 = shape_.p - 1, x0 = 0, x1 = shape_.q - 1;
    if (img0 == img1) {
      y0 = g0 % pq / shape_.q, y1 = g1 % pq / shape_.q;
      if (y0 == y1) x0 = g0 % shape_.q, x1 = g1 % shape_.q;
    }
    const uint64_t k0 = f.gk.begin, k1 = f.gk.end - 1;
    const uint64_t ch0 = k0 / shape_.taps, ch1 = k1 / shape_.taps;
    uint64_t r0 = 0, r1 = c.r - 1, s0 = 0, s1 = c.s - 1;
    if (ch0 == ch1) {
      const uint64_t t0 = k0 % shape_.taps, t1 = k1 % shape_.taps;
      r0 = t0 / c.s, r1 = t1 / c.s;
      if (r0 == r1) s0 = t0 % c.s, s1 = t1 % c.s;
    }
    const Range rows =
        clip(int64_t(y0 * c.stride_h + r0) - int64_t(c.pad_h), int64_t(y1 * c.stride_h + r1) - int64_t(c.pad_h), c.h);
    const Range cols =
        clip(int64_t(x0 * c.stride_w + s0) - int64_t(c.pad_w), int64_t(x1 * c.stride_w + s1) - int64_t(c.pad_w), c.w);
    const uint64_t base = tile_.batch * shape_.chans;
    a_read = box_of({img0, img1 + 1}, {base + ch0, base + ch1 + 1}, rows, cols);  // empty if all padding
  }
  const Box b_read = box_of(b, f.gk, f.gn, one);
  auto where = [&] { return "fold " + std::to_string(f.index) + " of tile " + std::to_string(tile_.index); };
  if (!within(a_read, a_loaded_)) {
    const char* const* names = shape_.conv ? kConvA : kA;
    why = where() + " reads A " + describe(a_read, names, 3 + shape_.conv) + " but the tile loaded " +
          describe(a_loaded_, names, 3 + shape_.conv);
    return false;
  }
  if (!within(b_read, b_loaded_)) {
    why = where() + " reads B " + describe(b_read, kB, 3) + " but the tile loaded " + describe(b_loaded_, kB, 3);
    return false;
  }
  return true;
}

void CoverageProof::fold(const Tile& t, const Fold& f) {
  if (!res_.message.empty()) return;
  ++res_.folds;
  if (!have_tile_ || t.index != tile_.index) {
    fail("fold " + std::to_string(f.index) + " of tile " + std::to_string(t.index) + " runs before its tile's loads");
    return;
  }
  std::string why;
  if (!reads_loaded(f, why)) {
    fail(why);
    return;
  }
  push(folds_, box_of({t.batch, t.batch + 1}, f.gm, f.gn, f.gk));
}

void CoverageProof::close_tile() {
  if (!have_tile_) return;
  have_tile_ = false;
  res_.max_pieces = std::max<uint64_t>(res_.max_pieces, folds_.size() + tiles_.size());
  std::string why =
      partition_problem(folds_, tile_box_, [this] { return "the folds of tile " + std::to_string(tile_.index); });
  folds_.clear();
  if (!why.empty()) return fail(why);
  push(tiles_, tile_box_);
}

CoverageResult CoverageProof::finish() {
  NPUSIM_ASSERT(!finished_, "CoverageProof::finish called twice");
  finished_ = true;
  if (res_.message.empty()) close_tile();
  if (res_.message.empty()) {
    Box whole = box_of({0, shape_.batch}, {0, shape_.m}, {0, shape_.n}, {0, shape_.k});
    res_.max_pieces = std::max<uint64_t>(res_.max_pieces, tiles_.size());
    fail(partition_problem(tiles_, whole, [] { return std::string("the tiles"); }));
  }
  res_.proven = res_.message.empty();
  return res_;
}

}  // namespace npusim::mappers
