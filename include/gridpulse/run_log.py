"""`python -m gridpulse run`: one short line per step on the terminal, as `make demo` prints, and
everything else (each step's log, dbt's whole report) in a file, data/logs/run-<period>.log.

The file takes the process's own stdout and stderr (file descriptors 1 and 2) while the steps run,
so dbt's child process and any library that prints land there too. Warnings still reach the
terminal. After a success stderr stays on the file until the process ends: DuckDB 2.0's bindings
(nanobind) report at interpreter shutdown the type objects Great Expectations' SQL layer still
holds ("nanobind: leaked 11 instances!"), which says nothing about the run; the file keeps it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from pathlib import Path

from gridpulse import config, pipeline
from gridpulse.period import Period
from gridpulse.private_files import FILE_MODE, private_folder


def log_file(period: Period) -> Path:
    """data/logs/run-<period>.log, beside the archive and warehouse folders of the deployment."""
    return config.paths().archive.parent / "logs" / f"run-{period}.log"


@contextlib.contextmanager
def _into(path: Path):
    """fd 1 and 2 into `path` (appended); yields the terminal. On an error both come back, so the
    error reaches the terminal; after a success only stdout does (see the module's docstring)."""
    private_folder(path.parent)  # a refused month's log may quote the export's cells: 0700/0600
    sys.stdout.flush(), sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    warnings_to = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8")
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "ab") as log:
        log.write(f"\n===== python -m gridpulse run, {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n".encode())
        log.flush()
        os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)
    succeeded = False
    try:
        yield terminal, warnings_to
        succeeded = True
    finally:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(saved_out, 1)
        if not succeeded:
            os.dup2(saved_err, 2)
        os.close(saved_out), os.close(saved_err)
        warnings_to.close(), terminal.close()


def _logging(warnings_to) -> list[logging.Handler]:
    """Every record at INFO into the file (stderr, now the file); warnings to the terminal too."""
    to_file = logging.StreamHandler(sys.stderr)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_terminal = logging.StreamHandler(warnings_to)
    to_terminal.setLevel(logging.WARNING)
    to_terminal.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in (to_file, to_terminal):
        root.addHandler(handler)
    return [to_file, to_terminal]


def run(period: Period) -> dict[str, str]:
    """Every step of the month, a line each on the terminal; return what was published."""
    path = log_file(period)
    print(f"gridpulse run {period}: the full log is in {path}", flush=True)
    started = time.monotonic()
    with _into(path) as (terminal, warnings_to):
        handlers = _logging(warnings_to)

        def step(name: str, seconds: float) -> None:
            print(f"  {name:<42} {seconds:>8.1f} s", file=terminal, flush=True)

        try:
            published = pipeline.run_month(period, on_step=step)
        except BaseException:
            print(f"gridpulse run {period}: stopped; {path} says why", file=terminal, flush=True)
            raise
        finally:
            for handler in handlers:
                logging.getLogger().removeHandler(handler)
        print(f"gridpulse run {period}: published in {time.monotonic() - started:.0f} s", file=terminal, flush=True)
    return published
