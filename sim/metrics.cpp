#include "metrics.h"

#include <algorithm>
#include <array>
#include <string>

#include "npusim/error.h"

namespace npusim::sim {

namespace {

using workloads::StageRole;
using workloads::WorkloadKind;

// Columns: id, key (unit in the name), unit, label (words and unit), meaning.
constexpr MetricDef kMetrics[] = {
    {Metric::kSecondsPerImage, "seconds_per_image", "s", "seconds per image (s)",
     "pipeline time of one image: sum over networks of runs x latency, divided by the batch; stages back to back"},
    {Metric::kImagesPerS, "images_per_s", "1/s", "images per second", "1 / seconds per image: the pipeline rate"},
    {Metric::kEnergyPerImage, "energy_per_image_mj", "mJ", "energy per image (mJ)",
     "sum over networks of runs x energy, divided by the batch"},
    {Metric::kDramBytesPerImage, "dram_bytes_per_image", "B", "DRAM traffic per image (B)",
     "DRAM bytes read and written for one image: runs x bytes, divided by the batch"},
    {Metric::kDenoiserEvaluationsPerS, "denoiser_evaluations_per_s", "1/s", "denoiser evaluations per second",
     "1 / latency of one denoiser (UNet) run at its batch; not a pipeline rate"},
    {Metric::kDecoderEvaluationsPerS, "decoder_evaluations_per_s", "1/s", "decoder evaluations per second",
     "1 / latency of one decoder (VAE) run at its batch; not a pipeline rate"},
    {Metric::kTimeToFirstToken, "time_to_first_token_ms", "ms", "time to first token (ms)",
     "latency of the prefill of the prompt; every sequence of the batch has its first token then"},
    {Metric::kDecodeTokensPerS, "decode_tokens_per_s", "1/s", "decode tokens per second",
     "batch / latency of one decode step at the stated context"},
    {Metric::kDecodeStep, "decode_step_ms", "ms", "decode step (ms)",
     "latency of one decode step: one new token for every sequence of the batch"},
    {Metric::kDecodeEnergyPerToken, "decode_energy_per_token_mj", "mJ", "decode energy per token (mJ)",
     "energy of one decode step divided by the batch"},
    {Metric::kDecodeDramBytesPerToken, "decode_dram_bytes_per_token", "B", "decode DRAM traffic per token (B)",
     "DRAM bytes of one decode step divided by the batch"},
    {Metric::kPrefillEnergy, "prefill_energy_mj", "mJ", "prefill energy (mJ)", "energy of the prefill of the prompt"},
    {Metric::kDecodeWeightStreaming, "decode_weight_streaming_ms", "ms", "decode weight streaming (ms)",
     "weight bytes of one decode step / DRAM bandwidth (busy time; overlaps the others)"},
    {Metric::kDecodeKvCacheTraffic, "decode_kv_cache_ms", "ms", "decode KV-cache traffic (ms)",
     "KV-cache bytes read and written by one decode step / DRAM bandwidth (busy time)"},
    {Metric::kDecodeMacTime, "decode_mac_ms", "ms", "decode MAC time (ms)", "MAC-array busy time of one decode step"},
    {Metric::kDecodeVectorTime, "decode_vector_ms", "ms", "decode vector time (ms)",
     "vector-unit busy time of one decode step"},
    {Metric::kInferencesPerS, "inferences_per_s", "1/s", "inferences per second",
     "batch / latency of one run of the network"},
    {Metric::kEnergyPerInference, "energy_per_inference_mj", "mJ", "energy per inference (mJ)",
     "energy of one run divided by the batch"},
    {Metric::kDramBytesPerInference, "dram_bytes_per_inference", "B", "DRAM traffic per inference (B)",
     "DRAM bytes of one run divided by the batch"},
    {Metric::kNetLatency, "latency_ms", "ms", "latency (ms)", "time of one run of the network's graph at its batch"},
    {Metric::kNetEvaluationsPerS, "evaluations_per_s", "1/s", "evaluations per second",
     "1 / latency: runs of this network per second"},
    {Metric::kNetEnergy, "energy_mj", "mJ", "energy per run (mJ)",
     "energy of one run: MAC, vector, SRAM, DRAM, static"},
    {Metric::kNetMacs, "macs", "MAC", "MACs", "multiply-accumulates of one run"},
    {Metric::kNetMacUtilization, "mac_utilization", "fraction", "MAC utilisation",
     "MACs / (peak MAC rate x latency), 0 to 1"},
    {Metric::kNetPeakMacsPerS, "peak_macs_per_s", "MAC/s", "peak MAC rate (MAC/s)",
     "of the hardware at the run's precision"},
    {Metric::kNetDramReadBytes, "dram_read_bytes", "B", "DRAM read (B)", "DRAM bytes read by one run"},
    {Metric::kNetDramWriteBytes, "dram_write_bytes", "B", "DRAM written (B)", "DRAM bytes written by one run"},
    {Metric::kNetSramPeakBytes, "sram_peak_bytes", "B", "SRAM peak (B)",
     "most SRAM in use at once: resident activations and tile buffers"},
    {Metric::kNetSpilledActivationBytes, "spilled_activation_bytes", "B", "spilled activations (B)",
     "activation bytes the memory plan keeps in DRAM because they do not fit on chip (run's \"spilled activations\")"},
    {Metric::kNetSpillTrafficBytes, "spill_traffic_bytes", "B", "spill traffic (B)",
     "DRAM bytes moved for spilled activations: written plus read back"},
    {Metric::kNetNoSpillSramBytes, "no_spill_sram_bytes", "B", "SRAM for no spills (B)",
     "the SRAM size at which the strategy keeps every activation it wants on chip (0 for offchip)"},
    {Metric::kNetPrefetchedWeightBytes, "prefetched_weight_bytes", "B", "weights prefetched (B)",
     "weight bytes loaded during the previous op"},
    {Metric::kNetOpOverhead, "op_overhead_ms", "ms", "per-op fixed costs (ms)",
     "fixed per-op costs summed (hw overhead.per_*_op), part of the latency"},
    {Metric::kNetPerRunOverhead, "per_run_overhead_ms", "ms", "per-run fixed cost (ms)",
     "fixed cost of the run (hw overhead.per_run), part of the latency"},
};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < std::size(kMetrics); ++i)
    if (size_t(kMetrics[i].id) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kMetrics rows follow the Metric enum");

double per_s(double latency_s, double batch = 1) { return latency_s > 0 ? batch / latency_s : 0; }

// Runs x counters of every stage: one pass of the workload's batch.
Counters per_pass(const WorkloadResult& w) {
  Counters c;
  for (const auto& st : w.stages)
    for (uint64_t i = 0; i < st.runs; ++i) c.merge(st.run.stats.total);
  return c;
}

}  // namespace

std::span<const MetricDef> all_metrics() { return kMetrics; }

const MetricDef& metric_def(Metric m) {
  NPUSIM_ASSERT(size_t(m) < std::size(kMetrics), "metric outside the table");
  return kMetrics[size_t(m)];
}

std::string_view kind_name(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::kDiffusion:
      return "diffusion";
    case WorkloadKind::kLlm:
      return "llm";
    case WorkloadKind::kNetwork:
      return "network";
  }
  return "?";
}

std::string_view item_name(WorkloadKind k) {
  return k == WorkloadKind::kDiffusion ? "image" : k == WorkloadKind::kLlm ? "token" : "inference";
}

ItemCounters item_counters(const WorkloadResult& w) {
  ItemCounters ic;
  ic.divisor = double(std::max<uint64_t>(w.batch, 1));
  if (w.kind == WorkloadKind::kLlm) {
    if (const StageResult* d = w.stage(StageRole::kDecode)) ic.counters = d->run.stats.total;
  } else {
    ic.counters = per_pass(w);
  }
  return ic;
}

Metric throughput_metric(WorkloadKind k) {
  return k == WorkloadKind::kDiffusion ? Metric::kImagesPerS
         : k == WorkloadKind::kLlm     ? Metric::kDecodeTokensPerS
                                       : Metric::kInferencesPerS;
}

Metric energy_metric(WorkloadKind k) {
  return k == WorkloadKind::kDiffusion ? Metric::kEnergyPerImage
         : k == WorkloadKind::kLlm     ? Metric::kDecodeEnergyPerToken
                                       : Metric::kEnergyPerInference;
}

Metric latency_metric(WorkloadKind k) {
  return k == WorkloadKind::kDiffusion ? Metric::kSecondsPerImage
         : k == WorkloadKind::kLlm     ? Metric::kTimeToFirstToken
                                       : Metric::kNetLatency;
}

std::vector<Metric> headline_metric_list(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::kDiffusion:
      return {Metric::kSecondsPerImage,         Metric::kImagesPerS,
              Metric::kEnergyPerImage,          Metric::kDramBytesPerImage,
              Metric::kDenoiserEvaluationsPerS, Metric::kDecoderEvaluationsPerS};
    case WorkloadKind::kLlm:
      return {Metric::kTimeToFirstToken,      Metric::kPrefillEnergy,
              Metric::kDecodeTokensPerS,      Metric::kDecodeStep,
              Metric::kDecodeEnergyPerToken,  Metric::kDecodeDramBytesPerToken,
              Metric::kDecodeWeightStreaming, Metric::kDecodeKvCacheTraffic,
              Metric::kDecodeMacTime,         Metric::kDecodeVectorTime};
    case WorkloadKind::kNetwork:
      return {Metric::kInferencesPerS, Metric::kNetLatency, Metric::kEnergyPerInference,
              Metric::kDramBytesPerInference};
  }
  return {};
}

std::vector<MetricValue> headline_metrics(const WorkloadResult& w) {
  const double batch = double(std::max<uint64_t>(w.batch, 1));
  std::vector<MetricValue> v;
  if (w.kind == WorkloadKind::kDiffusion) {
    const double s = w.seconds_per_image();
    v.push_back({Metric::kSecondsPerImage, s});
    v.push_back({Metric::kImagesPerS, s > 0 ? 1 / s : 0});
    v.push_back({Metric::kEnergyPerImage, w.energy_per_image_j() * 1e3});
    v.push_back({Metric::kDramBytesPerImage, double(per_pass(w).dram_bytes()) / batch});
    if (const StageResult* d = w.stage(StageRole::kDenoiser))
      v.push_back({Metric::kDenoiserEvaluationsPerS, per_s(d->run.stats.total.latency_s)});
    if (const StageResult* d = w.stage(StageRole::kDecoder))
      v.push_back({Metric::kDecoderEvaluationsPerS, per_s(d->run.stats.total.latency_s)});
  } else if (w.kind == WorkloadKind::kLlm) {
    if (const StageResult* p = w.stage(StageRole::kPrefill)) {
      v.push_back({Metric::kTimeToFirstToken, w.time_to_first_token_s() * 1e3});
      v.push_back({Metric::kPrefillEnergy, p->run.stats.total.energy_pj() * 1e-9});
    }
    if (const StageResult* d = w.stage(StageRole::kDecode)) {
      const Counters& t = d->run.stats.total;
      v.push_back({Metric::kDecodeTokensPerS, w.decode_tokens_per_s()});
      v.push_back({Metric::kDecodeStep, t.latency_s * 1e3});
      v.push_back({Metric::kDecodeEnergyPerToken, w.decode_energy_per_token_j() * 1e3});
      v.push_back({Metric::kDecodeDramBytesPerToken, double(t.dram_bytes()) / batch});
      const double bw = d->run.hw.dram.bandwidth_bytes_per_s;
      v.push_back({Metric::kDecodeWeightStreaming, double(t.dram_read_weight_bytes) / bw * 1e3});
      v.push_back({Metric::kDecodeKvCacheTraffic, double(t.dram_read_kv_bytes + t.dram_write_kv_bytes) / bw * 1e3});
      v.push_back({Metric::kDecodeMacTime, t.mac_s * 1e3});
      v.push_back({Metric::kDecodeVectorTime, t.vector_s * 1e3});
    }
  } else {
    const Counters c = per_pass(w);
    v.push_back({Metric::kInferencesPerS, per_s(c.latency_s, batch)});
    v.push_back({Metric::kNetLatency, c.latency_s * 1e3});
    v.push_back({Metric::kEnergyPerInference, c.energy_pj() * 1e-9 / batch});
    v.push_back({Metric::kDramBytesPerInference, double(c.dram_bytes()) / batch});
  }
  return v;
}

std::vector<MetricValue> network_metrics(const StageResult& st) {
  const RunStats& s = st.run.stats;
  const Counters& t = s.total;
  const mappers::Schedule& sch = st.run.schedule;
  return {
      {Metric::kNetLatency, t.latency_s * 1e3},
      {Metric::kNetEvaluationsPerS, per_s(t.latency_s)},
      {Metric::kNetEnergy, t.energy_pj() * 1e-9},
      {Metric::kNetMacs, double(t.macs)},
      {Metric::kNetMacUtilization, s.utilization()},
      {Metric::kNetPeakMacsPerS, s.peak_macs_per_s},
      {Metric::kNetDramReadBytes, double(t.dram_read_bytes())},
      {Metric::kNetDramWriteBytes, double(t.dram_write_bytes())},
      {Metric::kNetSramPeakBytes, double(s.sram_peak_bytes)},
      {Metric::kNetSpilledActivationBytes, double(sch.spilled_bytes)},
      {Metric::kNetSpillTrafficBytes, double(t.dram_read_spill_bytes + t.dram_write_spill_bytes)},
      {Metric::kNetNoSpillSramBytes, double(sch.no_spill_sram_bytes)},
      {Metric::kNetPrefetchedWeightBytes, double(s.prefetched_weight_bytes)},
      {Metric::kNetOpOverhead, double(s.op_overhead_ps) * 1e-9},
      {Metric::kNetPerRunOverhead, double(s.per_run_ps) * 1e-9},
  };
}

std::string bound_time_key(Bound b) { return "time_" + std::string(bound_name(b)) + "_bound_ms"; }

}  // namespace npusim::sim
