#pragma once
// Writers for a model's layer graph on its own, before any mapping (`npusim graph`): a text
// listing with tensor lifetimes, CSV (units in headers), JSON and a Graphviz digraph. Ops appear
// in the graph's topological order; the same graph gives byte-identical output.
//
// Per op: params = elements of the weight tensors it reads (a weight shared by two ops counts in
// each; the total counts it once), MACs, vector-unit elements, bytes read by tensor kind and bytes
// written (Graph::operand_bytes: views move nothing: reshapes, and slices read in place by their MAC reader).
#include <string>
#include <string_view>

#include "workloads/model_registry.h"

namespace npusim::reports {

inline constexpr int kGraphSchemaVersion = 1;

enum class GraphFormat { kSummary, kCsv, kJson, kDot };

// "summary", "csv", "json" or "dot"; anything else is a UserError naming the valid values.
GraphFormat parse_graph_format(std::string_view name);

std::string graph_report(const workloads::LoadedModel& m, GraphFormat format);

std::string graph_summary(const workloads::LoadedModel& m);
std::string graph_csv(const workloads::LoadedModel& m);
std::string graph_json(const workloads::LoadedModel& m);
std::string graph_dot(const workloads::LoadedModel& m);

}  // namespace npusim::reports
