"""One measured step of the benchmark, run as its own process by benchmarks/bench.py:

    python benchmarks/stages.py archive|validate|load|build|outputs PERIOD [ARCHIVED]
    python benchmarks/stages.py scan FOLDER
    python benchmarks/stages.py pandas FOLDER PERIOD
    python benchmarks/stages.py history PERIOD MONTHS
    python benchmarks/stages.py rejected FOLDER PERIOD

The pipeline's steps are gridpulse.pipeline's functions, as the DAG and the CLI call them; the
folders come from GRIDPULSE_SOURCE_DIR / GRIDPULSE_DATA_DIR / GRIDPULSE_OUTPUT_DIR.
"""
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))


def pipeline_step(step: str, period: str, archived: str | None) -> None:
    from gridpulse import pipeline
    from gridpulse.period import Period

    if step == "archive":
        print(pipeline.archive(Period.parse(period)))
    elif step == "validate":
        print(pipeline.validate(Period.parse(period), archived))
    elif step == "load":
        print(pipeline.load(Period.parse(period), archived))
    elif step == "build":
        pipeline.transform(Period.parse(period))
    elif step == "outputs":
        print(pipeline.publish(Period.parse(period)))


def _csv_encoding(path: Path) -> str:
    """utf-8, or latin-1 for a GBK file: every byte is read and rows and cells split where GBK
    splits them (GBK's second bytes are never a comma, quote or line end); the text is not
    decoded into Chinese, which is the least a reader can do."""
    head = path.read_bytes()[:1 << 16]
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        return "utf-8" if exc.start > len(head) - 4 else "latin-1"


def bare_scan(folder: Path) -> None:
    """The floor: every file of the export read once, every cell touched, nothing checked or kept.
    CSV through DuckDB; XLSX through calamine (this DuckDB has no excel extension here)."""
    import duckdb
    from python_calamine import CalamineWorkbook

    con = duckdb.connect()
    rows = 0
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            rows += con.execute(
                "SELECT count(*), max(COLUMNS(*)) FROM read_csv(?, all_varchar = true, header = true, encoding = ?)",
                [str(path), _csv_encoding(path)]).fetchone()[0]
        elif path.suffix == ".xlsx":
            rows += len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1
    print(f"{rows} rows")


def pandas_reference(folder: Path, period: str) -> None:
    from pandas_reference import township_indicators

    result = township_indicators(folder, period)
    print(f"{result.township_id.nunique()} townships, {len(result)} indicator rows")


def rejected_validation(folder: Path, period: str) -> None:
    """How long validation takes to reject a broken month, in a warm process (as in a worker or
    the test suite, which have validated before: Great Expectations imported, its suites made):
    the month with an unknown grid worker in one patrol row, archived, validated once to warm up,
    then validated again. Prints the seconds of the second validation."""
    import os
    import resource
    import shutil
    import tempfile
    import time

    import great_expectations  # noqa: F401 (imported before the clock starts, as in a warm worker)

    from gridpulse import pipeline
    from gridpulse.period import Period
    from gridpulse.problems import ExportRejected
    from gridpulse.sources.manifest import sha256_of

    work = Path(tempfile.mkdtemp(prefix="gridpulse-rejected-"))
    try:
        os.environ.update({"GRIDPULSE_SOURCE_DIR": str(work / "landing"), "GRIDPULSE_DATA_DIR": str(work / "data")})
        month = shutil.copytree(folder, work / "landing" / period)
        patrols = month / "巡查记录.csv"
        lines = patrols.read_bytes().split(b"\n")
        lines[5] = lines[5].replace(lines[5].split(b",")[1], b"W999999", 1)
        patrols.write_bytes(b"\n".join(lines))
        manifest = month / "manifest.json"  # the checksum follows the edit: only the cell is wrong
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(
            sha256_of(folder / patrols.name), sha256_of(patrols)), encoding="utf-8")
        archived = pipeline.archive(Period.parse(period))
        for _ in ("warm up", "measured"):
            started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
            try:
                pipeline.validate(Period.parse(period), archived)
            except ExportRejected as rejected:
                assert any("W999999" in p.text() for p in rejected.problems), rejected
            else:
                raise SystemExit("the broken month was accepted")
        used = resource.getrusage(resource.RUSAGE_SELF)
        print(f"cpu {used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime:.2f}")
        print(f"{time.perf_counter() - started:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    step = argv[0]
    if step == "scan":
        bare_scan(Path(argv[1]))
    elif step == "pandas":
        pandas_reference(Path(argv[1]), argv[2])
    elif step == "rejected":
        rejected_validation(Path(argv[1]), argv[2])
    elif step == "history":
        from history import add_history

        print(add_history(argv[1], int(argv[2])))
    else:
        pipeline_step(step, argv[1], argv[2] if len(argv) > 2 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
