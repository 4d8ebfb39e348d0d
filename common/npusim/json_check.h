#pragma once
// A JSON syntax check (RFC 8259) that builds nothing: enough to refuse a garbled or hostile
// file in C++ with one clear message before a reader that would fail less clearly (Python's
// json module, with a traceback and a recursion limit) sees it.
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace npusim {

// "" if `text` is one JSON value (surrounded by whitespace at most) nested at most `max_depth`
// arrays/objects deep; else what is wrong and at which byte, e.g. "byte 17: expected ':'".
inline std::string json_syntax_error(std::string_view text, size_t max_depth = 64) {
  size_t i = 0, depth = 0;
  std::string error;
  auto fail = [&](const std::string& what) {
    if (error.empty()) error = "byte " + std::to_string(i + 1) + ": " + what;
    return false;
  };
  auto ws = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  auto literal = [&](std::string_view word) {
    if (text.substr(i, word.size()) != word) return fail("not a JSON value");
    i += word.size();
    return true;
  };
  auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  auto number = [&] {
    if (text[i] == '-') ++i;
    if (i < text.size() && text[i] == '0')
      ++i;
    else if (!digits())
      return fail("a malformed number");
    if (i < text.size() && text[i] == '.' && (++i, !digits())) return fail("a malformed number");
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
      if (!digits()) return fail("a malformed number");
    }
    return true;
  };
  auto string = [&] {
    ++i;  // the opening quote
    while (i < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c < 0x20) return fail("a control character inside a string");
      if (c == '\\') {
        if (++i >= text.size()) break;
        const char e = text[i];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i + k >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + k])))
              return fail("a malformed \\u escape");
          i += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return fail("an unknown escape in a string");
        }
      }
      ++i;
    }
    return fail("a string that does not end");
  };
  // value := scalar | '[' (value (',' value)*)? ']' | '{' (string ':' value (',' ...)*)? '}'
  // Walked with an explicit stack of open containers, so depth costs no C++ stack.
  std::string open;  // '[' or '{' per open container
  auto value = [&]() -> bool {
    for (;;) {
      ws();
      if (i >= text.size()) return fail("the text ends where a value should be");
      const char c = text[i];
      bool scalar_done = false;
      if (c == '[' || c == '{') {
        if (++depth > max_depth) return fail("nested deeper than " + std::to_string(max_depth) + " levels");
        open.push_back(c);
        ++i;
        ws();
        if (i < text.size() && text[i] == (c == '[' ? ']' : '}')) {
          ++i;
          open.pop_back();
          --depth;
          scalar_done = true;
        } else if (c == '{') {
          if (i >= text.size() || text[i] != '"') return fail("expected a key in quotes");
          if (!string()) return false;
          ws();
          if (i >= text.size() || text[i] != ':') return fail("expected ':'");
          ++i;
          continue;  // the member's value
        } else {
          continue;  // the first element
        }
      } else if (c == '"') {
        if (!string()) return false;
        scalar_done = true;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!number()) return false;
        scalar_done = true;
      } else if (c == 't') {
        if (!literal("true")) return false;
        scalar_done = true;
      } else if (c == 'f') {
        if (!literal("false")) return false;
        scalar_done = true;
      } else if (c == 'n') {
        if (!literal("null")) return false;
        scalar_done = true;
      } else {
        return fail("not a JSON value");
      }
      // After a complete value: close containers or move to the next element.
      while (scalar_done) {
        if (open.empty()) return true;
        ws();
        if (i >= text.size()) return fail("the text ends inside an array or object");
        const char close = open.back() == '[' ? ']' : '}';
        if (text[i] == close) {
          ++i;
          open.pop_back();
          --depth;
          continue;
        }
        if (text[i] != ',') return fail(std::string("expected ',' or '") + close + "'");
        ++i;
        if (open.back() == '{') {
          ws();
          if (i >= text.size() || text[i] != '"') return fail("expected a key in quotes");
          if (!string()) return false;
          ws();
          if (i >= text.size() || text[i] != ':') return fail("expected ':'");
          ++i;
        }
        scalar_done = false;
      }
    }
  };
  if (!value()) return error;
  ws();
  if (i != text.size()) {
    fail("text after the JSON value");
    return error;
  }
  return "";
}

}  // namespace npusim
