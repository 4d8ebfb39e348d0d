#pragma once
// The dataflows a systolic MAC array can run, as one table (STYLE.md rule 21): a new dataflow
// is one enum value and one row. Every consumer reads the row: the config schema (names), fold
// timing (mappers/dataflow.h), the tile program behind `verify` (mappers/tile_program.h) and
// SRAM accounting (mappers/tiling.h).
//
// A MAC op is viewed as a GEMM out[m][n] += a[m][k] * b[k][n]. A dataflow places two of the
// three GEMM dimensions on the array's rows and columns (the spatial ones, cut into
// array-sized folds) and streams the third through the array in time.
//
// Fold timing follows SCALE-Sim v2 (scalesim-project/scale-sim-v2, scalesim/compute/
// systolic_compute_{ws,os,is}.py). There a fold's demand matrix has T rows (T = the streamed
// dimension) plus a prefix and a suffix of idle rows, is padded to the full array width, and
// is then skewed (a matrix of r rows x c columns skews to r + c - 1 rows). Per fold:
//   WS  ifmap: prefix rows + T + suffix (cols - 1), rows wide -> (rows + T + cols - 1) + rows - 1
//       = T + 2*rows + cols - 2 (the weights take `rows` cycles to load before the stream)
//   OS  ifmap: T + suffix (cols - 1), rows wide -> (T + cols - 1) + rows - 1 = T + rows + cols - 2
//       (operands stream in from both edges; the outputs drain while the next fold fills)
//   IS  as WS with the inputs held: T + 2*rows + cols - 2
// Edge folds are padded to the full array, so they cost the same as full ones. SCALE-Sim's
// layer total is the index of the last output cycle: one cycle less than the sum of its folds.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace npusim::arch {

enum class Dataflow : uint8_t { kWeightStationary, kOutputStationary, kInputStationary };

// A dimension of the GEMM view out[m][n] += a[m][k] * b[k][n].
enum class GemmDim : uint8_t { kM, kN, kK };

struct DataflowSpec {
  Dataflow id;
  std::string_view name;        // YAML name
  std::string_view short_name;  // in per-layer mapping text
  GemmDim rows, cols, stream;   // which GEMM dimension sits on the array's rows, columns, and streams
  // Fill and drain of one fold, in cycles: fill_rows * rows + fill_cols * cols - 2; a fold costs
  // that plus its streamed extent at the precision's rate.
  uint32_t fill_rows, fill_cols;
  std::string_view held;  // the operand held in the array during a fold (docs)
};

// Columns: id, name, short, rows, cols, stream, fill_rows, fill_cols, held operand.
// SRAM re-read rule (all rows): the array reads each operand once per piece of the GEMM
// dimension that operand lacks (A = m x k lacks n, B = k x n lacks m): a spatial dimension is
// cut into array-sized pieces, a streamed one into the op's tiles along it.
inline constexpr DataflowSpec kDataflowTable[] = {
    {Dataflow::kWeightStationary, "weight_stationary", "WS", GemmDim::kK, GemmDim::kN, GemmDim::kM, 2, 1, "weights"},
    {Dataflow::kOutputStationary, "output_stationary", "OS", GemmDim::kM, GemmDim::kN, GemmDim::kK, 1, 1, "outputs"},
    {Dataflow::kInputStationary, "input_stationary", "IS", GemmDim::kK, GemmDim::kM, GemmDim::kN, 2, 1, "inputs"},
};

const DataflowSpec& dataflow_spec(Dataflow d);
std::span<const DataflowSpec> dataflow_table();
std::string_view dataflow_name(Dataflow d);
std::optional<Dataflow> dataflow_from_name(std::string_view name);
// "weight_stationary, output_stationary, input_stationary", for docs and errors.
std::string dataflow_names();

}  // namespace npusim::arch
