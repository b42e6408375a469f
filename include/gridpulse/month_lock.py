"""One month at a time per deployment: who holds the data folders, since when.

Whoever runs a month (the CLI, a DAG run, `make demo`) first claims the deployment: archive,
staging, building warehouse and outputs are shared folders, and two runs in them break each other.
The claim is a small JSON record (`month.lock` beside the warehouse) naming the holder; it is read
and written under an OS file lock (flock), so two claimers never both win.

A holder is either a process (the CLI: its pid and start time on this host) or an Airflow run (its
run id; its tasks are separate processes, so no single pid lives as long as the claim). A claim
whose holder is gone is taken over: a process that no longer exists, or an Airflow run that is no
longer running (the DAG's claim task asks Airflow). Readers of the published warehouse never claim.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from gridpulse import config

PROCESS, AIRFLOW = "process", "airflow"


@dataclass(frozen=True)
class Holder:
    kind: str          # process | airflow
    period: str        # the month being run
    since: str         # when the claim was taken (UTC, ISO)
    host: str
    pid: int           # the claiming process (for an Airflow run: the task that claimed)
    started: float     # that process's start time, so a reused pid is not taken for it
    run_id: str = ""   # an Airflow run's id
    command: str = ""  # what the holder runs, for the message

    def describe(self) -> str:
        who = f"Airflow run {self.run_id}" if self.kind == AIRFLOW else f"process {self.pid} ({self.command})"
        return f"{who} on {self.host}"


class MonthBusy(RuntimeError):
    """Another run holds the deployment."""

    def __init__(self, holder: Holder, lock_path: Path):
        self.holder = holder
        super().__init__(
            f"另一次运行正在处理 {holder.period} 月（{holder.describe()}，自 {local_time(holder.since)} 起），"
            f"本次未改动任何文件；请等其结束后再运行。\n"
            f"Another run holds this deployment: {holder.describe()} has been running {holder.period} "
            f"since {local_time(holder.since)}. Nothing of it was touched; run again when it has finished. "
            f"(claim: {lock_path})")


def lock_path() -> Path:
    return config.paths().warehouse.parent / "month.lock"


def process_holder(period: str, command: str) -> Holder:
    return Holder(kind=PROCESS, period=period, since=_now(), host=socket.gethostname(), pid=os.getpid(),
                  started=_process_start(os.getpid()), command=command)


def airflow_holder(period: str, run_id: str) -> Holder:
    return Holder(kind=AIRFLOW, period=period, since=_now(), host=socket.gethostname(), pid=os.getpid(),
                  started=_process_start(os.getpid()), run_id=run_id, command="airflow")


def current_holder() -> Holder | None:
    with _locked_record() as record:
        return record.read()


def claim(holder: Holder, run_is_active: Callable[[str], bool] | None = None) -> Holder | None:
    """Take the deployment for `holder`; return None on success, else the live holder.

    A claim of the same Airflow run is renewed (its tasks claim again after a retry). A stale claim
    (dead process, finished Airflow run) is replaced. `run_is_active(run_id)` says whether an Airflow
    run still runs; without it (outside Airflow) an Airflow holder counts as alive."""
    with _locked_record() as record:
        present = record.read()
        if present and not _same_owner(present, holder) and _alive(present, run_is_active):
            return present
        record.write(holder)
        return None


def release(holder: Holder) -> bool:
    """Give the deployment back if `holder` (same process, or same Airflow run) holds it."""
    with _locked_record() as record:
        present = record.read()
        if present and _same_owner(present, holder):
            record.clear()
            return True
        return False


@contextmanager
def holding(period: str, command: str, wait_seconds: float = 0, on_wait: Callable[[MonthBusy], None] = print):
    """Hold the deployment for this process while the block runs; wait up to `wait_seconds` for
    another holder to finish (telling `on_wait` once), then raise MonthBusy."""
    holder = process_holder(period, command)
    deadline, told = time.monotonic() + wait_seconds, False
    while (present := claim(holder)) is not None:
        busy = MonthBusy(present, lock_path())
        if time.monotonic() >= deadline:
            raise busy
        if not told:
            on_wait(busy)
            told = True
        time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))
    try:
        yield holder
    finally:
        release(holder)


def _same_owner(a: Holder, b: Holder) -> bool:
    if a.kind == AIRFLOW or b.kind == AIRFLOW:
        return a.kind == b.kind and a.run_id == b.run_id
    return (a.host, a.pid, a.started) == (b.host, b.pid, b.started)


def _alive(holder: Holder, run_is_active: Callable[[str], bool] | None) -> bool:
    if holder.kind == AIRFLOW:
        return run_is_active(holder.run_id) if run_is_active else True
    if holder.host != socket.gethostname():
        return True  # a process elsewhere cannot be checked from here
    return _process_start(holder.pid) == holder.started


def _process_start(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return -1.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def local_time(since: str) -> str:
    return datetime.fromisoformat(since).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


class _Record:
    def __init__(self, handle):
        self.handle = handle

    def read(self) -> Holder | None:
        self.handle.seek(0)
        text = self.handle.read().strip()
        return Holder(**json.loads(text)) if text else None

    def write(self, holder: Holder) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(json.dumps(asdict(holder), ensure_ascii=False))
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def clear(self) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.flush()


@contextmanager
def _locked_record() -> Iterator[_Record]:
    """The claim record under an exclusive flock, held only while it is read and written (the
    kernel drops a flock with its process, so a crash here never leaves the file locked)."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield _Record(handle)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
