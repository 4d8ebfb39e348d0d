// Messages safe to print (common/npusim/text.h, error.h): escaped control characters and
// invalid UTF-8, short excerpts of untrusted text, bounded error lists.
#include <doctest/doctest.h>

#include <string>

#include "npusim/error.h"
#include "npusim/text.h"

TEST_CASE("printable escapes control characters and invalid UTF-8, keeps valid UTF-8") {
  using npusim::printable;
  CHECK(printable("plain text") == "plain text");
  CHECK(printable("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");  // café ✓ kept
  // An OSC title-set and a clear-screen: ESC ] 0 ; t BEL, ESC [ 2 J.
  CHECK(printable("\x1b]0;t\x07\x1b[2J") == "\\x1b]0;t\\x07\\x1b[2J");
  CHECK(printable("a\nb") == "a\\x0ab");
  CHECK(printable("a\nb", true) == "a\nb");
  CHECK(printable("\xff\xfe(") == "\\xff\\xfe(");
  CHECK(printable("\xc2\x9b") == "\\u009b");     // C1 CSI
  CHECK(printable("\xe2\x82") == "\\xe2\\x82");  // a cut-off character
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
}

TEST_CASE("excerpt cuts untrusted text short and says how long it was") {
  using npusim::excerpt;
  CHECK(excerpt("short") == "short");
  const std::string secret(1000, 's');
  CHECK(excerpt(secret, 10) == "ssssssssss... (1000 bytes)");
  // Never inside a UTF-8 character: the cut backs off to the character's first byte.
  CHECK(excerpt("ab\xc3\xa9xyz", 3) == "ab... (7 bytes)");
}

TEST_CASE("ErrorList keeps the first 50 errors and counts the rest") {
  npusim::ErrorList errors;
  CHECK(errors.empty());
  for (int i = 0; i < 1000; ++i) errors.push_back("error " + std::to_string(i));
  CHECK(errors.size() == 1000);
  const std::string text = errors.joined("  ");
  CHECK(text.starts_with("  error 0\n  error 1\n"));
  CHECK(text.find("  error 49\n  ... and 950 more errors") != std::string::npos);
  CHECK(text.find("error 50") == std::string::npos);
}
