#pragma once
// Imports an ONNX model (.onnx) as a layer graph. Shapes are inferred and shape subgraphs folded by
// npusim itself (never by the ONNX library, which is not safe on hostile files). Weights become
// weight tensors whose shapes come from the initializers and whose dtypes come from the precision
// (the file's dtypes are ignored); external weight data is never read.
#include <cstdint>
#include <string>

#include "model_registry.h"

namespace npusim::workloads {

// Protobuf cannot parse a message of 2 GiB or more; larger models keep their weights as
// external data, which npusim does not read.
inline constexpr uint64_t kOnnxMaxFileBytes = 2147483647;

// Builds the graph of the ONNX model at `path` (`display` names it in messages). Symbolic
// input dims are bound by opts.dims; unsupported ops are an InputError unless
// opts.allow_unknown_ops, which counts them as generic vector ops (said in the notes).
LoadedModel import_onnx(const std::string& path, const std::string& display, const ModelOptions& opts,
                        uint64_t max_file_bytes = kOnnxMaxFileBytes);

// Same, from the file's bytes (the serialized ModelProto).
LoadedModel import_onnx_bytes(std::string bytes, const std::string& display, const ModelOptions& opts);

// True when the file starts like a serialized ONNX ModelProto (field 1, ir_version, a varint:
// byte 0x08). No YAML, JSON or CSV file starts with that control character.
bool looks_like_onnx(const std::string& path);

}  // namespace npusim::workloads
