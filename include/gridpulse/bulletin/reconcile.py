"""Reconciliation before publishing: every printed figure is looked up again in the mart it came
from, every share recomputed from its counts, every total checked against its rows. Any mismatch
stops the publish step, so a bulletin can never contradict the marts or itself."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from gridpulse.bulletin.figures import Figure, Register, Share, Source


class ReconciliationError(RuntimeError):
    def __init__(self, period: str, mismatches: list[str]):
        self.mismatches = mismatches
        shown = "\n".join(mismatches[:20])
        super().__init__(f"{period} 通报核对未通过，未发布 (reconciliation failed, nothing published): "
                         f"{len(mismatches)} mismatch(es)\n{shown}")


def _sources(entry) -> list[Source]:
    """The mart cells a printed figure is computed from."""
    if isinstance(entry, Figure):
        return [entry.source]
    if isinstance(entry, Share):
        return _sources(entry.numerator) + _sources(entry.denominator)
    return [s for part in entry.parts for s in _sources(part)]


class _Lookup:
    """Re-reads the mart rows that the figures came from: one query per mart and key, filtered by
    the key values all its figures share (the month, the scheme), so the cost is one scan per mart
    and not one per printed row (a province bulletin prints thousands)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: list[Source]):
        self.con, self.rows = con, {}
        groups: dict[tuple, list[Source]] = {}
        for source in sources:
            groups.setdefault((source.mart, tuple(c for c, _ in source.key)), []).append(source)
        for (mart, columns), members in groups.items():
            self._read(mart, columns, members)

    def _read(self, mart: str, columns: tuple[str, ...], members: list[Source]) -> None:
        shared = {}
        for i, column in enumerate(columns):
            values = {m.key[i][1] for m in members}
            if len(values) == 1:
                shared[column] = values.pop()
        where = " AND ".join(f'"{column}" = ?' for column in shared) or "true"
        wanted = ", ".join(f'"{c}"' for c in dict.fromkeys([*columns, *(m.column for m in members)]))
        found = self.con.execute(f'SELECT {wanted} FROM marts."{mart}" WHERE {where}', list(shared.values()))
        names = [d[0] for d in found.description]
        for values in found.fetchall():
            row = dict(zip(names, values))
            self.rows.setdefault((mart, tuple((c, row[c]) for c in columns)), []).append(row)

    def value(self, source: Source):
        rows = self.rows.get((source.mart, source.key), [])
        if len(rows) != 1:
            raise LookupError(f"marts.{source.mart} has {len(rows)} rows for {dict(source.key)}")
        return rows[0][source.column]


def mismatches(register: Register, warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lookup = _Lookup(con, [s for entry in register.entries for s in _sources(entry)])
        found = []
        for entry in register.entries:
            try:
                again = entry.text(entry.recompute(lookup.value))
            except LookupError as exc:
                found.append(f"{entry}: {exc}")
                continue
            if again != entry.printed:
                found.append(f"{_describe(entry)}: printed {entry.printed}, the marts now give {again}")
        for check in register.sum_checks:
            parts = sum((Decimal(p.printed) for p in check.parts if p.printed != "/"), Decimal(0))
            if parts != Decimal(check.total.printed):
                found.append(f"total {check.total.source}: printed {check.total.printed}, its rows add up to {parts}")
    finally:
        con.close()
    return found


def _describe(entry) -> str:
    if isinstance(entry, Figure):
        return str(entry.source)
    if isinstance(entry, Share):
        return f"share of {_describe(entry.numerator)} in {_describe(entry.denominator)}"
    return f"{entry.op} of " + ", ".join(_describe(p) for p in entry.parts)


def reconcile(register: Register, warehouse: Path) -> int:
    """Raise ReconciliationError on any mismatch; return how many printed figures were checked."""
    found = mismatches(register, warehouse)
    if found:
        raise ReconciliationError(register.period, found)
    return len(register.entries) + len(register.sum_checks)
