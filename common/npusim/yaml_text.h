#pragma once
// Text of a YAML node for error messages, bounded: yaml-cpp shares aliased nodes, so a few
// lines of anchors and aliases can stand for a tree of billions of nodes ("billion laughs")
// that an Emitter would expand in full. Include only from code that links yaml-cpp.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

namespace npusim {

// Counts the nodes of `n` with aliases expanded, giving up once `budget` is spent.
inline bool yaml_fits(const YAML::Node& n, size_t& budget) {
  if (budget == 0) return false;
  --budget;
  if (n.IsSequence() || n.IsMap())
    for (const auto& item : n) {
      if (n.IsMap() ? !yaml_fits(item.first, budget) || !yaml_fits(item.second, budget) : !yaml_fits(item, budget))
        return false;
    }
  return true;
}

// Flow-style text of `n` ("{rows: 4}", "[a, b]", a scalar as written) if it has at most
// `max_nodes` nodes, else a short description of it.
inline std::string yaml_flow_text(const YAML::Node& n, size_t max_nodes = 256) {
  if (n.IsScalar()) return n.Scalar();
  size_t budget = max_nodes;
  if (!yaml_fits(n, budget))
    return n.IsMap() ? "{a mapping of more than " + std::to_string(max_nodes) + " nodes}"
                     : "[a list of more than " + std::to_string(max_nodes) + " nodes]";
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// The rule a YAML parse error broke. yaml-cpp reports its nesting limit (2000 levels, against
// stack exhaustion) with the unhelpful text "bad file".
inline std::string yaml_error_text(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e))
    return "nested too deep: yaml-cpp stops at " + std::to_string(static_cast<const YAML::DeepRecursion&>(e).depth()) +
           " levels";
  return e.msg;
}

}  // namespace npusim
