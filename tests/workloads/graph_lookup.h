#pragma once
// Helpers for the workloads suites: find ops of a built graph by name or kind, a model's notes,
// and the message of the InputError a call throws.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "workloads/graph.h"
#include "workloads/model_registry.h"

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

// The first op of kind `k`, or nullptr; and how many there are.
inline const workloads::Op* find_kind(const workloads::Graph& g, workloads::OpKind k) {
  for (workloads::OpId i = 0; i < g.num_ops(); ++i)
    if (g.op(i).kind == k) return &g.op(i);
  return nullptr;
}
inline int count_kind(const workloads::Graph& g, workloads::OpKind k) {
  int n = 0;
  for (workloads::OpId i = 0; i < g.num_ops(); ++i) n += g.op(i).kind == k;
  return n;
}

// Whether one of the model's notes contains `text`.
inline bool has_note(const workloads::LoadedModel& lm, const std::string& text) {
  for (const auto& n : lm.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
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
