#pragma once
// Two kinds of failure, never mixed (STYLE.md rule 5):
//  - UserError: the user's input is wrong; main prints what() and exits with code 2.
//  - NPUSIM_ASSERT: a broken invariant inside npusim; aborts with file:line.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace npusim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Errors collected before failing once (STYLE.md rule 4), bounded: the first kMaxKept are
// kept, the rest only counted, so a 15 MB file of bad rows cannot build a 575 MB message.
class ErrorList {
 public:
  static constexpr size_t kMaxKept = 50;
  void push_back(std::string e) {
    ++count_;
    if (kept_.size() < kMaxKept) kept_.push_back(std::move(e));
  }
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }  // all errors, kept or not
  std::vector<std::string>::const_iterator begin() const { return kept_.begin(); }
  std::vector<std::string>::const_iterator end() const { return kept_.end(); }
  // The kept errors one per line, each after `indent`, then "... and N more errors" if any
  // were dropped.
  std::string joined(const std::string& indent = "") const {
    std::string out;
    for (const std::string& e : kept_) out += (out.empty() ? "" : "\n") + indent + e;
    if (count_ > kept_.size())
      out += "\n" + indent + "... and " + std::to_string(count_ - kept_.size()) + " more errors";
    return out;
  }

 private:
  std::vector<std::string> kept_;
  size_t count_ = 0;
};

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "npusim internal error (a bug, please report): %s:%d: assertion `%s` failed: %s\n", file, line,
               expr, msg.c_str());
  std::abort();
}

}  // namespace npusim

#define NPUSIM_ASSERT(cond, msg)                                          \
  do {                                                                    \
    if (!(cond)) ::npusim::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
