#!/usr/bin/env python3
"""Checks a file against the Chrome trace-event format (JSON object form) as trace viewers
(ui.perfetto.dev, chrome://tracing) read it: usage: validate_trace.py TRACE.json TRACK...
Every event has name/ph/pid/tid; complete events ("X") have numeric ts >= 0 and dur >= 0;
metadata ("M") names the process and threads; each TRACK named on the command line is a
thread with at least one span; spans on one thread do not overlap partially (they nest or
follow one another), which viewers need to draw them. Every span carries args for the detail
pane: on the "ops" track kind, mapping, bound, MACs, bytes and latency; on a DMA or DRAM track
the op and its bytes; on a unit (MAC array, vector unit, SRAM) its busy cycles."""
import json
import sys


def main():
    path, tracks = sys.argv[1], sys.argv[2:]
    with open(path) as f:
        doc = json.load(f)
    assert isinstance(doc, dict), "top level must be an object"
    events = doc["traceEvents"]
    assert isinstance(events, list) and events, "traceEvents must be a non-empty list"
    assert doc.get("displayTimeUnit") in ("ms", "ns"), "displayTimeUnit must be ms or ns"
    names, spans, args = {}, {}, {}
    for e in events:
        for key in ("name", "ph", "pid", "tid"):
            assert key in e, f"event without {key}: {e}"
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int), f"pid/tid must be integers: {e}"
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "thread_sort_index"), e
            assert "args" in e, e
            if e["name"] == "thread_name":
                names[e["tid"]] = e["args"]["name"]
        elif e["ph"] == "X":
            ts, dur = e["ts"], e["dur"]
            assert isinstance(ts, (int, float)) and ts >= 0, e
            assert isinstance(dur, (int, float)) and dur >= 0, e
            spans.setdefault(e["tid"], []).append((ts, ts + dur))
            assert isinstance(e.get("args"), dict) and e["args"], f"span without args: {e}"
            args.setdefault(e["tid"], []).append(e["args"])
        else:
            raise AssertionError(f"unexpected phase {e['ph']}")
    for tid in spans:
        assert tid in names, f"thread {tid} has spans but no thread_name"
    for t in tracks:
        tids = [tid for tid, n in names.items() if n == t]
        assert tids, f"no track named {t!r}; tracks: {sorted(names.values())}"
        assert spans.get(tids[0]), f"track {t!r} has no spans"
    for tid, s in spans.items():
        s.sort()
        end = 0.0
        for a, b in s:
            # Spans on a unit are sequential: each starts at or after the previous one's end
            # (1e-6 us of rounding slack).
            assert a >= end - 1e-6, f"overlapping spans on {names[tid]!r}: starts {a} before {end}"
            end = max(end, b)
    check_args(names, args)
    print(f"{path}: {len(events)} events on {len(names)} tracks: valid")


OP_ARGS = {"kind": str, "mapping": str, "bound": str, "macs": int, "vector_elems": int, "dram_read_bytes": int,
           "dram_write_bytes": int, "sram_read_bytes": int, "sram_write_bytes": int, "latency_us": (int, float),
           "utilization_pct": (int, float)}
BOUNDS = {"compute", "vector", "dram", "none", "overlapped"}


def check_args(names, args):
    """The args each kind of track carries; the op spans' MACs and bytes are not all zero."""
    for tid, rows in args.items():
        track = names[tid]
        for a in rows:
            if track == "ops":
                for key, typ in OP_ARGS.items():
                    assert isinstance(a.get(key), typ), f"op span args without {key} ({typ}): {a}"
                assert a["bound"] in BOUNDS, f"unknown bound {a['bound']!r}"
                assert 0 <= a["utilization_pct"] <= 100 + 1e-9, a
            elif track == "DRAM" or track.startswith("DMA"):
                assert isinstance(a.get("op"), str) and a.get("bytes", 0) > 0, f"{track} span args: {a}"
            else:
                assert a.get("cycles", 0) > 0, f"{track} span args without cycles: {a}"
    ops = [a for tid, rows in args.items() if names[tid] == "ops" for a in rows]
    if ops:
        assert sum(a["macs"] for a in ops) > 0, "no op span has MACs"
        assert sum(a["dram_read_bytes"] for a in ops) > 0, "no op span reads DRAM"
        assert any(a["mapping"] for a in ops), "no op span names its mapping"


if __name__ == "__main__":
    main()
