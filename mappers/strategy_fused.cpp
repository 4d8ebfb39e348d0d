// fused: onchip, plus producer->consumer fusion: element-wise ops, norms, softmax and data
// movement are applied on the fly by the neighbouring MAC op, and attention runs
// QK^T -> softmax -> AV per query tile without materialising the scores.
#include "strategy_onchip.h"

namespace npusim::mappers {

namespace {
using workloads::OpClass;
using workloads::OpKind;
using workloads::VectorClass;

class Fused final : public Onchip {
 public:
  std::string_view name() const override { return "fused"; }
  bool fuses(const workloads::Op& producer, const workloads::Op& consumer) const override {
    const OpClass pc = workloads::op_class(producer.kind);
    // Vector and data-movement producers are applied by the consumer's loads (an embedding
    // gather reads weights and stays a separate op).
    if (pc != OpClass::kMac) return producer.kind != OpKind::kGather;
    // A MAC op applies an element-wise consumer as its epilogue; attention scores go
    // through softmax per query tile.
    const VectorClass cv = workloads::vector_class(consumer.kind);
    return cv == VectorClass::kActivation || cv == VectorClass::kEltwise ||
           (cv == VectorClass::kSoftmax && producer.kind == OpKind::kAttentionScore);
  }
  bool norm_stats_from_producer() const override { return true; }
  std::vector<std::string> assumptions() const override {
    std::vector<std::string> a = {
        "fused: element-wise ops, norms (normalise pass), softmax and data movement run inside the adjacent MAC op's "
        "tile loop; attention runs QK^T -> softmax -> AV per query tile (scores never stored); a norm's statistics "
        "come from its producer's epilogue when that producer is a MAC op; fused work counted once"};
    for (auto& s : Onchip::assumptions()) a.push_back(std::move(s));
    return a;
  }
};
}  // namespace

std::unique_ptr<const MemoryStrategy> make_fused_strategy() { return std::make_unique<Fused>(); }

}  // namespace npusim::mappers
