// Fuzz target: the measured-corpus reader (configs/measured/corpus.yaml) and its validation.
// Input: the corpus's YAML text; every source file it names reads as one small perf.yaml.
#include "arch/config_loader.h"
#include "fuzz_util.h"
#include "reports/corpus.h"
#include "workloads/model_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  static const std::vector<std::string> models = workloads::list_models({NPUSIM_SOURCE_DIR "/configs/models"});
  static const arch::NpuConfig hw = [] {
    arch::LoadOptions o;
    o.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
    return arch::load_npu_config("snapdragon-8gen2", o);
  }();
  reports::CorpusContext ctx;
  ctx.models = models;
  ctx.load_preset = [](const std::string& name) -> arch::NpuConfig {
    if (name.starts_with("snapdragon")) return hw;
    throw UserError(name + ": no such preset");
  };
  ctx.read_file = [](const std::string&) {
    return std::string(
        "precisions:\n  w8a8:\n    components:\n      ResNet18:\n        performance_metrics:\n"
        "          Samsung Galaxy S23:\n            qnn:\n              inference_time_milliseconds: 0.5\n");
  };
  fuzz::expect_user_error(
      [&] { reports::read_corpus("fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size), ctx); });
  return 0;
}
