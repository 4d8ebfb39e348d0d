// Files npusim is pointed at that are not regular files: a FIFO, a device node, a symbolic
// link. Inputs are refused at once (a FIFO used to hang the open forever); outputs only ever
// replace a regular file (a write-then-rename used to replace /dev/null or follow a link).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "npusim/file_io.h"
#include "test_util.h"

using npusim::testing::read_file;
using npusim::testing::run_cli_capture;
using npusim::testing::TempDir;

TEST_CASE("a FIFO as an input is refused at once, not read forever") {
  TempDir dir;
  const std::string fifo = dir.path("in.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto hw = run_cli_capture({"config", "--hw", fifo, "--resolved"});
  CHECK(hw.code == 2);
  auto model = run_cli_capture({"graph", "--model", fifo});
  CHECK(model.code == 2);
  CHECK(model.err.find("is not a regular file") != std::string::npos);
  auto merge = run_cli_capture({"merge", fifo, "--out", dir.path("m.jsonl")});
  CHECK(merge.code == 2);
  CHECK(merge.err.find("is not a regular file") != std::string::npos);
}

TEST_CASE("outputs never replace a device, a FIFO or a link's target") {
  TempDir dir;
  // A link planted where run --out writes summary.json: the target must survive untouched.
  const std::string target = dir.path("precious.txt");
  std::ofstream(target) << "keep me\n";
  std::filesystem::create_directories(dir.path("out"));
  std::filesystem::create_symlink(target, dir.path("out/summary.json"));
  auto r = run_cli_capture({"run", "--hw", "tiny-test", "--model", "tiny-block", "--out", dir.path("out")});
  CHECK(r.code == 2);
  CHECK(r.err.find("summary.json: is a symbolic link") != std::string::npos);
  CHECK(read_file(target) == "keep me\n");
  CHECK(std::filesystem::is_symlink(dir.path("out/summary.json")));

  // A FIFO as the file to replace.
  const std::string fifo = dir.path("out.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(npusim::replace_file_safely(fifo, "x"), doctest::Contains("is not a regular file"),
                       npusim::UserError);
  CHECK(std::filesystem::is_fifo(fifo));

  // A device node (root only: mknod needs CAP_MKNOD): /dev/null's numbers in the temp folder.
  if (::geteuid() == 0) {
    const std::string dev = dir.path("null.dev");
    REQUIRE(::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK_THROWS_WITH_AS(npusim::replace_file_safely(dev, "x"), doctest::Contains("is not a regular file"),
                         npusim::UserError);
    struct stat st {};
    REQUIRE(::lstat(dev.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  } else {
    MESSAGE("not root: the device-node case is skipped");
  }

  // A regular file is replaced whole, and no temporary file is left beside it.
  const std::string plain = dir.path("plain.txt");
  std::ofstream(plain) << "old";
  npusim::replace_file_safely(plain, "new");
  CHECK(read_file(plain) == "new");
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path(""))) files += e.is_regular_file();
  CHECK(files == 2);  // precious.txt and plain.txt
}
