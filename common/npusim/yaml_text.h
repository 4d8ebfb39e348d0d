#pragma once
// Text of a YAML node for error messages, bounded: yaml-cpp shares aliased nodes, so a few
// lines of anchors and aliases can stand for a tree of billions of nodes ("billion laughs")
// that an Emitter would expand in full. Include only from code that links yaml-cpp.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "npusim/error.h"
#include "npusim/text.h"

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
  if (n.IsScalar()) return excerpt(n.Scalar());
  size_t budget = max_nodes;
  if (!yaml_fits(n, budget))
    return n.IsMap() ? "{a mapping of more than " + std::to_string(max_nodes) + " nodes}"
                     : "[a list of more than " + std::to_string(max_nodes) + " nodes]";
  YAML::Emitter e;
  e << YAML::Flow << n;
  return excerpt(e.c_str());
}

// The rule a YAML parse error broke. yaml-cpp reports its nesting limit (2000 levels, against
// stack exhaustion) with the unhelpful text "bad file".
inline std::string yaml_error_text(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e))
    return "nested too deep: yaml-cpp stops at " + std::to_string(static_cast<const YAML::DeepRecursion&>(e).depth()) +
           " levels";
  return e.msg;
}

// The node budget of one YAML front end. yaml-cpp's tree costs about 0.5 KB per node (measured:
// 465 B per node for a flow mapping {a,a,...}, 485 B for block "key: 1" lines), and a flow
// mapping spends one byte per node, so a 16 MiB file could ask for 8 GB. load_yaml allows
// kYamlBaseNodes + 1 node per kYamlBytesPerNode input bytes, never more than max_nodes: the tree
// stays under about 128x the input's size + 2 MiB, and under max_nodes x 0.5 KB whatever the
// size. Real files use 4-10 bytes per node.
inline constexpr size_t kYamlBaseNodes = 4096;
inline constexpr size_t kYamlBytesPerNode = 4;
struct YamlBudget {
  size_t max_nodes;       // the ceiling for this front end
  std::string_view what;  // the kind of file, for the message: "a hardware config"
};

// The node budget load_yaml gives a text of `bytes` bytes.
constexpr size_t yaml_node_budget(size_t bytes, const YamlBudget& b) {
  return std::min(b.max_nodes, kYamlBaseNodes + bytes / kYamlBytesPerNode);
}

namespace detail {

// Counts the nodes of a YAML event stream without building them; stops (by throwing) at the
// first node over `budget` and at the start of a second document.
class YamlCounter : public YAML::EventHandler {
 public:
  struct Stop {
    YAML::Mark mark;
    bool second_document;
  };
  explicit YamlCounter(size_t budget) : budget_(budget) {}
  void OnDocumentStart(const YAML::Mark& m) override {
    if (++documents_ > 1) throw Stop{m, true};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& m) {
    if (++nodes_ > budget_) throw Stop{m, false};
  }
  size_t budget_;
  size_t nodes_ = 0;
  int documents_ = 0;
};

inline std::string yaml_where(const std::string& file, const YAML::Mark& m) {
  return m.is_null() ? file + ": " : file + ":" + std::to_string(m.line + 1) + ": ";
}

}  // namespace detail

// Why `text` is refused as YAML before a tree is built, with where: malformed YAML (rule
// "malformed YAML: ..."), a second document after `---` (yaml-cpp's Load would ignore it) or
// more nodes than yaml_node_budget allows. Nothing if it may be loaded. An event pass: it
// holds a few MiB whatever the input.
struct YamlRefusal {
  YAML::Mark mark;
  std::string rule;
};
inline std::optional<YamlRefusal> yaml_refusal(std::string_view text, const YamlBudget& budget) {
  const size_t max_nodes = yaml_node_budget(text.size(), budget);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    detail::YamlCounter counter(max_nodes);
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const detail::YamlCounter::Stop& s) {
    if (s.second_document)
      return YamlRefusal{s.mark, "a second YAML document starts here (after ---); a file holds one document"};
    return YamlRefusal{s.mark, "more than " + std::to_string(max_nodes) +
                                   " YAML nodes (keys, values, lists, mappings); the limit for " +
                                   std::string(budget.what) + " of " + std::to_string(text.size()) + " bytes is " +
                                   std::to_string(kYamlBaseNodes) + " + 1 per " + std::to_string(kYamlBytesPerNode) +
                                   " bytes, at most " + std::to_string(budget.max_nodes)};
  } catch (const YAML::Exception& e) {
    return YamlRefusal{e.mark, "malformed YAML: " + yaml_error_text(e)};
  }
  return std::nullopt;
}

// The one YAML reader of every front end (hardware, graph, model config, pipeline, sweep,
// perf.yaml, corpus): the tree of `text` once yaml_refusal has no objection, else
// Error("FILE:LINE: rule"). The tree is bounded as YamlBudget says.
template <class Error = UserError>
YAML::Node load_yaml(std::string_view text, const std::string& file, const YamlBudget& budget) {
  if (auto r = yaml_refusal(text, budget)) throw Error(detail::yaml_where(file, r->mark) + r->rule);
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {  // not expected: the event pass parsed the same text
    throw Error(detail::yaml_where(file, e.mark) + "malformed YAML: " + yaml_error_text(e));
  }
}

// Budgets of the front ends (the tree stays under max_nodes x ~0.5 KB).
inline constexpr YamlBudget kHardwareYaml{1 << 16, "a hardware config"};  // <= 32 MiB
inline constexpr YamlBudget kModelConfigYaml{1 << 16, "a model config"};  // <= 32 MiB
inline constexpr YamlBudget kGraphYaml{1 << 21, "a model file"};          // <= 1 GiB (200000 ops)
inline constexpr YamlBudget kSweepYaml{1 << 20, "a sweep file"};          // <= 512 MiB
inline constexpr YamlBudget kMeasuredYaml{1 << 20, "a perf.yaml"};        // <= 512 MiB
inline constexpr YamlBudget kCorpusYaml{1 << 16, "a corpus"};             // <= 32 MiB

}  // namespace npusim