#include "scalesim_import.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "npusim/file_io.h"
#include "npusim/text.h"

namespace npusim::workloads {

namespace {

// Topology files are a few hundred rows; anything far larger is not one.
constexpr uint64_t kMaxCsvBytes = 16u << 20;

enum class CsvKind { kNone, kConv, kGemm };

// Columns of each format, lower case, in SCALE-Sim's order.
const std::vector<std::string> kConvColumns = {"layer name",   "ifmap height", "ifmap width", "filter height",
                                               "filter width", "channels",     "num filter",  "strides"};
const std::vector<std::string> kGemmColumns = {"layer", "m", "n", "k"};

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Comma-separated fields, trimmed, with trailing empty fields (SCALE-Sim's trailing commas) dropped.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(trim(f));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

CsvKind header_kind(const std::vector<std::string>& header) {
  std::vector<std::string> lower;
  for (const auto& h : header) {
    std::string l = h;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    lower.push_back(l);
  }
  auto starts_with = [&](const std::vector<std::string>& cols) {
    return lower.size() >= cols.size() && std::equal(cols.begin(), cols.end(), lower.begin());
  };
  if (starts_with(kConvColumns)) return CsvKind::kConv;
  // SCALE-Sim v2's own GEMM topologies (topologies/GEMM_mnk/) name the first column "Layer Name".
  if (!lower.empty() && lower[0] == "layer name") lower[0] = "layer";
  return starts_with(kGemmColumns) ? CsvKind::kGemm : CsvKind::kNone;
}

std::optional<uint64_t> positive(const std::string& s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

}  // namespace

bool looks_like_scalesim_csv(const std::string& path) {
  // The header is the first non-empty line; a topology file's fits in its first 64 KiB.
  std::stringstream in(read_file_head(path, 64 << 10));
  std::string line;
  while (std::getline(in, line))
    if (!trim(line).empty()) return header_kind(fields(line)) != CsvKind::kNone;
  return false;
}

LoadedModel import_scalesim_csv(const std::string& path, const std::string& display, const ModelOptions& opts) {
  return import_scalesim_csv_text(
      read_text_file<InputError>(path, "a SCALE-Sim topology CSV", kMaxCsvBytes, "SCALE-Sim topology files"), display,
      opts);
}

LoadedModel import_scalesim_csv_text(const std::string& text, const std::string& display, const ModelOptions& opts) {
  std::vector<std::pair<int, std::vector<std::string>>> rows;  // line number, fields
  std::stringstream ss(text);
  std::string line;
  for (int n = 1; std::getline(ss, line); ++n)
    if (!trim(line).empty()) rows.emplace_back(n, fields(line));
  if (rows.empty()) throw InputError(display + ": empty file, expected a SCALE-Sim topology CSV");
  const CsvKind kind = header_kind(rows[0].second);
  if (kind == CsvKind::kNone)
    throw InputError(
        display + ":" + std::to_string(rows[0].first) +
        ": not a SCALE-Sim topology header: expected 'Layer name, IFMAP Height, IFMAP Width, Filter "
        "Height, Filter Width, Channels, Num Filter, Strides,' or 'Layer, M, N, K,' (or 'Layer Name, M, N, K,')");
  const std::vector<std::string>& columns = kind == CsvKind::kConv ? kConvColumns : kGemmColumns;
  const bool extra_columns = rows[0].second.size() > columns.size();

  std::string stem = std::filesystem::path(display).stem().string();
  GraphBuilder b(stem.empty() ? "scalesim" : stem, opts.precision.value_or(PrecisionSpec(Precision::kW8A8)),
                 opts.limits);
  ErrorList errors;
  std::set<std::string> names;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& [n, f] = rows[r];
    const std::string where = display + ":" + std::to_string(n) + ": ";
    if (f.size() < columns.size()) {
      errors.push_back(where + "expected " + std::to_string(columns.size()) + " fields (" +
                       (kind == CsvKind::kConv ? "name, IFMAP H, IFMAP W, filter H, filter W, channels, filters, stride"
                                               : "name, M, N, K") +
                       "), got " + std::to_string(f.size()));
      continue;
    }
    std::vector<uint64_t> v;
    for (size_t c = 1; c < columns.size(); ++c) {
      auto x = positive(f[c]);
      if (!x) errors.push_back(where + "'" + columns[c] + "' = '" + excerpt(f[c]) + "': expected a whole number >= 1");
      v.push_back(x.value_or(1));
    }
    if (f[0].empty()) errors.push_back(where + "empty layer name");
    if (!names.insert(f[0]).second) errors.push_back(where + "layer name '" + excerpt(f[0]) + "' is used twice");
    if (kind == CsvKind::kConv && (v[2] > v[0] || v[3] > v[1]))
      errors.push_back(where + "filter " + f[3] + "x" + f[4] + " is larger than the IFMAP " + f[1] + "x" + f[2]);
    if (!errors.empty()) continue;  // keep collecting errors; build nothing more
    try {
      if (kind == CsvKind::kConv) {
        // v: ifmap h, ifmap w, filter h, filter w, channels, filters, stride
        TensorId x = b.input(f[0] + ".ifmap", {1, v[4], v[0], v[1]});
        b.conv2d(f[0], x, v[5], v[2], v[3], v[6], 0, 1, false);
      } else {
        // v: M, N, K
        TensorId x = b.input(f[0] + ".ifmap", {v[0], v[2]});
        b.linear(f[0], x, v[1], false);
      }
    } catch (const InputError& e) {
      errors.push_back(where + e.what());
    }
  }
  if (rows.size() == 1) errors.push_back(display + ": has a header but no layers");
  if (!errors.empty()) {
    throw InputError(errors.joined());
  }
  std::vector<std::string> notes = {
      "SCALE-Sim topology: " + std::to_string(rows.size() - 1) +
      " layers, each with its own input (SCALE-Sim treats layers independently; no tensor flows between them)"};
  if (kind == CsvKind::kConv)
    notes.push_back("conv layers: batch 1, valid padding (SCALE-Sim's IFMAP sizes include any padding), no bias");
  else
    notes.push_back("GEMM layers: an [M, K] input times a [K, N] weight (SCALE-Sim's filter operand), no bias");
  if (extra_columns) notes.push_back("columns after '" + columns.back() + "' are ignored");
  return LoadedModel{b.finish(), display, notes};
}

}  // namespace npusim::workloads
