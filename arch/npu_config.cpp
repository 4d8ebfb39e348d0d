#include "npu_config.h"

#include "npusim/name_table.h"

namespace npusim::arch {

namespace {
// Columns: dataflow, YAML name.
constexpr Named<Dataflow> kDataflows[] = {{Dataflow::kWeightStationary, "weight_stationary"},
                                          {Dataflow::kOutputStationary, "output_stationary"},
                                          {Dataflow::kInputStationary, "input_stationary"}};
// Columns: precision mode, YAML name.
constexpr Named<PrecisionMode> kModes[] = {{PrecisionMode::kW8A8, "w8a8"},
                                           {PrecisionMode::kW8A16, "w8a16"},
                                           {PrecisionMode::kW4A16, "w4a16"},
                                           {PrecisionMode::kFp16, "fp16"}};
}  // namespace

std::string_view dataflow_name(Dataflow d) { return row_of(kDataflows, d).name; }
std::optional<Dataflow> dataflow_from_name(std::string_view name) { return value_named(kDataflows, name); }
std::string_view precision_mode_name(PrecisionMode p) { return row_of(kModes, p).name; }
std::optional<PrecisionMode> precision_mode_from_name(std::string_view name) { return value_named(kModes, name); }

}  // namespace npusim::arch
