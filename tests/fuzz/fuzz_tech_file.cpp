// Fuzz target: a technology file (configs/tech/*.yaml: tech.* figures with units, a V-f table)
// loaded under `technology:` by a hardware config, then the area, leakage and V-f model on
// the result. Input: the technology file's text, then NUL-separated --set overrides.
// A config that loads must give finite, non-negative areas and power at any clock, and its
// resolved YAML must load back to the same config.
#include <cmath>

#include "arch/area.h"
#include "arch/config_loader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npusim;
  std::vector<std::string> parts = fuzz::split_nul(data, size);
  const std::string path =
      fuzz::write_temp_file("tech.yaml", reinterpret_cast<const uint8_t*>(parts[0].data()), parts[0].size());
  arch::LoadOptions opts;
  opts.preset_dirs = {NPUSIM_SOURCE_DIR "/configs/hw"};
  opts.overrides = {"technology=" + path, "static_power=0mW"};
  opts.overrides.insert(opts.overrides.end(), parts.begin() + 1, parts.end());
  fuzz::expect_user_error([&] {
    const arch::NpuConfig cfg = arch::load_npu_config("tiny-test", opts);
    const arch::AreaModel m = arch::area_model(cfg);
    for (const auto& b : m.blocks)
      NPUSIM_ASSERT(std::isfinite(b.mm2) && b.mm2 >= 0, "block " + b.name + " has area " + std::to_string(b.mm2));
    for (double hz : {1e6, cfg.mac_array.frequency_hz / 3, cfg.mac_array.frequency_hz, 100e9}) {
      const arch::NpuConfig at = arch::at_clock(cfg, hz);
      const double p = arch::static_power_mw(at);
      NPUSIM_ASSERT(std::isfinite(p) && p >= 0, "static power " + std::to_string(p) + " mW");
      for (const auto& mode : at.mac_array.precision)
        NPUSIM_ASSERT(std::isfinite(mode.energy_per_mac_pj) && mode.energy_per_mac_pj >= 0, "MAC energy");
    }
    const std::string resolved = arch::resolved_yaml(cfg);
    const arch::NpuConfig again = arch::load_npu_config_text(resolved, "resolved.yaml", {});
    NPUSIM_ASSERT(fuzz::without_comments(arch::resolved_yaml(again)) == fuzz::without_comments(resolved),
                  "resolved config does not load back to itself:\n" + resolved);
  });
  return 0;
}
