#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

using npusim::testing::lines_of;

namespace {

using Result = npusim::testing::CliResult;
Result cli(const std::vector<std::string>& args) { return npusim::testing::run_cli_capture(args); }

// A parsed JSON value; numbers keep their literal text.
struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  std::string text;  // kNumber literal, kString value, kBool "true"/"false"
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  const Json& operator[](const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return v;
    throw std::runtime_error("no key " + key);
  }
  bool has(const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return true;
    return false;
  }
  uint64_t u64() const {
    if (type != kNumber) throw std::runtime_error("not a number: " + text);
    return std::stoull(text);
  }
};

// A strict RFC 8259 parser, enough to prove the output is JSON; throws on the first error.
class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}
  Json document() {
    Json v = value();
    ws();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  char peek() {
    ws();
    if (i_ >= s_.size()) fail("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      char e = s_[i_++];
      if (e == 'u') {
        if (i_ + 4 > s_.size()) fail("short \\u escape");
        for (int k = 0; k < 4; ++k)
          if (!std::isxdigit(static_cast<unsigned char>(s_[i_ + k]))) fail("bad \\u escape");
        out += "\\u" + std::string(s_.substr(i_, 4));
        i_ += 4;
      } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        fail("bad escape");
      }
    }
  }
  Json number() {
    size_t start = i_;
    auto digits = [&] {
      size_t d = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == d) fail("expected a digit");
    };
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0')
      ++i_;
    else
      digits();
    if (i_ < s_.size() && s_[i_] == '.') ++i_, digits();
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      digits();
    }
    Json j;
    j.type = Json::kNumber;
    j.text = std::string(s_.substr(start, i_ - start));
    return j;
  }
  Json value() {
    char c = peek();
    Json j;
    if (c == '{') {
      ++i_;
      j.type = Json::kObject;
      if (peek() == '}') return ++i_, j;
      do {
        std::string k = string();
        expect(':');
        j.fields.emplace_back(k, value());
      } while (peek() == ',' && ++i_);
      expect('}');
    } else if (c == '[') {
      ++i_;
      j.type = Json::kArray;
      if (peek() == ']') return ++i_, j;
      do j.items.push_back(value());
      while (peek() == ',' && ++i_);
      expect(']');
    } else if (c == '"') {
      j.type = Json::kString;
      j.text = string();
    } else if (literal("true")) {
      j.type = Json::kBool;
      j.text = "true";
    } else if (literal("false")) {
      j.type = Json::kBool;
      j.text = "false";
    } else if (literal("null")) {
      j.type = Json::kNull;
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      j = number();
    } else {
      fail("unexpected character");
    }
    return j;
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::vector<uint64_t> u64s(const Json& array) {
  std::vector<uint64_t> out;
  for (const Json& j : array.items) out.push_back(j.u64());
  return out;
}

const Json& layer(const Json& doc, const std::string& name) {
  for (const Json& l : doc["layers"].items)
    if (l["name"].text == name) return l;
  throw std::runtime_error("no layer " + name);
}

}  // namespace

TEST_CASE("the test's JSON parser rejects what is not JSON") {
  CHECK_THROWS(JsonParser("{\"a\": 1,}").document());
  CHECK_THROWS(JsonParser("{\"a\": 01}").document());
  CHECK_THROWS(JsonParser("[1] x").document());
  CHECK(JsonParser(" {\"a\": [1, -2.5e3, \"x\\n\", true, null]} ").document()["a"].items.size() == 5);
}

TEST_CASE("graph --format json: tiny-block's totals and layers") {
  Result r = cli({"graph", "--model", "tiny-block", "--format", "json"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  Json doc = JsonParser(r.out).document();
  CHECK(doc["schema"].text == "npusim.graph");
  CHECK(doc["schema_version"].u64() == 1);
  CHECK(doc.has("git_commit"));
  CHECK(doc["model"].text == "tiny-block");
  CHECK(doc["model_source"].text == "configs/models/tiny-block.yaml");
  CHECK(doc["precision"].text == "w8a8");
  // norm1, norm2, ln: 64 scale + 64 shift = 128 each; conv1, conv2: 64*64*3*3 + 64 = 36,928 each;
  // q, k, v, out_proj: 64*64 + 64 = 4,160 each. 3*128 + 2*36,928 + 4*4,160 = 90,880.
  CHECK(doc["params"].u64() == 90'880);
  // convs 2 * (64*16*16 * 64*3*3 = 9,437,184) + linears 4 * (256*64*64 = 1,048,576)
  // + scores and context 2 * (256*256*64 = 4,194,304) = 31,457,280
  CHECK(doc["macs"].u64() == 31'457'280);
  CHECK(doc["kv_cache_read_bytes"].u64() == 0);
  REQUIRE(doc["inputs"].items.size() == 1);
  CHECK(doc["inputs"].items[0]["name"].text == "x");
  CHECK(u64s(doc["inputs"].items[0]["shape"]) == std::vector<uint64_t>{1, 64, 16, 16});

  const Json& layers = doc["layers"];
  REQUIRE(layers.items.size() == 22);
  uint64_t params = 0, macs = 0;
  for (size_t i = 0; i < layers.items.size(); ++i) {
    CHECK(layers.items[i]["index"].u64() == i);
    params += layers.items[i]["params"].u64();
    macs += layers.items[i]["macs"].u64();
  }
  CHECK(params == 90'880);  // no weight is shared, so the per-layer sum is the total
  CHECK(macs == 31'457'280);

  const Json& conv1 = layer(doc, "conv1");
  CHECK(conv1["kind"].text == "conv2d");
  CHECK(u64s(conv1["output_shape"]) == std::vector<uint64_t>{1, 64, 16, 16});
  CHECK(conv1["params"].u64() == 36'928);
  CHECK(conv1["macs"].u64() == 9'437'184);
  // w8a8: 36,864 int8 weights + 64 int32 biases = 37,120 bytes; the int8 input and output are 64*16*16.
  CHECK(conv1["weight_read_bytes"].u64() == 37'120);
  CHECK(conv1["activation_read_bytes"].u64() == 16'384);
  CHECK(conv1["written_bytes"].u64() == 16'384);
  // scores read q4 and k4 (256*64 each) and write the 256x256 score matrix.
  const Json& scores = layer(doc, "scores");
  CHECK(scores["activation_read_bytes"].u64() == 2 * 16'384);
  CHECK(scores["written_bytes"].u64() == 65'536);
  CHECK(scores["inputs"].items.size() == 2);
  CHECK(layer(doc, "probs")["vector_elems"].u64() == 65'536);
  // A reshape is a view: nothing read or written.
  CHECK(layer(doc, "tokens")["activation_read_bytes"].u64() == 0);
  CHECK(layer(doc, "tokens")["written_bytes"].u64() == 0);
}

TEST_CASE("graph --format csv: header with units, one row per op") {
  Result r = cli({"graph", "--model", "tiny-block", "--format", "csv"});
  REQUIRE(r.code == 0);
  std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == 1 + 22);
  CHECK(lines[0] ==
        "index,name,kind,output_shape,params,macs,vector_elems,weight_read_bytes,activation_read_bytes,"
        "kv_cache_read_bytes,written_bytes");
  for (size_t i = 1; i < lines.size(); ++i) CHECK(std::count(lines[i].begin(), lines[i].end(), ',') == 10);
  bool found = false;
  for (const auto& l : lines) found = found || l == "2,conv1,conv2d,1x64x16x16,36928,9437184,0,37120,16384,0,16384";
  CHECK(found);
}

TEST_CASE("graph --format dot: one node per op, deterministic") {
  Result r = cli({"graph", "--model", "tiny-block", "--format", "dot"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("digraph \"tiny-block\" {\n") != std::string::npos);
  CHECK(r.out.ends_with("}\n"));
  size_t op_nodes = 0, input_nodes = 0, edges = 0;
  for (const auto& l : lines_of(r.out)) {
    if (l.starts_with("  op") && l.find(" [label=") != std::string::npos && l.find(" -> ") == std::string::npos)
      ++op_nodes;
    if (l.starts_with("  in") && l.find("[shape=ellipse") != std::string::npos) ++input_nodes;
    if (l.find(" -> ") != std::string::npos) ++edges;
  }
  CHECK(op_nodes == 22);
  CHECK(input_nodes == 1);  // x
  // Non-weight operands: 18 single-input ops + res, scores, context, out with two = 26 edges.
  CHECK(edges == 26);
  CHECK(r.out.find("  op2 [label=\"conv1\\nconv2d [1, 64, 16, 16]\"];") != std::string::npos);
  CHECK(r.out.find("  in0 -> op0 [label=\"x\"];") != std::string::npos);
  CHECK(cli({"graph", "--model", "tiny-block", "--format", "dot"}).out == r.out);
}

TEST_CASE("graph --format: summary is the default, and a bad format is a usage error") {
  Result def = cli({"graph", "--model", "tiny-block"});
  Result sum = cli({"graph", "--model", "tiny-block", "--format=summary"});
  CHECK(def.code == 0);
  CHECK(def.out == sum.out);
  CHECK(def.out.starts_with("graph tiny-block (configs/models/tiny-block.yaml): 22 ops, 90880 params"));

  Result bad = cli({"graph", "--model", "tiny-block", "--format", "xml"});
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == "error: --format xml: unknown graph format (expected one of: summary, csv, json, dot)\n");
  Result typo = cli({"graph", "--model", "tiny-block", "--format", "jsn"});
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean json?") != std::string::npos);
}

TEST_CASE("graph --format json for a built-in UNet parses and matches its param count") {
  Result r = cli({"graph", "--model", "sdxl-unet", "--dim", "resolution=256", "--format", "json"});
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  Json doc = JsonParser(r.out).document();
  CHECK(doc["params"].u64() == 2'567'463'684);
  CHECK(doc["layers"].items.size() == doc["ops"].u64());
}
