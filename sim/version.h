#pragma once
// Version and git commit, generated at build time by cmake/WriteVersion.cmake.
namespace npusim {
const char* version_string();
const char* git_commit();  // short hash, "-dirty" if the tree had changes, or "unknown"
}  // namespace npusim
