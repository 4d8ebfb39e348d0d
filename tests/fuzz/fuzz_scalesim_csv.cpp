// Fuzz target: the SCALE-Sim topology CSV importer. Input: the CSV text.
#include "fuzz_util.h"
#include "workloads/scalesim_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  fuzz::expect_user_error([&] {
    workloads::import_scalesim_csv_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv", {});
  });
  return 0;
}
