#pragma once
// Shared by the fuzz targets. Each target defines LLVMFuzzerTestOneInput over one loader; the
// same source links into a libFuzzer binary (NPUSIM_FUZZ=ON, clang) and into the replay driver
// (every build) that ctest runs over the kept regression inputs.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "npusim/error.h"

namespace npusim::fuzz {

// Runs `f`; a UserError is the wanted answer to bad input. Anything else (another exception,
// an assertion, a sanitizer report) escapes and is a finding.
template <class F>
void expect_user_error(F&& f) {
  try {
    f();
  } catch (const UserError&) {
  }
}

// A resolved YAML without its comment lines (sources and --set overrides differ on reload).
inline std::string without_comments(const std::string& yaml) {
  std::string out;
  for (size_t start = 0; start < yaml.size();) {
    size_t end = yaml.find('\n', start);
    if (end == std::string::npos) end = yaml.size();
    if (yaml[start] != '#') out.append(yaml, start, end - start + 1);
    start = end + 1;
  }
  return out;
}

// Splits the input at NUL bytes: part 0 is the file's text, the rest are extra arguments.
inline std::vector<std::string> split_nul(const uint8_t* data, size_t size) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0)
      parts.emplace_back();
    else
      parts.back().push_back(static_cast<char>(data[i]));
  }
  return parts;
}

// A file holding `data` under `name` in this process's own temporary folder (loaders that
// sniff a file's format by name and content read it from a path).
inline std::string write_temp_file(const std::string& name, const uint8_t* data, size_t size) {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("npusim-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::filesystem::path p = dir / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p.string();
}

}  // namespace npusim::fuzz
