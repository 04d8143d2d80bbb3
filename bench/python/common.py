"""Shared helpers for the Python side of `make bench`.

Every workload prints exactly one JSON line on standard output:
    {"value": <number>, "unit": "<unit>"}
run.py reads that line; anything else a workload prints goes to standard error.
"""
import json
import multiprocessing
import sys
import time

# The library mirrors Python's fork start method, so the comparison uses it too.
ctx = multiprocessing.get_context("fork")
now = time.perf_counter


def emit(value, unit, detail=None):
    result = {"value": value, "unit": unit}
    if detail:
        result["detail"] = detail
    print(json.dumps(result), flush=True)


def main(workloads):
    """Runs the workload named by the first argument; `--list` prints the names."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} <workload> | --list")
    name = sys.argv[1]
    if name == "--list":
        print("\n".join(workloads))
        return
    if name not in workloads:
        print(f"unknown workload {name!r}; known: {', '.join(workloads)}", file=sys.stderr)
        sys.exit(2)
    workloads[name]()
