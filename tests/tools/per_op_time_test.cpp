// What users read per layer (issue 19, item 4): in layers.csv every layer's latency_us plus
// overlapped_us is its busy_us, utilization_pct never passes 100, the layers' latencies add
// up to the network's latency in summary.json, and a layer with MACs whose work is entirely
// hidden says "overlapped" (in layers.csv and the terminal table), never latency 0 and "none".
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"
#include "tools/cli_runner.h"

using npusim::testing::contains;
using npusim::testing::lines_of;
using npusim::testing::read_file;
using npusim::testing::TempDir;

namespace {

// One CSV record; fields may be quoted (with "" for a quote).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"')
        out.back() += '"', ++i;
      else if (ch == '"')
        quoted = false;
      else
        out.back() += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

double number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  REQUIRE(at != std::string::npos);
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

}  // namespace

TEST_CASE("layers.csv: per-layer time conserves and utilisation stays within 100 % (SD 1.5 UNet, Expedera, onchip)") {
  const std::string to_k = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k";
  for (const char* engine : {"analytic", "systemc"}) {
    CAPTURE(engine);
    TempDir dir;
    const std::string out = dir.path("run");
    const auto r = npusim::testing::run_cli_capture({"run", "--hw", "expedera-8k", "--model", "sd15-unet", "--strategy",
                                                     "onchip", "--engine", engine, "--layers", "all", "--out", out});
    INFO("stderr: ", r.err);
    REQUIRE(r.code == 0);
    const std::vector<std::string> rows = lines_of(read_file(out + "/layers.csv"));
    REQUIRE(rows.size() > 1000);
    std::map<std::string, size_t> col;
    const std::vector<std::string> header = csv_fields(rows[0]);
    for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
    for (const char* k : {"name", "bound", "utilization_pct", "macs", "latency_us", "overlapped_us", "busy_us"})
      REQUIRE_MESSAGE(col.count(k), k);
    double sum_us = 0;
    size_t bad = 0, overlapped = 0;
    std::string to_k_bound;
    for (size_t i = 1; i < rows.size(); ++i) {
      const std::vector<std::string> f = csv_fields(rows[i]);
      REQUIRE(f.size() == header.size());
      const double lat = std::stod(f[col["latency_us"]]), ov = std::stod(f[col["overlapped_us"]]);
      const double busy = std::stod(f[col["busy_us"]]), util = std::stod(f[col["utilization_pct"]]);
      const std::string& bound = f[col["bound"]];
      sum_us += lat;
      if (std::abs(lat + ov - busy) > 1e-9 * std::max(busy, 1.0) || util > 100 ||
          (std::stod(f[col["macs"]]) > 0 && (bound == "none" || busy <= 0)) ||
          ((bound == "overlapped") != (busy > 0 && lat == 0))) {
        ++bad;
        MESSAGE(rows[i]);
      }
      if (bound == "overlapped") ++overlapped;
      if (f[col["name"]] == to_k) to_k_bound = bound;
    }
    CHECK(bad == 0);
    CHECK(overlapped > 0);
    const double network_ms = number_after(read_file(out + "/summary.json"), "\"latency_ms\": ");
    CHECK(sum_us == doctest::Approx(network_ms * 1e3).epsilon(1e-9));
    // The cross-attention key projection reads the text embedding, not the op before: in
    // the analytic engine it runs entirely under its neighbour.
    if (std::string(engine) == "analytic") {
      CHECK(to_k_bound == "overlapped");
      CHECK(contains(r.out, "overlapped(us)"));
      bool row_says_overlapped = false;
      for (const std::string& l : lines_of(r.out))
        if (contains(l, to_k + " ") && contains(l, " overlapped ")) row_says_overlapped = true;
      CHECK(row_says_overlapped);
    }
  }
}
