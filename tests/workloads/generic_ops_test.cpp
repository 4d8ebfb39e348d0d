#include <doctest/doctest.h>

#include "workloads/graph.h"

using namespace npusim::workloads;

TEST_CASE("generic op kinds for imported graphs: shapes, vector elements and copy bytes") {
  GraphBuilder b("t", Precision::kW8A8);
  TensorId x = b.input("x", {2, 3, 4});
  TensorId u = b.unary("sigmoid", x);  // 24 elements
  TensorId s = b.input("s", {4});      // broadcasts over [2, 3, 4]
  TensorId m = b.input("m", {2, 1, 1});
  TensorId w = b.elementwise("where", {u, s, m});             // 24 output elements
  TensorId r = b.reduce("mean", w, {-1}, true);               // [2, 3, 1]; 24 input elements
  TensorId r2 = b.reduce("all", w, {}, false);                // [] -> every axis reduced
  TensorId c = b.copy("slice", w, {2, 3, 2});                 // half of w: 12 int8 bytes
  TensorId e = b.copy("expand", r, {2, 3, 8});                // broadcast: 48 bytes written, 6 read
  TensorId gv = b.generic_vector("mystery", {c, e}, {5, 5});  // 25 output elements
  CHECK_THROWS_AS(b.elementwise("bad", {x, b.input("y", {5})}), InputError);
  CHECK_THROWS_AS(b.reduce("bad_axis", x, {3}, true), InputError);
  CHECK(b.shape(r) == Shape{2, 3, 1});
  CHECK(b.shape(r2).empty());
  CHECK(b.shape(gv) == Shape{5, 5});
  Graph g = b.finish();
  auto op = [&](const std::string& n) -> const Op& {
    for (OpId i = 0; i < g.num_ops(); ++i)
      if (g.op(i).name == n) return g.op(i);
    FAIL("no op " << n);
    return g.op(0);
  };
  CHECK(op("sigmoid").kind == OpKind::kUnary);
  CHECK(op("sigmoid").vector_elems == 24);
  CHECK(vector_class(OpKind::kUnary) == VectorClass::kActivation);
  CHECK(op("where").kind == OpKind::kEltwise);
  CHECK(op("where").vector_elems == 24);
  CHECK(op("mean").vector_elems == 24);
  CHECK(op("all").vector_elems == 24);
  CHECK(op_class(OpKind::kCopy) == OpClass::kDataMovement);
  CHECK(op("slice").moved_bytes == 12);
  for (OpId i = 0; i < g.num_ops(); ++i) {
    if (g.op(i).name == "slice") CHECK(g.operand_bytes(i).total_read() == 12);  // only the part it copies
    if (g.op(i).name == "expand") CHECK(g.operand_bytes(i).total_read() == 6);  // the whole (smaller) input
    if (g.op(i).name == "expand") CHECK(g.operand_bytes(i).written == 48);
  }
  CHECK(op("mystery").kind == OpKind::kGenericVector);
  CHECK(op("mystery").vector_elems == 25);
  CHECK(op_kind_name(OpKind::kGenericVector) == "generic_vector");
}
