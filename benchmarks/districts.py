"""`make bench`'s province of many districts (issue "many districts"): N generated districts of
10-20 townships each, about the rows of the single-district province, each district validated,
loaded, built and published on its own (two at a time on two cores, each in its own process, as
Airflow's workers would), then the rollup. Measured from outside, as the other scales are:

- the whole month, every district and the rollup, wall time and peak memory of the process tree;
- rendering every district's bulletins and workbook again from its published marts (the
  bulletins' share of the month);
- a bad export arriving for one district afterwards: it is refused, and every other district's
  published files keep their sha256.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from measure import checked, run

RENDER = """
import sys, tempfile, time
from pathlib import Path
from gridpulse import config
from gridpulse.publish.outputs import render_all
from gridpulse.warehouse.marts import read_month
period, seconds, bulletins = sys.argv[1], 0.0, 0
for district in config.deployment().districts:
    with config.in_district(district.code), tempfile.TemporaryDirectory() as scratch:
        marts = read_month(config.paths().warehouse, period)
        started = time.perf_counter()
        bulletins += len(render_all(marts, Path(scratch)))
        seconds += time.perf_counter() - started
print(f"{bulletins} {seconds:.2f}")
"""



def _digests(root: Path, skip: str) -> dict[str, str]:
    """sha256 of every published file (outputs and warehouses) of every district but `skip`."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and skip not in p.parts
            and ("output" in p.parts or p.suffix == ".duckdb") and "rollup" not in p.parts}


def generated_province(work: Path, districts: int, period: str, seed: int) -> Path:
    """The province's deployment file and every district's export under sources/<code>/<period>/."""
    folder = work / "exports" / f"province{districts}"
    stamp, wanted = folder / ".generated", f"seed={seed} districts={districts} period={period}"
    deployment = folder / "deployment.yml"
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        command = [sys.executable, "-m", "gridpulse.demo", "--period", period, "--province", str(districts),
                   "--out", str(folder), "--seed", str(seed)]
        env = os.environ | {"GRIDPULSE_SOURCE_DIR": str(folder / "sources")}
        measured = checked(run("generate province", command, env=env))
        print(f"generated {districts} districts in {measured.wall_s:.0f} s", flush=True)
        stamp.write_text(wanted)
    return deployment


def bench_districts(work: Path, districts: int, jobs: int, period: str, seed: int) -> dict:
    deployment = generated_province(work, districts, period, seed)
    space = work / "runs" / f"province{districts}"
    shutil.rmtree(space, ignore_errors=True)
    sources = deployment.parent / "sources"
    env = os.environ | {"GRIDPULSE_DEPLOYMENT": str(deployment), "GRIDPULSE_DATA_DIR": str(space / "data"),
                        "GRIDPULSE_OUTPUT_DIR": str(space / "output"), "GRIDPULSE_SOURCE_DIR": str(sources),
                        "DO_NOT_TRACK": "1"}
    for name in ("GRIDPULSE_WAREHOUSE", "GRIDPULSE_DISTRICT", "GRIDPULSE_CONFIG"):
        env.pop(name, None)
    month = checked(run("districts", [sys.executable, "-m", "gridpulse", "districts", "--period", period,
                                       "--jobs", str(jobs)], env=env))
    states = [line for line in month.output.splitlines() if line.endswith((": published", ": refused", ": failed", ": not_arrived"))]
    published = sum(line.endswith(": published") for line in states)
    print(f"  {districts} districts and the rollup: {month.wall_s:.1f} s, {month.peak_mib:.0f} MiB, "
          f"{published} published", flush=True)
    render = checked(run("render", [sys.executable, "-c", RENDER, period], env=env))
    bulletins, render_s = render.output.strip().splitlines()[-1].split()
    print(f"  rendering every district's outputs again: {bulletins} bulletins in {float(render_s):.1f} s", flush=True)
    bad = _bad_district(space, sources, deployment, period, env)
    return {"districts": districts, "jobs": jobs, "published": published,
            "month": {"wall_s": round(month.wall_s, 2), "peak_mib": round(month.peak_mib)},
            "render": {"bulletins": int(bulletins), "wall_s": float(render_s)}, "bad_district": bad}


def _bad_district(space: Path, sources: Path, deployment: Path, period: str, env: dict) -> dict:
    """The first district's platform then sends the second's export: refused, nothing else changes."""
    codes = sorted(p.name for p in sources.iterdir() if p.is_dir())
    victim, other = codes[0], codes[1]
    before = _digests(space, victim)
    landing = sources / victim / period
    kept = landing.with_name(f".{period}.kept")
    landing.rename(kept)
    try:
        shutil.copytree(sources / other / period, landing)
        again = run("bad district", [sys.executable, "-m", "gridpulse", "--district", victim, "run", "--period", period],
                    env=env)
    finally:
        shutil.rmtree(landing, ignore_errors=True)
        kept.rename(landing)
    unchanged = _digests(space, victim) == before
    print(f"  a bad export for {victim}: exit {again.returncode} (2: refused), {len(before)} files of the other "
          f"districts {'unchanged' if unchanged else 'CHANGED'} (sha256)", flush=True)
    return {"district": victim, "refused": again.returncode == 2, "others_unchanged": unchanged,
            "files_compared": len(before)}
