#!/usr/bin/env python3
"""`make bench`: the Multiprocessing library beside Python's multiprocessing and Node.js.

Runs every workload in Swift (mp-bench), Python 3, Node.js and, where it helps to read the
numbers, a tiny C reference program, several times each (the languages take turns, so a noisy
moment of the machine does not land on one of them only), and prints one table: the median of
each, the speed of Swift relative to Python and Node (>1 means Swift is faster), and the
issue's target for Swift with PASS or MISS. Results are also written as JSON.

Each workload program prints one JSON line, {"value": <number>, "unit": "<unit>"}. A workload
the Swift build does not have yet (`mp-bench --list`) is reported as n/a.

    python3 bench/run.py --swift .build/release/mp-bench [--reps 5] [--only pool-map,...]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT_DIR = os.path.join(ROOT, ".build", "bench")
TRACE_FILE = os.path.join(OUT_DIR, "trace.jsonl")
LANGS = ("swift", "python", "node", "c")


@dataclass
class Workload:
    key: str                    # the name every side knows the workload by
    label: str                  # what the table calls it
    unit: str
    lower_is_better: bool = False
    target: float = None        # the issue's target for Swift
    python: str = None          # bench/python/<file>.py that has it
    node: str = None            # bench/node/<file>.js that has it
    c: bool = False             # bench/c/reference.c has it
    swift: str = None           # the mp-bench workload name, when it differs from key
    env: dict = field(default_factory=dict)   # extra environment for the Swift run
    issue: dict = field(default_factory=dict)  # reference figures quoted by the issue
    min_reps: int = 0           # at least this many repetitions
    note: str = ""


WORKLOADS = [
    # MARK: Core (issue 2)
    Workload("process-start", "process start+join", "ms", True, 0.30, "core", "core", True,
             issue={"python": 1.60, "node": 50.6, "c": 0.117},
             note="Node: child_process.fork until 'exit'"),
    Workload("queue-small", "Queue small ints", "msgs/s", False, 2e6, "core", "core",
             issue={"python": 338e3, "node": 347e3}, note="Node: child_process IPC messages"),
    Workload("queue-1k", "Queue 1 KiB messages", "msgs/s", False, 1.2e6, "core", "core",
             issue={"python": 231e3, "node": 1.11e6},
             note="Node: worker_threads postMessage of a 1 KiB Uint8Array"),
    Workload("pipe-small", "Pipe small messages", "msgs/s", False, 2e6, "core",
             issue={"python": 359e3}),
    Workload("pipe-bandwidth", "Pipe 1 MiB chunks", "GB/s", False, 6.0, "core",
             issue={"python": 6.6}),
    Workload("pipe-rtt", "Pipe round trip", "us", True, None, "core",
             note="a small int to a child and back: the least a Manager call can cost"),
    Workload("locked-counter", "locked counter, 2 procs", "ops/s", False, 32e6, "core", "core", True,
             issue={"python": 1.26e6, "node": 31.4e6, "c": 34.7e6},
             note="Node: 2 worker_threads, SharedArrayBuffer + Atomics mutex; "
                  "C: process-shared pthread mutex"),
    Workload("locked-counter-raw", "  raw Value + Lock", "ops/s", False, None, "core",
             note="Value(lock: false) and a separate Lock, instead of the value's own RLock"),
    # MARK: Pool (issue 3)
    Workload("pool-map", "Pool(2).map 200k tiny", "tasks/s", False, 15e6, "pool", "pool",
             issue={"python": 7.69e6, "node": 12.0e6}, note="Node: a 2-worker worker_threads pool"),
    Workload("pool-imap1", "imap chunk 1, 20k", "tasks/s", False, 400e3, "pool", "pool",
             issue={"python": 77.8e3, "node": 375e3}),
    Workload("pool-apply-async", "20k applyAsync", "tasks/s", False, 250e3, "pool",
             issue={"python": 49.6e3}),
    Workload("executor-submit", "20k executor submit", "tasks/s", False, 150e3, "pool",
             issue={"python": 18.4e3}),
    Workload("cpu-speedup", "CPU-bound speedup, 2 procs", "x", False, 1.9, "pool", "pool",
             issue={"python": 1.71},
             note="serial time / Pool(2) time; each language sizes its own task"),
    Workload("pool-create", "pool create+map+close", "ms", True, 1.5, "pool", "pool",
             issue={"python": 7.2}),
    # MARK: Workers for the pool's life (issue 12)
    Workload("pool-map-loop", "1k map of 8, Pool(4)", "calls/s", False, None, "pool",
             note="named task; issue 12's target: 10x Python in the same run (Swift/Py >= 10)"),
    Workload("pool-apply-loop", "1k apply, Pool(4)", "calls/s", False, 22.6e3, "pool",
             issue={"python": 2256},
             note="named task; target 10x the issue's best Python rate (1,300-2,256/s)"),
    Workload("spawn-pool-create", "spawn Pool(1) create+apply+join", "ms", True, None, "pool",
             note="Swift's Process always forks, so spawn is timed through a pool; "
                  "issue 12's target: at most a fifth of Python's (Swift/Py >= 5)"),
    # MARK: Manager (issue 4)
    Workload("manager-dict", "Manager dict set+get", "pairs/s", False, 26e3, "manager",
             issue={"python": 13.3e3}),
    Workload("socket-rtt", "Unix socket round trip", "us", True, None, "manager", None, True,
             issue={"c": 41}, note="reference for the Manager: one byte there and back"),
    # MARK: Tracing (issue 7)
    # Each runs alternately with LEARN_MP_TRACE unset and set to a file; the table shows both.
    Workload("trace-process", "start+join, trace", "ms", True, None,
             env={"LEARN_MP_TRACE": TRACE_FILE}, min_reps=7,
             note="LEARN_MP_TRACE unset (off) / =.build/bench/trace.jsonl (on), runs alternating"),
    Workload("trace-pool", "map 20k chunk 1, trace", "tasks/s", False, None,
             env={"LEARN_MP_TRACE": TRACE_FILE}, min_reps=7),
]


# MARK: - Running


def command(workload, lang, tools):
    """The command line that runs `workload` in `lang`, or None when that side lacks it."""
    if lang == "swift":
        name = workload.swift or workload.key
        if tools["swift"] and name in tools["swift_list"]:
            return [tools["swift"], name]
    elif lang == "python" and workload.python:
        return [sys.executable, os.path.join(HERE, "python", workload.python + ".py"), workload.key]
    elif lang == "node" and workload.node and tools["node"]:
        return [tools["node"], os.path.join(HERE, "node", workload.node + ".js"), workload.key]
    elif lang == "c" and workload.c and tools["c"]:
        return [tools["c"], workload.key]
    return None


def clean_environment(extra):
    env = {k: v for k, v in os.environ.items() if k not in ("LEARN_MP_TRACE", "PYTHONUNBUFFERED")}
    env.update(extra)
    return env


def run_once(cmd, env, timeout):
    """Runs one repetition; returns (value, unit, detail) or raises RuntimeError with the reason."""
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout} s")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"exit {done.returncode}: {' | '.join(tail)}")
    for line in reversed(done.stdout.strip().splitlines()):
        try:
            result = json.loads(line)
            return float(result["value"]), result["unit"], result.get("detail")
        except (ValueError, KeyError, TypeError):
            continue
    raise RuntimeError(f"no result line in output: {done.stdout.strip()[-200:]!r}")


def measure(workload, tools, reps, timeout):
    """All repetitions of one workload, languages taking turns; a dict per language."""
    results = {}
    commands = {lang: command(workload, lang, tools) for lang in LANGS}
    if workload.env and commands["swift"]:
        # The workload with and without its environment, taking turns.
        commands["swift-off"] = commands["swift"]
    for lang, cmd in commands.items():
        results[lang] = {"status": "n/a", "samples": []} if cmd is None else {"status": "ok", "samples": []}
    env = clean_environment(workload.env)
    trace_lines = []
    for _ in range(max(reps, workload.min_reps)):
        for lang, cmd in commands.items():
            entry = results[lang]
            if cmd is None or entry["status"] != "ok":
                continue
            tracing = lang == "swift" and "LEARN_MP_TRACE" in workload.env
            if tracing:
                open(TRACE_FILE, "w").close()
            try:
                value, unit, detail = run_once(cmd, env if lang == "swift" else clean_environment({}), timeout)
            except RuntimeError as error:
                entry["status"] = "failed"
                entry["error"] = str(error)
                continue
            if unit != workload.unit:
                entry["status"] = "failed"
                entry["error"] = f"unit {unit!r}, expected {workload.unit!r}"
                continue
            entry["samples"].append(value)
            if detail is not None:
                entry.setdefault("details", []).append(detail)
            if tracing:
                with open(TRACE_FILE) as f:
                    trace_lines.append(sum(1 for _ in f))
    for entry in results.values():
        if entry["status"] == "ok" and entry["samples"]:
            entry["median"] = statistics.median(entry["samples"])
            entry["min"], entry["max"] = min(entry["samples"]), max(entry["samples"])
    if trace_lines:
        results["swift"]["trace_lines"] = trace_lines
    on, off = results["swift"]["samples"], results.get("swift-off", {}).get("samples", [])
    if "swift-off" in results and on and len(on) == len(off):
        # Speed with tracing off relative to on, per neighbouring pair of runs (drift cancels).
        results["swift"]["off_vs_on"] = statistics.median(
            speed_ratio(workload, a, b) for a, b in zip(off, on))
    return results


def speed_ratio(workload, mine, theirs):
    """How many times faster `mine` is than `theirs` (>1: faster), for rates and times alike."""
    if mine is None or theirs is None or mine == 0 or theirs == 0:
        return None
    return theirs / mine if workload.lower_is_better else mine / theirs


def verdict(workload, results):
    swift = results["swift"].get("median")
    if workload.env:
        ratio = results["swift"].get("off_vs_on")
        if ratio is None:
            return "n/a"
        # Off must cost nothing more than on, which does strictly more work: off at least as
        # fast as on, with 5 % for the noise.
        return "PASS" if ratio >= 0.95 else "MISS"
    if workload.target is None:
        return ""
    if swift is None:
        return "n/a"
    ok = swift <= workload.target if workload.lower_is_better else swift >= workload.target
    return "PASS" if ok else "MISS"


# MARK: - Printing


def fmt(value):
    if value is None:
        return "n/a"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def cell(entry):
    if entry["status"] == "ok" and "median" in entry:
        return fmt(entry["median"])
    return {"n/a": "-", "failed": "FAIL"}.get(entry["status"], "-")


def target_text(workload):
    if workload.env:
        return "off >= 0.95x on"
    if workload.target is None:
        return ""
    return ("<= " if workload.lower_is_better else ">= ") + fmt(workload.target)


def print_table(rows, reps):
    header = ["workload", "unit", "Swift", "Python", "Node", "C ref", "Py@issue", "Swift/Py",
              "Swift/Node", "target", ""]
    lines = []
    for w in WORKLOADS:
        r = rows.get(w.key)
        if r is None:
            continue
        res = r["results"]
        ratio = lambda x: "" if x is None else f"{x:.2f}x"
        if w.env:
            off = res.get("swift-off", {"status": "n/a"})
            lines.append([w.label + " off", w.unit, cell(off), "", "", "", "", "", "", "", ""])
            paired = res["swift"].get("off_vs_on")
            lines.append([w.label + " on", w.unit, cell(res["swift"]), "", "", "", "",
                          "" if paired is None else f"off {paired:.2f}x on", "",
                          target_text(w), r["verdict"]])
            continue
        quoted = w.issue.get("python")
        lines.append([w.label, w.unit, cell(res["swift"]), cell(res["python"]), cell(res["node"]),
                      cell(res["c"]), "" if quoted is None else fmt(quoted),
                      ratio(r["swift_vs_python"]), ratio(r["swift_vs_node"]),
                      target_text(w), r["verdict"]])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    def show(row):
        return "  ".join(str(x).ljust(widths[i]) if i < 2 else str(x).rjust(widths[i])
                         for i, x in enumerate(row)).rstrip()
    print()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"medians of {reps} runs, load average {load}; Swift/Py and Swift/Node are speed ratios "
          f"(>1: Swift faster);\nPy@issue is Python's figure quoted by the issue, to show how busy "
          f"the machine is now")
    print(show(header))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(show(line))
    failures = [(w.key, lang, entry["error"]) for w in WORKLOADS if w.key in rows
                for lang, entry in rows[w.key]["results"].items() if entry["status"] == "failed"]
    for key, lang, error in failures:
        print(f"FAILED {key} [{lang}]: {error}")
    notes = [f"  {w.key}: {w.note}" for w in WORKLOADS if w.note and w.key in rows]
    if notes:
        print("notes:")
        print("\n".join(notes))
    for w in WORKLOADS:
        on = rows.get(w.key, {}).get("results", {}).get("swift", {})
        if on.get("trace_lines"):
            print(f"  {w.key} on: {on['trace_lines'][-1]} trace lines written per run")
    passed = sum(1 for r in rows.values() if r["verdict"] == "PASS")
    missed = sum(1 for r in rows.values() if r["verdict"] == "MISS")
    absent = sum(1 for w in WORKLOADS if w.key in rows and rows[w.key]["verdict"] == "n/a")
    print(f"targets: {passed} PASS, {missed} MISS, {absent} n/a (not in this Swift build)")


# MARK: - Main


def build_reference(cc):
    """Compiles bench/c/reference.c; returns the program's path or None."""
    if not cc:
        return None
    out = os.path.join(OUT_DIR, "reference")
    src = os.path.join(HERE, "c", "reference.c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        done = subprocess.run([cc, "-O2", "-pthread", "-o", out, src], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"C reference not built: {done.stderr.strip()}", file=sys.stderr)
            return None
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swift", help="path of the mp-bench program (release build)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per workload and language")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per repetition")
    parser.add_argument("--out", default=os.path.join(OUT_DIR, "results.json"))
    args = parser.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)

    tools = {"swift": None, "swift_list": set(), "node": shutil.which("node"),
             "c": build_reference(shutil.which("cc") or shutil.which("gcc"))}
    if args.swift:
        try:
            listed = subprocess.run([args.swift, "--list"], capture_output=True, text=True, timeout=30)
            tools["swift"] = os.path.abspath(args.swift)
            tools["swift_list"] = set(listed.stdout.split())
        except OSError as error:
            print(f"mp-bench not usable ({error}); Swift reported as n/a", file=sys.stderr)
    selected = [w for w in WORKLOADS if not args.only or w.key in args.only.split(",")]
    if not selected:
        sys.exit(f"no workload matches {args.only!r}; known: {', '.join(w.key for w in WORKLOADS)}")

    started = time.time()
    rows = {}
    for w in selected:
        t0 = time.time()
        print(f"{w.key} ...", end="", flush=True, file=sys.stderr)
        results = measure(w, tools, args.reps, args.timeout)
        swift = results["swift"].get("median")
        rows[w.key] = {
            "seconds": round(time.time() - t0, 2),
            "results": results,
            "swift_vs_python": speed_ratio(w, swift, results["python"].get("median")),
            "swift_vs_node": speed_ratio(w, swift, results["node"].get("median")),
        }
        print(f" {time.time() - t0:.1f} s", file=sys.stderr)
    for w in selected:
        rows[w.key]["verdict"] = verdict(w, rows[w.key]["results"])
    print_table(rows, args.reps)
    elapsed = time.time() - started
    print(f"total {elapsed:.0f} s")

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(elapsed, 1),
        "reps": args.reps,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(),
                    "node": subprocess.run([tools["node"], "--version"], capture_output=True,
                                           text=True).stdout.strip() if tools["node"] else None,
                    "load": os.getloadavg()},
        "swift": {"program": tools["swift"], "workloads": sorted(tools["swift_list"])},
        "workloads": [
            {"key": w.key, "label": w.label, "unit": w.unit,
             "better": "lower" if w.lower_is_better else "higher",
             "target": w.target, "issue_reference": w.issue, "note": w.note,
             **rows[w.key]}
            for w in selected
        ],
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"results: {os.path.relpath(args.out, os.getcwd())}")


if __name__ == "__main__":
    main()
