#include "graph_report.h"

#include <sstream>
#include <vector>

#include "json_writer.h"
#include "npusim/text.h"
#include "sim/version.h"
#include "text_util.h"

namespace npusim::reports {

namespace {

using workloads::Graph;
using workloads::Op;
using workloads::OpId;
using workloads::TensorId;
using workloads::TensorKind;

// Columns: format name, value. The order is the one listed in messages.
struct FormatName {
  std::string_view name;
  GraphFormat format;
};
constexpr FormatName kFormats[] = {{"summary", GraphFormat::kSummary},
                                   {"csv", GraphFormat::kCsv},
                                   {"json", GraphFormat::kJson},
                                   {"dot", GraphFormat::kDot}};

// The numbers of one op, shared by every format.
struct LayerRecord {
  const Op* op = nullptr;
  TensorId output = 0;
  uint64_t params = 0;  // elements of the weight tensors it reads
  workloads::OperandBytes bytes;
};

std::vector<LayerRecord> layer_records(const Graph& g) {
  std::vector<LayerRecord> out;
  for (OpId id : g.topological_order()) {
    const Op& op = g.op(id);
    LayerRecord r{.op = &op, .output = op.outputs.at(0), .params = 0, .bytes = g.operand_bytes(id)};
    for (TensorId t : op.inputs)
      if (g.tensor(t).kind == TensorKind::kWeight) r.params += g.tensor(t).elems;
    out.push_back(r);
  }
  return out;
}

struct Totals {
  uint64_t macs = 0, vector_elems = 0, written = 0;
  uint64_t read[workloads::kNumTensorKinds] = {0, 0, 0};
};

Totals totals_of(const std::vector<LayerRecord>& layers) {
  Totals t;
  for (const LayerRecord& r : layers) {
    t.macs += r.op->macs;  // Graph::total_macs has checked the sum fits
    t.vector_elems += r.op->vector_elems;
    t.written += r.bytes.written;
    for (int k = 0; k < workloads::kNumTensorKinds; ++k) t.read[k] += r.bytes.read[k];
  }
  return t;
}

std::string read_bytes_key(int kind) {
  return std::string(workloads::tensor_kind_name(TensorKind(kind))) + "_read_bytes";
}

// "1x4x64x64": a shape without commas, for CSV.
std::string shape_x(const workloads::Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

// A DOT double-quoted string: quotes and backslashes escaped, newlines as \n line breaks.
std::string dot_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

GraphFormat parse_graph_format(std::string_view name) {
  std::vector<std::string> names;
  for (const FormatName& f : kFormats) {
    if (f.name == name) return f.format;
    names.emplace_back(f.name);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  std::string hint = did_you_mean(name, names);
  throw UserError("--format " + std::string(name) + ": unknown graph format" +
                  (hint.empty() ? "" : "; did you mean " + hint + "?") + " (expected one of: " + list + ")");
}

std::string graph_report(const workloads::LoadedModel& m, GraphFormat format) {
  switch (format) {
    case GraphFormat::kSummary:
      return graph_summary(m);
    case GraphFormat::kCsv:
      return graph_csv(m);
    case GraphFormat::kJson:
      return graph_json(m);
    case GraphFormat::kDot:
      return graph_dot(m);
  }
  NPUSIM_ASSERT(false, "unhandled graph format");
}

std::string graph_summary(const workloads::LoadedModel& m) {
  const Graph& g = m.graph;
  auto live = g.liveness();
  std::ostringstream out;
  out << "graph " << g.name() << " (" << m.source << "): " << g.num_ops() << " ops, " << g.param_count() << " params, "
      << g.total_macs() << " MACs, precision " << g.precision_spec().name() << "\n";
  out << "#  op  kind  output_shape  MACs  output_live[first..last]  inputs name[first..last]\n";
  const auto& order = g.topological_order();
  for (size_t i = 0; i < order.size(); ++i) {
    const Op& op = g.op(order[i]);
    TensorId o = op.outputs.at(0);
    out << i << "  " << op.name << "  " << workloads::op_kind_name(op.kind) << "  "
        << workloads::shape_str(g.tensor(o).shape) << "  " << op.macs << "  [" << live[o].first << ".." << live[o].last
        << "]" << (live[o].graph_output ? " output" : "");
    // Input lifetimes show what the op keeps alive, e.g. a skip connection's graph input; weights are omitted.
    const char* sep = "  inputs ";
    for (TensorId in : op.inputs) {
      const workloads::Tensor& t = g.tensor(in);
      if (t.kind == TensorKind::kWeight) continue;
      out << sep << t.name << "[" << live[in].first << ".." << live[in].last << "]";
      sep = ", ";
    }
    out << "\n";
  }
  return out.str();
}

std::string graph_csv(const workloads::LoadedModel& m) {
  const Graph& g = m.graph;
  std::ostringstream out;
  out << "index,name,kind,output_shape,params,macs,vector_elems";
  for (int k = 0; k < workloads::kNumTensorKinds; ++k) out << "," << read_bytes_key(k);
  out << ",written_bytes\n";
  std::vector<LayerRecord> layers = layer_records(g);
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerRecord& r = layers[i];
    out << i << "," << csv_field(r.op->name) << "," << workloads::op_kind_name(r.op->kind) << ","
        << shape_x(g.tensor(r.output).shape) << "," << r.params << "," << r.op->macs << "," << r.op->vector_elems;
    for (uint64_t b : r.bytes.read) out << "," << b;
    out << "," << r.bytes.written << "\n";
  }
  return out.str();
}

std::string graph_json(const workloads::LoadedModel& m) {
  const Graph& g = m.graph;
  std::vector<LayerRecord> layers = layer_records(g);
  Totals t = totals_of(layers);
  JsonWriter w;
  w.begin_object();
  w.field("schema", "npusim.graph");
  w.field("schema_version", uint64_t{kGraphSchemaVersion});
  w.field("npusim_version", version_string());
  w.field("git_commit", git_commit());
  w.field("model", g.name());
  w.field("model_source", m.source);
  w.field("precision", g.precision_spec().name());
  w.key("workload_notes");
  w.begin_array();
  for (const auto& n : m.notes) w.value(n);
  w.end_array();
  w.field("ops", uint64_t{g.num_ops()});
  w.field("params", g.param_count());
  w.field("constant_elements", g.constant_elements());
  w.field("macs", g.total_macs());
  w.field("vector_elems", t.vector_elems);
  for (int k = 0; k < workloads::kNumTensorKinds; ++k) w.field(read_bytes_key(k), t.read[k]);
  w.field("written_bytes", t.written);
  w.key("inputs");
  w.begin_array();
  for (TensorId id = 0; id < g.tensors().size(); ++id) {
    const workloads::Tensor& in = g.tensor(id);
    if (g.producer(id) != workloads::kNoOp || in.kind == TensorKind::kWeight) continue;
    w.begin_object();
    w.field("name", in.name);
    w.field("kind", workloads::tensor_kind_name(in.kind));
    w.key("shape");
    w.begin_array();
    for (uint64_t d : in.shape) w.value(d);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("layers");
  w.begin_array();
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerRecord& r = layers[i];
    w.begin_object();
    w.field("index", uint64_t{i});
    w.field("name", r.op->name);
    w.field("kind", workloads::op_kind_name(r.op->kind));
    w.key("output_shape");
    w.begin_array();
    for (uint64_t d : g.tensor(r.output).shape) w.value(d);
    w.end_array();
    w.key("inputs");  // activations and KV cache by tensor name; weights are counted in params
    w.begin_array();
    for (TensorId in : r.op->inputs)
      if (g.tensor(in).kind != TensorKind::kWeight) w.value(g.tensor(in).name);
    w.end_array();
    w.field("params", r.params);
    w.field("macs", r.op->macs);
    w.field("vector_elems", r.op->vector_elems);
    for (int k = 0; k < workloads::kNumTensorKinds; ++k) w.field(read_bytes_key(k), r.bytes.read[k]);
    w.field("written_bytes", r.bytes.written);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string graph_dot(const workloads::LoadedModel& m) {
  const Graph& g = m.graph;
  const auto& order = g.topological_order();
  std::vector<size_t> position(g.num_ops());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;

  std::ostringstream out;
  out << "// npusim " << version_string() << " (commit " << git_commit() << "): " << g.name() << " from " << m.source
      << ", " << g.num_ops() << " ops, " << g.param_count() << " params, " << g.total_macs() << " MACs, precision "
      << g.precision_spec().name() << "\n";
  out << "// Nodes: ops (boxes, op<position in topological order>) and graph inputs (ellipses);\n"
      << "// edges: activation and KV-cache tensors, labelled with their name. Weights are not drawn.\n";
  out << "digraph " << dot_quoted(g.name()) << " {\n";
  out << "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n";
  out << "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  for (TensorId id = 0; id < g.tensors().size(); ++id) {
    const workloads::Tensor& t = g.tensor(id);
    if (g.producer(id) != workloads::kNoOp || t.kind == TensorKind::kWeight) continue;
    out << "  in" << id << " [shape=ellipse, label="
        << dot_quoted(t.name + "\n" + std::string(workloads::tensor_kind_name(t.kind)) + " " +
                      workloads::shape_str(t.shape))
        << "];\n";
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const Op& op = g.op(order[i]);
    out << "  op" << i << " [label="
        << dot_quoted(op.name + "\n" + std::string(workloads::op_kind_name(op.kind)) + " " +
                      workloads::shape_str(g.tensor(op.outputs.at(0)).shape))
        << "];\n";
  }
  for (size_t i = 0; i < order.size(); ++i) {
    for (TensorId in : g.op(order[i]).inputs) {
      const workloads::Tensor& t = g.tensor(in);
      if (t.kind == TensorKind::kWeight) continue;
      OpId p = g.producer(in);
      out << "  " << (p == workloads::kNoOp ? "in" + std::to_string(in) : "op" + std::to_string(position[p]))
          << " -> op" << i << " [label=" << dot_quoted(t.name) << "];\n";
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace npusim::reports
