#include "dataflow.h"

#include <string>

#include "npusim/error.h"

namespace npusim::arch {

std::span<const DataflowSpec> dataflow_table() { return kDataflowTable; }

const DataflowSpec& dataflow_spec(Dataflow d) {
  for (const DataflowSpec& s : kDataflowTable)
    if (s.id == d) return s;
  NPUSIM_ASSERT(false, "dataflow without a table row");
  return kDataflowTable[0];
}

std::string_view dataflow_name(Dataflow d) { return dataflow_spec(d).name; }

std::optional<Dataflow> dataflow_from_name(std::string_view name) {
  for (const DataflowSpec& s : kDataflowTable)
    if (s.name == name) return s.id;
  return std::nullopt;
}

std::string dataflow_names() {
  std::string out;
  for (const DataflowSpec& s : kDataflowTable) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

}  // namespace npusim::arch
