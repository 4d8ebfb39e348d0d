#pragma once
// Small text helpers shared by the report writers (run, graph and crosscheck reports).
#include <cstdarg>
#include <cstdio>
#include <string>
#include <string_view>

#include "workloads/workload.h"

namespace npusim::reports {

// printf into a std::string, whatever its length.
inline std::string fmt(const char* f, ...) {
  va_list ap, again;
  va_start(ap, f);
  va_copy(again, ap);
  const int n = std::vsnprintf(nullptr, 0, f, ap);
  va_end(ap);
  std::string out(n > 0 ? size_t(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, f, again);
  va_end(again);
  return out;
}

// One CSV text field: quoted (RFC 4180) only when it holds a comma, a quote or a newline. A
// field starting with = + - @ (or a tab or CR) gets a leading ' so a spreadsheet shows it
// as text instead of running it as a formula (a layer named =HYPERLINK(...)). Numbers are
// not written through here.
inline std::string csv_field(const std::string& text) {
  const std::string s =
      !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos ? "'" + text : text;
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// "text encoder" for kTextEncoder: the role's name as words.
inline std::string role_label(workloads::StageRole r) {
  std::string label(workloads::stage_role_name(r));
  for (char& c : label)
    if (c == '_') c = ' ';
  return label;
}

}  // namespace npusim::reports
