// The streaming readers behind resume, merge and report: the JSON syntax check, the bounded
// line reader, the index of a results file and its rewrite in point order.
#include <doctest/doctest.h>

#include <string>

#include "npusim/json_check.h"
#include "npusim/line_reader.h"
#include "reports/sweep_results.h"
#include "test_util.h"

using npusim::json_syntax_error;
using npusim::testing::TempDir;

TEST_CASE("json_syntax_error accepts JSON and names the byte of the first mistake") {
  for (const char* ok : {"{}", "[]", " 0 ", "-1.5e+3", "\"a\\u00e9\\n\"", "true", "null",
                         R"({"a":[1,2,{"b":null}],"c":"d"})", "[[[]]]", "{\"k\" : [ 1 , 2 ] }\n"})
    CHECK_MESSAGE(json_syntax_error(ok).empty(), ok);
  CHECK(json_syntax_error("").find("ends where a value should be") != std::string::npos);
  CHECK(json_syntax_error("{\"a\":1") == "byte 7: the text ends inside an array or object");
  CHECK(json_syntax_error("{\"a\" 1}") == "byte 6: expected ':'");
  CHECK(json_syntax_error("{a:1}") == "byte 2: expected a key in quotes");
  CHECK(json_syntax_error("[1,]") == "byte 4: not a JSON value");
  CHECK(json_syntax_error("[1 2]") == "byte 4: expected ',' or ']'");
  CHECK(json_syntax_error("01").find("text after the JSON value") != std::string::npos);
  CHECK(json_syntax_error("1.").find("malformed number") != std::string::npos);
  CHECK(json_syntax_error("\"a\tb\"").find("control character") != std::string::npos);
  CHECK(json_syntax_error("\"\\x\"").find("unknown escape") != std::string::npos);
  CHECK(json_syntax_error("\"\\u12\"").find("malformed \\u escape") != std::string::npos);
  CHECK(json_syntax_error("NaN").find("not a JSON value") != std::string::npos);
  // Depth is bounded without recursion: 10^6 levels cost no stack.
  CHECK(json_syntax_error(std::string(64, '[') + std::string(64, ']')).empty());
  CHECK(json_syntax_error(std::string(65, '[') + std::string(65, ']')) == "byte 65: nested deeper than 64 levels");
  CHECK(json_syntax_error(std::string(1000000, '[')).find("nested deeper") != std::string::npos);
}

TEST_CASE("LineReader: lines in order with offsets, a cut-short tail left out, long lines refused") {
  TempDir dir;
  const std::string big(200000, 'x');
  const std::string path = dir.write("a.txt", "one\n\n" + big + "\ntail");
  npusim::LineReader in(path, "a text file", 300000);
  std::string_view line;
  REQUIRE(in.next(line));
  CHECK(line == "one\n");
  CHECK(in.offset() == 0);
  REQUIRE(in.next(line));
  CHECK(line == "\n");
  CHECK(in.offset() == 4);
  REQUIRE(in.next(line));
  CHECK(line == big + "\n");
  CHECK(in.line_no() == 3);
  CHECK_FALSE(in.next(line));
  CHECK(in.complete_bytes() == 5 + big.size() + 1);
  CHECK(in.tail_bytes() == 4);

  npusim::LineReader strict(path, "a text file", 1000);
  REQUIRE(strict.next(line));
  REQUIRE(strict.next(line));
  CHECK_THROWS_WITH_AS(strict.next(line), doctest::Contains("a.txt:3: a line longer than 1000 bytes"),
                       npusim::UserError);
  CHECK_THROWS_WITH_AS(npusim::LineReader(dir.path(), "a text file", 10), doctest::Contains("is a directory"),
                       npusim::UserError);
  CHECK_THROWS_WITH_AS(npusim::LineReader("/dev/zero", "a text file", 10), doctest::Contains("is not a regular file"),
                       npusim::UserError);
}

TEST_CASE("results files: indexed out of order, rewritten in point order, a repeated point kept once") {
  TempDir dir;
  const std::string h = "{\"sweep\":\"0123456789abcdef\",";
  const std::string header = h + "\"header\":{\"points\":4}}\n";
  auto point = [&](int i) { return h + "\"index\":" + std::to_string(i) + ",\"status\":\"ok\"}\n"; };
  const std::string path = dir.write("r.jsonl", header + point(3) + point(0) + point(3) + point(1) + "{\"sw");
  const npusim::reports::SweepFile f = npusim::reports::read_sweep_file(path);
  CHECK(f.points == 4);
  CHECK(f.lines.size() == 3);
  CHECK(f.has(0));
  CHECK_FALSE(f.has(2));
  CHECK(f.truncated_tail);
  CHECK_FALSE(f.canonical);
  const auto stats = npusim::reports::write_canonical_sweep(dir.path("c.jsonl"), f.header, std::span(&f, 1), f.points);
  CHECK(stats.points_written == 3);
  CHECK(stats.first_missing == std::vector<uint64_t>{2});
  CHECK(npusim::testing::read_file(dir.path("c.jsonl")) == header + point(0) + point(1) + point(3));
  CHECK(npusim::reports::read_sweep_file(dir.path("c.jsonl")).canonical);
}
