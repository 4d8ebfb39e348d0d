#!/usr/bin/env python3
"""The report script's blocks from layer names (reports/npusim_report.py block_groups): SD's
down/mid/up blocks, a VAE decoder under `decoder.`, transformer layers, ONNX slash paths.

    report_blocks_test.py REPORTS_DIR
"""
import sys

sys.path.insert(0, sys.argv[1])
sys.argv = sys.argv[:1]
import npusim_report as r  # noqa: E402


def groups(names):
    return [(label, n) for label, _, n in r.block_groups(names)]


unet = ["time_embedding.linear_1", "time_embedding.act", "conv_in", "down_blocks.0.resnets.0.conv1",
        "down_blocks.0.attentions.0.proj_in", "down_blocks.1.resnets.0.conv1", "mid_block.resnets.0.conv1",
        "mid_block.attentions.0.proj_out", "up_blocks.0.resnets.0.conv1", "up_blocks.0.upsamplers.0.conv",
        "conv_norm_out", "conv_out"]
assert groups(unet) == [("time_embedding", 2), ("conv_in", 1), ("down_blocks.0", 2), ("down_blocks.1", 1),
                        ("mid_block", 2), ("up_blocks.0", 2), ("conv_norm_out", 1), ("conv_out", 1)], groups(unet)

vae = ["post_quant_conv", "decoder.conv_in", "decoder.mid_block.resnets.0.conv1", "decoder.up_blocks.0.resnets.0.conv1",
       "decoder.up_blocks.1.resnets.0.conv1", "decoder.conv_out"]
assert groups(vae) == [("post_quant_conv", 1), ("conv_in", 1), ("mid_block", 1), ("up_blocks.0", 1),
                       ("up_blocks.1", 1), ("conv_out", 1)], groups(vae)

llm = ["model.embed_tokens", "model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj",
       "model.layers.1.self_attn.q_proj", "model.norm", "lm_head"]
assert groups(llm) == [("embed_tokens", 1), ("layers.0", 2), ("layers.1", 1), ("norm", 1), ("lm_head", 1)], groups(llm)

onnx = ["/down_blocks.0/resnets.0/conv1/Conv", "/down_blocks.0/resnets.0/Add", "/mid_block/attentions.0/Softmax"]
assert groups(onnx) == [("down_blocks.0", 2), ("mid_block", 1)], groups(onnx)


# The per-layer plot: one bar per layer up to MAX_LAYER_BARS layers, one stacked bar per block above.
class Rep:
    def __init__(self):
        self.bars = {}

    def save(self, fig, name, caption):
        self.bars[name] = [sum(len(c) for c in ax.containers) for ax in fig.axes]  # bars, not shading
        r.plt.close(fig)


def layers(n_blocks, per_block):
    return [{"name": f"model.layers.{b}.op{i}", "latency_us": "1.5", "bound": "dram" if i % 2 else "compute"}
            for b in range(n_blocks) for i in range(per_block)]


run = {"workload": "w", "hardware": {"name": "hw"}, "precision": "w8a8", "strategy": "fused", "engine": "analytic"}
rep = Rep()
r.plot_layers_by_block(rep, run, {"small": layers(4, 10)}, "t")
assert rep.bars["t_layers_by_bound"] == [40], rep.bars  # every layer a bar
assert rep.bars["t_time_by_block"] == [8], rep.bars      # 4 blocks x 2 bounds
big = r.MAX_LAYER_BARS // 10 + 1
rep = Rep()
r.plot_layers_by_block(rep, run, {"big": layers(big, 10)}, "t")
assert rep.bars["t_layers_by_bound"] == [2 * big], (rep.bars, big)  # summed per block: blocks x 2 bounds
print("report blocks: ok")
