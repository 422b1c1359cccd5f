#!/usr/bin/env python3
"""Whole-process runs of several commands, interleaved, with the CPU time each run used.

    benches/interleave.py RUNS 'CMD ARGS…' 'CMD ARGS…' …

Each command runs RUNS times in all, in five rounds that alternate between the commands (so
that a machine whose speed drifts treats them alike), after 20 untimed runs; output goes to
/dev/null. For each command it prints the mean and median wall time and, from the kernel's
accounting of the finished process (`wait4`), the user and system CPU time and the minor
page faults per run. Used in BENCHMARKS.md §2 next to `benches/process.sh`, whose hyperfine
runs give the wall time only.
"""
import os
import shlex
import statistics
import sys
import time

ROUNDS = 5
WARMUP = 20


def run(argv, n, devnull):
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    walls, user, system, faults = [], [], [], []
    for i in range(n + WARMUP):
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
        _, _, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if i >= WARMUP:
            walls.append(wall)
            user.append(usage.ru_utime)
            system.append(usage.ru_stime)
            faults.append(usage.ru_minflt)
    return walls, user, system, faults


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = [shlex.split(c) for c in sys.argv[2:]]
    devnull = os.open(os.devnull, os.O_WRONLY)
    results = [([], [], [], []) for _ in commands]
    for _ in range(ROUNDS):
        for argv, acc in zip(commands, results):
            for total, part in zip(acc, run(argv, max(1, runs // ROUNDS), devnull)):
                total.extend(part)
    first = statistics.mean(results[0][0])
    for argv, (walls, user, system, faults) in zip(commands, results):
        mean = statistics.mean(walls)
        print(
            f"{os.path.basename(argv[0]):>16}  wall {mean * 1e3:.3f} ms (median {statistics.median(walls) * 1e3:.3f})"
            f"  user {statistics.mean(user) * 1e3:.3f}  sys {statistics.mean(system) * 1e3:.3f}"
            f"  faults {statistics.mean(faults):.0f}  ratio to first {mean / first:.3f}"
        )


if __name__ == "__main__":
    main()
