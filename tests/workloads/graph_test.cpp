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

TEST_CASE("MAC and vector counts of every op kind, by hand") {
  GraphBuilder b("t", Precision::kW8A16);
  TensorId x = b.input("x", {2, 8, 6, 6});
  // Strided, padded, grouped conv: P = Q = (6 + 2*1 - 3) / 2 + 1 = 3;
  // MACs = N*K*P*Q*(C/G)*R*S = 2*4*3*3*(8/2)*3*3 = 2592.
  TensorId c = b.conv2d("conv", x, 4, 3, 3, 2, 1, 2);
  CHECK(b.shape(c) == Shape{2, 4, 3, 3});
  TensorId t = b.input("t", {2, 5, 16});
  TensorId l = b.linear("fc", t, 32);  // 2*5 rows x 16 x 32 = 5120 MACs
  TensorId q = b.input("q", {2, 4, 10, 8});
  TensorId k = b.input("k", {2, 4, 12, 8});
  TensorId s = b.attention_score("score", q, k);  // 2*4*10*12*8 = 7680 MACs
  TensorId p = b.softmax("softmax", s);           // 960 elements
  TensorId v = b.input("v", {2, 4, 12, 8});
  TensorId o = b.attention_context("ctx", p, v);  // 2*4*10*12*8 = 7680 MACs
  TensorId a = b.input("a", {3, 4, 5});
  TensorId bb = b.input("b", {3, 5, 6});
  b.matmul("mm", a, bb);             // 3*4*6*5 = 360 MACs
  TensorId g = b.geglu("geglu", l);  // [2,5,32] -> [2,5,16]: 160 output elements
  b.group_norm("gn", c, 2);          // 72 elements
  b.layer_norm("ln", g);
  b.rms_norm("rms", g);
  TensorId up = b.upsample_nearest("up", c, 2);   // [2,4,6,6]
  TensorId cat = b.concat("cat", {up, up}, 1);    // [2,8,6,6]
  TensorId r = b.reshape("r", o, {2, 4, -1});     // [2,4,80]
  TensorId tr = b.transpose("tr", r, {0, 2, 1});  // [2,80,4]
  TensorId emb = b.weight("emb", {100, 16});
  TensorId gat = b.gather("gather", emb, {2, 7});   // [2,7,16]
  b.add("bias", cat, b.input("bcast", {8, 1, 1}));  // broadcast to [2,8,6,6]
  Graph gr = b.finish();

  auto op_named = [&](const std::string& n) -> const Op& {
    for (OpId i = 0; i < gr.num_ops(); ++i)
      if (gr.op(i).name == n) return gr.op(i);
    FAIL("no op " << n);
    return gr.op(0);
  };
  CHECK(op_named("conv").macs == 2592);
  CHECK(op_named("fc").macs == 5120);
  CHECK(op_named("score").macs == 7680);
  CHECK(op_named("ctx").macs == 7680);
  CHECK(op_named("mm").macs == 360);
  CHECK(op_named("softmax").vector_elems == 960);
  CHECK(op_named("geglu").vector_elems == 160);
  CHECK(op_named("gn").vector_elems == 72);
  CHECK(op_named("bias").vector_elems == 2 * 8 * 6 * 6);
  CHECK(gr.tensor(cat).shape == Shape{2, 8, 6, 6});
  CHECK(gr.tensor(tr).shape == Shape{2, 80, 4});
  CHECK(gr.tensor(gat).shape == Shape{2, 7, 16});
  // w8a16: activations are int16, so the [2,80,4] transpose moves 640 x 2 B.
  CHECK(op_named("tr").moved_bytes == 1280);
  // The gather reads 14 rows x 16 int8 weights = 224 B, not the 1600-byte table.
  OpId gather_id = 0;
  for (OpId i = 0; i < gr.num_ops(); ++i)
    if (gr.op(i).name == "gather") gather_id = i;
  CHECK(gr.operand_bytes(gather_id).read[static_cast<int>(TensorKind::kWeight)] == 224);
  // A reshape is a view: no bytes.
  OpId reshape_id = 0;
  for (OpId i = 0; i < gr.num_ops(); ++i)
    if (gr.op(i).name == "r") reshape_id = i;
  CHECK(gr.operand_bytes(reshape_id).total_read() == 0);
  CHECK(gr.total_macs() == 2592 + 5120 + 7680 + 7680 + 360);
}

TEST_CASE("moving or copying a graph does not copy its ops") {
  // Boost 1.74's adjacency_list has no move constructor: a Graph holding it by value copied
  // every op on each move (a 100k-op YAML graph: tens of MB allocated again per move).
  GraphBuilder b("t", Precision::kW8A8);
  TensorId x = b.input("x", {1, 4, 8, 8});
  b.conv2d("conv", b.conv2d("conv0", x, 8, 3, 3, 1, 1), 16, 3, 3, 1, 1);
  Graph g = b.finish();
  const Op* first = &g.op(0);
  Graph moved = std::move(g);
  CHECK(&moved.op(0) == first);
  Graph copy = moved;  // the ops are immutable once built, so a copy shares them
  CHECK(&copy.op(0) == first);
  CHECK(copy.num_ops() == 2);
  CHECK(copy.op(1).name == "conv");
  Graph assigned;
  CHECK(assigned.num_ops() == 0);
  assigned = std::move(copy);
  CHECK(&assigned.op(1) == &moved.op(1));
  CHECK(assigned.total_macs() == moved.total_macs());
}

TEST_CASE("liveness over a skip connection") {
  // conv_in -> down -> mid -> up(concat with conv_in's output) : conv_in's output is the
  // skip tensor and must stay live from op 0 to the concat.
  GraphBuilder b("skip", Precision::kW8A8);
  TensorId x = b.input("x", {1, 4, 8, 8});
  TensorId h0 = b.conv2d("conv_in", x, 8, 3, 3, 1, 1);
  TensorId h1 = b.conv2d("down", h0, 8, 3, 3, 2, 1);
  TensorId h2 = b.conv2d("mid", h1, 8, 3, 3, 1, 1);
  TensorId u = b.upsample_nearest("up", h2, 2);
  TensorId cat = b.concat("cat", {u, h0}, 1);
  TensorId out = b.conv2d("conv_out", cat, 4, 3, 3, 1, 1);
  Graph g = b.finish();
  const auto& order = g.topological_order();
  REQUIRE(order.size() == 6);
  std::vector<uint32_t> pos(order.size());
  for (uint32_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  auto live = g.liveness();
  CHECK(live[h0].first == pos[g.producer(h0)]);
  CHECK(live[h0].last == pos[g.producer(cat)]);  // the skip: consumed by down and by cat
  CHECK(live[h1].last == pos[g.producer(h2)]);
  CHECK(live[x].graph_input);
  CHECK(live[x].first == pos[g.producer(h0)]);
  CHECK(live[x].last == pos[g.producer(h0)]);
  CHECK(live[out].graph_output);
  CHECK(live[out].last == order.size() - 1);
  // Producer before consumer for every edge.
  for (auto [e, end] = boost::edges(g.boost_graph()); e != end; ++e)
    CHECK(pos[boost::source(*e, g.boost_graph())] < pos[boost::target(*e, g.boost_graph())]);
}

TEST_CASE("builder errors name the op and the rule") {
  // No tensor-size limit here: the overflow checks below must be reached on their own.
  GraphBuilder b("bad", Precision::kW8A8, GraphLimits{.max_ops = 1000, .max_tensor_bytes = UINT64_MAX});
  TensorId x = b.input("x", {1, 4, 8, 8});
  CHECK_THROWS_WITH_AS(b.conv2d("c", x, 6, 3, 3, 1, 1, 4), doctest::Contains("groups = 4 must divide"), InputError);
  CHECK_THROWS_WITH_AS(b.conv2d("c", x, 8, 3, 3, 0), doctest::Contains("stride must be >= 1"), InputError);
  CHECK_THROWS_WITH_AS(b.conv2d("c", x, 8, 11, 11), doctest::Contains("larger than the padded input"), InputError);
  CHECK_THROWS_WITH_AS(b.input("y", {1, 0, 2}), doctest::Contains("every dimension must be >= 1"), InputError);
  CHECK_THROWS_WITH_AS(b.input("z", {1ull << 40, 1ull << 40}), doctest::Contains("overflows"), InputError);
  CHECK_THROWS_WITH_AS(b.input("x", {1}), doctest::Contains("used twice"), InputError);
  TensorId y = b.input("y2", {1, 4, 8, 9});
  CHECK_THROWS_WITH_AS(b.add("a", x, y), doctest::Contains("do not broadcast"), InputError);
  CHECK_THROWS_WITH_AS(b.reshape("r", x, {3, -1}), doctest::Contains("cannot infer"), InputError);
  // m x k x n = 2^20 x 2^22 x 2^22 = 2^64 MACs overflows the 64-bit count.
  TensorId ba = b.input("ba", {1ull << 20, 1ull << 22});
  TensorId bw = b.input("bw", {1ull << 22, 1ull << 22});
  CHECK_THROWS_WITH_AS(b.matmul("m", ba, bw), doctest::Contains("overflows"), InputError);
}

TEST_CASE("precision spec: base precision with per-kind dtype overrides") {
  PrecisionSpec plain = parse_precision_spec("w8a16", "--precision");
  CHECK(plain == PrecisionSpec(Precision::kW8A16));
  CHECK(plain.name() == "w8a16");
  CHECK(plain.dtypes().activation == DType::kInt16);

  PrecisionSpec s = parse_precision_spec("w4a16,kv_cache=int8,weight=int8", "--precision");
  CHECK(s.name() == "w4a16,weight=int8,kv_cache=int8");
  CHECK(s.dtypes().weight == DType::kInt8);
  CHECK(s.dtypes().activation == DType::kInt16);
  CHECK(s.dtypes().kv_cache == DType::kInt8);
  CHECK(s.dtypes().bias == DType::kInt32);
  CHECK(parse_precision_spec("w8a8,weight=fp16", "p").dtypes().bias == DType::kFp16);

  // Bytes follow the dtype: an int8 KV cache input is half the size of the int16 one.
  GraphBuilder a("a", Precision::kW4A16), b("b", s);
  TensorId ka = a.input("k", {1, 8, 16, 64}, TensorKind::kKvCache);
  TensorId kb = b.input("k", {1, 8, 16, 64}, TensorKind::kKvCache);
  CHECK(a.tensor(ka).size_bytes == 2 * 8 * 16 * 64);
  CHECK(b.tensor(kb).size_bytes == 8 * 16 * 64);

  CHECK_THROWS_WITH_AS(parse_precision_spec("w9a9", "--precision w9a9"),
                       doctest::Contains("--precision w9a9: unknown precision 'w9a9'"), InputError);
  CHECK_THROWS_WITH_AS(parse_precision_spec("w8a8,kv=int8", "p"), doctest::Contains("unknown tensor kind 'kv'"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_precision_spec("w8a8,weight=int3", "p"), doctest::Contains("unknown dtype 'int3'"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_precision_spec("w8a8,weight", "p"), doctest::Contains("has no '='"), InputError);
  CHECK_THROWS_WITH_AS(parse_precision_spec("w8a8,weight=int8,weight=int4", "p"), doctest::Contains("overridden twice"),
                       InputError);
}

TEST_CASE("graph limits: too many ops or too large a tensor is refused, naming the flag that raises it") {
  GraphBuilder b("big", Precision::kW8A8, GraphLimits{.max_ops = 2, .max_tensor_bytes = 1024});
  TensorId x = b.input("x", {1, 1024});  // 1024 int8 bytes: exactly at the limit
  CHECK_THROWS_WITH_AS(b.input("y", {1, 1025}),
                       doctest::Contains("tensor 'y' [1, 1025] is 1025 bytes, more than the limit of 1024 bytes per "
                                         "tensor (a typo in a size?); raise it with --max-tensor-bytes N"),
                       InputError);
  TensorId a = b.silu("a", x);
  b.silu("b", a);
  CHECK_THROWS_WITH_AS(b.silu("c", a),
                       doctest::Contains("graph 'big': more than 2 ops, the limit on a graph's size (a typo in a layer "
                                         "count?); raise it with --max-ops N"),
                       InputError);
}

TEST_CASE("graph names must be printable UTF-8") {
  GraphBuilder b("ok", Precision::kW8A8);
  CHECK_THROWS_WITH_AS(b.input("bad\xff", {1}), doctest::Contains("name 'bad\\xff' is not printable UTF-8 text"),
                       InputError);
  CHECK_THROWS_WITH_AS(b.input("tab\there", {1}), doctest::Contains("is not printable UTF-8 text"), InputError);
  CHECK_NOTHROW(b.input("caf\xc3\xa9", {1}));                               // UTF-8 is fine
  CHECK_THROWS_AS(GraphBuilder("\xc0\x80", Precision::kW8A8), InputError);  // an overlong NUL
}
