#include "npu_config.h"

#include "npusim/name_table.h"

namespace npusim::arch {

namespace {
// Columns: precision mode, YAML name.
constexpr Named<PrecisionMode> kModes[] = {{PrecisionMode::kW8A8, "w8a8"},
                                           {PrecisionMode::kW8A16, "w8a16"},
                                           {PrecisionMode::kW4A16, "w4a16"},
                                           {PrecisionMode::kFp16, "fp16"}};
}  // namespace

std::string_view precision_mode_name(PrecisionMode p) { return row_of(kModes, p).name; }
std::optional<PrecisionMode> precision_mode_from_name(std::string_view name) { return value_named(kModes, name); }

}  // namespace npusim::arch
