#!/usr/bin/env python3
"""npusim report: turn runs (`npusim run --out DIR`), sweeps (`npusim sweep --out X.jsonl`) and
corpus cross-checks (`npusim crosscheck --corpus C --out DIR`) into report.md, a self-contained report.html, CSVs and PNG/SVG plots.

Run by `npusim report` (which passes --npusim-version/--npusim-commit); runnable by hand:
    /usr/bin/python3 reports/npusim_report.py RESULTS... --out DIR

The same inputs give byte-identical files: no timestamps, plots without date/software
metadata and with a fixed SVG hash salt, rows in input order.
"""
import argparse
import base64
import bisect
import csv
import heapq
import html
import io
import json
import math
import os
import re
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    sys.exit("npusim report: matplotlib is missing; install the Debian package python3-matplotlib "
             "(or point NPUSIM_PYTHON at a python3 that has it)")

plt.rcParams.update({
    "svg.hashsalt": "npusim",
    "figure.dpi": 100,
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
})

# Per network of a run: an Okabe-Ito colour and a marker of its own.
NET_STYLES = [("#0072B2", "o"), ("#D55E00", "s"), ("#009E73", "^"), ("#CC79A7", "D"), ("#E69F00", "v")]
# Okabe-Ito colours per bound (distinguishable with the common colour-vision deficiencies).
BOUND_COLORS = {"compute": "#0072B2", "vector": "#009E73", "dram": "#D55E00", "none": "#999999",
                "overlapped": "#E69F00"}
# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies) and a marker
# of its own per strategy, so the lines differ in shape as well as colour.
STRATEGY_COLORS = {"offchip": "#D55E00", "onchip": "#0072B2", "fused": "#009E73", "best": "#CC79A7"}
STRATEGY_MARKERS = {"offchip": "s", "onchip": "^", "fused": "o", "best": "D"}
AXIS_WORDS = {  # sweep axis key -> words for titles and axis labels
    "sram.size": "SRAM size", "dram.bandwidth": "DRAM bandwidth", "mac_array.frequency": "MAC-array clock",
    "vector_unit.lanes": "vector lanes", "vector_unit.frequency": "vector-unit clock",
    "sram.bytes_per_cycle": "SRAM bytes per cycle", "dram.latency": "DRAM latency", "array_shape": "MAC-array shape",
    "shape": "MAC-array shape", "mac_array.rows": "MAC-array rows", "mac_array.cols": "MAC-array columns",
}


def axis_words(axis):
    return AXIS_WORDS.get(axis, axis)
KINDS = [  # (metric suffix, label)
    ("dram_read_weight", "read: weights"),
    ("dram_read_activation", "read: activations"),
    ("dram_read_spill", "read: spills"),
    ("dram_read_kv", "read: KV cache"),
    ("dram_write_activation", "write: activations"),
    ("dram_write_spill", "write: spills"),
    ("dram_write_kv", "write: KV cache"),
]
# Okabe-Ito, in KINDS order: reads in blues and greens, writes in warm colours and hatched.
KIND_COLORS = ["#0072B2", "#56B4E9", "#009E73", "#F0E442", "#E69F00", "#D55E00", "#CC79A7"]
KIND_HATCHES = ["", "", "", "", "//", "//", "//"]


def stacked_by_kind(ax, names, heights_of):
    """Bars for `names` stacked by tensor kind; heights_of(key) gives one height per name.
    Kinds that are zero everywhere get no bar and no legend entry; each entry gives the kind's
    share of all the bars, so a sliver too thin to see is still accounted for."""
    bottom = [0.0] * len(names)
    heights = [(key, label, color, hatch, heights_of(key))
               for (key, label), color, hatch in zip(KINDS, KIND_COLORS, KIND_HATCHES)]
    total = sum(sum(h) for *_, h in heights)
    for key, label, color, hatch, h in heights:
        if any(h):
            share = 100 * sum(h) / total if total > 0 else 0
            ax.bar(names, h, bottom=bottom, color=color, hatch=hatch, edgecolor="white", linewidth=0,
                   label=f"{label} ({share:.0f} %)" if share >= 1 else f"{label} (<1 %)")
            bottom = [b + v for b, v in zip(bottom, h)]

UNIT_SCALE = {  # unit suffix -> factor to the base unit (bytes, B/s, Hz)
    "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30,
    "B/s": 1, "kB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9, "TB/s": 1e12, "KiB/s": 2**10, "MiB/s": 2**20, "GiB/s": 2**30,
    "Hz": 1, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9,
}


def quantity(text):
    """A number from npusim's unit text ("8MiB", "12GB/s", "64"), or None."""
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([A-Za-z/]*)\s*", str(text))
    if not m:
        return None
    try:
        value = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2)
    if unit == "":
        return value
    return value * UNIT_SCALE[unit] if unit in UNIT_SCALE else None


def fmt(x, digits=4):
    if x is None or x == "":
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, int):
        return str(x)
    if x == 0 or not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


class Doc:
    """Blocks rendered to both Markdown and HTML, so the two always say the same."""

    def __init__(self):
        self.blocks = []

    def h(self, level, text):
        self.blocks.append(("h", level, text))

    def p(self, text):
        self.blocks.append(("p", text))

    def pre(self, text):
        self.blocks.append(("pre", text))

    def details(self, summary, text):
        """Preformatted text collapsed under a one-line summary (a config dump below the plots)."""
        self.blocks.append(("details", summary, text))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def img(self, png, caption):
        self.blocks.append(("img", png, caption))

    def markdown(self):
        out = []
        for b in self.blocks:
            if b[0] == "h":
                out.append("#" * b[1] + " " + b[2])
            elif b[0] == "p":
                out.append(b[1])
            elif b[0] == "pre":
                out.append("```\n" + b[1].rstrip("\n") + "\n```")
            elif b[0] == "details":
                out.append(f"<details><summary>{b[1]}</summary>\n\n```\n" + b[2].rstrip("\n") + "\n```\n</details>")
            elif b[0] == "table":
                out.append("| " + " | ".join(b[1]) + " |\n|" + "---|" * len(b[1]) + "\n" +
                           "\n".join("| " + " | ".join(fmt(c) for c in r) + " |" for r in b[2]))
            elif b[0] == "img":
                out.append(f"![{b[2]}]({b[1]})\n\n*{b[2]}* ([SVG]({b[1][:-4]}.svg))")
        return "\n\n".join(out) + "\n"

    def html(self, out_dir, title):
        parts = [
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            f"<title>{html.escape(title)}</title>",
            "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
            "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
            "text-align:right}th{background:#f2f2f2}td:first-child,th:first-child,td.t{text-align:left}"
            "pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:12px}"
            "figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}figcaption{color:#555;font-size:13px}"
            "</style></head><body>",
        ]
        for b in self.blocks:
            if b[0] == "h":
                parts.append(f"<h{b[1]}>{html.escape(b[2])}</h{b[1]}>")
            elif b[0] == "p":
                text = html.escape(b[1])
                text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
                parts.append(f"<p>{text}</p>")
            elif b[0] == "pre":
                parts.append(f"<pre>{html.escape(b[1])}</pre>")
            elif b[0] == "details":
                parts.append(f"<details><summary>{html.escape(b[1])}</summary><pre>{html.escape(b[2])}</pre></details>")
            elif b[0] == "table":
                head = "".join(f"<th>{html.escape(c)}</th>" for c in b[1])
                rows = "".join("<tr>" + "".join(
                    f"<td{' class=t' if isinstance(c, str) else ''}>{html.escape(fmt(c))}</td>" for c in r) + "</tr>"
                               for r in b[2])
                parts.append(f"<table><tr>{head}</tr>{rows}</table>")
            elif b[0] == "img":
                with open(os.path.join(out_dir, b[1]), "rb") as f:
                    data = base64.b64encode(f.read()).decode("ascii")
                parts.append(f"<figure><img alt=\"{html.escape(b[2])}\" src=\"data:image/png;base64,{data}\">"
                             f"<figcaption>{html.escape(b[2])}</figcaption></figure>")
        parts.append("</body></html>\n")
        return "\n".join(parts)


class Report:
    def __init__(self, out_dir, version, commit):
        self.out = out_dir
        self.version = version
        self.commit = commit
        self.doc = Doc()
        self.files = []

    def save(self, fig, name, caption):
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, name + ".png"), format="png", metadata={"Software": None})
        fig.savefig(os.path.join(self.out, name + ".svg"), format="svg",
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
        plt.close(fig)
        self.files += [name + ".png", name + ".svg"]
        self.doc.img(name + ".png", caption)

    def write_csv(self, name, header, rows):
        with open(os.path.join(self.out, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for r in rows:
                w.writerow([fmt(c, 10) if isinstance(c, float) else c for c in r])
        self.files.append(name)


def compact_hardware_lines(hw):
    """hardware_lines with the tech.* figures of a technology folded into one line."""
    lines = [l for l in hardware_lines(hw) if not l.startswith("tech.")]
    n = len(hardware_lines(hw)) - len(lines)
    if n:
        lines.append(f"tech.*: {n} figures of technology {hw.get('technology', '')} "
                     f"(`npusim config --resolved` lists them)")
    return lines


def hardware_lines(hw, prefix=""):
    """The resolved hardware config (nested JSON of unit text) as `key: value` lines."""
    lines = []
    for k, v in hw.items():
        if isinstance(v, dict):
            lines += hardware_lines(v, prefix + k + ".")
        elif isinstance(v, list):
            lines.append(f"{prefix}{k}: [{', '.join(v)}]")
        else:
            lines.append(f"{prefix}{k}: {v}")
    return lines


def hw_value(hw, key):
    node = hw
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# ---------------------------------------------------------------------------------------------
# Runs: npusim run --out DIR (summary.json + layers.csv)

def report_run(rep, path, tag):
    d = rep.doc
    summary_path = os.path.join(path, "summary.json") if os.path.isdir(path) else path
    layers_path = os.path.join(os.path.dirname(summary_path), "layers.csv")
    with open(summary_path, encoding="utf-8") as f:
        s = json.load(f)
    layers = []
    if os.path.exists(layers_path):
        with open(layers_path, encoding="utf-8", newline="") as f:
            layers = list(csv.DictReader(f))
    d.h(2, f"Run: {s['workload']} ({os.path.basename(os.path.normpath(path))})")
    d.p(f"Model `{s['workload']}` ({s['source']}), precision `{s.get('precision', '')}`, "
        f"strategy `{s.get('strategy', '')}`, engine `{s.get('engine', '')}`; results by npusim "
        f"{s['npusim_version']} (commit {s['git_commit']}), schema {s['schema']} v{s['schema_version']}.")
    for note in s.get("notes", []):
        d.p("Note: " + note)
    nets = s["networks"]
    header = ["network", "strategy", "runs/batch", "latency_ms", "evaluations_per_s", "mac_util_%", "dram_read_MB",
              "dram_write_MB", "energy_mJ", "sram_peak_MiB", "bound"]
    rows = [[n["name"], n["strategy"], n["runs_per_batch"], n["latency_ms"], n["evaluations_per_s"],
             100 * n["mac_utilization"], n["dram_read_bytes"] / 1e6, n["dram_write_bytes"] / 1e6, n["energy_mj"],
             n["sram_peak_bytes"] / 2**20, n["dominant_bound"]] for n in nets]
    d.table(header, rows)
    rep.write_csv(f"{tag}_networks.csv", header, rows)
    if "pipeline" in s:
        p = s["pipeline"]
        d.p(f"Pipeline: {fmt(p['seconds_per_image'])} s and {fmt(p['energy_per_image_mj'])} mJ per image "
            f"({p['steps']} steps, guidance {'on, cfg=' + p.get('cfg', 'sequential') if p['guidance'] else 'off'}, "
            f"batch {p.get('batch', 1)}); denoiser {fmt(p.get('denoiser_evaluations_per_s'))} evaluations/s, "
            f"decoder {fmt(p.get('decoder_evaluations_per_s'))} evaluations/s (one run of the network each).")
    if "llm" in s:
        d.p("LLM: " + ", ".join(f"{k} {fmt(v)}" for k, v in s["llm"].items()))

    if layers:
        by_net = {}
        for row in layers:
            by_net.setdefault(row.get("network", s["workload"]), []).append(row)
        plot_layers_by_block(rep, s, by_net, tag)

        # Roofline: every op at its MACs per DRAM byte and achieved MAC/s over its own busy time
        # (latency + overlapped), so no op sits above the compute roof; runs written before
        # busy_us existed fall back to latency_us.
        bw = quantity(hw_value(s["hardware"], "dram.bandwidth")) or 0
        fig, ax = plt.subplots(figsize=(8, 5))
        xs_all = []
        for i, (net, rows_) in enumerate(by_net.items()):
            peak = next((n["peak_macs_per_s"] for n in nets if n["name"] == net), None)
            xs, ys = [], []
            for r in rows_:
                macs, lat = float(r["macs"]), float(r.get("busy_us") or r["latency_us"]) * 1e-6
                dram = sum(float(r[k + "_B"]) for k, _ in KINDS)
                if macs <= 0 or lat <= 0:
                    continue
                xs.append(macs / dram if dram > 0 else float("inf"))
                ys.append(macs / lat)
            finite = [x for x in xs if math.isfinite(x)]
            cap = max(finite) * 4 if finite else 1e4
            xs = [x if math.isfinite(x) else cap for x in xs]
            xs_all += xs
            colour, marker = NET_STYLES[i % len(NET_STYLES)]
            ax.scatter(xs, ys, s=10, alpha=0.6, label=f"{net} ({len(xs)} MAC ops)", color=colour, marker=marker)
            if peak:
                ax.axhline(peak, color=colour, lw=0.8, ls=":")
        if not xs_all:  # log axes need a positive value: a model without MAC ops has no roofline
            plt.close(fig)
            d.p(f"No roofline: no op of {s['workload']} does MACs.")
        else:
            peak = max((n["peak_macs_per_s"] for n in nets), default=0)
            if xs_all and peak and bw:
                lo, hi = min(xs_all) / 2, max(xs_all) * 2
                knee = peak / bw
                pts = sorted({lo, hi, min(max(knee, lo), hi)})
                ax.plot(pts, [min(peak, bw * x) for x in pts], color="k", lw=1.5,
                        label=f"roof: {peak / 1e12:.3g} TMAC/s, {bw / 1e9:.3g} GB/s")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("operational intensity (MACs per DRAM byte; ops without DRAM traffic at the right)")
            ax.set_ylabel("achieved MAC/s (MACs / busy time)")
            ax.set_title("Roofline: every MAC op (ops above the DRAM roof had weights prefetched)\n"
                         f"{run_subtitle(s)}", fontsize=9)
            ax.legend(loc="lower right")
            rep.save(fig, f"{tag}_roofline", f"Roofline with every op placed ({s['workload']})")

    # DRAM traffic by tensor kind, per network (one strategy in a run).
    fig, ax = plt.subplots(figsize=(8, 4))
    names = [f"{n['name']}\n({n['strategy']})" for n in nets]
    stacked_by_kind(ax, names, lambda key: [n["totals"].get(key + "_MB", 0) for n in nets])
    ax.set_ylabel("DRAM traffic per run (MB)")
    ax.set_title(f"DRAM traffic per run by tensor kind (share of the total in the legend)\n{run_subtitle(s)}",
                 fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    rep.save(fig, f"{tag}_dram_by_kind", "DRAM traffic by tensor kind per network")

    # Energy by component per network: one run and, for a pipeline, per image (runs / batch).
    parts = [("energy_mac_mJ", "MAC array", "#0072B2"), ("energy_vector_mJ", "vector unit", "#009E73"),
             ("energy_sram_mJ", "SRAM", "#E69F00"), ("energy_dram_mJ", "DRAM", "#D55E00"),
             ("energy_static_mJ", "static", "#999999")]
    per_image = "pipeline" in s
    batch = s.get("batch", 1) or 1
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(nets)
    heights = [(label, color, [n["totals"].get(key, 0) * (n["runs_per_batch"] / batch if per_image else 1)
                               for n in nets]) for key, label, color in parts]
    total = sum(sum(h) for *_, h in heights)
    for label, color, h in heights:
        if any(h):
            share = 100 * sum(h) / total if total > 0 else 0
            ax.bar(names, h, bottom=bottom, color=color,
                   label=f"{label} ({share:.0f} %)" if share >= 1 else f"{label} (<1 %)")
            bottom = [b + x for b, x in zip(bottom, h)]
    ax.set_ylabel("energy per image (mJ)" if per_image else "energy per run (mJ)")
    ax.set_title("Energy by component" + (" per image (runs x energy / batch)" if per_image else " per run") +
                 f" (share of the total in the legend)\n{run_subtitle(s)}", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    rep.save(fig, f"{tag}_energy", "Energy by component (MAC, vector, SRAM, DRAM, static) per network")
    d.details(f"Resolved hardware config ({s['hardware'].get('name', 'hardware')})",
              "\n".join(hardware_lines(s["hardware"])))


# Layers per op above which the per-layer plot draws one bar per block instead of one per op.
MAX_LAYER_BARS = 3000
# Path segments that hold numbered blocks (down_blocks.0, layers.11, h.3) and single blocks (mid_block).
BLOCK_LISTS = re.compile(r"^(\w*blocks|layers|layer|h|block|blocks)$")


def name_parts(name):
    """A layer's hierarchical name split on '.' and '/' (ONNX node names use slashes)."""
    return [p for p in re.split(r"[./]", name) if p]


def block_of(name, wrappers=()):
    """The block a layer belongs to, from its name: the path through the first numbered block
    (down_blocks.1, encoder.layers.3) or a single block (mid_block); for a layer in no block its
    first segment, or first two when the first is a wrapper of blocks (text_model.embeddings)."""
    parts = name_parts(name)
    for i, part in enumerate(parts):
        if part.endswith("_block"):
            return ".".join(parts[:i + 1])
        if BLOCK_LISTS.match(part) and i + 1 < len(parts) and parts[i + 1].isdigit():
            return ".".join(parts[:i + 2])
    if len(parts) >= 2 and parts[0] in wrappers:
        return ".".join(parts[:2])
    return parts[0] if parts else name


def block_groups(names):
    """Consecutive layers of one block as (label, first index, count), in execution order. The
    label drops a wrapper prefix every block shares (decoder., text_model.encoder.)."""
    # A wrapper is what stands before a numbered block: decoder in decoder.up_blocks.0.
    wrappers = {b.split(".")[0] for b in map(block_of, names) if b.count(".") >= 2}
    keys = [block_of(n, wrappers) for n in names]
    groups = []
    for i, k in enumerate(keys):
        if groups and groups[-1][0] == k:
            groups[-1][2] += 1
        else:
            groups.append([k, i, 1])
    prefix = next(iter(wrappers)) + "." if len(wrappers) == 1 else ""
    return [(k[len(prefix):] if prefix and k.startswith(prefix) else k, first, n) for k, first, n in groups]


def run_subtitle(s):
    """What a run's plots hold fixed: model, hardware, precision, strategy, engine."""
    return (f"{s['workload']} on {s['hardware'].get('name', 'hardware')}, precision {s.get('precision', '')}, "
            f"strategy {s.get('strategy', '')}, {s.get('engine', '')} engine")


def bound_label(bound, ms, total):
    """A legend entry: the bound and its share of the network's time (a sliver stays findable)."""
    share = 100 * ms / total if total > 0 else 0
    return f"{bound} ({share:.0f} % of time)" if share >= 1 else f"{bound} (<1 % of time)"


def plot_layers_by_block(rep, s, by_net, tag):
    """Per-layer latency in execution order, each bar in the colour of its bound, with the blocks
    (down/mid/up, encoder layers) shaded and labelled; above MAX_LAYER_BARS layers one stacked bar
    per block. Then the time per block, stacked by bound, for every network."""
    nets = list(by_net.items())
    fig, axes = plt.subplots(len(nets), 1, figsize=(11, 3.4 * len(nets)), squeeze=False)
    for ax, (net, rows_) in zip(axes[:, 0], nets):
        groups = block_groups([r["name"] for r in rows_])
        ms = [float(r["latency_us"]) / 1e3 for r in rows_]
        total = sum(ms)
        drawn = set()
        if len(rows_) <= MAX_LAYER_BARS:
            for bound, color in BOUND_COLORS.items():
                xs = [i for i, r in enumerate(rows_) if r["bound"] == bound and ms[i] > 0]
                if xs:
                    ax.bar(xs, [ms[i] for i in xs], width=1.0, color=color, linewidth=0,
                           label=bound_label(bound, sum(ms[i] for i in xs), total))
                    drawn.add(bound)
            for j, (label, first, n) in enumerate(groups):
                if j % 2:
                    ax.axvspan(first - 0.5, first + n - 0.5, color="#000000", alpha=0.06, linewidth=0)
            ax.set_xlim(-0.5, len(rows_) - 0.5)
            # Labels on blocks wide enough to hold one; a run of one-layer groups (conv_out) stays unlabelled.
            wide = [n >= 0.015 * len(rows_) for _, _, n in groups]
            centres = [first + (n - 1) / 2 for _, first, n in groups]
            groups = [g for g, w in zip(groups, wide) if w]
            centres = [c for c, w in zip(centres, wide) if w]
            what = f"{len(rows_)} layers in {len(wide)} blocks"
            ax.set_xlabel("layers in execution order, grouped by block (shaded alternately; blocks of a few layers "
                          "unlabelled)")
        else:
            bottom = [0.0] * len(groups)
            for bound, color in BOUND_COLORS.items():
                h = [sum(ms[i] for i in range(first, first + n) if rows_[i]["bound"] == bound)
                     for _, first, n in groups]
                if any(h):
                    ax.bar(range(len(groups)), h, bottom=bottom, color=color, label=bound_label(bound, sum(h), total))
                    bottom = [b + v for b, v in zip(bottom, h)]
                    drawn.add(bound)
            centres = list(range(len(groups)))
            what = f"{len(rows_)} layers (more than {MAX_LAYER_BARS}: summed per block)"
            ax.set_xlabel("blocks in execution order")
        step = max(1, math.ceil(len(groups) / 40))  # at most ~40 labels
        ax.set_xticks([c for j, c in enumerate(centres) if j % step == 0])
        ax.set_xticklabels([g[0] for j, g in enumerate(groups) if j % step == 0], rotation=60, ha="right",
                           fontsize=7)
        ax.grid(axis="x", visible=False)
        ax.set_title(f"{net}: latency per layer, {what}; {total:.3g} ms per run")
        ax.set_ylabel("latency (ms)")
        if drawn:
            ax.legend(title="bound", loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    fig.suptitle(run_subtitle(s), fontsize=9, color="#444444")
    rep.save(fig, f"{tag}_layers_by_bound",
             f"Per-layer latency in execution order, coloured by bound, grouped by block ({s['workload']})")

    fig, axes = plt.subplots(len(nets), 1, figsize=(11, 3.2 * len(nets)), squeeze=False)
    for ax, (net, rows_) in zip(axes[:, 0], nets):
        groups = block_groups([r["name"] for r in rows_])
        ms = [float(r["latency_us"]) / 1e3 for r in rows_]
        bottom = [0.0] * len(groups)
        drawn = False
        for bound, color in BOUND_COLORS.items():
            h = [sum(ms[i] for i in range(first, first + n) if rows_[i]["bound"] == bound) for _, first, n in groups]
            if any(h):
                ax.bar(range(len(groups)), h, bottom=bottom, color=color, label=bound_label(bound, sum(h), sum(ms)))
                bottom = [b + v for b, v in zip(bottom, h)]
                drawn = True
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([g[0] for g in groups], rotation=60, ha="right", fontsize=7)
        ax.grid(axis="x", visible=False)
        ax.set_title(f"{net}: latency per block, stacked by bound ({len(groups)} blocks, {sum(bottom):.3g} ms per run)")
        ax.set_ylabel("latency (ms)")
        if drawn:
            ax.legend(title="bound", loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    fig.suptitle(run_subtitle(s), fontsize=9, color="#444444")
    rep.save(fig, f"{tag}_time_by_block", f"Latency per block, stacked by bound ({s['workload']})")


# ---------------------------------------------------------------------------------------------
# Sweeps: npusim sweep --out X.jsonl

def kind_figures(header, m):
    """The sweep header's figures for a point's workload kind (sim/metrics.h): throughput,
    energy and latency keys, per-item word and headline keys."""
    return header["kinds"][m["kind"]]


def metric_label(header, key):
    """Words and unit of a metric key, from the header's metric_definitions."""
    for d in header["metric_definitions"]:
        if d["key"] == key:
            return d["label"]
    return key


def sweep_records(path):
    """The results file's records, one at a time (a file of any size streams): header first if
    it leads the file; a last line cut short by a kill is skipped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # a line cut short by a kill
            yield json.loads(line)


# Scatter plots draw at most about this many points (every n-th by index); fronts, rankings and
# tables always use every point.
MAX_SCATTER = 5000
# Axis plots label at most this many of an axis's values.
MAX_TICKS = 24


class Front:
    """The Pareto front of a stream of points, exactly as sorting all of them by (x, y, index) and
    keeping each point whose y is below every earlier one's would give, in memory for the front
    only: both objectives lower-is-better."""

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.keys, self.points = [], []

    def add(self, r):
        k = (self.x(r), self.y(r), r["index"])
        i = bisect.bisect_left(self.keys, k)
        if i > 0 and self.keys[i - 1][1] <= k[1]:
            return  # an earlier point is at least as good on y
        j = i
        while j < len(self.keys) and self.keys[j][1] >= k[1]:
            j += 1
        self.keys[i:j] = [k]
        self.points[i:j] = [r]


class Top:
    """The n points with the smallest key, streamed (a max-heap of the n best so far)."""

    def __init__(self, n, key):
        self.n, self.key, self.items = n, key, []

    def add(self, r):
        entry = (_Reverse(self.key(r)), r)
        if len(self.items) < self.n:
            heapq.heappush(self.items, entry)
        elif self.items[0][0].k > entry[0].k:
            heapq.heapreplace(self.items, entry)

    def sorted(self):
        return [e[1] for e in sorted(self.items, key=lambda e: e[0].k)]


class _Reverse:
    """Orders by the reverse of a key (a max-heap with heapq)."""
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __lt__(self, other):
        return self.k > other.k


def report_sweep(rep, path, tag):
    """A sweep's results, streamed in two passes over the file so memory does not grow with its
    size: the first finds the header, the workload kinds and the counts; the second writes the
    CSV row by row and keeps only what the tables and plots show (rankings, fronts, the
    reference slices, every n-th point of the scatter plots)."""
    d = rep.doc
    header, n_points, n_ok, failed, present, used, first_hash = None, 0, 0, [], [], set(), None
    models_ok = {}
    n_failed = 0
    for rec in sweep_records(path):
        if "header" in rec:
            header = rec["header"]
            continue
        n_points += 1
        if first_hash is None:
            first_hash = rec["sweep"]
        if rec["status"] == "ok":
            n_ok += 1
            m = rec["metrics"]
            if m["kind"] not in present:
                present.append(m["kind"])
            models_ok.setdefault(m["kind"], set()).add(rec["point"]["model"])
            if m.get("precision"):
                used.add(m["precision"])
        else:
            n_failed += 1
            if len(failed) < 20:
                failed.append(rec)
    if header is None:
        sys.exit(f"npusim report: {path}: no sweep header line")
    if "kinds" not in header or "metric_definitions" not in header:
        sys.exit(f"npusim report: {path}: sweep schema v{header.get('schema_version', '?')} has no metric "
                 f"vocabulary (v2 and later do); run the sweep again with this npusim")
    failed.sort(key=lambda r: r["index"])
    axes = [a["name"] for a in header["axes"]]
    hw = header["hardware"]

    d.h(2, f"Sweep: {header['name']} ({os.path.basename(path)})")
    d.p(f"{n_points} of {header['points']} points present ({n_ok} ok, {n_failed} failed); "
        f"sweep hash {first_hash or ''}; engine `{header['engine']}`, mode `{header['mode']}`; "
        f"results by npusim {header['npusim_version']} (commit {header['git_commit']}).")
    used = sorted(used)
    d.p(f"Models: {', '.join(header['models'])}; precision: {header['precision']}" +
        (f" ({', '.join(used)})" if used and used != [header["precision"]] else "") + "; strategies: "
        f"{', '.join(header['strategies'])}" +
        (f"; dims: {', '.join(f'{k}={v}' for k, v in header['dims'].items())}" if header["dims"] else "") + ".")
    d.table(["axis", "values"], [[a["name"], ", ".join(a["values"])] for a in header["axes"]])

    # results.csv: one row per point; the headline columns of every workload kind present
    # (a diffusion point leaves the LLM columns empty and the other way round).
    kinds = [k for k, _ in KINDS]
    figure_keys, items = [], []
    for kind in present:
        info = header["kinds"][kind]
        figure_keys += [k for k in info["headline"] if k not in figure_keys]
        if info["item"] not in items:
            items.append(info["item"])
    dram_keys = [f"{k}_bytes_per_{item}" for item in items for k in kinds]
    csv_header = ["index", "model"] + axes + ["strategy", "status", "kind", "batch"] + figure_keys + dram_keys + [
        "area_mm2", "static_power_mW", "average_power_mW", "sustained_clock_MHz", "sustained_seconds_per_image",
        "error"]

    def rows():
        for r in sweep_records(path):
            if "header" in r:
                continue
            pt, m = r["point"], r.get("metrics", {})
            if r["status"] == "ok":
                collectors[m["kind"]].add(r)
            yield ([r["index"], pt["model"]] + [pt[a] for a in axes] + [pt["strategy"], r["status"],
                   m.get("kind", ""), m.get("batch", "")] + [m.get(k, "") for k in figure_keys + dram_keys] +
                   [m.get("area_mm2", ""), m.get("static_power_mw", ""), m.get("average_power_mw", ""),
                    m["sustained_clock_hz"] / 1e6 if "sustained_clock_hz" in m else "",
                    m.get("sustained_seconds_per_image", ""), r.get("error", "").strip().replace("\n", "; ")])

    stride = max(1, -(-int(header["points"]) // MAX_SCATTER))
    collectors = {kind: SweepKind(header, kind, [m for m in header["models"] if m in models_ok[kind]][0], stride)
                  for kind in present}
    rep.write_csv(f"{tag}_results.csv", csv_header, rows())

    if failed:
        d.h(3, "Failed points")
        d.table(["index"] + ["point", "error"],
                [[r["index"], ", ".join(f"{k}={v}" for k, v in r["point"].items()), r["error"].split("\n")[0]]
                 for r in failed[:20]])
        if n_failed > 20:
            d.p(f"... and {n_failed - 20} more (see {tag}_results.csv).")
    config = (f"Base hardware config ({header['hw']}; every point starts from it)",
              "\n".join(compact_hardware_lines(hw)))
    if not n_ok:
        d.details(*config)
        return
    if len(present) > 1:
        d.p("This sweep mixes workload kinds (" + ", ".join(present) + "): images/s, decode tokens/s and "
            "inferences/s are different quantities, so each kind is ranked and plotted on its own.")
    for kind in present:
        report_sweep_kind(rep, header, collectors[kind], kind, tag if len(present) == 1 else f"{tag}_{kind}",
                          len(present) > 1)
    d.details(*config)


class SweepKind:
    """What the tables and plots of one workload kind need, gathered from a stream of its ok
    points: the fastest ten, the Pareto fronts, the reference slices (every axis but one held at
    the base config's value), every `stride`-th point for the scatter plots, the first 40 designs."""

    def __init__(self, header, kind, model0, stride):
        info = header["kinds"][kind]
        self.rate_key, self.energy_key, self.lat_key, self.item = (info["throughput"], info["energy"],
                                                                   info["latency"], info["item"])
        self.axes = [a["name"] for a in header["axes"]]
        self.model0, self.stride = model0, stride
        self.ref = {a: sweep_reference(header, a) for a in self.axes}
        self.n = 0
        self.best = Top(10, lambda r: (-self.rate(r), r["index"]))
        self.front = Front(self.energy, lambda r: -self.rate(r))
        self.all_area = True
        self.area_fronts = [Front(lambda r: r["metrics"]["area_mm2"], lambda r: -self.rate(r)),
                            Front(lambda r: r["metrics"]["area_mm2"], self.energy)]
        self.slices = {None: []}
        self.slices.update({a: [] for a in self.axes})
        self.sample = []
        self.designs, self.more_designs, self.seen = [], False, set()

    def rate(self, r):
        return r["metrics"].get(self.rate_key, 0.0)

    def energy(self, r):
        return r["metrics"].get(self.energy_key, 0.0)

    def in_slice(self, r, free):
        return r["point"]["model"] == self.model0 and all(r["point"][a] == self.ref[a] for a in self.axes
                                                          if a != free)

    def add(self, r):
        self.n += 1
        self.best.add(r)
        self.front.add(r)
        for free in self.slices:
            if self.in_slice(r, free):
                self.slices[free].append(r)
        if r["index"] % self.stride == 0:  # only what the scatter plots draw
            m = r["metrics"]
            self.sample.append({"point": {"strategy": r["point"]["strategy"]},
                                "metrics": {k: m[k] for k in (self.rate_key, self.energy_key, "area_mm2") if k in m}})
        if "area_mm2" in r["metrics"]:
            for f in self.area_fronts:
                f.add(r)
            key = tuple(str(r["point"][a]) for a in self.axes)
            if key not in self.seen:
                if len(self.designs) < 40:
                    self.seen.add(key)
                    self.designs.append(r)
                else:
                    self.more_designs = True
        else:
            self.all_area = False


def sweep_reference(header, axis):
    """The value of `axis` the plots against other axes hold it at: the base config's value (or
    the nearest on a log scale, or for a compound axis the value matching the base's keys), else
    its first value."""
    hw = header["hardware"]
    values = next(a["values"] for a in header["axes"] if a["name"] == axis)
    base = hw_value(hw, axis)
    if base is not None:
        bq = quantity(base)
        for v in values:
            if v == base or (bq is not None and quantity(v) == bq):
                return v
        qs = [quantity(v) for v in values]
        if bq and bq > 0 and all(q and q > 0 for q in qs):  # the nearest on a log scale
            return min(values, key=lambda v: (abs(math.log(quantity(v) / bq)), values.index(v)))
    for v in values:  # a compound axis: "rows=64,cols=128" against the base's keys
        pairs = [p.split("=", 1) for p in v.split(",")]
        if all(len(p) == 2 for p in pairs) and all(
                any(str(x) == p[1] for x in leaf_values(hw, p[0])) for p in pairs):
            return v
    return values[0]


def report_sweep_kind(rep, header, c, kind, tag, mixed):
    """Rankings and plots of the points of one workload kind (gathered by a SweepKind), by that
    kind's own figures."""
    d = rep.doc
    axes = c.axes
    item, lat_key = c.item, c.lat_key
    rate, energy = c.rate, c.energy
    rate_label, energy_label = metric_label(header, c.rate_key), metric_label(header, c.energy_key)

    def dram(r):
        return sum(r["metrics"].get(f"{k}_bytes_per_{item}", 0) for k, _ in KINDS)

    if mixed:
        d.h(3, f"Workload kind: {kind} ({c.n} points)")
    d.h(3, "Fastest points" + (f" ({kind})" if mixed else ""))
    d.table(["index", "point", rate_label, metric_label(header, lat_key), energy_label, f"DRAM GB/{item}"],
            [[r["index"], ", ".join(f"{k}={v}" for k, v in r["point"].items()), rate(r),
              r["metrics"].get(lat_key, ""), energy(r), dram(r) / 1e9] for r in c.best.sorted()])

    ref, model0 = c.ref, c.model0
    d.p("Plots against one axis hold the others at " +
        (", ".join(f"{a} = {ref[a]}" for a in axes) if axes else "the base config") + f", model {model0}.")
    strategies = header["strategies"]
    if c.stride > 1:
        d.p(f"Scatter plots draw every {c.stride}th point by index (at most {MAX_SCATTER}); the fronts and tables "
            f"use all {c.n}.")

    # DRAM traffic by tensor kind per strategy.
    sl = c.slices[None]
    if sl:
        fig, ax = plt.subplots(figsize=(7, 4))
        names = [r["point"]["strategy"] for r in sl]
        stacked_by_kind(ax, names, lambda key: [r["metrics"].get(f"{key}_bytes_per_{item}", 0) / 1e9 for r in sl])
        ax.set_ylabel(f"DRAM traffic per {item} (GB)")
        ax.set_title(f"DRAM traffic by tensor kind per strategy ({model0})")
        ax.legend()
        rep.save(fig, f"{tag}_dram_by_kind", "DRAM traffic by tensor kind per strategy, at the reference point")

    # Throughput and traffic versus each axis, one line per strategy.
    for axis in axes:
        values = next(a["values"] for a in header["axes"] if a["name"] == axis)
        if len(values) < 2:
            continue
        numeric = all(quantity(v) is not None for v in values)
        unit = re.sub(r"^[-+0-9.eE]+", "", values[0])
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
        for strategy in strategies:
            rs = [r for r in c.slices[axis] if r["point"]["strategy"] == strategy]
            if not rs:
                continue
            pos = {v: i for i, v in enumerate(values)}
            rs.sort(key=lambda r: pos[r["point"][axis]])
            if numeric:
                scale = UNIT_SCALE.get(unit, 1)
                xs = [quantity(r["point"][axis]) / scale for r in rs]
            else:
                xs = [pos[r["point"][axis]] for r in rs]
            style = dict(color=STRATEGY_COLORS.get(strategy), marker=STRATEGY_MARKERS.get(strategy, "o"),
                         label=strategy)
            if numeric:
                ax1.plot(xs, [rate(r) for r in rs], **style)
                ax2.plot(xs, [dram(r) / 1e9 for r in rs], **style)
            else:  # categories: grouped bars, one per strategy, no line between unrelated values
                i, n = strategies.index(strategy), len(strategies)
                off = [x + (i - (n - 1) / 2) * 0.8 / n for x in xs]
                ax1.bar(off, [rate(r) for r in rs], width=0.8 / n, color=style["color"], label=strategy)
                ax2.bar(off, [dram(r) / 1e9 for r in rs], width=0.8 / n, color=style["color"], label=strategy)
        for ax, ylabel in ((ax1, rate_label), (ax2, f"DRAM traffic per {item} (GB)")):
            ax.set_xlabel(axis_words(axis) + (f" ({unit})" if numeric and unit else ""))
            ax.set_ylabel(ylabel)
            if numeric:
                scale = UNIT_SCALE.get(unit, 1)
                xs_all = [quantity(v) / scale for v in values]
                if min(xs_all) > 0 and max(xs_all) / min(xs_all) >= 8:
                    ax.set_xscale("log", base=2)
                    # Ticks at the swept values (at most MAX_TICKS of them, evenly picked), written
                    # as numbers (2, 4, 8, 16), not 2^1 .. 2^4.
                    ticks = xs_all[::-(-len(xs_all) // MAX_TICKS)]
                    ax.set_xticks(ticks)
                    ax.set_xticklabels([fmt(x, 4) for x in ticks])
                    ax.minorticks_off()
            else:
                step = -(-len(values) // MAX_TICKS)
                ax.set_xticks(range(0, len(values), step))
                ax.set_xticklabels(values[::step], rotation=15, fontsize=8)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(title="strategy")
        ax1.set_title(f"{rate_label[0].upper() + rate_label[1:]} vs {axis_words(axis)}")
        ax2.set_title(f"DRAM traffic per {item} vs {axis_words(axis)}")
        held = [f"{axis_words(a)} {ref[a]}" for a in axes if a != axis]
        fig.suptitle(f"{model0} on {header['hw']}, precision {header['precision']}" +
                     (f"; held: {', '.join(held)}" if held else ""), fontsize=8, y=0.995)
        safe = re.sub(r"[^A-Za-z0-9]+", "_", axis)
        rep.save(fig, f"{tag}_vs_{safe}", f"Throughput ({rate_label}) and DRAM traffic versus {axis}, "
                                          f"one line per strategy")

    # Pareto front: the kind's throughput against its energy per item over every point.
    fig, ax = plt.subplots(figsize=(8, 5))
    for strategy in strategies:
        rs = [r for r in c.sample if r["point"]["strategy"] == strategy]
        if rs:
            ax.scatter([energy(r) for r in rs], [rate(r) for r in rs], s=16, alpha=0.6, label=strategy,
                       color=STRATEGY_COLORS.get(strategy), marker=STRATEGY_MARKERS.get(strategy, "o"))
    front = c.front.points
    ax.step([energy(r) for r in front], [rate(r) for r in front], where="post", color="k", lw=1, marker="o",
            mfc="none", ms=9, label=f"Pareto front ({len(front)} points)")
    # Each front point labelled by what makes it: its axis values and strategy (at most 12).
    for r in front[:12]:
        label = ", ".join(str(r["point"][a]) for a in axes + ["strategy"] if a in r["point"])
        ax.annotate(label, (energy(r), rate(r)), textcoords="offset points", xytext=(6, -10), fontsize=7)
    ax.set_xlabel(energy_label)
    ax.set_ylabel(rate_label)
    ax.set_title(f"{rate_label[0].upper() + rate_label[1:]} against {energy_label}: Pareto front "
                 f"({header['name']}, {c.n} points)")
    ax.legend(title="strategy")
    rep.save(fig, f"{tag}_pareto", f"Pareto front of {rate_label} against {energy_label}")
    d.h(3, "Pareto-optimal points" + (f" ({kind})" if mixed else ""))
    d.table(["index", "point", rate_label, energy_label],
            [[r["index"], ", ".join(f"{k}={v}" for k, v in r["point"].items()), rate(r), energy(r)] for r in front])
    if c.n and c.all_area:
        report_silicon(rep, tag, header, c, axes, strategies, rate, rate_label, energy, energy_label)


def point_label(r, axes):
    """Short label of a sweep point: its axis values and strategy ("8MiB fused")."""
    return " ".join([str(r["point"][a]) for a in axes] + [r["point"]["strategy"]])


def label_front(ax, front, xof, yof, axes):
    # Staggered upwards with a leader line: front points often sit close together.
    for i, r in enumerate(front[:12]):  # more labels than this overlap
        ax.annotate(point_label(r, axes), (xof(r), yof(r)), textcoords="offset points", xytext=(10, -24 + 12 * (i % 6)),
                    fontsize=7, arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.4"})


def report_silicon(rep, tag, header, c, axes, strategies, rate, rate_label, energy, energy_label):
    """Throughput, energy and area: a Pareto plot of each pair (front drawn and labelled) and
    the area of each design point by block."""
    d = rep.doc
    d.h(3, "Silicon: area, static power and the fronts of each pair")
    area = lambda r: r["metrics"]["area_mm2"]
    pairs = [("area", area, "area (mm2)", "throughput", rate, rate_label, True, c.area_fronts[0]),
             ("area", area, "area (mm2)", "energy", energy, energy_label, False, c.area_fronts[1])]
    for xname, xof, xlabel, yname, yof, ylabel, y_high, streamed in pairs:
        fig, ax = plt.subplots(figsize=(8, 5))
        for strategy in strategies:
            rs = [r for r in c.sample if r["point"]["strategy"] == strategy]
            ax.scatter([xof(r) for r in rs], [yof(r) for r in rs], s=14, alpha=0.6, label=strategy,
                       color=STRATEGY_COLORS.get(strategy))
        front = streamed.points
        ax.step([xof(r) for r in front], [yof(r) for r in front], where="post", color="k", lw=1, marker="o",
                mfc="none", ms=9, label=f"Pareto front ({len(front)} points)")
        label_front(ax, front, xof, yof, axes)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"Pareto front: {yname} against {xname} ({header['name']}, {c.n} points)")
        ax.legend(title="strategy")
        rep.save(fig, f"{tag}_pareto_{yname}_vs_{xname}",
                 f"Pareto front of {yname} against {xname} ({'higher' if y_high else 'lower'} {yname}, smaller area)")
        d.h(4, f"Pareto-optimal points: {yname} against {xname}")
        d.table(["index", "point", xlabel, ylabel],
                [[r["index"], point_label(r, axes), xof(r), yof(r)] for r in front])

    # Area by block, one bar per design point (strategies share the hardware).
    designs = c.designs
    shown = designs[:40]
    blocks = []
    for r in shown:
        for b in r["metrics"]["area_blocks_mm2"]:
            if b not in blocks:
                blocks.append(b)
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.35 * len(shown) + 1.5)))
    names = [" ".join(str(r["point"][a]) for a in axes) or "base" for r in shown]
    left = [0.0] * len(shown)
    for i, b in enumerate(blocks):
        widths = [r["metrics"]["area_blocks_mm2"].get(b, 0.0) for r in shown]
        ax.barh(range(len(shown)), widths, left=left, label=b, color=plt.cm.tab10(i % 10))
        left = [l + w for l, w in zip(left, widths)]
    for i, r in enumerate(shown):
        ax.annotate(f"{r['metrics']['area_mm2']:.2f} mm2, {r['metrics']['static_power_mw']:.0f} mW static",
                    (left[i], i), textcoords="offset points", xytext=(4, -3), fontsize=7)
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("area (mm2)")
    ax.set_xlim(0, max(left) * 1.45)
    ax.set_title(f"Area by block per design point ({header['name']})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    rep.save(fig, f"{tag}_area_by_block", "Area of each design point by block, with its static power")
    if c.more_designs:
        d.p(f"The area plot shows the first {len(shown)} design points.")


CHIP_COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b2", "#937860"]
FAMILY_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h"]


def corpus_json_path(path):
    """The crosscheck --corpus JSON of an input (its --out directory or the file), else None."""
    if os.path.isdir(path):
        p = os.path.join(path, "crosscheck_corpus.json")
        return p if os.path.exists(p) else None
    if path.endswith(".json"):
        try:
            with open(path, encoding="utf-8") as f:
                return path if json.load(f).get("schema", "").startswith("npusim.crosscheck_corpus/") else None
        except (OSError, ValueError, AttributeError):
            return None
    return None


def report_corpus(rep, path, tag):
    """crosscheck --corpus: predicted against measured, log-log, y = x and a +-25 % band, one
    marker per network family and one colour per chip; decode rates as ms per token."""
    d = rep.doc
    with open(path, encoding="utf-8") as f:
        c = json.load(f)
    rows = c["rows"]
    d.h(2, f"Cross-check on a measured corpus ({c['corpus']})")
    d.p(f"Predicted by npusim {c['version']} (commit {c['commit']}) with the presets " +
        ", ".join(f"{chip} -> `{p}`" for chip, p in c["presets"].items()) +
        ". Basis: fitted = the preset was calibrated on that network; leave-one-out = refitted without it; "
        "prediction = same chip, not fitted on; transfer = another chip from public memory figures plus one "
        "fitted clock. Error = predicted / measured - 1 in the metric's unit.")
    chips = sorted({r["chip"] for r in rows})
    families = sorted({r["family"] for r in rows})

    def ms(r, key):  # every figure as a time: decode tokens/s -> ms per token
        return 1e3 / r[key] if r["unit"] == "tokens/s" else r[key]

    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    xs = [ms(r, "measured") for r in rows] + [ms(r, "predicted") for r in rows]
    lo, hi = min(xs) / 1.5, max(xs) * 1.5
    line = [lo, hi]
    ax.fill_between(line, [v * 0.75 for v in line], [v * 1.25 for v in line], color="#999999", alpha=0.25,
                    label="within 25 %")
    ax.plot(line, line, color="#333333", lw=0.8, label="predicted = measured")
    for ci, chip in enumerate(chips):
        for fi, fam in enumerate(families):
            pts = [r for r in rows if r["chip"] == chip and r["family"] == fam]
            if not pts:
                continue
            ax.scatter([ms(r, "measured") for r in pts], [ms(r, "predicted") for r in pts],
                       color=CHIP_COLORS[ci % len(CHIP_COLORS)], marker=FAMILY_MARKERS[fi % len(FAMILY_MARKERS)],
                       s=28, edgecolors="black", linewidths=0.4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("measured latency (ms; LLM decode: ms per token)")
    ax.set_ylabel("predicted latency (ms; LLM decode: ms per token)")
    handles = [plt.Line2D([], [], color=CHIP_COLORS[i % len(CHIP_COLORS)], marker="o", ls="", label=chip)
               for i, chip in enumerate(chips)]
    handles += [plt.Line2D([], [], color="#777777", marker=FAMILY_MARKERS[i % len(FAMILY_MARKERS)], ls="",
                           label=fam) for i, fam in enumerate(families)]
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], fontsize=7, loc="upper left", ncol=2)
    ax.set_title("npusim vs measured (AI Hub)")
    rep.save(fig, f"{tag}_predicted_vs_measured",
             "Predicted against measured latency, log-log: the line is predicted = measured, the band +-25 %; "
             "colour = chip, marker = network family.")
    header = ["chip", "device", "network", "split", "basis", "unit", "predicted", "measured", "error_%", "bound"]
    table = [[r["chip"], r["device"], r["network"], r["split"], r["basis"], r["unit"], r["predicted"],
              r["measured"], r["error_pct"], r["predicted_bound"]] for r in rows]
    d.table(header, [[fmt(v) if isinstance(v, float) else str(v) for v in t] for t in table])
    d.table(["split", "entries", "median |error| %", "worst |error| %"],
            [[s["split"], str(s["entries"]), fmt(s["median_abs_error_pct"]), fmt(s["worst_abs_error_pct"])]
             for s in c["splits"]])
    if c.get("chip_basis"):
        d.table(["chip", "basis", "entries", "median |error| %", "worst |error| %"],
                [[g["chip"], g["basis"], str(g["entries"]), fmt(g["median_abs_error_pct"]),
                  fmt(g["worst_abs_error_pct"])] for g in c["chip_basis"]])
    rep.write_csv(f"{tag}_crosscheck_corpus.csv",
                  ["chip", "device", "network", "split", "basis", "unit", "predicted", "measured", "error_pct",
                   "predicted_bound"], table)


def leaf_values(hw, suffix):
    """Values of every hardware key whose last segment is `suffix`."""
    out = []
    for k, v in hw.items():
        if isinstance(v, dict):
            out += leaf_values(v, suffix)
        elif k == suffix:
            out.append(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+", help="run directories (npusim run --out) or sweep results (.jsonl)")
    ap.add_argument("--out", "-o", required=True)
    ap.add_argument("--npusim-version", default="unknown")
    ap.add_argument("--npusim-commit", default="unknown")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rep = Report(args.out, args.npusim_version, args.npusim_commit)
    d = rep.doc
    title = "npusim report: " + ", ".join(os.path.basename(os.path.normpath(p)) for p in args.inputs)
    d.h(1, title)
    d.p(f"Report by npusim {args.npusim_version} (commit {args.npusim_commit}) from "
        f"{len(args.inputs)} input(s): " + ", ".join(f"`{os.path.basename(os.path.normpath(p))}`" for p in args.inputs) +
        ". Units: GB = 1e9 bytes, MiB = 2^20 bytes; images/s of a pipeline = 1 / seconds per image.")
    for i, path in enumerate(args.inputs):
        tag = f"{i + 1}"
        if corpus_json_path(path):
            report_corpus(rep, corpus_json_path(path), "corpus" + tag)
        elif os.path.isdir(path) or path.endswith(".json"):
            report_run(rep, path, "run" + tag)
        else:
            report_sweep(rep, path, "sweep" + tag)
    d.h(2, "Files")
    d.p(", ".join(sorted(rep.files)) + ", report.md, report.html")
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(d.markdown())
    with open(os.path.join(args.out, "report.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(d.html(args.out, title))
    for name in sorted(rep.files + ["report.md", "report.html"]):
        print(os.path.join(args.out, name))


if __name__ == "__main__":
    main()
