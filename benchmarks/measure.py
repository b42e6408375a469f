"""Wall time and peak memory of one child process and everything it starts.

Peak memory is the larger of two readings: the kernel's peak resident set of the child and its
waited-for descendants (wait4's ru_maxrss, the largest single process), and the peak of the
summed resident sets of the whole process tree, sampled every 20 ms with psutil (a stage such as
dbt build runs a second process beside the first).
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psutil

SAMPLE_SECONDS = 0.02


@dataclass
class Measured:
    name: str
    wall_s: float
    peak_bytes: int
    returncode: int
    output: str = ""

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def run(name: str, command: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> Measured:
    """Run `command` to the end; its output is kept for the report of a failure."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    root = psutil.Process(child.pid)

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(root))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(child.stdout.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    reader.join()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = max(peak, usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux
    return Measured(name, wall, peak, child.returncode, "".join(chunks))


def checked(measured: Measured) -> Measured:
    """A measured step that must have succeeded: its output's tail and a stop otherwise."""
    if measured.returncode != 0:
        print(measured.output[-4000:], file=sys.stderr)
        raise SystemExit(f"{measured.name} failed (exit {measured.returncode})")
    return measured
