#include "json_writer.h"

#include <cmath>

#include "arch/units.h"
#include "npusim/error.h"

namespace npusim::reports {

std::string json_escape(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

void JsonWriter::newline() {
  if (compact_) return;
  out_ += '\n';
  out_.append(2 * first_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
}

void JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  first_.push_back(true);
}

void JsonWriter::end_object() {
  NPUSIM_ASSERT(!first_.empty(), "unbalanced JSON object");
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += '}';
  if (first_.empty()) out_ += '\n';
}

void JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  first_.push_back(true);
}

void JsonWriter::end_array() {
  NPUSIM_ASSERT(!first_.empty(), "unbalanced JSON array");
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += ']';
}

void JsonWriter::key(std::string_view k) {
  before_value();
  out_ += json_escape(k) + (compact_ ? ":" : ": ");
  after_key_ = true;
}

void JsonWriter::value(std::string_view s) {
  before_value();
  out_ += json_escape(s);
}

void JsonWriter::value(double x) {
  before_value();
  out_ += std::isfinite(x) ? arch::format_number(x) : "null";
}

void JsonWriter::value(uint64_t x) {
  before_value();
  out_ += std::to_string(x);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

}  // namespace npusim::reports
