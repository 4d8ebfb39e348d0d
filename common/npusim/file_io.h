#pragma once
// Reading user files: bounded in size, with one message per way a path can be wrong.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "npusim/error.h"

namespace npusim {

// The whole text of `path`, refusing a missing path, a directory (`expected` names what was
// wanted, e.g. "a YAML file") and anything over `max_bytes` (`limit_for` names the kind of
// file in the message). Reads at most max_bytes + 1 bytes, so a device or pipe that never
// ends (/dev/zero) is refused too. Throws Error (a UserError) as "<path>: <rule>".
template <class Error = UserError>
std::string read_text_file(const std::filesystem::path& path, std::string_view expected, uint64_t max_bytes,
                           std::string_view limit_for) {
  namespace fs = std::filesystem;
  const std::string p = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(p + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(p + ": is a directory, expected " + std::string(expected));
  // A FIFO would block the open forever and a device never ends: only regular files (links
  // to them included) are read.
  if (!fs::is_regular_file(path, ec))
    throw Error(p + ": is not a regular file (a device, FIFO or socket), expected " + std::string(expected));
  auto too_big = [&](const std::string& size) {
    return Error(p + ": " + size + " bytes is larger than the " + std::to_string(max_bytes) + "-byte limit for " +
                 std::string(limit_for));
  };
  auto size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) throw too_big(std::to_string(size));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(p + ": cannot be read");
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) throw too_big("more than " + std::to_string(max_bytes));
  }
  return text;
}

// Replaces the file at `path` with what is written to it: written to a new temporary file
// beside it (created with O_EXCL, so it never opens an existing file or link) and renamed over
// `path` by commit(), so a reader sees the old file or the new one, never half of one. Only a
// regular file is replaced: a device, FIFO, socket, directory or symbolic link at `path` is
// refused, so `--out /dev/null` or a planted link cannot make npusim destroy or follow it. A
// failed write (disk full, file size limit) or a writer destroyed before commit() removes the
// temporary file and leaves `path` as it was. Writes are buffered (1 MiB), so a file of any
// size streams through a bounded amount of memory. Throws UserError.
class FileReplacer {
 public:
  explicit FileReplacer(const std::filesystem::path& path) : path_(path.string()) {
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
      if (S_ISLNK(st.st_mode))
        throw UserError(path_ +
                        ": is a symbolic link; npusim does not write through links, name the file it points to");
      if (!S_ISREG(st.st_mode))
        throw UserError(path_ + ": is not a regular file (a device, FIFO, socket or directory); choose a file path");
    }
    tmp_ = path_ + ".tmp-XXXXXX";
    fd_ = ::mkstemp(tmp_.data());
    if (fd_ < 0) throw UserError(path_ + ": cannot create a temporary file beside it: " + std::strerror(errno));
    ::fchmod(fd_, 0644);
  }
  ~FileReplacer() { discard(); }
  FileReplacer(const FileReplacer&) = delete;
  FileReplacer& operator=(const FileReplacer&) = delete;

  void write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kBufferBytes) flush();
  }
  // Flushes, closes and renames the temporary file over the target.
  void commit() {
    flush();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write the file");
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot replace the file");
    tmp_.clear();
  }

 private:
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  void flush() {
    for (size_t done = 0; done < buffer_.size();) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write the file");
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }
  [[noreturn]] void fail(const std::string& what) {
    const int err = errno;
    discard();
    throw UserError(path_ + ": " + what + ": " + std::strerror(err));
  }
  void discard() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
  }
  std::string path_, tmp_, buffer_;
  int fd_ = -1;
};

// Replaces the file at `path` with `text` (see FileReplacer).
inline void replace_file_safely(const std::filesystem::path& path, std::string_view text) {
  FileReplacer out(path);
  out.write(text);
  out.commit();
}

// The first `max_bytes` bytes of `path` (fewer if it is shorter; "" if it cannot be read):
// enough to recognise a file's format without reading all of it.
inline std::string read_file_head(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(max_bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(max_bytes));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return head;
}

// "<last two folders of dir>/<file>", e.g. "configs/hw/expedera-8k.yaml": names a file found
// in a search directory the same way on every checkout, so reports stay byte-identical.
inline std::string display_path(const std::filesystem::path& dir, const std::string& file) {
  std::filesystem::path d = dir.lexically_normal();
  if (!d.has_filename()) d = d.parent_path();
  return (d.parent_path().filename() / d.filename() / file).string();
}

// Stems of the "*.yaml" files directly in `dirs` (missing directories are skipped), added to
// `names`, which keeps them sorted and unique.
inline void add_yaml_stems(const std::vector<std::string>& dirs, std::set<std::string>& names) {
  for (const std::string& d : dirs) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".yaml") names.insert(it->path().stem().string());
  }
}

}  // namespace npusim
