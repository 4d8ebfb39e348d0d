#pragma once
// A small streaming JSON writer with deterministic output: keys in the order written,
// two-space indentation (or one line, for JSON Lines), numbers in shortest round-trip form.
#include <string>
#include <string_view>
#include <vector>

namespace npusim::reports {

class JsonWriter {
 public:
  // compact: no spaces or line breaks inside the value (one JSON Lines record per value).
  explicit JsonWriter(bool compact = false) : compact_(compact) {}
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(double x);
  void value(uint64_t x);
  void value(bool b);
  template <class T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
  bool compact_ = false;
};

std::string json_escape(std::string_view s);

}  // namespace npusim::reports
