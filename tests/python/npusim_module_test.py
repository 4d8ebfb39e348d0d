#!/usr/bin/env python3
"""The Python module against the CLI: run and compare return what `--json` prints, errors carry
the CLI's message, sweep yields the lines `npusim sweep` writes (and stops on Ctrl-C, break,
close() or leaving a `with` block, leaving a results file `--resume` continues), load_results
builds a DataFrame, params() is the parameter table.

    npusim_module_test.py NPUSIM_BINARY WORKDIR      (the module on PYTHONPATH)
"""
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import npusim

npusim_bin, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def cli(*args, code=0):
    p = subprocess.run([npusim_bin, *args], capture_output=True, text=True)
    assert p.returncode == code, f"npusim {' '.join(args)}: exit {p.returncode}\n{p.stderr}"
    return p


# run: the same dict as `run --json`, number for number.
r = npusim.run(hw="tiny-test", model="tiny-block", strategy="fused", set={"sram.size": "64KiB"})
assert isinstance(r, dict) and r["schema"] == "npusim.run", r.keys()
for key in ("networks", "hardware", "inference", "workload", "precision", "strategy", "engine"):
    assert key in r, f"run() has no {key!r}: {sorted(r)}"
want = json.loads(cli("run", "--hw", "tiny-test", "--model", "tiny-block", "--strategy", "fused", "--set",
                      "sram.size=64KiB", "--json").stdout)
assert r == want, "run() differs from run --json"
assert r["networks"][0]["latency_ms"] > 0

# The pipeline section of SD 1.5, with dims as a dict (bool as 0/1) and precision.
p = npusim.run(hw="expedera-8k", model="sd15", precision="w8a16", dims={"steps": 2, "guidance": True})
want = json.loads(cli("run", "--hw", "expedera-8k", "--model", "sd15", "--precision", "w8a16", "--dim", "steps=2",
                      "--dim", "guidance=1", "--json").stdout)
assert p == want, "run(sd15) differs from run --json"
assert p["pipeline"]["steps"] == 2 and p["pipeline"]["seconds_per_image"] > 0, p["pipeline"]

# Errors: npusim.Error, a ValueError, with the message the CLI prints after "error: ".
for kwargs, cli_args in [
    (dict(hw="tiny-test", model="no-such-model"), ["--hw", "tiny-test", "--model", "no-such-model"]),
    (dict(hw="tiny-test", model="tiny-block", set={"sram.size": "7MB"}),
     ["--hw", "tiny-test", "--model", "tiny-block", "--set", "sram.size=7MB"]),
    (dict(hw="tiny-test", model="tiny-block", strategy="fast"),
     ["--hw", "tiny-test", "--model", "tiny-block", "--strategy", "fast"]),
]:
    try:
        npusim.run(**kwargs)
    except npusim.Error as e:
        assert isinstance(e, ValueError)
        err = cli("run", *cli_args, code=2).stderr
        assert err == f"error: {e}\n", f"message differs:\n  python: {e}\n  cli:    {err}"
    else:
        raise AssertionError(f"run({kwargs}) did not raise")
try:
    npusim.run(hw="tiny-test", model="tiny-block", set={"sram.size": "7MB"})
except npusim.Error as e:
    assert "ambiguous unit" in str(e), str(e)

# compare: hardware side by side, as `compare --json`.
c = npusim.compare(hw=["tiny-test", "expedera-8k"], model="tiny-block", strategy="fused")
want = json.loads(cli("compare", "--hw", "tiny-test,expedera-8k", "--model", "tiny-block", "--strategy", "fused",
                      "--json").stdout)
assert c == want, "compare() differs from compare --json"

# params(): the hardware parameter table.
table = npusim.params()
keys = {row["key"]: row for row in table}
assert len(table) > 20 and "sram.size" in keys and "dram.bandwidth" in keys, sorted(keys)[:5]
assert keys["sram.size"]["unit"] == "B" and keys["sram.size"]["meaning"], keys["sram.size"]
explain = cli("config", "--explain").stdout
assert all(row["key"] in explain for row in table)

# sweep: a dict spec yields the point lines `npusim sweep` writes for the same file.
spec = {"name": "py", "hw": "tiny-test", "models": ["tiny-block"], "strategies": ["offchip", "fused"],
        "axes": {"sram.size": ["512B", "32KiB", "64KiB"]}}
out = os.path.join(work, "py.jsonl")
rows = list(npusim.sweep(spec, jobs=2, out=out))
assert len(rows) == 6 and [r["index"] for r in rows] == list(range(6)), rows
assert [r["status"] for r in rows].count("error") == 2, [r["status"] for r in rows]  # 512B is below the minimum
with open(os.path.join(work, "s.yaml"), "w") as f:
    json.dump(spec, f)
cli("sweep", os.path.join(work, "s.yaml"), "--out", os.path.join(work, "cli.jsonl"), "--quiet")
with open(os.path.join(work, "cli.jsonl")) as f:
    cli_lines = [json.loads(line) for line in f]
assert rows == cli_lines[1:], "sweep() rows differ from npusim sweep's lines"
with open(out) as f:
    assert [json.loads(line) for line in f][1:] == rows, "sweep(out=) file differs from the rows"
# An iterator that yields as points finish, in point order; the file is written after the last line.
out2 = os.path.join(work, "py2.jsonl")
it = npusim.sweep(spec, jobs=2, out=out2)
assert iter(it) is it and next(it) == rows[0]
assert not os.path.exists(out2), "sweep(out=) wrote the file before the last line"
assert [rows[0]] + list(it) == rows and os.path.exists(out2)
try:
    npusim.sweep({"hw": "tiny-test", "models": ["tiny-block"], "axes": {"sram.sise": ["1MiB"]}})
except npusim.Error as e:
    assert "sram.sise: unknown hardware key; did you mean sram.size?" in str(e), str(e)
else:
    raise AssertionError("a sweep with a misspelt key did not raise")

# Stopping a sweep: 2000 points of about 1.5 ms each take seconds on one thread, while stopping
# waits only for the points in flight, so a stopped sweep has written far fewer lines than
# points (without stopping it would write none until all of them had run). Its out= file holds
# the header and the points done, which `npusim sweep --resume` completes to a full run's lines.
# The points in flight finish and are written too, and points start in index order, so the
# points done are a prefix of the sweep: a point in flight dropped would leave a gap.
big = {"name": "py-big", "hw": "tiny-test", "models": ["tiny-block"], "strategies": ["offchip", "fused"],
       "axes": {"sram.size": [f"{k}KiB" for k in range(32, 82)], "dram.bandwidth": [f"{g}GB/s" for g in range(1, 21)]}}
big_points = 50 * 20 * 2
big_spec = os.path.join(work, "big.yaml")
with open(big_spec, "w") as f:
    json.dump(big, f)


def point_lines(path):
    with open(path) as f:
        lines = f.readlines()
    assert json.loads(lines[0])["header"]["name"] == "py-big", lines[0]
    return lines[1:]


cli("sweep", big_spec, "--out", os.path.join(work, "full.jsonl"), "--quiet", "--jobs", "2")
full = point_lines(os.path.join(work, "full.jsonl"))


def stopped_lines(path, rows=()):
    """The point lines of a stopped sweep's out= file: some, not all, of a full run's lines, with
    no gap, holding the rows the iterator yielded."""
    done = point_lines(path)
    assert 1 <= len(done) < big_points, len(done)
    gaps = sorted(set(range(json.loads(done[-1])["index"] + 1)) - {json.loads(line)["index"] for line in done})
    assert not gaps, f"{path}: points {gaps[:10]} missing below the last point written"
    assert done == full[:len(done)], f"{path}: lines differ from a full run's"
    assert all(json.loads(done[r["index"]]) == r for r in rows), f"{path}: a yielded row is not written"
    return done


def resume_completes(path):
    """`npusim sweep --resume` runs just the points a stopped sweep did not, giving a full run's lines."""
    done = point_lines(path)
    resumed = cli("sweep", big_spec, "--out", path, "--resume", "--quiet", "--jobs", "2").stdout
    assert f"{big_points - len(done)} run now" in resumed and f"{len(done)} already done" in resumed, resumed
    assert point_lines(path) == full, f"{path}: the stopped and resumed sweep differs from a full run"


# Ctrl-C: a child Python iterating the sweep gets SIGINT after its first row and ends with
# KeyboardInterrupt, not after the whole sweep.
out_int = os.path.join(work, "interrupted.jsonl")
child_code = f"""
import npusim
for i, row in enumerate(npusim.sweep({big!r}, jobs=1, out={out_int!r})):
    if i == 0:
        print("first row", flush=True)
print("all rows", flush=True)
"""
env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.path.dirname(npusim.__file__),
                                                                os.environ.get("PYTHONPATH")])))
child = subprocess.Popen([sys.executable, "-c", child_code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
watchdog = threading.Timer(120, child.kill)  # a safety net against a hang, not a time limit
watchdog.start()
try:
    first = child.stdout.readline()
    assert first == "first row\n", f"child: {first!r}\n{child.stderr.read()}"
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    rest, err = child.communicate()
    stop_s = time.monotonic() - sent
finally:
    watchdog.cancel()
    if child.poll() is None:
        child.kill()
        child.wait()
assert child.returncode != 0 and "KeyboardInterrupt" in err, f"child: exit {child.returncode}\n{rest}{err}"
assert "all rows" not in rest, rest
done = stopped_lines(out_int)
print(f"sweep: Ctrl-C stopped the child {stop_s:.3f} s after SIGINT, {len(done)} of {big_points} points written")
resume_completes(out_int)

# break: the dropped iterator stops its sweep and writes the points done so far.
out_break = os.path.join(work, "break.jsonl")
it = npusim.sweep(big, jobs=2, out=out_break)
for row in it:
    break
assert row == json.loads(full[0]) and not os.path.exists(out_break)
del it
gc.collect()
stopped_lines(out_break, [row])

# close(): as a generator's. It stops the sweep and writes out= at once; after it next() ends the
# iteration; a second close() does nothing (it does not write the file again).
out_close = os.path.join(work, "close.jsonl")
it = npusim.sweep(big, jobs=2, out=out_close)
first = next(it)
assert not os.path.exists(out_close)
it.close()
stopped_lines(out_close, [first])
os.replace(out_close, out_close + ".kept")
it.close()
assert not os.path.exists(out_close), "a second close() wrote out= again"
os.replace(out_close + ".kept", out_close)
for _ in range(2):
    try:
        next(it)
    except StopIteration:
        pass
    else:
        raise AssertionError("next() after close() did not raise StopIteration")
assert list(it) == []
resume_completes(out_close)

# close() on another thread while this one iterates: the iteration ends after the rows done by
# then, out= is written once and holds them.
out_thread = os.path.join(work, "thread.jsonl")
it = npusim.sweep(big, jobs=2, out=out_thread)
seen = [next(it)]
closer = threading.Thread(target=it.close)
closer.start()
seen += list(it)
closer.join()
assert [r["index"] for r in seen] == list(range(len(seen))), [r["index"] for r in seen][:10]
stopped_lines(out_thread, seen)

# with: leaving the block closes the iterator, whether normally or by an exception, which
# propagates. `it` still refers to the iterator, so its destructor has not run.
out_with = os.path.join(work, "with.jsonl")
with npusim.sweep(big, jobs=2, out=out_with) as it:
    assert isinstance(it, npusim.SweepIterator)
    first = next(it)
stopped_lines(out_with, [first])
assert next(it, None) is None, "the iterator yields after its with block"
out_raise = os.path.join(work, "with_raise.jsonl")
try:
    with npusim.sweep(big, jobs=2, out=out_raise) as it:
        first = next(it)
        raise LookupError("raised in the block")
except LookupError as e:
    assert str(e) == "raised in the block", e
else:
    raise AssertionError("the with block swallowed the exception")
stopped_lines(out_raise, [first])
assert next(it, None) is None, "the iterator yields after its with block"
resume_completes(out_raise)

# Four threads stopped after a few rows, several times: each time the points the other threads
# had in flight are written, with the rows yielded (they used to be dropped, leaving a gap most
# times, for --resume to run again).
for rows_before_close in range(1, 6):
    out_jobs = os.path.join(work, f"jobs4_{rows_before_close}.jsonl")
    with npusim.sweep(big, jobs=4, out=out_jobs) as it:
        seen = [next(it) for _ in range(rows_before_close)]
    stopped_lines(out_jobs, seen)

# load_results: a DataFrame, one flat row per point, metrics by their vocabulary keys.
import pandas  # noqa: E402  (Debian python3-pandas)

df = npusim.load_results(out)
assert isinstance(df, pandas.DataFrame) and len(df) == 6, type(df)
for col in ("index", "status", "model", "sram.size", "strategy", "inferences_per_s", "energy_per_inference_mj", "error"):
    assert col in df.columns, f"no column {col}: {list(df.columns)}"
ok = df[df["status"] == "ok"]
assert len(ok) == 4 and (ok["inferences_per_s"] > 0).all()
assert list(ok["inferences_per_s"]) == [r["metrics"]["inferences_per_s"] for r in rows if r["status"] == "ok"]
assert df.attrs["header"]["name"] == "py", df.attrs["header"].get("name")
try:
    npusim.load_results(os.path.join(work, "none.jsonl"))
except npusim.Error as e:
    assert "none.jsonl" in str(e), str(e)
else:
    raise AssertionError("load_results of a missing file did not raise")

print("npusim module: run, compare, errors, params, sweep and load_results agree with the CLI")
