// Fuzz target: the model-config builders. The input is written to a file and loaded as
// `--model` is: a diffusers config.json (UNet, VAE), a transformers config.json (CLIP text
// encoder, Llama; both phases), a pipeline file, or anything else load_workload recognises.
#include "fuzz_util.h"
#include "workloads/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  const std::string path = fuzz::write_temp_file("model.yaml", data, size);
  workloads::ModelOptions opts;
  opts.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  fuzz::expect_user_error([&] { workloads::load_workload(path, opts); });
  return 0;
}
