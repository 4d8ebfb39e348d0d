#include <doctest/doctest.h>

#include <string>

#include "graph_lookup.h"
#include "workloads/graph.h"

using namespace npusim::workloads;
using namespace npusim::testing;

namespace {}  // namespace

TEST_CASE("GraphBuilder: ops computed from weights alone fold into constants, but a gather of run-time ids does not") {
  GraphBuilder b("t", Precision::kW8A16);
  TensorId table = b.weight("table", {16, 8});
  TensorId tok = b.gather("tok", table, {1, 4});          // token ids: an input of the run
  TensorId pos = b.gather("pos", table, {1, 4}, true);    // positions 0..3: fixed
  TensorId pos_t = b.transpose("pos.t", pos, {0, 1, 2});  // computed from a constant: folds too
  TensorId y = b.add("y", tok, pos_t);                    // has a run-time input: stays
  b.transpose("mask", b.constant("c", {4, 4}), {1, 0});   // a constant's permute: folds
  (void)y;
  Graph g = b.finish();
  CHECK(g.num_ops() == 2);
  CHECK(has_op(g, "tok"));
  CHECK(has_op(g, "y"));
  CHECK(g.folded_ops() == std::vector<std::string>{"pos", "pos.t", "mask"});
  const Tensor& folded = g.tensor(*g.find_tensor("pos.t"));
  CHECK(folded.kind == TensorKind::kWeight);
  CHECK_FALSE(folded.parameter);
  CHECK(g.producer(*g.find_tensor("pos.t")) == kNoOp);
  CHECK(g.producer(*g.find_tensor("y")) != kNoOp);
  CHECK(g.param_count() == 16 * 8);                     // the table, once
  CHECK(g.constant_elements() == 16 + 16 + 4 * 8 * 2);  // c, mask, pos and pos.t
}

TEST_CASE("GraphBuilder: slice, shared-weight linear and KV-cache outputs") {
  GraphBuilder b("t", Precision::kW8A16);
  TensorId emb = b.weight("emb", {10, 8});
  TensorId x = b.input("x", {2, 5, 8});
  // Slice of the last of 5 rows: 2*1*8 int16 elements = 32 B. Read by a linear alone, so it is
  // read in place (a view); the copy below, read by a vector op, reads and writes its 32 B.
  TensorId last = b.slice("last", x, 1, 4, 1);
  b.silu("first.act", b.slice("first", x, 1, 0, 1));
  CHECK(b.shape(last) == Shape{2, 1, 8});
  // Tied head: 2 rows * 10 * 8 MACs, no new weight.
  TensorId head = b.linear_shared("head", last, emb);
  CHECK(b.shape(head) == Shape{2, 1, 10});
  TensorId t = b.transpose("t", x, {1, 0, 2});
  b.store_as_kv_cache(t);
  CHECK(b.tensor(t).kind == TensorKind::kKvCache);
  CHECK(b.tensor(t).dtype == DType::kInt16);
  CHECK(error_of([&] { b.slice("bad", x, 1, 4, 2); }).find("op 'bad': range [4, 4 + 2)") != std::string::npos);
  CHECK(error_of([&] { b.slice("bad", x, 3, 0, 1); }).find("axis 3 is out of range") != std::string::npos);
  CHECK(error_of([&] {
          b.linear_shared("bad", x, b.weight("w", {10, 7}));
        }).find("must be a [out, 8] weight") != std::string::npos);
  CHECK(error_of([&] { b.store_as_kv_cache(x); }).find("only the output of an op") != std::string::npos);
  TensorId view = b.reshape("view", t, {5, 16});
  CHECK(error_of([&] { b.store_as_kv_cache(view); }).find("only the output of an op") != std::string::npos);
  Graph g = b.finish();
  CHECK(g.param_count() == 80 + 70);
  CHECK(g.is_view(op_id(g, "last")));
  CHECK(g.operand_bytes(op_id(g, "last")).total_read() == 0);
  CHECK(g.operand_bytes(op_id(g, "last")).written == 0);
  CHECK(g.op(op_id(g, "last")).moved_bytes == 0);
  CHECK_FALSE(g.is_view(op_id(g, "first")));
  OperandBytes sb = g.operand_bytes(op_id(g, "first"));
  CHECK(sb.total_read() == 32);
  CHECK(sb.written == 32);
  CHECK(g.op(op_id(g, "first")).moved_bytes == 32);
  CHECK(g.op(op_id(g, "head")).macs == 160);
  CHECK(g.operand_bytes(op_id(g, "head")).read[static_cast<int>(TensorKind::kWeight)] == 80);
  CHECK(g.operand_bytes(op_id(g, "head")).read[static_cast<int>(TensorKind::kActivation)] == 32);  // the slice's
}
