#pragma once
// Reading a text file of any size one line at a time, in bounded memory: a line longer than
// the stated limit is an error, never an allocation the file decides.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "npusim/error.h"

namespace npusim {

// Refuses what is not a readable regular file (links to one included): a missing path, a
// directory, a device, FIFO or socket (a FIFO would block, /dev/zero never ends).
inline void check_regular_input(const std::string& path, std::string_view expected) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    if (fs::is_symlink(fs::symlink_status(path, ec)))
      throw UserError(path + ": a symbolic link to nothing (a missing file or a loop of links)");
    throw UserError(path + ": no such file");
  }
  if (fs::is_directory(st)) throw UserError(path + ": is a directory, expected " + std::string(expected));
  if (!fs::is_regular_file(st))
    throw UserError(path + ": is not a regular file (a device, FIFO or socket), expected " + std::string(expected));
}

class LineReader {
 public:
  // Opens `path` (a regular file, see check_regular_input); lines longer than `max_line_bytes`
  // (with the '\n') are a UserError naming the file and line.
  LineReader(const std::string& path, std::string_view expected, size_t max_line_bytes)
      : path_(path), max_line_(max_line_bytes) {
    check_regular_input(path, expected);
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw UserError(path + ": cannot be read: " + std::strerror(errno));
  }
  ~LineReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next complete line, '\n' included, valid until the next call; false at the end. A
  // last line without '\n' is not returned: tail_bytes() says how long it is.
  bool next(std::string_view& line) {
    for (;;) {
      const size_t nl = buf_.find('\n', start_ + scan_);
      if (nl != std::string::npos) {
        line = std::string_view(buf_).substr(start_, nl + 1 - start_);
        offset_ = consumed_;
        consumed_ += line.size();
        ++line_no_;
        start_ = nl + 1;
        scan_ = 0;
        return true;
      }
      scan_ = buf_.size() - start_;
      if (scan_ >= max_line_)
        throw UserError(path_ + ":" + std::to_string(line_no_ + 1) + ": a line longer than " +
                        std::to_string(max_line_) + " bytes; not a file npusim wrote");
      if (eof_) return false;
      if (start_ > 0) {  // drop the lines already returned, once per read
        buf_.erase(0, start_);
        start_ = 0;
      }
      char chunk[1 << 16];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw UserError(path_ + ": cannot be read: " + std::strerror(errno));
      if (n == 0) eof_ = true;
      buf_.append(chunk, size_t(n));
    }
  }
  uint64_t line_no() const { return line_no_; }                 // of the line last returned (1-based)
  uint64_t offset() const { return offset_; }                   // byte offset of the line last returned
  uint64_t complete_bytes() const { return consumed_; }         // bytes in complete lines so far
  uint64_t tail_bytes() const { return buf_.size() - start_; }  // after next() returned false

 private:
  std::string path_;
  size_t max_line_;
  int fd_ = -1;
  std::string buf_;
  size_t start_ = 0, scan_ = 0;
  uint64_t consumed_ = 0, offset_ = 0, line_no_ = 0;
  bool eof_ = false;
};

// The '\n'-terminated line starting at byte `offset` of the open file `fd`, read with pread
// (at most `max_line_bytes`; a longer or unterminated line is a UserError naming `path`).
inline std::string read_line_at(int fd, uint64_t offset, size_t max_line_bytes, const std::string& path) {
  std::string line;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(offset + line.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UserError(path + ": cannot be read: " + std::strerror(errno));
    if (n == 0)
      throw UserError(path + ": changed while being read (a line at byte " + std::to_string(offset) + " ends early)");
    const void* nl = std::memchr(chunk, '\n', size_t(n));
    if (nl) {
      line.append(chunk, size_t(static_cast<const char*>(nl) - chunk) + 1);
      return line;
    }
    line.append(chunk, size_t(n));
    if (line.size() > max_line_bytes)
      throw UserError(path + ": a line longer than " + std::to_string(max_line_bytes) + " bytes");
  }
}

}  // namespace npusim
