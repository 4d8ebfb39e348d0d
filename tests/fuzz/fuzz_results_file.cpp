// Fuzz target: the sweep results reader behind --resume, merge and report (streamed index,
// line checks, JSON syntax of every line) and the rewrite in point order. Input: the file.
#include "fuzz_util.h"
#include "npusim/json_check.h"
#include "reports/sweep_results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  const std::string path = fuzz::write_temp_file("results.jsonl", data, size);
  fuzz::expect_user_error([&] {
    const reports::SweepFile f =
        reports::read_sweep_file(path, [](uint64_t, std::string_view line, const std::string& where) {
          if (const std::string e = json_syntax_error(line); !e.empty()) throw UserError(where + e);
        });
    const auto stats = reports::write_canonical_sweep(path + ".out", f.header, std::span(&f, 1), f.points);
    NPUSIM_ASSERT(stats.points_written == f.lines.size(), "the rewrite lost or repeated a point");
  });
  return 0;
}
