#pragma once
// Two kinds of failure, never mixed (STYLE.md rule 5):
//  - UserError: the user's input is wrong; main prints what() and exits with code 2.
//  - NPUSIM_ASSERT: a broken invariant inside npusim; aborts with file:line.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace npusim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
