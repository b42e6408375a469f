"""`make bench`: the real pipeline on a district, a city and a province month, against a bare
DuckDB scan of the same files (the floor) and a plain pandas implementation of the ten indicators
(benchmarks/pandas_reference.py), and the province month again with 24 months of history.

Every step runs as its own process; its wall time and peak memory (the process tree's) are
measured from outside (benchmarks/measure.py). The table goes to stdout and, with the machine's
description, to <work_dir>/results.json.
"""
from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path

import psutil
import yaml

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from districts import bench_districts  # noqa: E402
from measure import Measured, checked, run  # noqa: E402

PIPELINE_STEPS = ("archive", "validate", "load", "build", "outputs")
STAGES = str(BENCH_DIR / "stages.py")


def settings(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def machine() -> dict:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "load_average_at_start": os.getloadavg()}



def generated_month(work: Path, name: str, scale: float, period: str, seed: int) -> tuple[Path, float | None]:
    """The month's export at this scale, generated once (same seed and scale, same bytes)."""
    folder = work / "exports" / name
    month = folder / period
    stamp = folder / f".{period}.generated"  # beside the month: the export folder holds only what the platform wrote
    wanted = f"seed={seed} scale={scale}"
    if stamp.exists() and stamp.read_text() == wanted:
        return month, None
    command = [sys.executable, "-m", "gridpulse.demo", "--period", period, "--out", str(folder),
               "--seed", str(seed), "--scale", str(scale)]
    measured = checked(run(f"generate {name}", command))
    stamp.write_text(wanted)
    return month, measured.wall_s


def run_month(work: Path, name: str, export: Path, period: str, fresh: bool) -> list[Measured]:
    """The pipeline's steps on `export`, in a workspace of its own (emptied first if `fresh`)."""
    space = work / "runs" / name
    if fresh:
        shutil.rmtree(space, ignore_errors=True)
    landing = space / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    drop = landing / period
    if drop.is_symlink():  # a workspace of an earlier bench linked the month
        drop.unlink()
    if not drop.exists():  # hard links: a real folder of the same files (the gate refuses a month folder that is a link)
        shutil.copytree(export.resolve(), drop, copy_function=os.link)
    env = os.environ | {"GRIDPULSE_SOURCE_DIR": str(landing), "GRIDPULSE_DATA_DIR": str(space / "data"),
                        "GRIDPULSE_OUTPUT_DIR": str(space / "output"), "DO_NOT_TRACK": "1"}
    env.pop("GRIDPULSE_WAREHOUSE", None)
    results, archived = [], None
    for step in PIPELINE_STEPS:
        args = [sys.executable, STAGES, step, period] + ([archived] if archived else [])
        measured = checked(run(step, args, env=env, cwd=str(PROJECT_DIR)))
        print(f"    {name} {step}: {measured.wall_s:.1f} s, {measured.peak_mib:.0f} MiB", flush=True)
        if step == "archive":
            archived = measured.output.strip().splitlines()[-1]
        results.append(measured)
    return results


def add_history(work: Path, name: str, period: str, months: int) -> Measured:
    space = work / "runs" / name
    env = os.environ | {"GRIDPULSE_SOURCE_DIR": str(space / "landing"), "GRIDPULSE_DATA_DIR": str(space / "data"),
                        "GRIDPULSE_OUTPUT_DIR": str(space / "output")}
    return checked(run("history", [sys.executable, STAGES, "history", period, str(months)], env=env, cwd=str(PROJECT_DIR)))


def total(steps: list[Measured]) -> tuple[float, float]:
    return sum(s.wall_s for s in steps), max(s.peak_mib for s in steps)


def _row(label: str, wall: float, mib: float, note: str = "") -> str:
    return f"  {label:<28}{wall:>9.1f} s{mib:>10.0f} MiB  {note}"


def report_scale(name: str, steps: list[Measured], scan: Measured, reference: Measured) -> dict:
    wall, peak = total(steps)
    by_step = {s.name: s for s in steps}
    checked_and_built = by_step["validate"].wall_s + by_step["build"].wall_s
    print(f"\n{name}")
    for s in steps:
        print(_row(s.name, s.wall_s, s.peak_mib))
    print(_row("pipeline, end to end", wall, peak))
    print(_row("bare DuckDB scan (floor)", scan.wall_s, scan.peak_mib))
    print(_row("pandas reference", reference.wall_s, reference.peak_mib))
    print(f"  validation + dbt build / floor: {checked_and_built / scan.wall_s:.1f}x"
          f"   pandas / pipeline: {reference.wall_s / wall:.2f}x time, {reference.peak_mib / peak:.2f}x memory")
    return {"steps": {s.name: {"wall_s": round(s.wall_s, 2), "peak_mib": round(s.peak_mib)} for s in steps},
            "pipeline": {"wall_s": round(wall, 2), "peak_mib": round(peak)},
            "scan": {"wall_s": round(scan.wall_s, 2), "peak_mib": round(scan.peak_mib)},
            "pandas": {"wall_s": round(reference.wall_s, 2), "peak_mib": round(reference.peak_mib)},
            "validate_plus_build_over_scan": round(checked_and_built / scan.wall_s, 2),
            "pandas_over_pipeline_time": round(reference.wall_s / wall, 2),
            "pandas_over_pipeline_memory": round(reference.peak_mib / peak, 2)}


def bench_scale(work: Path, name: str, scale: float, period: str, seed: int) -> dict:
    export, generated_in = generated_month(work, name, scale, period, seed)
    if generated_in is not None:
        print(f"generated {name} (scale {scale}) in {generated_in:.0f} s", flush=True)
    steps = run_month(work, name, export, period, fresh=True)
    scan = checked(run("scan", [sys.executable, STAGES, "scan", str(export)]))
    reference = checked(run("pandas", [sys.executable, STAGES, "pandas", str(export), period], cwd=str(PROJECT_DIR)))
    result = report_scale(f"{name} (scale {scale}): {export}", steps, scan, reference)
    result["rows"] = scan.output.strip().splitlines()[-1]
    if scale == 1:  # the district: how long a clerk waits to hear what is wrong with a month
        rejected = checked(run("rejected", [sys.executable, STAGES, "rejected", str(export), period], cwd=str(PROJECT_DIR)))
        lines = rejected.output.splitlines()  # DuckDB's binding may print to the same stream at exit
        result["rejected_validate_s"] = float(next(line for line in reversed(lines) if re.fullmatch(r"[0-9.]+", line.strip())))
        result["rejected_validate_cpu_s"] = float(next(line for line in lines if line.startswith("cpu ")).split()[1])
        print(f"  a rejected month (one unknown worker) validates in {result['rejected_validate_s']:.2f} s, "
              f"{result['rejected_validate_cpu_s']:.2f} s of CPU (warm process)")
    return result


def bench_history(work: Path, name: str, period: str, months: int, first: dict) -> dict:
    synthesised = add_history(work, name, period, months)
    print(f"\n{name}: {synthesised.output.strip().splitlines()[-1]} in {synthesised.wall_s:.0f} s")
    again = run_month(work, name, work / "exports" / name / period, period, fresh=False)
    first_wall = first["pipeline"]["wall_s"]
    wall, peak = total(again)
    print(f"{name} month with {months} months before it in the warehouse")
    for s in again:
        print(_row(s.name, s.wall_s, s.peak_mib))
    print(_row("pipeline, end to end", wall, peak, f"{(wall / first_wall - 1) * 100:+.1f} % against the first month"), flush=True)
    return {"scale": name, "months_before": months,
            "steps": {s.name: {"wall_s": round(s.wall_s, 2), "peak_mib": round(s.peak_mib)} for s in again},
            "pipeline": {"wall_s": round(wall, 2), "peak_mib": round(peak)},
            "slower_than_first_month": round(wall / first_wall - 1, 3)}


def main(argv: list[str]) -> int:
    config = settings(Path(argv[0]) if argv else BENCH_DIR / "bench.yml")
    work = PROJECT_DIR / config["work_dir"]
    work.mkdir(parents=True, exist_ok=True)
    period, seed = str(config["period"]), int(config["seed"])
    started = time.perf_counter()
    results: dict = {"machine": machine(), "period": period, "scales": {}}
    print(f"machine: {results['machine']}", flush=True)
    history = config["history"]
    for name, scale in config["scales"].items():
        results["scales"][name] = bench_scale(work, name, scale, period, seed)
        if name == history["scale"]:  # before the larger scales: the history run is the cheaper one
            results["history"] = bench_history(work, name, period, int(history["months"]), results["scales"][name])
        results["bench_wall_s"] = round(time.perf_counter() - started, 1)
        results["load_average_now"] = os.getloadavg()
        (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    many = config.get("districts")
    if many:
        print(f"\nprovince of {many['districts']} districts, {many['jobs']} at a time", flush=True)
        results["districts"] = bench_districts(work, int(many["districts"]), int(many["jobs"]), period, seed)
        results["bench_wall_s"] = round(time.perf_counter() - started, 1)
        (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nmake bench took {results['bench_wall_s']:.0f} s; figures in {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
