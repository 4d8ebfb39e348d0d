#include "schedule.h"

namespace npusim::mappers {

std::string_view traffic_name(Traffic t) {
  switch (t) {
    case Traffic::kWeight:
      return "weight";
    case Traffic::kActivation:
      return "activation";
    case Traffic::kKvCache:
      return "kv_cache";
    case Traffic::kSpill:
      return "spill";
  }
  return "?";
}

Traffic traffic_of(workloads::TensorKind k) {
  switch (k) {
    case workloads::TensorKind::kWeight:
      return Traffic::kWeight;
    case workloads::TensorKind::kActivation:
      return Traffic::kActivation;
    case workloads::TensorKind::kKvCache:
      return Traffic::kKvCache;
  }
  return Traffic::kActivation;
}

}  // namespace npusim::mappers
