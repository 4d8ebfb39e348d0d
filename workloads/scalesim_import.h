#pragma once
// Imports a SCALE-Sim topology CSV: the conv format (`Layer name, IFMAP Height, IFMAP Width,
// Filter Height, Filter Width, Channels, Num Filter, Strides,`) or the GEMM format
// (`Layer, M, N, K,`). SCALE-Sim simulates layers independently, so each row becomes its own
// graph input and one MAC op; nothing connects the layers.
#include <string>

#include "model_registry.h"

namespace npusim::workloads {

// Conv rows: batch 1, valid padding (SCALE-Sim's IFMAP sizes already include any padding),
// no bias. GEMM rows: linear of an [M, K] input by a [K, N] weight (SCALE-Sim's filter operand).
// Throws InputError listing every malformed row as `file:line: problem`.
LoadedModel import_scalesim_csv(const std::string& path, const std::string& display, const ModelOptions& opts);
// Same, from the file's text.
LoadedModel import_scalesim_csv_text(const std::string& text, const std::string& display, const ModelOptions& opts);

// True when the first non-empty line of the file is a SCALE-Sim conv or GEMM header.
bool looks_like_scalesim_csv(const std::string& path);

}  // namespace npusim::workloads
