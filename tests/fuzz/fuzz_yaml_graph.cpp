// Fuzz target: npusim's YAML layer-graph format, and the mapper and analytic engine on what it
// builds. Input: the YAML text. Small graphs (up to kMaxSimulatedOps ops) are also run on the
// tiny-test preset, so absurd but accepted shapes reach the tiling search and the engine.
#include "arch/config_loader.h"
#include "fuzz_util.h"
#include "sim/simulator.h"
#include "workloads/yaml_graph.h"

namespace {
constexpr size_t kMaxSimulatedOps = 8;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  static const arch::NpuConfig hw =
      arch::load_npu_config("tiny-test", {.overrides = {}, .preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"}});
  fuzz::expect_user_error([&] {
    workloads::LoadedModel m{workloads::load_yaml_graph_text(std::string(reinterpret_cast<const char*>(data), size),
                                                             "fuzz.yaml", std::nullopt),
                             "fuzz.yaml",
                             {}};
    if (m.graph.num_ops() <= kMaxSimulatedOps) sim::Simulator::run(hw, m, "best");
  });
  return 0;
}
