"""Reconciliation before publishing: every printed figure is looked up again in the mart it came
from, every share recomputed from its counts, every total checked against its rows. Any mismatch
stops the publish step, so a bulletin can never contradict the marts or itself."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from gridpulse.bulletin.figures import Figure, Register, Share


class ReconciliationError(RuntimeError):
    def __init__(self, period: str, mismatches: list[str]):
        self.mismatches = mismatches
        shown = "\n".join(mismatches[:20])
        super().__init__(f"{period} 通报核对未通过，未发布 (reconciliation failed, nothing published): "
                         f"{len(mismatches)} mismatch(es)\n{shown}")


class _Lookup:
    """Re-reads mart rows, one query per distinct row."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.rows = con, {}

    def value(self, source):
        row_key = (source.mart, source.key)
        if row_key not in self.rows:
            where = " AND ".join(f'"{column}" = ?' for column, _ in source.key)
            found = self.con.execute(f'SELECT * FROM marts."{source.mart}" WHERE {where}', [v for _, v in source.key])
            names = [d[0] for d in found.description]
            rows = found.fetchall()
            if len(rows) != 1:
                raise LookupError(f"marts.{source.mart} has {len(rows)} rows for {dict(source.key)}")
            self.rows[row_key] = dict(zip(names, rows[0]))
        return self.rows[row_key][source.column]


def mismatches(register: Register, warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lookup, found = _Lookup(con), []
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
