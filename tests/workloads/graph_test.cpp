#include <doctest/doctest.h>

#include "workloads/graph.h"

using namespace npusim::workloads;

TEST_CASE("conv2d MACs and operand bytes") {
  GraphBuilder b("t", Precision::kW8A8);
  TensorId x = b.input("x", {1, 4, 8, 8});
  b.conv2d("conv", x, 16, 3, 3, 1, 1);
  Graph g = b.finish();
  const Op& op = g.op(0);
  // out 1x16x8x8 (pad 1 keeps 8x8); MACs = N*K*P*Q*C*R*S = 1*16*8*8*4*3*3 = 36864
  CHECK(op.macs == 36864);
  OperandBytes ob = g.operand_bytes(0);
  // weights: 16*4*3*3 = 576 B int8 + bias 16 * 4 B int32 = 64 B
  CHECK(ob.read[static_cast<int>(TensorKind::kWeight)] == 576 + 64);
  CHECK(ob.read[static_cast<int>(TensorKind::kActivation)] == 4 * 8 * 8);
  CHECK(ob.written == 16 * 8 * 8);
}
