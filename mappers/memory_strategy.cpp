#include "memory_strategy.h"

#include "npusim/error.h"

namespace npusim::mappers {

// One line per strategy (its file defines the factory).
std::unique_ptr<const MemoryStrategy> make_offchip_strategy();
std::unique_ptr<const MemoryStrategy> make_onchip_strategy();
std::unique_ptr<const MemoryStrategy> make_fused_strategy();

const std::vector<std::unique_ptr<const MemoryStrategy>>& strategies() {
  static const auto list = [] {  // filled once, read-only after (STYLE.md rule 11)
    std::vector<std::unique_ptr<const MemoryStrategy>> v;
    v.push_back(make_offchip_strategy());
    v.push_back(make_onchip_strategy());
    v.push_back(make_fused_strategy());
    return v;
  }();
  return list;
}

std::string strategy_names() {
  std::string out;
  for (const auto& s : strategies()) out += (out.empty() ? "" : ", ") + std::string(s->name());
  return out;
}

const MemoryStrategy& find_strategy(std::string_view name, std::string_view what) {
  for (const auto& s : strategies())
    if (s->name() == name) return *s;
  throw UserError(std::string(what) + ": unknown strategy '" + std::string(name) + "'; expected " + strategy_names() +
                  " or best");
}

}  // namespace npusim::mappers
