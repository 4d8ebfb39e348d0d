#include "graph.h"

#include <algorithm>
#include <boost/graph/topological_sort.hpp>
#include <functional>
#include <iterator>
#include <queue>

#include "npusim/checked.h"

namespace npusim::workloads {

namespace {

// Graph::is_view's rule for a slice: one reader, a MAC op, and the output stored as its input is.
bool slice_read_in_place(const BoostGraph& g, const std::vector<Tensor>& tensors, OpId v) {
  const Op& op = g[v];
  if (op.kind != OpKind::kSlice) return false;
  const Tensor &in = tensors[op.inputs.at(0)], &out = tensors[op.outputs.at(0)];
  if (in.dtype != out.dtype || in.kind != out.kind) return false;
  OpId reader = kNoOp;
  for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
    const auto t = static_cast<OpId>(boost::target(*e, g));
    if (reader != kNoOp && reader != t) return false;
    reader = t;
  }
  return reader != kNoOp && op_class(g[reader].kind) == OpClass::kMac;
}

}  // namespace

void GraphBuilder::fold_constants() {
  // Builders add an op after its inputs, so one pass in order sees each op's inputs settled.
  std::vector<Op> kept;
  kept.reserve(ops_.size());
  for (Op& op : ops_) {
    // A gather's indices are not among its inputs: its table is, and the indices are the run's
    // (token ids) unless the builder says they are fixed.
    const bool constant = !op.inputs.empty() && (op.kind != OpKind::kGather || op.constant_indices) &&
                          std::all_of(op.inputs.begin(), op.inputs.end(),
                                      [&](TensorId t) { return tensors_[t].kind == TensorKind::kWeight; });
    if (!constant) {
      for (TensorId t : op.outputs) producer_[t] = static_cast<OpId>(kept.size());
      kept.push_back(std::move(op));
      continue;
    }
    for (TensorId t : op.outputs) {
      producer_[t] = kNoOp;
      tensors_[t].kind = TensorKind::kWeight;
      tensors_[t].parameter = false;
    }
    folded_.push_back(op.name);
  }
  ops_ = std::move(kept);
}

Graph GraphBuilder::finish() {
  fold_constants();
  Graph g;
  g.name_ = name_;
  g.precision_ = precision_;
  g.folded_ = std::move(folded_);
  auto built = std::make_shared<BoostGraph>(ops_.size());
  BoostGraph& bg = *built;
  for (OpId i = 0; i < ops_.size(); ++i) bg[i] = std::move(ops_[i]);
  const size_t n = ops_.size();
  for (OpId i = 0; i < n; ++i)
    for (TensorId t : bg[i].inputs)
      if (producer_[t] != kNoOp) boost::add_edge(producer_[t], i, TensorEdge{t}, bg);
  // Kahn's algorithm over the Boost graph's edges, always taking the ready op added first:
  // builders add ops in execution order, so chains (conv -> norm -> act -> conv) stay
  // adjacent and inputs-only ops (cross-attention K/V projections) run where the model runs
  // them instead of all at the start, which keeps activation lifetimes the real ones.
  std::vector<uint32_t> indegree(n, 0);
  for (auto [e, end] = boost::edges(bg); e != end; ++e) indegree[boost::target(*e, bg)]++;
  std::priority_queue<OpId, std::vector<OpId>, std::greater<OpId>> ready;
  for (OpId i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.push(i);
  g.topo_.reserve(n);
  while (!ready.empty()) {
    OpId v = ready.top();
    ready.pop();
    g.topo_.push_back(v);
    for (auto [e, end] = boost::out_edges(v, bg); e != end; ++e)
      if (--indegree[boost::target(*e, bg)] == 0) ready.push(static_cast<OpId>(boost::target(*e, bg)));
  }
  if (g.topo_.size() != n) throw InputError("graph '" + name_ + "' has a cycle: it is not a DAG");
  g.view_.assign(n, 0);
  for (OpId i = 0; i < n; ++i) {
    g.view_[i] = bg[i].kind == OpKind::kReshape || slice_read_in_place(bg, tensors_, i);
    if (g.view_[i]) bg[i].moved_bytes = 0;
  }
  g.g_ = std::move(built);
  g.tensors_ = std::move(tensors_);
  g.producer_ = std::move(producer_);
  ops_.clear();
  by_name_.clear();
  return g;
}

std::vector<TensorLiveness> Graph::liveness() const {
  const uint32_t n = static_cast<uint32_t>(num_ops());
  std::vector<uint32_t> pos(n);
  for (uint32_t i = 0; i < n; ++i) pos[topo_[i]] = i;

  std::vector<TensorLiveness> live(tensors_.size());
  std::vector<bool> consumed(tensors_.size(), false);
  for (TensorId t = 0; t < tensors_.size(); ++t) {
    live[t].graph_input = producer_[t] == kNoOp;
    live[t].first = live[t].graph_input ? n : pos[producer_[t]];
    live[t].last = live[t].first;
  }
  // Produced tensors: their consumers are the targets of the producer's out-edges.
  const BoostGraph& bg = *g_;
  for (auto [e, end] = boost::edges(bg); e != end; ++e) {
    TensorId t = bg[*e].tensor;
    live[t].last = std::max(live[t].last, pos[boost::target(*e, bg)]);
    consumed[t] = true;
  }
  // Graph inputs and weights have no producer vertex, so their uses are read off each op.
  for (auto [v, end] = boost::vertices(bg); v != end; ++v) {
    for (TensorId t : bg[*v].inputs) {
      if (!live[t].graph_input) continue;
      live[t].first = std::min(live[t].first, pos[*v]);
      live[t].last = consumed[t] ? std::max(live[t].last, pos[*v]) : pos[*v];
      consumed[t] = true;
    }
  }
  for (TensorId t = 0; t < tensors_.size(); ++t) {
    if (!live[t].graph_input && !consumed[t]) {
      live[t].graph_output = true;
      live[t].last = n - 1;
    }
    if (live[t].graph_input && !consumed[t]) live[t].first = live[t].last = 0;  // unused input
  }
  return live;
}

OperandBytes Graph::operand_bytes(OpId id) const {
  const Op& o = op(id);
  OperandBytes b;
  if (is_view(id)) return b;  // nothing is read or written: the reader reads the source
  for (TensorId t : o.inputs) {
    const Tensor& tt = tensors_[t];
    uint64_t bytes = tt.size_bytes;
    if ((o.kind == OpKind::kGather && tt.kind == TensorKind::kWeight) || o.kind == OpKind::kSlice) {
      const Tensor& out = tensors_[o.outputs.at(0)];
      bytes = ceil_div(out.elems * dtype_bits(tt.dtype), 8);  // only the looked-up rows or sliced range
    } else if (o.kind == OpKind::kCopy) {
      bytes = std::min(bytes, tensors_[o.outputs.at(0)].size_bytes);  // a slice reads only its part
    }
    b.read[static_cast<int>(tt.kind)] += bytes;
  }
  for (TensorId t : o.outputs) b.written += tensors_[t].size_bytes;
  return b;
}

uint64_t Graph::total_macs() const {
  uint64_t total = 0;
  for (auto [v, end] = boost::vertices(*g_); v != end; ++v) {
    auto s = checked_add(total, (*g_)[*v].macs);
    if (!s) throw InputError("graph '" + name_ + "': total MAC count overflows 64 bits");
    total = *s;
  }
  return total;
}

std::optional<TensorId> Graph::find_tensor(const std::string& name) const {
  for (TensorId t = 0; t < tensors_.size(); ++t)
    if (tensors_[t].name == name) return t;
  return std::nullopt;
}

uint64_t Graph::param_count() const {
  uint64_t total = 0;
  for (const Tensor& t : tensors_)
    if (t.kind == TensorKind::kWeight && t.parameter) total += t.elems;
  return total;
}

uint64_t Graph::constant_elements() const {
  uint64_t total = 0;
  for (const Tensor& t : tensors_)
    if (t.kind == TensorKind::kWeight && !t.parameter) total += t.elems;
  return total;
}

}  // namespace npusim::workloads
