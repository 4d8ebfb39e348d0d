// offchip: layer by layer; every op reads its inputs from DRAM and writes its output back.
#include "memory_strategy.h"

namespace npusim::mappers {

namespace {
class Offchip final : public MemoryStrategy {
 public:
  std::string_view name() const override { return "offchip"; }
  double residency_fraction() const override { return 0; }
  std::vector<std::string> assumptions() const override {
    return {"offchip: every op reads its inputs from DRAM and writes its output to DRAM"};
  }
};
}  // namespace

std::unique_ptr<const MemoryStrategy> make_offchip_strategy() { return std::make_unique<Offchip>(); }

}  // namespace npusim::mappers
