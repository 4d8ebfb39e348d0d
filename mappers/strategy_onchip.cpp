#include "strategy_onchip.h"

namespace npusim::mappers {

std::unique_ptr<const MemoryStrategy> make_onchip_strategy() { return std::make_unique<Onchip>(); }

}  // namespace npusim::mappers
