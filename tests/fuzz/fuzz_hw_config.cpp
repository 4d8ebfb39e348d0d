// Fuzz target: the hardware-config loader (YAML with units, `base:` chains to the presets in
// configs/hw, `--set` overrides). Input: the YAML text, then NUL-separated --set overrides.
// A config that loads must print as resolved YAML that loads back to the same config.
#include "arch/config_loader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  std::vector<std::string> parts = fuzz::split_nul(data, size);
  arch::LoadOptions opts;
  opts.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
  opts.overrides.assign(parts.begin() + 1, parts.end());
  fuzz::expect_user_error([&] {
    arch::NpuConfig cfg = arch::load_npu_config_text(parts[0], "fuzz.yaml", opts);
    const std::string resolved = arch::resolved_yaml(cfg);
    arch::NpuConfig again = arch::load_npu_config_text(resolved, "resolved.yaml", {});
    NPUSIM_ASSERT(fuzz::without_comments(arch::resolved_yaml(again)) == fuzz::without_comments(resolved),
                  "resolved config does not load back to itself:\n" + resolved);
  });
  return 0;
}
