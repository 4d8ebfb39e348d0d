#pragma once
// The one metric vocabulary (DESIGN.md "Metrics"): every figure a run, a sweep row, compare and
// the report script show is defined here once — JSON/CSV key (unit in the name), unit, words
// for tables and plots, meaning — and computed here once. Writers iterate these lists; they
// never spell a figure's key or formula themselves.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "simulator.h"

namespace npusim::sim {

enum class Metric : uint8_t {
  // Diffusion pipelines, per image (a batch's runs divided by the batch).
  kSecondsPerImage,
  kImagesPerS,
  kEnergyPerImage,
  kDramBytesPerImage,
  kDenoiserEvaluationsPerS,
  kDecoderEvaluationsPerS,
  // LLMs, at the stated prompt, context and batch.
  kTimeToFirstToken,
  kDecodeTokensPerS,
  kDecodeStep,
  kDecodeEnergyPerToken,
  kDecodeDramBytesPerToken,
  kPrefillEnergy,
  kDecodeWeightStreaming,
  kDecodeKvCacheTraffic,
  kDecodeMacTime,
  kDecodeVectorTime,
  // Single networks.
  kInferencesPerS,
  kEnergyPerInference,
  kDramBytesPerInference,
  // One network (a stage) of any workload: one run of its graph at its batch.
  kNetLatency,
  kNetEvaluationsPerS,
  kNetEnergy,
  kNetMacs,
  kNetMacUtilization,
  kNetPeakMacsPerS,
  kNetDramReadBytes,
  kNetDramWriteBytes,
  kNetSramPeakBytes,
  kNetSpilledActivationBytes,
  kNetSpillTrafficBytes,
  kNetNoSpillSramBytes,
  kNetPrefetchedWeightBytes,
  kNetOpOverhead,
  kNetPerRunOverhead,
};

struct MetricDef {
  Metric id;
  std::string_view key;      // JSON and CSV key; the unit is part of it ("seconds_per_image", "latency_ms")
  std::string_view unit;     // "s", "ms", "mJ", "B", "1/s", "MAC", "fraction"
  std::string_view label;    // words for tables and plot axes, unit included: "seconds per image (s)"
  std::string_view meaning;  // one sentence
};

// Every metric, in enum order.
std::span<const MetricDef> all_metrics();
const MetricDef& metric_def(Metric m);

struct MetricValue {
  Metric id;
  double value;
};

// The workload-level figures of its kind, in a fixed order: diffusion (s/image, images/s,
// J/image, DRAM/image, per-network evaluations/s), LLM (time to first token, decode tokens/s,
// step time, energy and DRAM per token), network (inferences/s, latency of one run, energy
// and DRAM per inference). Every figure is a MetricValue of all_metrics().
std::vector<MetricValue> headline_metrics(const WorkloadResult& w);
// The kind's throughput, energy and latency figure: what sweeps rank and plot by.
Metric throughput_metric(workloads::WorkloadKind k);
Metric energy_metric(workloads::WorkloadKind k);
Metric latency_metric(workloads::WorkloadKind k);  // s/image, time to first token, latency
// The metrics headline_metrics gives for a kind, in its order (LLM: with both phases).
std::vector<Metric> headline_metric_list(workloads::WorkloadKind k);
std::string_view kind_name(workloads::WorkloadKind k);  // "diffusion", "llm", "network"
// What per-item figures are per: "image", "token" (decode) or "inference".
std::string_view item_name(workloads::WorkloadKind k);
// The counters behind one item's figures and what to divide them by: a diffusion pass's runs
// (per image: / batch), one decode step (per token: / batch), a network's run (/ batch).
struct ItemCounters {
  Counters counters;
  double divisor = 1;
};
ItemCounters item_counters(const WorkloadResult& w);

// One network's figures (kNet*), in enum order.
std::vector<MetricValue> network_metrics(const StageResult& s);

// The per-bound time keys: "time_<bound>_bound_ms" for every Bound of the enum.
std::string bound_time_key(Bound b);

}  // namespace npusim::sim
