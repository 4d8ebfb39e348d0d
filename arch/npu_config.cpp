#include "npu_config.h"

namespace npusim::arch {

namespace {
// Columns: dataflow, YAML name.
constexpr std::pair<Dataflow, std::string_view> kDataflows[] = {{Dataflow::kWeightStationary, "weight_stationary"},
                                                                 {Dataflow::kOutputStationary, "output_stationary"},
                                                                 {Dataflow::kInputStationary, "input_stationary"}};
// Columns: precision mode, YAML name.
constexpr std::pair<PrecisionMode, std::string_view> kModes[] = {{PrecisionMode::kW8A8, "w8a8"},
                                                                  {PrecisionMode::kW8A16, "w8a16"},
                                                                  {PrecisionMode::kW4A16, "w4a16"},
                                                                  {PrecisionMode::kFp16, "fp16"}};
}  // namespace

std::string_view dataflow_name(Dataflow d) {
  for (const auto& [k, n] : kDataflows)
    if (k == d) return n;
  NPUSIM_ASSERT(false, "unknown dataflow");
}

std::optional<Dataflow> dataflow_from_name(std::string_view name) {
  for (const auto& [k, n] : kDataflows)
    if (n == name) return k;
  return std::nullopt;
}

std::string_view precision_mode_name(PrecisionMode p) {
  for (const auto& [k, n] : kModes)
    if (k == p) return n;
  NPUSIM_ASSERT(false, "unknown precision mode");
}

std::optional<PrecisionMode> precision_mode_from_name(std::string_view name) {
  for (const auto& [k, n] : kModes)
    if (n == name) return k;
  return std::nullopt;
}

}  // namespace npusim::arch
