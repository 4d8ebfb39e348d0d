// The shared YAML reader (common/npusim/yaml_text.h): malformed text, a second document and a
// node budget are refused before yaml-cpp builds a tree, each as "FILE:LINE: rule".
#include <doctest/doctest.h>

#include <string>

#include "npusim/yaml_text.h"

using npusim::load_yaml;
using npusim::UserError;
using npusim::YamlBudget;

namespace {

std::string error_of(const std::string& text, const YamlBudget& budget = npusim::kHardwareYaml) {
  try {
    load_yaml(text, "f.yaml", budget);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// "key: {a,a,...}": one byte of input per node (each key has a null value).
std::string flow_map(size_t keys) {
  std::string s = "key: {";
  for (size_t i = 0; i < keys; ++i) s += i ? ",a" : "a";
  return s + "}\n";
}

}  // namespace

TEST_CASE("load_yaml reads one document") {
  YAML::Node n = load_yaml("a: 1\nb: [x, y]\n", "f.yaml", npusim::kHardwareYaml);
  CHECK(n["a"].Scalar() == "1");
  CHECK(n["b"].size() == 2);
  CHECK(load_yaml("", "f.yaml", npusim::kHardwareYaml).IsNull());
  CHECK(load_yaml("a: 1\n...\n", "f.yaml", npusim::kHardwareYaml)["a"].Scalar() == "1");  // an end marker only
  CHECK(load_yaml("---\na: 1\n", "f.yaml", npusim::kHardwareYaml)["a"].Scalar() == "1");  // a start marker only
}

TEST_CASE("load_yaml refuses a second document") {
  CHECK(error_of("a: 1\n---\nb: 2\n") ==
        "f.yaml:2: a second YAML document starts here (after ---); a file holds one document");
  CHECK(error_of("a: 1\n...\n---\n").starts_with("f.yaml:3: a second YAML document"));
}

TEST_CASE("load_yaml names the line of malformed YAML") {
  CHECK(error_of("a: 1\nb: [1, 2\n") == "f.yaml:3: malformed YAML: end of sequence flow not found");
  std::string deep(1000, '[');
  CHECK(error_of(deep).find("malformed YAML: nested too deep: yaml-cpp stops at") != std::string::npos);
}

TEST_CASE("load_yaml's node budget") {
  // 4096 nodes + 1 per 4 bytes, at most max_nodes.
  const YamlBudget b{10000, "a test file"};
  CHECK(npusim::yaml_node_budget(0, b) == 4096);
  CHECK(npusim::yaml_node_budget(4000, b) == 5096);
  CHECK(npusim::yaml_node_budget(1 << 20, b) == 10000);
  SUBCASE("a flow mapping spending one byte per node is refused, naming the limit") {
    const std::string text = flow_map(3000);  // 6007 bytes, 6002 nodes > 4096 + 1501
    CHECK(text.size() == 6007);
    CHECK(error_of(text, b) ==
          "f.yaml:1: more than 5597 YAML nodes (keys, values, lists, mappings); the limit for a test file of 6007 "
          "bytes is 4096 + 1 per 4 bytes, at most 10000");
  }
  SUBCASE("the budget is exact: max_nodes nodes load, one more does not") {
    const YamlBudget tiny{4, "a tiny file"};
    CHECK(load_yaml("[1, 2, 3]", "f.yaml", tiny).size() == 3);  // 4 nodes: the list and 3 items
    CHECK(error_of("[1, 2, 3, 4]", tiny).starts_with("f.yaml:1: more than 4 YAML nodes"));
  }
  SUBCASE("aliases count once, as yaml-cpp shares them") {
    const YamlBudget small{8, "a small file"};
    YAML::Node n = load_yaml("a: &x [1, 2]\nb: *x\n", "f.yaml", small);  // map, a, list, 1, 2, b, alias
    CHECK(n["b"].size() == 2);
  }
}
