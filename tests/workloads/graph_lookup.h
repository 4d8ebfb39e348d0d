#pragma once
// Helpers for the workloads suites: find ops of a built graph by name, and the message of
// the InputError a call throws.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "workloads/graph.h"

namespace npusim::testing {

inline std::optional<workloads::OpId> find_op_id(const workloads::Graph& g, const std::string& name) {
  for (workloads::OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).name == name) return i;
  return std::nullopt;
}

inline const workloads::Op* find_op(const workloads::Graph& g, const std::string& name) {
  auto id = find_op_id(g, name);
  return id ? &g.op(*id) : nullptr;
}

inline bool has_op(const workloads::Graph& g, const std::string& name) { return find_op_id(g, name).has_value(); }

// The op named `name` (or its id); fails the test if there is none.
inline workloads::OpId op_id(const workloads::Graph& g, const std::string& name) {
  auto id = find_op_id(g, name);
  if (!id) FAIL("no op named " << name);
  return *id;
}
inline const workloads::Op& op_named(const workloads::Graph& g, const std::string& name) {
  return g.op(op_id(g, name));
}

// What `fn()` throws as an InputError, or "(no InputError)".
inline std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const workloads::InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace npusim::testing
