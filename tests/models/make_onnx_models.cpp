// Writes the ONNX test models into the directory given as the only argument, with the ONNX
// protobuf API (no Python needed). Built and run by CMake before the workload tests. The models with
// functions, If and Loop are in onnx_models_control_flow.cpp; the writer is onnx_model_writer.h.
//   conv_gemm.onnx        Conv, Relu, strided Conv, ReduceMean, Gemm, Softmax
//   tiny_block.onnx       configs/models/tiny-block.yaml op for op (MACs and params must match)
//   symbolic_batch.onnx   input dim 0 is 'batch', bound with --dim batch=N
//   external_data.onnx    weights in external_data.bin, which is deliberately not written:
//                         the importer must never read it
//   unsupported_op.onnx   a Hardmax, which npusim does not model
//   custom_op.onnx        an op from a custom domain: no schema, so no inferred shape
// and hostile inputs (tests/hostile/README.md), each of which must be refused with exit code 2:
//   hostile_cycle.onnx         two Relus feeding each other: a graph with a cycle
//   hostile_nested_if.onnx     an If whose then branch holds an If ... 60 levels deep
//   hostile_nested_if20.onnx   the same, 20 levels deep (within protobuf's nesting limit)
//   hostile_huge_channels.onnx an input of 2^62 channels into a Conv
//   hostile_zero_stride.onnx   a Conv with strides [0, 0]
//   hostile_negative_dim.onnx  an initializer with a negative dim
//   hostile_huge_tensor.onnx   a declared (data-less) initializer of 2^31 x 2^31 floats
//   hostile_truncated.onnx     the first half of tiny_block.onnx
//   hostile_int64_raw9/12, _conv5d_*, _conv_in_if, _recursive_function, _mutual_functions,
//   _depth_to_space, _duplicate_output, _self_input: red-team inputs that crashed ONNX 1.12's
//   shape inference or were accepted; _range_bomb, _constant_of_shape_bomb, _shape_loop,
//   _slice_step0, _data_dependent: folding bombs and shapes that depend on data
// and graphs as torch.onnx.export writes them (opset 17, no simplifier), each importing exactly:
//   torch_clip_attention.onnx     q/k/v split by computed Slices, Trilu causal mask, external data absent
//   torch_unet_time.onnx          Expand from Shape(sample), sinusoidal timestep embedding
//   torch_groupnorm_baddbmm.onnx  GroupNorm via InstanceNormalization, baddbmm's zero constant
//   torch_written_out.onnx        LayerNorm, Erf GELU and RMSNorm written out, an Einsum
//   torch_local_functions.onnx    LayerNorm, GELU and an MLP as model-local functions (dynamo, onnxscript)
//   torch_control_flow.onnx       an If on the batch size and a Loop of 3 iterations (torch.jit.script)
//   hostile_no_ops.onnx        one Identity node, which imports as no op: nothing to simulate
//   hostile_if_data_cond, _if_shape_cycle, _function_if_recursion, _function_bomb, _loop_doubling,
//   _while_loop, _loop_data_cond, _einsum_three: control flow and functions that must not expand
//   without bound, and an Einsum pattern npusim refuses
#include <array>
#include <iostream>

#include "onnx_model_writer.h"

namespace {

using namespace onnx_models;

Model conv_gemm() {
  Model m("conv_gemm");
  m.input("x", {"1", "3", "32", "32"});
  m.conv("conv1", "x", 8, 3, 3, 1, 1);
  m.node("Relu", "relu1", {"conv1"}, {"relu1"});
  m.conv("conv2", "relu1", 16, 8, 3, 2, 1);
  auto* r = m.node("ReduceMean", "pool", {"conv2"}, {"pool"});
  Model::attr(r, "axes", Dims{2, 3});
  Model::attr(r, "keepdims", int64_t{0});
  m.weight("fc.weight", {10, 16});
  m.weight("fc.bias", {10});
  auto* gemm = m.node("Gemm", "fc", {"pool", "fc.weight", "fc.bias"}, {"fc"});
  Model::attr(gemm, "transB", int64_t{1});
  m.node("Softmax", "prob", {"fc"}, {"prob"});
  m.output("prob");
  return m;
}

// GroupNorm (opset 18), SiLU as x * sigmoid(x), 3x3 conv.
void norm_act_conv(Model& m, const std::string& i, const std::string& in) {
  m.weight("norm" + i + ".weight", {64});
  m.weight("norm" + i + ".bias", {64});
  auto* gn = m.node("GroupNormalization", "norm" + i, {in, "norm" + i + ".weight", "norm" + i + ".bias"}, {"norm" + i});
  Model::attr(gn, "num_groups", int64_t{32});
  m.node("Sigmoid", "act" + i + "/Sigmoid", {"norm" + i}, {"act" + i + "/sig"});
  m.node("Mul", "act" + i + "/Mul", {"norm" + i, "act" + i + "/sig"}, {"act" + i});
  m.conv("conv" + i, "act" + i, 64, 64, 3, 1, 1);
}

Model tiny_block() {
  Model m("tiny-block", 18);
  m.input("x", {"1", "64", "16", "16"});
  norm_act_conv(m, "1", "x");
  norm_act_conv(m, "2", "conv1");
  m.node("Add", "res", {"conv2", "x"}, {"res"});
  m.ints("shape_tokens", {1, 64, 256});
  m.node("Reshape", "tokens", {"res", "shape_tokens"}, {"tokens"});
  Model::attr(m.node("Transpose", "tokens_t", {"tokens"}, {"tokens_t"}), "perm", Dims{0, 2, 1});
  m.weight("ln.weight", {64});
  m.weight("ln.bias", {64});
  m.node("LayerNormalization", "ln", {"tokens_t", "ln.weight", "ln.bias"}, {"ln"});
  m.ints("shape_heads", {1, 1, 256, 64});
  for (const std::string p : {"q", "k", "v"}) {
    m.linear(p, "ln", 64, 64);
    m.node("Reshape", p + "4", {p, "shape_heads"}, {p + "4"});
  }
  Model::attr(m.node("Transpose", "k4_t", {"k4"}, {"k4_t"}), "perm", Dims{0, 1, 3, 2});
  m.node("MatMul", "scores", {"q4", "k4_t"}, {"scores"});
  Model::attr(m.node("Softmax", "probs", {"scores"}, {"probs"}), "axis", int64_t{-1});
  m.node("MatMul", "context", {"probs", "v4"}, {"context"});
  m.ints("shape_ctx", {1, 256, 64});
  m.node("Reshape", "ctx3", {"context", "shape_ctx"}, {"ctx3"});
  m.linear("out_proj", "ctx3", 64, 64);
  m.node("Add", "out", {"out_proj", "tokens_t"}, {"out"});
  m.output("out");
  return m;
}

Model symbolic_batch() {
  Model m("symbolic_batch");
  m.input("x", {"batch", "3", "16", "16"});
  m.conv("conv", "x", 4, 3, 3, 1, 1);
  Model::attr(m.node("Flatten", "flat", {"conv"}, {"flat"}), "axis", int64_t{1});
  m.weight("fc.weight", {10, 1024});
  Model::attr(m.node("Gemm", "fc", {"flat", "fc.weight"}, {"fc"}), "transB", int64_t{1});
  m.output("fc");
  return m;
}

Model external_data() {
  Model m("external_data");
  m.input("x", {"1", "4096"});
  m.weight("w1", {4096, 4096}, true);
  m.weight("w2", {4096, 1024}, true);
  m.node("MatMul", "fc1", {"x", "w1"}, {"fc1"});
  m.node("Relu", "relu", {"fc1"}, {"relu"});
  m.node("MatMul", "fc2", {"relu", "w2"}, {"fc2"});
  m.output("fc2");
  return m;
}

Model unsupported_op() {
  Model m("unsupported_op");
  m.input("x", {"1", "8", "4", "4"});
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.node("Hardmax", "hardmax", {"conv"}, {"hardmax"});
  m.output("hardmax");
  return m;
}

Model custom_op() {
  Model m("custom_op");
  auto* op = m.m.add_opset_import();
  op->set_domain("com.example");
  op->set_version(1);
  m.input("x", {"1", "8", "4", "4"});
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.node("MyOp", "mystery", {"conv"}, {"mystery"})->set_domain("com.example");
  m.node("Relu", "relu", {"mystery"}, {"relu"});
  m.output("relu");
  return m;
}

Model hostile_cycle() {
  Model m("hostile_cycle");
  m.input("x", {"1", "8"});
  m.node("Add", "a", {"x", "b"}, {"a"});
  m.node("Relu", "b", {"a"}, {"b"});
  m.output("b");
  return m;
}

Model hostile_no_ops() {
  Model m("hostile_no_ops");
  m.input("x", {"1", "8"});
  m.node("Identity", "id", {"x"}, {"y"});
  m.output("y");
  return m;
}

// An If whose then branch holds the next level's If, `depth` levels deep (else: one Relu).
void nested_if(onnx::GraphProto* g, const std::string& in, int depth) {
  auto* n = g->add_node();
  n->set_op_type(depth > 0 ? "If" : "Relu");
  n->set_name("level" + std::to_string(depth));
  n->add_input(in);
  n->add_output("out" + std::to_string(depth));
  if (depth == 0) return;
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = n->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = a->mutable_g();
    sub->set_name(std::string(branch) + std::to_string(depth));
    const int next = std::string(branch) == "then_branch" ? depth - 1 : 0;
    nested_if(sub, in, next);
    Model::set_shape(sub->add_output(), "out" + std::to_string(next), {"1", "8"});
  }
}

Model hostile_nested_if(int depth) {
  Model m("hostile_nested_if");
  m.input("x", {"1", "8"});
  nested_if(m.g, "x", depth);
  m.output("out" + std::to_string(depth));
  return m;
}

Model hostile_huge_channels() {
  Model m("hostile_huge_channels");
  m.input("x", {"1", "4611686018427387904", "1", "1"});  // 2^62 channels
  m.conv("conv", "x", 8, 8, 1, 1, 0);
  m.output("conv");
  return m;
}

Model hostile_zero_stride() {
  Model m("hostile_zero_stride");
  m.input("x", {"1", "8", "16", "16"});
  m.weight("conv.weight", {8, 8, 3, 3});
  auto* n = m.node("Conv", "conv", {"x", "conv.weight"}, {"conv"});
  Model::attr(n, "strides", Dims{0, 0});
  m.output("conv");
  return m;
}

Model hostile_negative_dim() {
  Model m("hostile_negative_dim");
  m.input("x", {"1", "8"});
  auto* t = m.g->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(8);
  t->add_dims(-4);
  m.node("MatMul", "fc", {"x", "w"}, {"fc"});
  m.output("fc");
  return m;
}

Model hostile_huge_tensor() {
  Model m("hostile_huge_tensor");
  m.input("x", {"1", "2147483648"});
  auto* t = m.g->add_initializer();  // declared, no data: 2^62 floats
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(int64_t{1} << 31);
  t->add_dims(int64_t{1} << 31);
  m.node("MatMul", "fc", {"x", "w"}, {"fc"});
  m.output("fc");
  return m;
}

// ---- Real-export patterns, written as torch.onnx.export (opset 17, no simplifier) writes them ----

// Shape -> Gather of dim `d` of `v`, unsqueezed to [1]: torch's size(d) feeding a Concat.
std::string dim_of(Model& m, const std::string& v, int64_t d, const std::string& tag) {
  m.node("Shape", tag + "/Shape", {v}, {tag + "/shape"});
  m.const_ints(tag + "/idx", {d}, true);
  m.node("Gather", tag + "/Gather", {tag + "/shape", tag + "/idx"}, {tag + "/dim"});
  m.const_ints(tag + "/axes", {0});
  m.node("Unsqueeze", tag + "/Unsqueeze", {tag + "/dim", tag + "/axes"}, {tag + "/dim1"});
  return tag + "/dim1";
}

// CLIP text attention as torch exports nn.MultiheadAttention: token and position embeddings,
// LayerNorm, the packed in_proj split into q, k, v by Slices whose bounds are computed from
// Shape -> Gather -> Div, heads reshaped with computed shapes, the causal mask built from the
// input's shape with ConstantOfShape(-inf) -> Trilu, out_proj and the residual. All weights are
// external data that is not written (absent).
Model torch_clip_attention() {
  Model m("torch_clip_attention");
  m.g->add_input();
  m.g->mutable_input(0)->set_name("input_ids");
  auto* tt = m.g->mutable_input(0)->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::INT64);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(77);
  m.weight("token_embedding.weight", {1000, 64}, true);
  m.weight("positional_embedding", {1, 77, 64}, true);
  m.node("Gather", "token_embedding", {"token_embedding.weight", "input_ids"}, {"tok"});
  m.node("Add", "pos_add", {"tok", "positional_embedding"}, {"x"});
  m.weight("ln_1.weight", {64}, true);
  m.weight("ln_1.bias", {64}, true);
  Model::attr(m.node("LayerNormalization", "ln_1", {"x", "ln_1.weight", "ln_1.bias"}, {"ln"}), "axis", int64_t{-1});
  m.weight("in_proj_weight_t", {64, 192}, true);
  m.weight("in_proj_bias", {192}, true);
  m.node("MatMul", "attn/in_proj/MatMul", {"ln", "in_proj_weight_t"}, {"qkv_mm"});
  m.node("Add", "attn/in_proj/Add", {"qkv_mm", "in_proj_bias"}, {"qkv"});
  // E = size(-1) / 3; q = qkv[..., 0:E], k = qkv[..., E:2E], v = qkv[..., 2E:3E]
  m.node("Shape", "attn/Shape", {"qkv"}, {"qkv_shape"});
  m.const_ints("attn/c2", {2}, true);
  m.node("Gather", "attn/Gather", {"qkv_shape", "attn/c2"}, {"width"});
  m.const_ints("attn/c3", {3}, true);
  m.node("Div", "attn/Div", {"width", "attn/c3"}, {"E"});
  m.node("Mul", "attn/Mul2", {"E", "attn/c2"}, {"E2"});
  m.node("Mul", "attn/Mul3", {"E", "attn/c3"}, {"E3"});
  m.const_ints("attn/zero", {0}, true);
  m.const_ints("attn/axes0", {0});
  m.const_ints("attn/last", {-1});
  const std::vector<std::array<std::string, 3>> parts = {{"q", "attn/zero", "E"}, {"k", "E", "E2"}, {"v", "E2", "E3"}};
  for (const auto& [p, lo, hi] : parts) {
    m.node("Unsqueeze", "attn/" + p + "/lo", {lo, "attn/axes0"}, {p + "_lo"});
    m.node("Unsqueeze", "attn/" + p + "/hi", {hi, "attn/axes0"}, {p + "_hi"});
    m.node("Slice", "attn/" + p + "/Slice", {"qkv", p + "_lo", p + "_hi", "attn/last"}, {p});
    // [B, S, E] -> [B, S, 4, 16] with B and S from the tensor's own shape
    const std::string b = dim_of(m, p, 0, "attn/" + p + "/b"), sq = dim_of(m, p, 1, "attn/" + p + "/s");
    m.const_ints("attn/" + p + "/hd", {4, 16});
    m.node("Concat", "attn/" + p + "/shape", {b, sq, "attn/" + p + "/hd"}, {p + "_shape"});
    Model::attr(m.g->mutable_node(m.g->node_size() - 1), "axis", int64_t{0});
    m.node("Reshape", "attn/" + p + "/Reshape", {p, p + "_shape"}, {p + "4"});
    Model::attr(m.node("Transpose", "attn/" + p + "/Transpose", {p + "4"}, {p + "_t"}), "perm",
                p == "k" ? Dims{0, 2, 3, 1} : Dims{0, 2, 1, 3});
  }
  m.node("MatMul", "attn/scores", {"q_t", "k_t"}, {"scores"});
  m.const_float("attn/scale", {}, 0.25f);
  m.node("Mul", "attn/scale_mul", {"scores", "attn/scale"}, {"scaled"});
  // causal mask: full((S, S), -inf).triu_(1), S from input_ids' shape
  const std::string n1 = dim_of(m, "input_ids", 1, "mask/n");
  m.node("Concat", "mask/shape", {n1, n1}, {"mask_shape"});
  Model::attr(m.g->mutable_node(m.g->node_size() - 1), "axis", int64_t{0});
  auto* cos = m.node("ConstantOfShape", "mask/full", {"mask_shape"}, {"mask_full"});
  auto* va = cos->add_attribute();
  va->set_name("value");
  va->set_type(onnx::AttributeProto::TENSOR);
  va->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  va->mutable_t()->add_dims(1);
  va->mutable_t()->add_float_data(-1e30f);
  m.const_ints("mask/k", {1}, true);
  Model::attr(m.node("Trilu", "mask/triu", {"mask_full", "mask/k"}, {"mask"}), "upper", int64_t{1});
  m.node("Add", "attn/mask_add", {"scaled", "mask"}, {"masked"});
  Model::attr(m.node("Softmax", "attn/softmax", {"masked"}, {"probs"}), "axis", int64_t{-1});
  m.node("MatMul", "attn/context", {"probs", "v_t"}, {"ctx"});
  Model::attr(m.node("Transpose", "attn/ctx_t", {"ctx"}, {"ctx_t"}), "perm", Dims{0, 2, 1, 3});
  m.node("Shape", "attn/ctx_shape", {"ctx_t"}, {"ctx_shape"});
  m.const_ints("attn/s0", {0});
  m.const_ints("attn/s2", {2});
  m.node("Slice", "attn/ctx_bs", {"ctx_shape", "attn/s0", "attn/s2"}, {"ctx_bs"});
  m.const_ints("attn/minus1", {-1});
  m.node("Concat", "attn/merge_shape", {"ctx_bs", "attn/minus1"}, {"merge_shape"});
  Model::attr(m.g->mutable_node(m.g->node_size() - 1), "axis", int64_t{0});
  m.node("Reshape", "attn/merge", {"ctx_t", "merge_shape"}, {"merged"});
  m.weight("out_proj.weight_t", {64, 64}, true);
  m.weight("out_proj.bias", {64}, true);
  m.node("MatMul", "attn/out_proj/MatMul", {"merged", "out_proj.weight_t"}, {"out_mm"});
  m.node("Add", "attn/out_proj/Add", {"out_mm", "out_proj.bias"}, {"out"});
  m.node("Add", "residual", {"x", "out"}, {"y"});
  m.output("y");
  return m;
}

// diffusers' time embedding: timesteps.expand(sample.shape[0]) (Expand from Shape(sample)), the
// sinusoidal embedding (Range -> Mul -> Div -> Exp constants, Sin and Cos, Concat), linear_1,
// SiLU, linear_2, added to conv_in's output. The batch is symbolic (--dim batch=N).
Model torch_unet_time() {
  Model m("torch_unet_time");
  m.input("sample", {"batch", "4", "8", "8"});
  m.input("timestep", {"1"});
  m.node("Shape", "t/Shape", {"sample"}, {"sample_shape"});
  m.const_ints("t/s0", {0});
  m.const_ints("t/s1", {1});
  m.node("Slice", "t/Slice", {"sample_shape", "t/s0", "t/s1"}, {"batch"});
  m.node("Expand", "t/Expand", {"timestep", "batch"}, {"ts"});
  m.const_float("t/start", {}, 0.0f);
  m.const_float("t/limit", {}, 8.0f);
  m.const_float("t/delta", {}, 1.0f);
  m.node("Range", "t/Range", {"t/start", "t/limit", "t/delta"}, {"ar"});
  m.const_float("t/neglog", {}, -9.2103404f);
  m.node("Mul", "t/Mul", {"ar", "t/neglog"}, {"ex0"});
  m.const_float("t/half", {}, 8.0f);
  m.node("Div", "t/Div", {"ex0", "t/half"}, {"ex"});
  m.node("Exp", "t/Exp", {"ex"}, {"freqs"});
  m.const_ints("t/ax1", {1});
  m.const_ints("t/ax0", {0});
  m.node("Unsqueeze", "t/ts_col", {"ts", "t/ax1"}, {"ts_col"});
  m.node("Unsqueeze", "t/freq_row", {"freqs", "t/ax0"}, {"freq_row"});
  m.node("Mul", "t/args", {"ts_col", "freq_row"}, {"args"});
  m.node("Sin", "t/Sin", {"args"}, {"sin"});
  m.node("Cos", "t/Cos", {"args"}, {"cos"});
  Model::attr(m.node("Concat", "t/emb", {"sin", "cos"}, {"emb"}), "axis", int64_t{-1});
  m.linear("time_embedding.linear_1", "emb", 16, 32);
  m.node("Sigmoid", "time_embedding.act/Sigmoid", {"time_embedding.linear_1"}, {"temb_sig"});
  m.node("Mul", "time_embedding.act/Mul", {"time_embedding.linear_1", "temb_sig"}, {"temb_act"});
  m.linear("time_embedding.linear_2", "temb_act", 32, 32);
  m.conv("conv_in", "sample", 32, 4, 3, 1, 1);
  m.const_ints("t/ax23", {2, 3});
  m.node("Unsqueeze", "t/temb4", {"time_embedding.linear_2", "t/ax23"}, {"temb4"});
  m.node("Add", "add_temb", {"conv_in", "temb4"}, {"h"});
  m.output("h");
  return m;
}

// torch's GroupNorm export (Reshape to [N, G, -1] with a computed shape -> InstanceNormalization
// with Constant ones and zeros -> Reshape(Shape(x)) -> Mul(gamma) -> Add(beta)), SiLU, a conv,
// then attention with baddbmm(empty, q, kT, beta=0, alpha): torch materialises the empty input
// as an all-zero Constant, which is not a parameter.
Model torch_groupnorm_baddbmm() {
  Model m("torch_groupnorm_baddbmm");
  m.input("x", {"1", "32", "8", "8"});
  const std::string n0 = dim_of(m, "x", 0, "gn/n");
  m.const_ints("gn/g", {8, -1});
  Model::attr(m.node("Concat", "gn/shape", {n0, "gn/g"}, {"gn_shape"}), "axis", int64_t{0});
  m.node("Reshape", "gn/Reshape", {"x", "gn_shape"}, {"gn_in"});
  m.const_float("gn/ones", {8}, 1.0f);
  m.const_float("gn/zeros", {8}, 0.0f);
  m.node("InstanceNormalization", "gn/InstanceNormalization", {"gn_in", "gn/ones", "gn/zeros"}, {"gn_n"});
  m.node("Shape", "gn/x_shape", {"x"}, {"x_shape"});
  m.node("Reshape", "gn/Reshape_1", {"gn_n", "x_shape"}, {"gn_back"});
  m.weight("norm.weight", {32, 1, 1});
  m.weight("norm.bias", {32, 1, 1});
  m.node("Mul", "gn/Mul", {"gn_back", "norm.weight"}, {"gn_scaled"});
  m.node("Add", "gn/Add", {"gn_scaled", "norm.bias"}, {"gn"});
  m.node("Sigmoid", "act/Sigmoid", {"gn"}, {"act_sig"});
  m.node("Mul", "act/Mul", {"gn", "act_sig"}, {"act"});
  m.conv("conv", "act", 32, 32, 3, 1, 1);
  m.ints("tok_shape", {1, 32, 64});
  m.node("Reshape", "tokens", {"conv", "tok_shape"}, {"tok"});
  Model::attr(m.node("Transpose", "tokens_t", {"tok"}, {"h"}), "perm", Dims{0, 2, 1});
  for (const std::string p : {"to_q", "to_k", "to_v"}) {
    m.weight(p + ".weight", {32, 32});
    m.weight(p + ".bias", {32});
    m.node("MatMul", p + "/MatMul", {"h", p + ".weight"}, {p + "_mm"});
    m.node("Add", p + "/Add", {p + "_mm", p + ".bias"}, {p});
  }
  Model::attr(m.node("Transpose", "k_t", {"to_k"}, {"k_t"}), "perm", Dims{0, 2, 1});
  m.const_float("baddbmm/empty", {1, 64, 64}, 0.0f);
  m.const_float("baddbmm/beta", {}, 0.0f);
  m.const_float("baddbmm/alpha", {}, 0.17677669f);
  m.node("MatMul", "baddbmm/MatMul", {"to_q", "k_t"}, {"qk"});
  m.node("Mul", "baddbmm/Mul_alpha", {"qk", "baddbmm/alpha"}, {"qk_scaled"});
  m.node("Mul", "baddbmm/Mul_beta", {"baddbmm/empty", "baddbmm/beta"}, {"zero_scaled"});
  m.node("Add", "baddbmm/Add", {"qk_scaled", "zero_scaled"}, {"scores"});
  Model::attr(m.node("Softmax", "softmax", {"scores"}, {"probs"}), "axis", int64_t{-1});
  m.node("MatMul", "context", {"probs", "to_v"}, {"ctx"});
  m.output("ctx");
  return m;
}

// Layers written out as exporters write them: LayerNorm (ReduceMean, Sub, Pow, Sqrt, Div, Mul,
// Add), the exact GELU (Div by sqrt 2, Erf, Add 1, Mul x, Mul 0.5), RMSNorm (Pow, ReduceMean, Add,
// Sqrt, Reciprocal, Mul), and an attention Einsum.
Model torch_written_out() {
  Model m("torch_written_out");
  m.input("x", {"1", "16", "64"});
  auto mean = [&](const std::string& name, const std::string& in, const std::string& out) {
    auto* r = m.node("ReduceMean", name, {in}, {out});
    Model::attr(r, "axes", Dims{-1});
    Model::attr(r, "keepdims", int64_t{1});
  };
  mean("ln/mean", "x", "ln_mean");
  m.node("Sub", "ln/Sub", {"x", "ln_mean"}, {"ln_d"});
  m.const_float("ln/two", {}, 2.0f);
  m.node("Pow", "ln/Pow", {"ln_d", "ln/two"}, {"ln_sq"});
  mean("ln/var", "ln_sq", "ln_var");
  m.const_float("ln/eps", {}, 1e-5f);
  m.node("Add", "ln/Add", {"ln_var", "ln/eps"}, {"ln_ve"});
  m.node("Sqrt", "ln/Sqrt", {"ln_ve"}, {"ln_std"});
  m.node("Div", "ln/Div", {"ln_d", "ln_std"}, {"ln_n"});
  m.weight("ln.weight", {64});
  m.weight("ln.bias", {64});
  m.node("Mul", "ln/Mul", {"ln_n", "ln.weight"}, {"ln_s"});
  m.node("Add", "ln/Add_1", {"ln_s", "ln.bias"}, {"ln"});
  m.linear("fc1", "ln", 64, 256);
  m.const_float("gelu/sqrt2", {}, 1.4142135f);
  m.node("Div", "gelu/Div", {"fc1", "gelu/sqrt2"}, {"g_div"});
  m.node("Erf", "gelu/Erf", {"g_div"}, {"g_erf"});
  m.const_float("gelu/one", {}, 1.0f);
  m.node("Add", "gelu/Add", {"g_erf", "gelu/one"}, {"g_add"});
  m.node("Mul", "gelu/Mul", {"fc1", "g_add"}, {"g_mul"});
  m.const_float("gelu/half", {}, 0.5f);
  m.node("Mul", "gelu/Mul_1", {"g_mul", "gelu/half"}, {"gelu"});
  m.linear("fc2", "gelu", 256, 64);
  m.const_float("rms/two", {}, 2.0f);
  m.node("Pow", "rms/Pow", {"fc2", "rms/two"}, {"r_sq"});
  mean("rms/mean", "r_sq", "r_mean");
  m.const_float("rms/eps", {}, 1e-6f);
  m.node("Add", "rms/Add", {"r_mean", "rms/eps"}, {"r_ve"});
  m.node("Sqrt", "rms/Sqrt", {"r_ve"}, {"r_std"});
  m.node("Reciprocal", "rms/Reciprocal", {"r_std"}, {"r_inv"});
  m.node("Mul", "rms/Mul", {"fc2", "r_inv"}, {"r_n"});
  m.weight("rms.weight", {64});
  m.node("Mul", "rms/Mul_1", {"rms.weight", "r_n"}, {"rms"});
  m.ints("heads", {1, 16, 4, 16});
  m.node("Reshape", "heads", {"rms", "heads"}, {"q"});
  auto* e = m.node("Einsum", "einsum", {"q", "q"}, {"scores"});
  auto* a = e->add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("bihd,bjhd->bhij");
  m.output("scores");
  return m;
}

// ---- Red-team inputs that crashed ONNX 1.12's shape inference, and folding bombs ----

// An INT64 initializer `name` of `dims` whose raw_data holds `bytes` bytes (8 per element is valid).
void raw_int64(Model& m, const std::string& name, const Dims& dims, size_t bytes) {
  auto* t = m.g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(bytes, '\x01'));
}

Model hostile_int64_raw(bool unsqueeze) {
  Model m(unsqueeze ? "hostile_int64_raw12" : "hostile_int64_raw9");
  m.input("x", {"1", "8"});
  if (unsqueeze) {
    raw_int64(m, "axes", {2}, 12);
    m.node("Unsqueeze", "unsqueeze", {"x", "axes"}, {"y"});
  } else {
    raw_int64(m, "shape", {1}, 9);
    m.node("Reshape", "reshape", {"x", "shape"}, {"y"});
  }
  m.output("y");
  return m;
}

// Conv with 5-D weights on a 4-D input whose rank is not declared (it comes from a Relu), or
// with weights computed by a node, or as ConvInteger / QLinearConv.
Model hostile_conv5d(const std::string& variant) {
  Model m("hostile_conv5d_" + variant);
  m.input("x", {"1", "8", "16", "16"});
  m.node("Relu", "relu", {"x"}, {"r"});
  m.weight("w", {8, 8, 3, 3, 3});
  std::string w = "w";
  if (variant == "computed") {
    m.node("Neg", "neg_w", {"w"}, {"w2"});
    w = "w2";
  }
  const std::string op = variant == "integer" ? "ConvInteger" : variant == "qlinear" ? "QLinearConv" : "Conv";
  if (op == "QLinearConv") {
    m.weight("s", {1});
    m.weight("z", {1});
    m.node(op, "conv", {"r", "s", "z", w, "s", "z", "s", "z"}, {"y"});
  } else {
    m.node(op, "conv", {"r", w}, {"y"});
  }
  m.output("y");
  return m;
}

// The same Conv inside an If's then branch, the condition a constant (so the branch is inlined).
Model hostile_conv_in_if() {
  Model m("hostile_conv_in_if");
  m.input("x", {"1", "8", "16", "16"});
  m.const_ints("cond", {1}, true);
  m.weight("w", {8, 8, 3, 3, 3});
  auto* n = m.node("If", "if", {"cond"}, {"y"});
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* sub = subgraph(n, branch);
    body_node(sub->mutable_node(), "Conv", {"x", "w"}, {"y"})->set_name("inner_conv");
    sub->add_output()->set_name("y");
  }
  m.output("y");
  return m;
}

// A model-local function that calls itself (`mutual`: f calls g, g calls f).
Model hostile_recursive_function(bool mutual) {
  Model m(mutual ? "hostile_mutual_functions" : "hostile_recursive_function");
  auto* op = m.m.add_opset_import();
  op->set_domain("local");
  op->set_version(1);
  const std::string local = "local", a = "a", b = "b";
  for (const std::string& name : mutual ? std::vector<std::string>{"f", "g"} : std::vector<std::string>{"f"}) {
    auto* f = m.m.add_functions();
    *f->mutable_name() = name;
    *f->mutable_domain() = local;
    *f->add_input() = a;
    *f->add_output() = b;
    auto* o = f->add_opset_import();
    *o->mutable_domain() = local;
    o->set_version(1);
    auto* call = f->add_node();
    *call->mutable_op_type() = mutual && name == "f" ? std::string("g") : std::string("f");
    *call->mutable_domain() = local;
    *call->add_input() = a;
    *call->add_output() = b;
  }
  m.input("x", {"1", "8"});
  m.node("f", "call", {"x"}, {"y"})->set_domain("local");
  m.output("y");
  return m;
}

Model hostile_depth_to_space() {
  Model m("hostile_depth_to_space");
  m.input("x", {"1", "16", "4", "4"});
  Model::attr(m.node("DepthToSpace", "d2s", {"x"}, {"y"}), "blocksize", int64_t{1} << 32);
  m.output("y");
  return m;
}

Model hostile_duplicate_output(bool self) {
  Model m(self ? "hostile_self_input" : "hostile_duplicate_output");
  m.input("x", {"1", "8"});
  if (self) {
    m.node("Relu", "relu", {"x"}, {"a"});
    m.node("Add", "loop", {"a", "y"}, {"y"});
  } else {
    m.node("Relu", "relu", {"x"}, {"y"});
    m.node("Sigmoid", "sigmoid", {"x"}, {"y"});
  }
  m.output("y");
  return m;
}

// Range(0, 2^40, 1) or ConstantOfShape([1024, 1024, 1024, 1024]): 2^40 elements from a few bytes.
Model hostile_fold_bomb(bool range) {
  Model m(range ? "hostile_range_bomb" : "hostile_constant_of_shape_bomb");
  m.input("x", {"1", "8"});
  if (range) {
    m.const_ints("start", {0}, true);
    m.const_ints("limit", {int64_t{1} << 40}, true);
    m.const_ints("delta", {1}, true);
    m.node("Range", "range", {"start", "limit", "delta"}, {"r"});
  } else {
    m.const_ints("shape", {1024, 1024, 1024, 1024});
    m.node("ConstantOfShape", "fill", {"shape"}, {"r"});
  }
  m.node("Shape", "shape_of", {"r"}, {"rs"});
  m.node("Reshape", "reshape", {"x", "rs"}, {"y"});
  m.output("y");
  return m;
}

// A Loop whose body takes the Shape of the loop-carried value: shapes through control flow.
Model hostile_shape_loop() {
  Model m("hostile_shape_loop");
  m.input("x", {"1", "8"});
  m.const_ints("trip", {1000000}, true);
  auto* n = m.node("Loop", "loop", {"trip", "", "x"}, {"y"});
  auto* a = n->add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  auto* body = a->mutable_g();
  body->set_name("body");
  for (const char* in : {"i", "cond", "v"}) body->add_input()->set_name(in);
  auto* sh = body->add_node();
  sh->set_op_type("Shape");
  sh->add_input("v");
  sh->add_output("s");
  auto* r = body->add_node();
  r->set_op_type("Reshape");
  r->add_input("v");
  r->add_input("s");
  r->add_output("v2");
  body->add_output()->set_name("cond");
  body->add_output()->set_name("v2");
  m.output("y");
  return m;
}

// Slice of a shape with step 0; and a Reshape whose shape is computed from the input's data.
Model hostile_slice_step0() {
  Model m("hostile_slice_step0");
  m.input("x", {"1", "8"});
  m.node("Shape", "shape", {"x"}, {"s"});
  m.const_ints("starts", {-1});
  m.const_ints("ends", {int64_t{-9223372036854775807} - 1});
  m.const_ints("axes", {0});
  m.const_ints("steps", {0});
  m.node("Slice", "slice", {"s", "starts", "ends", "axes", "steps"}, {"s2"});
  m.node("Reshape", "reshape", {"x", "s2"}, {"y"});
  m.output("y");
  return m;
}

Model hostile_data_dependent() {
  Model m("hostile_data_dependent");
  m.input("x", {"8"});
  Model::attr(m.node("ReduceMax", "max", {"x"}, {"mx"}), "keepdims", int64_t{1});
  Model::attr(m.node("Cast", "cast", {"mx"}, {"n"}), "to", int64_t{onnx::TensorProto::INT64});
  m.node("Reshape", "reshape", {"x", "n"}, {"y"});
  m.output("y");
  return m;
}

bool save_truncated(const Model& whole, const std::string& dir, const std::string& file) {
  std::string bytes;
  if (!whole.m.SerializeToString(&bytes)) return false;
  std::ofstream out(dir + "/" + file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_onnx_models OUTPUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = conv_gemm().save(dir, "conv_gemm.onnx") && tiny_block().save(dir, "tiny_block.onnx") &&
            symbolic_batch().save(dir, "symbolic_batch.onnx") && external_data().save(dir, "external_data.onnx") &&
            unsupported_op().save(dir, "unsupported_op.onnx") && custom_op().save(dir, "custom_op.onnx") &&
            hostile_cycle().save(dir, "hostile_cycle.onnx") &&
            hostile_nested_if(60).save(dir, "hostile_nested_if.onnx") &&
            hostile_nested_if(20).save(dir, "hostile_nested_if20.onnx") &&
            hostile_huge_channels().save(dir, "hostile_huge_channels.onnx") &&
            hostile_zero_stride().save(dir, "hostile_zero_stride.onnx") &&
            hostile_negative_dim().save(dir, "hostile_negative_dim.onnx") &&
            hostile_huge_tensor().save(dir, "hostile_huge_tensor.onnx") &&
            save_truncated(tiny_block(), dir, "hostile_truncated.onnx") &&
            torch_clip_attention().save(dir, "torch_clip_attention.onnx") &&
            torch_unet_time().save(dir, "torch_unet_time.onnx") &&
            torch_groupnorm_baddbmm().save(dir, "torch_groupnorm_baddbmm.onnx") &&
            torch_written_out().save(dir, "torch_written_out.onnx") &&
            torch_local_functions().save(dir, "torch_local_functions.onnx") &&
            torch_control_flow().save(dir, "torch_control_flow.onnx") &&
            hostile_int64_raw(false).save(dir, "hostile_int64_raw9.onnx") &&
            hostile_int64_raw(true).save(dir, "hostile_int64_raw12.onnx") &&
            hostile_conv5d("from_node").save(dir, "hostile_conv5d_from_node.onnx") &&
            hostile_conv5d("computed").save(dir, "hostile_conv5d_computed.onnx") &&
            hostile_conv5d("integer").save(dir, "hostile_conv5d_integer.onnx") &&
            hostile_conv5d("qlinear").save(dir, "hostile_conv5d_qlinear.onnx") &&
            hostile_conv_in_if().save(dir, "hostile_conv_in_if.onnx") &&
            hostile_recursive_function(false).save(dir, "hostile_recursive_function.onnx") &&
            hostile_recursive_function(true).save(dir, "hostile_mutual_functions.onnx") &&
            hostile_depth_to_space().save(dir, "hostile_depth_to_space.onnx") &&
            hostile_duplicate_output(false).save(dir, "hostile_duplicate_output.onnx") &&
            hostile_duplicate_output(true).save(dir, "hostile_self_input.onnx") &&
            hostile_fold_bomb(true).save(dir, "hostile_range_bomb.onnx") &&
            hostile_fold_bomb(false).save(dir, "hostile_constant_of_shape_bomb.onnx") &&
            hostile_shape_loop().save(dir, "hostile_shape_loop.onnx") &&
            hostile_slice_step0().save(dir, "hostile_slice_step0.onnx") &&
            hostile_data_dependent().save(dir, "hostile_data_dependent.onnx") &&
            hostile_no_ops().save(dir, "hostile_no_ops.onnx") &&
            hostile_if_data_cond().save(dir, "hostile_if_data_cond.onnx") &&
            hostile_if_shape_cycle().save(dir, "hostile_if_shape_cycle.onnx") &&
            hostile_function_if_recursion().save(dir, "hostile_function_if_recursion.onnx") &&
            hostile_function_bomb().save(dir, "hostile_function_bomb.onnx") &&
            hostile_loop_doubling().save(dir, "hostile_loop_doubling.onnx") &&
            hostile_while_loop(false).save(dir, "hostile_while_loop.onnx") &&
            hostile_while_loop(true).save(dir, "hostile_loop_data_cond.onnx") &&
            hostile_einsum_three().save(dir, "hostile_einsum_three.onnx");
  if (!ok) std::cerr << "make_onnx_models: cannot write into " << dir << "\n";
  return ok ? 0 : 1;
}
