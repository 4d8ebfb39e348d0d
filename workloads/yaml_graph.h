#pragma once
// A small YAML format for hand-written layer graphs (tests and quick experiments):
//
//   graph: tiny-block
//   precision: w8a8                      # optional; default w8a8; overrides as in w4a16,kv_cache=int8
//   inputs:
//     - {name: x, shape: [1, 64, 32, 32]}              # kind: activation (default) | kv_cache
//   layers:
//     - {name: conv1, op: conv2d, input: x, out_channels: 64, kernel: 3, padding: 1}
//     - {name: act1, op: silu, input: conv1}
//     - {name: res, op: add, inputs: [act1, x]}
//
// Each layer's output is named after the layer. `npusim graph --explain-ops` lists every
// op with its keys.
#include <optional>
#include <string>

#include "graph.h"

namespace npusim::workloads {

// Builds the graph in `path`. `precision` overrides the file's `precision:`. Throws
// InputError naming file, line, key path, value and rule.
Graph load_yaml_graph(const std::string& path, const std::optional<PrecisionSpec>& precision);
Graph load_yaml_graph_text(const std::string& yaml, const std::string& display_name,
                           const std::optional<PrecisionSpec>& precision, const GraphLimits& limits = {});
// Reads `path` but names it `display_name` in messages (e.g. a path relative to the repo).
Graph load_yaml_graph_text_from_file(const std::string& path, const std::string& display_name,
                                     const std::optional<PrecisionSpec>& precision, const GraphLimits& limits = {});

// The ops of the format with their required and optional keys, one per line.
std::string explain_yaml_ops();

}  // namespace npusim::workloads
