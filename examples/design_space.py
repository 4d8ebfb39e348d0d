#!/usr/bin/env python3
"""Design-space exploration from Python with the npusim module: sweep SRAM size x DRAM
bandwidth x memory strategy for one model, load the results as a pandas DataFrame, print the
best point per strategy and plot throughput against SRAM size.

    python3 examples/design_space.py --out DIR [--hw expedera-8k] [--model sd15-unet]
        [--sram 2MiB,4MiB,8MiB,16MiB] [--bandwidth 12GB/s,24GB/s] [--jobs N]

Writes DIR/design_space.jsonl (the sweep results, as `npusim sweep --out` writes them),
DIR/design_space.csv and DIR/design_space.png. The module must be importable: ./setup.sh links
it into python3's site directory, or PYTHONPATH=build/python.
"""
import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import npusim  # noqa: E402

STYLE = {  # strategy -> colour (Okabe-Ito) and marker
    "offchip": ("#D55E00", "s"), "onchip": ("#0072B2", "^"), "fused": ("#009E73", "o"), "best": ("#CC79A7", "D")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder for the results, CSV and plot (created)")
    ap.add_argument("--hw", default="expedera-8k")
    ap.add_argument("--model", default="sd15-unet")
    ap.add_argument("--sram", default="2MiB,4MiB,8MiB,16MiB", help="SRAM sizes, comma-separated")
    ap.add_argument("--bandwidth", default="12GB/s,24GB/s", help="DRAM bandwidths, comma-separated")
    ap.add_argument("--strategies", default="offchip,onchip,fused")
    ap.add_argument("--jobs", type=int, default=None, help="threads (default: all cores)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = os.path.join(args.out, "design_space.jsonl")
    if os.path.exists(results):
        os.remove(results)  # a fresh sweep each time

    # The sweep file's keys as a dict (configs/sweeps/README.md): a grid over two hardware keys.
    spec = {
        "name": "design-space",
        "hw": args.hw,
        "models": [args.model],
        "strategies": args.strategies.split(","),
        "axes": {"sram.size": args.sram.split(","), "dram.bandwidth": args.bandwidth.split(",")},
    }
    try:
        rows = list(npusim.sweep(spec, jobs=args.jobs, out=results))
    except npusim.Error as e:  # bad input: the same message as the CLI's
        sys.exit(f"design_space: {e}")
    failed = [r for r in rows if r["status"] != "ok"]
    print(f"{len(rows)} points, {len(failed)} failed")

    df = npusim.load_results(results)
    header = df.attrs["header"]
    ok = df[df["status"] == "ok"]
    if ok.empty:
        sys.exit("design_space: no point ran; see " + results)
    kind = ok["kind"].iloc[0]
    figures = header["kinds"][kind]  # this workload kind's throughput and energy keys
    labels = {d["key"]: d["label"] for d in header["metric_definitions"]}
    rate, energy = figures["throughput"], figures["energy"]
    df.to_csv(os.path.join(args.out, "design_space.csv"), index=False)

    # The fastest point per strategy, with what it costs in energy.
    best = ok.loc[ok.groupby("strategy")[rate].idxmax()]
    print(best[["strategy", "sram.size", "dram.bandwidth", rate, energy]].to_string(index=False))

    # Throughput against SRAM size: one colour and marker per strategy, one line style per bandwidth.
    sizes = args.sram.split(",")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for (strategy, bandwidth), g in ok.groupby(["strategy", "dram.bandwidth"], sort=False):
        colour, marker = STYLE.get(strategy, ("#000000", "x"))
        dash = "-" if bandwidth == args.bandwidth.split(",")[-1] else "--"
        g = g.assign(x=g["sram.size"].map(sizes.index)).sort_values("x")
        ax.plot(g["x"], g[rate], dash, color=colour, marker=marker, label=f"{strategy}, {bandwidth}")
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([re.sub(r"(\d)([KMG]?i?B)$", r"\1 \2", s) for s in sizes])  # "8MiB" -> "8 MiB"
    ax.set_xlabel("SRAM size")
    ax.set_ylabel(labels.get(rate, rate))
    ax.set_title(f"{labels.get(rate, rate).capitalize()} against SRAM size\n"
                 f"{args.model} on {args.hw}, precision {header['precision'] or 'the model’s own'}; lines: strategy, DRAM bandwidth", fontsize=10)
    ax.legend(title="strategy, DRAM bandwidth", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plot = os.path.join(args.out, "design_space.png")
    fig.savefig(plot, metadata={"Software": None})
    print(f"wrote {results}, design_space.csv and {plot}")


if __name__ == "__main__":
    main()
