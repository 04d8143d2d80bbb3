#!/usr/bin/env python3
"""`make bench`: the Multiprocessing library beside Python's multiprocessing and Node.js.

Runs every workload in Swift (mp-bench), Python 3, Node.js and, where it helps to read the
numbers, a tiny C reference program, several times each, and prints one table: the median of
each language with its spread, the speed of Swift relative to Python and Node (>1 means Swift
is faster), and the target for Swift with PASS or MISS. Results, with every sample and the
load around it, are also written as JSON.

How a run guards against a noisy machine:
- Repetitions interleave the languages and rotate their order (repetition i starts with the
  i-th language), so a slow moment does not land on one language only.
- Before each sample the driver waits (up to --quiet-wait seconds in all) until the cores are
  idle, and it measures the CPU time other processes took while the sample ran (from
  /proc/stat, minus the sample's own CPU time from wait4). A row where any sample ran beside
  more than LOADED_CORES of foreign work is marked "load": its verdict is not to be trusted.
- A run of any language that fails, crashes, times out or prints no result makes the row a
  MISS with the reason, never "n/a".

Each workload program prints one JSON line, {"value": <number>, "unit": "<unit>"}.

    python3 bench/run.py --swift .build/release/mp-bench [--swift-notrace PATH]
                         [--learn-mp .build/debug/learn-mp] [--reps 5] [--only pool-map,...]
"""
import argparse
import json
import os
import platform
import re
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
# Foreign CPU work (in cores, averaged over a sample) above which a sample counts as loaded.
LOADED_CORES = 0.3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Workload:
    key: str                    # the name every side knows the workload by
    label: str                  # what the table calls it
    unit: str
    lower_is_better: bool = False
    target: float = None        # the target for Swift (see `relative`)
    python: str = None          # bench/python/<file>.py that has it
    node: str = None            # bench/node/<file>.js that has it
    c: bool = False             # bench/c/reference.c has it
    swift: str = None           # the mp-bench workload name, when it differs from key
    issue: dict = field(default_factory=dict)  # reference figures quoted by the issue
    min_reps: int = 0           # at least this many repetitions
    mechanism: dict = field(default_factory=dict)  # per side: how it does the work
    note: str = ""
    # "absolute": Swift's median against `target`. "peer": Swift's speed over the best peer's
    # in this run against `target` (for ratios that follow the machine, like a speedup).
    # "trace": tracing off against a build with tracing compiled out, paired runs.
    # "python": Swift's speed over Python's in this run against `target`.
    # "runner": the `learn-mp verify` row; Swift's column is the runner's figure.
    kind: str = "absolute"


SWIFT_RING = "shared-memory ring (mmap), futex wake-ups after a short spin; no kernel copy"
PY_PIPE = "os.pipe/socketpair: kernel copies, pickle"
NODE_IPC = "child_process IPC channel (JSON over a Unix socket)"

WORKLOADS = [
    # MARK: Core
    Workload("process-start", "process start+join", "ms", True, 0.30, "core", "core", True,
             issue={"python": 1.60, "node": 50.6, "c": 0.117},
             mechanism={"swift": "fork + waitpid (static Swift runtime)",
                        "python": "fork start method: os.fork + waitpid",
                        "node": "child_process.fork: a new node process until 'exit'",
                        "c": "fork + waitpid"}),
    Workload("queue-small", "Queue small ints", "msgs/s", False, 2e6, "core", "core",
             issue={"python": 338e3, "node": 347e3},
             mechanism={"swift": SWIFT_RING, "python": "Queue: feeder thread, pickle, kernel pipe",
                        "node": NODE_IPC + ", clock from the child's 'ready'"}),
    Workload("queue-1k", "Queue 1 KiB messages", "msgs/s", False, 1.2e6, "core", "core",
             issue={"python": 231e3, "node": 1.11e6},
             mechanism={"swift": SWIFT_RING, "python": "Queue: feeder thread, pickle, kernel pipe",
                        "node": "worker_threads postMessage of a 1 KiB string (structured clone)"}),
    Workload("queue-1k-typed", "  Node: Uint8Array", "msgs/s", False, None, None, "core",
             mechanism={"node": "worker_threads postMessage of a 1 KiB Uint8Array, the slower mode"}),
    Workload("queue-50mb", "Queue 50 MB item", "ms", True, 1.0, "core", "core", kind="python",
             mechanism={"swift": "one item larger than the ring: a one-off /dev/shm segment named in the ring",
                        "python": "Queue: pickle, feeder thread, kernel pipe",
                        "node": "a 50 MB Buffer over child_process IPC (advanced serialization)"},
             note="child to parent; the target: at least as fast as Python in the same run"),
    Workload("pipe-small", "Pipe small messages", "msgs/s", False, 2e6, "core",
             issue={"python": 359e3},
             mechanism={"swift": "Pipe between related processes: " + SWIFT_RING,
                        "python": "Pipe(): socketpair, pickle"}),
    Workload("pipe-bandwidth", "Pipe 1 MiB chunks", "GB/s", False, 6.0, "core",
             issue={"python": 6.6},
             mechanism={"swift": "send_bytes of 1 MiB: a socketpair with 4 MiB buffers",
                        "python": "Pipe(): socketpair with the kernel's default buffers"}),
    Workload("pipe-bandwidth-4m", "  Python, 4 MiB buffers", "GB/s", False, None, "core",
             mechanism={"python": "the same socketpair with SO_SNDBUF/SO_RCVBUF of 4 MiB, as Swift's"}),
    Workload("pipe-rtt", "Pipe round trip", "us", True, None, "core",
             mechanism={"swift": "shared-memory ring each way, futex wake-ups",
                        "python": "socketpair each way"},
             note="a small int to a child and back: the least a Manager call can cost"),
    Workload("locked-counter", "locked counter, 2 procs", "ops/s", False, 32e6, "core", "core", True,
             issue={"python": 1.26e6, "node": 31.4e6, "c": 34.7e6},
             mechanism={"swift": "Value's own RLock: futex word in shared memory, spin then sleep",
                        "python": "Value's RLock: a POSIX semaphore (sem_wait)",
                        "node": "2 worker_threads, SharedArrayBuffer + Atomics mutex",
                        "c": "process-shared pthread mutex (glibc: spin-free futex)"}),
    Workload("locked-counter-raw", "  raw Value + Lock", "ops/s", False, None, "core",
             mechanism={"swift": "Value(lock: false) and a separate futex Lock",
                        "python": "Value(lock=False) and a separate Lock (POSIX semaphore)"}),
    # MARK: Pool
    Workload("pool-map", "Pool(2).map 200k tiny", "tasks/s", False, 15e6, "pool", "pool",
             issue={"python": 7.69e6, "node": 12.0e6},
             mechanism={"swift": "workers read items from their forked copy of the input; "
                                 "results return through a shared-memory ring",
                        "python": "items and results pickled through pipes",
                        "node": "a 2-worker worker_threads pool, postMessage per chunk"}),
    Workload("pool-imap1", "imap chunk 1, 20k", "tasks/s", False, 400e3, "pool", "pool",
             issue={"python": 77.8e3, "node": 375e3},
             mechanism={"swift": "task indices through a shared-memory ring",
                        "python": "each task pickled through a pipe",
                        "node": "worker_threads, one postMessage per task"}),
    Workload("pool-apply-async", "20k applyAsync", "tasks/s", False, 250e3, "pool",
             issue={"python": 49.6e3},
             mechanism={"swift": "closure calls registered before the workers fork",
                        "python": "each call pickled through a pipe"}),
    Workload("executor-submit", "20k executor submit", "tasks/s", False, 150e3, "pool",
             issue={"python": 18.4e3},
             mechanism={"swift": "as applyAsync", "python": "each call pickled, a management thread"}),
    Workload("cpu-speedup", "CPU-bound speedup, 2 procs", "x", False, 0.95, "pool", "pool",
             issue={"python": 1.71}, kind="peer",
             mechanism={"swift": "Pool(2)", "python": "Pool(2)", "node": "2 worker_threads"},
             note="serial time / 2-way parallel time; each language sizes its own task. The target "
                  "is relative to the best peer in the same run, which shares the machine's state"),
    Workload("pool-create", "pool create+map+close", "ms", True, 1.5, "pool", "pool",
             issue={"python": 7.2},
             mechanism={"swift": "fork 2 workers, map, close, reap",
                        "python": "fork 2 workers, map, close, join",
                        "node": "2 worker_threads: a new V8 isolate each"}),
    # MARK: Workers for the pool's life
    Workload("pool-map-loop", "1k map of 8, Pool(4)", "calls/s", False, 10, "pool", kind="python",
             mechanism={"swift": "a named task, sent by type name with each call; the same 4 workers",
                        "python": "square sent by name (pickle); the same 4 workers"},
             note="target: 10x Python's rate in the same run"),
    Workload("pool-apply-loop", "1k apply, Pool(4)", "calls/s", False, 10, "pool", kind="python",
             mechanism={"swift": "a named task per call, the same 4 workers",
                        "python": "one pickled call per apply, the same 4 workers"},
             note="target: 10x Python's rate in the same run"),
    Workload("spawn-pool-create", "spawn Pool(1) create+apply+join", "ms", True, 5, "pool", kind="python",
             mechanism={"swift": "exec of the program itself; the worker is entered before main.swift",
                        "python": "spawn: a new interpreter imports the main module"},
             note="Swift's Process always forks, so spawn is timed through a pool; "
                  "target: at most a fifth of Python's time"),
    # MARK: Manager
    Workload("manager-dict", "Manager dict set+get", "pairs/s", False, 26e3, "manager",
             issue={"python": 13.3e3},
             mechanism={"swift": "Unix socket to the server process, a short spin before sleeping",
                        "python": "Unix socket to the server process, pickle"}),
    Workload("socket-rtt", "Unix socket round trip", "us", True, None, "manager", None, True,
             issue={"c": 41},
             mechanism={"python": "socketpair, one byte each way", "c": "socketpair, one byte each way"},
             note="reference for the Manager"),
    # MARK: Tracing
    # Tracing off must cost nothing: the normal build with LEARN_MP_TRACE unset against a build
    # with tracing compiled out (make bench builds both), paired neighbouring runs.
    Workload("trace-process", "start+join, trace", "ms", True, 0.95, swift="trace-process",
             kind="trace", min_reps=9,
             note="off: LEARN_MP_TRACE unset; on: set to a file; out: built with "
                  "-DLEARN_MP_TRACE_COMPILED_OUT"),
    Workload("trace-pool", "map 20k chunk 1, trace", "tasks/s", False, 0.95, kind="trace", min_reps=9),
    Workload("trace-lock", "raw Value + Lock, trace", "ops/s", False, 0.95, kind="trace", min_reps=9,
             note="a Lock records its holds when tracing is on: the check on every acquire and "
                  "release is what tracing off costs"),
    # MARK: The runner
    Workload("runner", "verify all --python --node", "x", True, 2.5, kind="runner", min_reps=3,
             mechanism={"swift": "learn-mp verify: jobs on the runner's own scheduler"},
             note="wall time of the whole verify over its longest single job (1.0: perfectly parallel)"),
]


# MARK: - Running


def command(workload, lang, tools):
    """The command line that runs `workload` on side `lang`, or None when that side lacks it."""
    name = workload.swift or workload.key
    if workload.kind == "runner":
        if lang == "swift" and tools["learn_mp"]:
            return [tools["learn_mp"], "verify", "all", "--python", "--node"]
        return None
    if lang in ("swift", "swift-on"):
        if tools["swift"] and name in tools["swift_list"]:
            return [tools["swift"], name]
    elif lang == "swift-out":
        if tools["swift_notrace"]:
            return [tools["swift_notrace"], name]
    elif lang == "python" and workload.python:
        return [sys.executable, os.path.join(HERE, "python", workload.python + ".py"), workload.key]
    elif lang == "node" and workload.node and tools["node"]:
        return [tools["node"], os.path.join(HERE, "node", workload.node + ".js"), workload.key]
    elif lang == "c" and workload.c and tools["c"]:
        return [tools["c"], workload.key]
    return None


def sides(workload):
    """The sides a workload runs on: the languages, or the three tracing builds/modes."""
    if workload.kind == "trace":
        return ("swift", "swift-on", "swift-out")
    return LANGS


def clean_environment(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("LEARN_MP_TRACE", "PYTHONUNBUFFERED")}
    env.update(extra or {})
    return env


# MARK: Load


def cpu_busy_seconds():
    """CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)   # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def foreign_cores(seconds=0.2):
    """How many cores other processes keep busy, measured over `seconds` while idle here."""
    before = cpu_busy_seconds()
    time.sleep(seconds)
    return max(0.0, (cpu_busy_seconds() - before) / seconds)


class QuietWaiter:
    """Waits for idle cores before a sample, within a budget of seconds for the whole run."""

    def __init__(self, budget):
        self.budget = budget
        self.waited = 0.0

    def wait(self):
        """Returns the foreign load (cores) seen last, after waiting while it was high."""
        load = foreign_cores()
        while load > LOADED_CORES and self.waited < self.budget:
            time.sleep(0.5)
            self.waited += 0.7
            load = foreign_cores()
        return load


def run_once(cmd, env, timeout):
    """Runs one repetition. Returns (value, unit, detail, load) where load is a dict of the
    foreign CPU (cores) during the run and the 1-minute load average before and after; raises
    RuntimeError with the reason when the run fails."""
    loadavg_before = os.getloadavg()[0]
    busy_before = cpu_busy_seconds()
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise RuntimeError(f"timed out after {timeout} s")
    wall = time.perf_counter() - started
    # communicate() reaped the child; its CPU time (and its reaped descendants') is in
    # RUSAGE_CHILDREN, which grows by exactly this child's share.
    own = child_cpu_seconds() - run_once.children_cpu
    run_once.children_cpu += own
    foreign = max(0.0, (cpu_busy_seconds() - busy_before - own) / wall) if wall > 0 else 0.0
    load = {"foreign_cores": round(foreign, 3), "loadavg_before": loadavg_before,
            "loadavg_after": os.getloadavg()[0]}
    if child.returncode != 0:
        tail = (stderr or stdout).strip().splitlines()[-3:]
        reason = f"killed by signal {-child.returncode}" if child.returncode < 0 else f"exit {child.returncode}"
        raise RuntimeError(f"{reason}: {' | '.join(tail)}")
    for line in reversed(stdout.strip().splitlines()):
        try:
            result = json.loads(line)
            return float(result["value"]), result["unit"], result.get("detail"), load
        except (ValueError, KeyError, TypeError):
            continue
    raise RuntimeError(f"no result line in output: {stdout.strip()[-200:]!r}")


def child_cpu_seconds():
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


run_once.children_cpu = child_cpu_seconds()


def runner_figure(stdout):
    """From `learn-mp verify` output: (wall seconds, longest job seconds) as "x" over it."""
    times = []
    for line in stdout.splitlines():
        m = re.search(r"(\d+(?:\.\d+)?) (ms|s)\s*$", line)
        if m and line.lstrip().startswith(("✓", "✗")):
            times.append(float(m.group(1)) / (1000 if m.group(2) == "ms" else 1))
    return max(times) if times else None


def run_runner(cmd, timeout):
    """The runner row: `learn-mp verify all --python --node` wall time over its longest job."""
    busy_before = cpu_busy_seconds()
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=clean_environment(), capture_output=True,
                              text=True, timeout=timeout * 5)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout * 5} s")
    wall = time.perf_counter() - started
    own = child_cpu_seconds() - run_once.children_cpu
    run_once.children_cpu += own
    load = {"foreign_cores": round(max(0.0, (cpu_busy_seconds() - busy_before - own) / wall), 3),
            "loadavg_before": None, "loadavg_after": os.getloadavg()[0]}
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {done.stdout.strip().splitlines()[-1:]}")
    longest = runner_figure(done.stdout)
    if not longest:
        raise RuntimeError("no job times in the output of learn-mp verify")
    return wall / longest, "x", {"wall": round(wall, 2), "longest": longest}, load


def measure(workload, tools, reps, timeout, waiter):
    """All repetitions of one workload, the sides interleaved and rotated; a dict per side."""
    names = sides(workload)
    commands = {side: command(workload, side, tools) for side in names}
    results = {side: {"status": "n/a" if cmd is None else "ok", "samples": [], "loads": []}
               for side, cmd in commands.items()}
    if workload.kind == "trace" and commands["swift-out"] is None:
        results["swift-out"] = {"status": "failed", "samples": [], "loads": [],
                                "error": "no build with tracing compiled out (--swift-notrace)"}
    trace_lines = []
    active = [side for side in names if commands[side] is not None]
    if workload.kind == "runner" and active:
        # One run first, not counted: it builds whatever demo binaries are stale.
        try:
            run_runner(commands["swift"], timeout)
        except RuntimeError:
            pass
    for rep in range(max(reps, workload.min_reps)):
        shift = rep % len(active) if active else 0
        for side in active[shift:] + active[:shift]:
            entry = results[side]
            if entry["status"] != "ok":
                continue
            tracing = side == "swift-on"
            env = clean_environment({"LEARN_MP_TRACE": TRACE_FILE} if tracing else None)
            if tracing:
                open(TRACE_FILE, "w").close()
            waiter.wait()
            try:
                if workload.kind == "runner":
                    value, unit, detail, load = run_runner(commands[side], timeout)
                else:
                    value, unit, detail, load = run_once(commands[side], env, timeout)
            except RuntimeError as error:
                entry["status"] = "failed"
                entry["error"] = str(error)
                continue
            if unit != workload.unit:
                entry["status"] = "failed"
                entry["error"] = f"unit {unit!r}, expected {workload.unit!r}"
                continue
            entry["samples"].append(value)
            entry["loads"].append(load)
            if detail is not None:
                entry.setdefault("details", []).append(detail)
            if tracing:
                with open(TRACE_FILE) as f:
                    trace_lines.append(sum(1 for _ in f))
    for entry in results.values():
        if entry["status"] == "ok" and entry["samples"]:
            samples = entry["samples"]
            entry["median"] = statistics.median(samples)
            entry["min"], entry["max"] = min(samples), max(samples)
            # Half the range, relative to the median: how far one sample may stray.
            entry["spread"] = (entry["max"] - entry["min"]) / 2 / entry["median"] if entry["median"] else None
    if trace_lines:
        results["swift-on"]["trace_lines"] = trace_lines
    if workload.kind == "trace":
        off, out = results["swift"]["samples"], results["swift-out"]["samples"]
        if off and len(off) == len(out):
            # Tracing off against compiled out, per neighbouring pair of runs (drift cancels).
            results["swift"]["off_vs_out"] = statistics.median(
                speed_ratio(workload, a, b) for a, b in zip(off, out))
    return results


def speed_ratio(workload, mine, theirs):
    """How many times faster `mine` is than `theirs` (>1: faster), for rates and times alike."""
    if mine is None or theirs is None or mine == 0 or theirs == 0:
        return None
    return theirs / mine if workload.lower_is_better else mine / theirs


def loaded(results):
    """The most foreign load any sample of the row ran beside, in cores."""
    return max((load["foreign_cores"] for entry in results.values() for load in entry.get("loads", [])),
               default=0.0)


def verdict(workload, results):
    """PASS, MISS (with the reason when a run failed) or "" for rows without a target."""
    failed = [f"{side}: {entry['error']}" for side, entry in results.items() if entry["status"] == "failed"]
    if failed:
        return "MISS", "; ".join(failed)
    swift = results["swift"].get("median")
    if workload.kind == "trace":
        ratio = results["swift"].get("off_vs_out")
        if ratio is None:
            return "MISS", "tracing-off and compiled-out runs did not pair up"
        return ("PASS" if ratio >= workload.target else "MISS"), None
    if workload.target is None:
        return "", None
    if swift is None:
        return "MISS", "no Swift result"
    if workload.kind == "python":
        value = speed_ratio(workload, swift, results["python"].get("median"))
        if value is None:
            return "MISS", "no Python result to compare with"
        return ("PASS" if value >= workload.target else "MISS"), None
    if workload.kind == "peer":
        peers = [results[l].get("median") for l in ("python", "node") if results[l].get("median")]
        if not peers:
            return "MISS", "no peer result to compare with"
        value = swift / max(peers)
    else:
        value = swift
    ok = value <= workload.target if workload.lower_is_better else value >= workload.target
    return ("PASS" if ok else "MISS"), None


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


def spread(entry):
    value = entry.get("spread")
    return "" if value is None else f"±{value * 100:.0f}%"


def target_text(workload):
    if workload.target is None:
        return ""
    sign = "<= " if workload.lower_is_better else ">= "
    if workload.kind == "trace":
        return f"off >= {workload.target:g}x out"
    if workload.kind == "peer":
        return f"{sign}{workload.target:g}x best peer"
    if workload.kind == "python":
        return f"speed >= {workload.target:g}x Python"
    return sign + fmt(workload.target)


def table_lines(rows):
    header = ["workload", "unit", "Swift", "±", "Python", "±", "Node", "C ref", "Swift/Py",
              "Swift/Node", "target", "", "load"]
    lines = []
    for w in WORKLOADS:
        r = rows.get(w.key)
        if r is None:
            continue
        res = r["results"]
        ratio = lambda x: "" if x is None else f"{x:.2f}x"
        load = f"{r['load']:.2f}" + (" L" if r["load"] > LOADED_CORES else "")
        if w.kind == "trace":
            for side, suffix in (("swift-out", " compiled out"), ("swift", " off"), ("swift-on", " on")):
                entry = res[side]
                last = side == "swift-on"
                paired = res["swift"].get("off_vs_out")
                lines.append([w.label + suffix, w.unit, cell(entry), spread(entry), "", "", "", "",
                              ("" if paired is None else f"off {paired:.2f}x out") if last else "", "",
                              target_text(w) if last else "", r["verdict"] if last else "",
                              load if last else ""])
            continue
        lines.append([w.label, w.unit, cell(res["swift"]), spread(res["swift"]), cell(res["python"]),
                      spread(res["python"]), cell(res["node"]), cell(res["c"]),
                      ratio(r["swift_vs_python"]), ratio(r["swift_vs_node"]),
                      target_text(w), r["verdict"], load])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    def show(row):
        return "  ".join(str(x).ljust(widths[i]) if i < 2 else str(x).rjust(widths[i])
                         for i, x in enumerate(row)).rstrip()
    return [show(header), "  ".join("-" * w for w in widths)] + [show(line) for line in lines]


def print_report(rows, reps, waiter):
    print()
    print(f"medians of {reps}+ runs per side (± is half the range over the median); Swift/Py and "
          f"Swift/Node are speed ratios (>1: Swift faster);\nload: the most foreign CPU (cores) "
          f"beside any sample of the row, L when over {LOADED_CORES} (verdict not to be trusted)")
    for line in table_lines(rows):
        print(line)
    for w in WORKLOADS:
        r = rows.get(w.key)
        if r and r.get("reason"):
            print(f"MISS {w.key}: {r['reason']}")
    print("how each side does the work:")
    for w in WORKLOADS:
        if w.key in rows and (w.mechanism or w.note):
            parts = [f"{side}: {how}" for side, how in w.mechanism.items()]
            if w.note:
                parts.append(w.note)
            print(f"  {w.key}: " + "; ".join(parts))
    for w in WORKLOADS:
        on = rows.get(w.key, {}).get("results", {}).get("swift-on", {})
        if on.get("trace_lines"):
            print(f"  {w.key} on: {on['trace_lines'][-1]} trace lines written per run")
    verdicts = [r["verdict"] for r in rows.values()]
    under_load = sum(1 for r in rows.values() if r["verdict"] and r["load"] > LOADED_CORES)
    print(f"targets: {verdicts.count('PASS')} PASS, {verdicts.count('MISS')} MISS; "
          f"{under_load} of them measured under load; waited {waiter.waited:.0f} s for idle cores")


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


def swift_program(path):
    """(absolute path, workload names) of an mp-bench build, or (None, empty)."""
    if not path:
        return None, set()
    try:
        listed = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=30)
        return os.path.abspath(path), set(listed.stdout.split())
    except OSError as error:
        print(f"{path} not usable ({error})", file=sys.stderr)
        return None, set()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swift", help="path of the mp-bench program (release build)")
    parser.add_argument("--swift-notrace", help="mp-bench built with tracing compiled out")
    parser.add_argument("--learn-mp", help="the learn-mp program, for the runner row")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per workload and side")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per repetition")
    parser.add_argument("--quiet-wait", type=float, default=120,
                        help="seconds in all to wait for idle cores before samples")
    parser.add_argument("--out", default=os.path.join(OUT_DIR, "results.json"))
    args = parser.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)

    swift, swift_list = swift_program(args.swift)
    notrace, _ = swift_program(args.swift_notrace)
    tools = {"swift": swift, "swift_list": swift_list, "swift_notrace": notrace,
             "learn_mp": os.path.abspath(args.learn_mp) if args.learn_mp else None,
             "node": shutil.which("node"),
             "c": build_reference(shutil.which("cc") or shutil.which("gcc"))}
    selected = [w for w in WORKLOADS if not args.only or w.key in args.only.split(",")]
    if not selected:
        sys.exit(f"no workload matches {args.only!r}; known: {', '.join(w.key for w in WORKLOADS)}")

    waiter = QuietWaiter(args.quiet_wait)
    started = time.time()
    idle_before = foreign_cores(1.0)
    rows = {}
    for w in selected:
        t0 = time.time()
        print(f"{w.key} ...", end="", flush=True, file=sys.stderr)
        results = measure(w, tools, args.reps, args.timeout, waiter)
        swift_median = results["swift"].get("median")
        decided, reason = verdict(w, results)
        rows[w.key] = {
            "seconds": round(time.time() - t0, 2),
            "results": results,
            "swift_vs_python": speed_ratio(w, swift_median, results.get("python", {}).get("median")),
            "swift_vs_node": speed_ratio(w, swift_median, results.get("node", {}).get("median")),
            "verdict": decided,
            "reason": reason,
            "load": loaded(results),
        }
        print(f" {time.time() - t0:.1f} s", file=sys.stderr)
    print_report(rows, args.reps, waiter)
    elapsed = time.time() - started
    print(f"total {elapsed:.0f} s; foreign load before the run {idle_before:.2f} cores")

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(elapsed, 1),
        "reps": args.reps,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(),
                    "node": subprocess.run([tools["node"], "--version"], capture_output=True,
                                           text=True).stdout.strip() if tools["node"] else None,
                    "foreign_cores_before": idle_before, "waited_for_idle": waiter.waited},
        "swift": {"program": tools["swift"], "workloads": sorted(tools["swift_list"])},
        "workloads": [
            {"key": w.key, "label": w.label, "unit": w.unit,
             "better": "lower" if w.lower_is_better else "higher", "kind": w.kind,
             "target": w.target, "issue_reference": w.issue, "mechanism": w.mechanism,
             "note": w.note, **rows[w.key]}
            for w in selected
        ],
        "table": table_lines(rows),
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"results: {os.path.relpath(args.out, os.getcwd())}")


if __name__ == "__main__":
    main()
