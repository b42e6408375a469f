"""Demo months of every district of a deployment (python -m gridpulse.demo --deployment FILE).

Each district is generated from the demo spec its entry names (`demo:` in the deployment file),
as that district: inside config.in_district, so its settings apply (the platform its entry or its
settings file names, its holidays), under its entry's code and name, into its own source folder
(Deployment.paths_of(code).source / <period>). Districts are generated on up to `jobs` processes;
each district's rows depend only on the seed and its spec, never on which process drew them.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gridpulse import config
from gridpulse.demo.generator import DEFAULT_SEED, demo_spec, generate
from gridpulse.period import Period


@dataclass(frozen=True)
class Generated:
    code: str
    name: str
    platform: str
    folder: Path
    rows: int       # rows of every file, as the manifest counts them

    def line(self) -> str:
        return f"{self.code}  {self.name}  {self.platform}  {self.folder}"


def jobs() -> int:
    """Processes for generating districts: the machine's cores, at most 2 (the benchmark's machine)."""
    return min(2, os.cpu_count() or 1)


def as_district(spec: dict, code: str, name: str) -> dict:
    """A demo spec to be generated as the deployment's district `code`: its entry's code and name,
    and no deployment of its own (the district being run names the platform)."""
    spec = {key: value for key, value in spec.items() if key != "deployment"}
    spec["district"] = {**spec["district"], "code": code, "name": name}
    return spec


def generate_district(deployment_file: Path, code: str, spec: dict, period: str, seed: int, scale: float) -> Generated:
    """One district's month, generated as that district into its source folder."""
    with config.in_district(code, deployment_file) as district:
        folder = generate(period, config.deployment(deployment_file).paths_of(code).source, seed=seed, scale=scale,
                          spec=as_district(spec, code, district.name))
        platform = config.platform_mapping()["platform"]
        manifest = json.loads((folder / config.manifest_name()).read_text(encoding="utf-8"))
    return Generated(code, district.name, platform, folder, sum(entry["rows"] for entry in manifest["files"]))


def _generate_one(args: tuple) -> Generated:
    return generate_district(*args)


def generate_all(deployment_file: Path, specs: dict[str, dict], period: str, seed: int, scale: float, processes: int | None = None) -> list[Generated]:
    """Every district in `specs` (code -> spec), in the order given, on `processes` processes."""
    work = [(deployment_file, code, spec, period, seed, scale) for code, spec in specs.items()]
    processes = min(processes or jobs(), len(work))
    if processes <= 1:
        return [_generate_one(args) for args in work]
    with ProcessPoolExecutor(processes) as pool:
        return list(pool.map(_generate_one, work, chunksize=1))


def generate_deployment(period: str | Period, deployment_file: str | Path, seed: int = DEFAULT_SEED, scale: float = 1.0,
                        processes: int | None = None) -> list[Generated]:
    """The month of every district of the deployment that names a demo spec, each from its spec
    (`District.demo`), in its own platform's format, into its own source folder."""
    path = config.project_path(deployment_file)
    deployment = config.deployment(path)
    missing = [d.code for d in deployment.districts if not d.demo]
    if missing:
        raise ValueError(f"{path}: no demo spec (demo:) for {', '.join(missing)}")
    specs = {d.code: demo_spec(d.demo) for d in deployment.districts}
    return generate_all(path, specs, str(period), seed, scale, processes)
