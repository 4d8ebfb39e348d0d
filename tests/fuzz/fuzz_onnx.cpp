// Fuzz target: the ONNX importer (protobuf parsing, npusim's shape inference and folding, the op mapping).
// Input: a serialized ModelProto. Unknown ops are allowed so the fuzzer reaches the importer's
// handling of every node rather than stopping at the first unsupported one.
#include "fuzz_util.h"
#include "workloads/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  workloads::ModelOptions opts;
  opts.allow_unknown_ops = true;
  // Functions and loops expand a 64 KiB input to the node limit; 20,000 (not 200,000) keeps such a
  // bomb at a second under ASan, well within the fuzzers' 30 s timeout. tests/hostile runs the full limit.
  opts.limits.max_ops = 20000;
  fuzz::expect_user_error(
      [&] { workloads::import_onnx_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.onnx", opts); });
  return 0;
}
