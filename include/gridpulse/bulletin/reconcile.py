"""Reconciliation before publishing: every printed figure is looked up again in the mart it came
from, every share recomputed from its counts, every total checked against its rows, every
figure's printed form against its kind's style (bulletin.yml number_style). Words too: every unit name printed is looked up again in dim_org_unit, every rank in rpt_ranking_monthly,
every "N个单位" list has N names, and units printed as tied at a value are all the units the mart
has at it. Any mismatch stops the publish step, so a bulletin can never contradict the marts or
itself."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from gridpulse.bulletin.figures import Figure, Name, Register, Share, Source, TieCheck, UnitList, style_pattern


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
    the key values its figures use (the month, the scheme, the units and items printed), so the
    cost is one scan per mart and not one per printed row (a province bulletin prints thousands),
    and the rows read are about the rows printed, not every unit of every month."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: list[Source]):
        self.con, self.rows = con, {}
        groups: dict[tuple, list[Source]] = {}
        for source in sources:
            groups.setdefault((source.mart, tuple(c for c, _ in source.key)), []).append(source)
        for (mart, columns), members in groups.items():
            self._read(mart, columns, members)

    def _read(self, mart: str, columns: tuple[str, ...], members: list[Source]) -> None:
        conditions, parameters = [], []
        for i, column in enumerate(columns):
            values = {m.key[i][1] for m in members}
            if len(values) == 1:
                conditions.append(f'"{column}" = ?')
                parameters.append(values.pop())
            else:  # only the keys printed: a province's bulletin names a few of its 100,000 units
                present = [v for v in values if v is not None]
                nulls = f' OR "{column}" IS NULL' if None in values else ""
                conditions.append(f'("{column}" IN (SELECT unnest(?)){nulls})')
                parameters.append(present)
        where = " AND ".join(conditions) or "true"
        wanted = ", ".join(f'"{c}"' for c in dict.fromkeys([*columns, *(m.column for m in members)]))
        found = self.con.execute(f'SELECT {wanted} FROM marts."{mart}" WHERE {where}', parameters)
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
        found += [m for entry in register.entries if (m := style_mismatch(entry, register))]
        for check in register.sum_checks:
            parts = sum((Decimal(p.printed) for p in check.parts if p.printed != "/"), Decimal(0))
            if parts != Decimal(check.total.printed):
                found.append(f"total {check.total.source}: printed {check.total.printed}, its rows add up to {parts}")
        found += [_list_mismatch(listed) for listed in register.unit_lists if _list_mismatch(listed)]
        found += [m for tie in register.tie_checks for m in _tie_mismatches(con, tie)]
    finally:
        con.close()
    return found


def style_mismatch(entry, register: Register) -> str | None:
    """A figure printed otherwise than its kind's style (bulletin.yml number_style): "98.8%" beside
    "96.15%", or "8.3分" beside "0.00分"."""
    if isinstance(entry, Name):
        return None
    decimals = register.decimals(entry.kind)
    if entry.decimals == decimals and style_pattern(entry.kind, max(decimals, 0)).match(entry.printed):
        return None
    return (f"{_describe(entry)}: printed {entry.printed}, but a {entry.kind} is printed with "
            f"{max(decimals, 0)} decimal(s) (bulletin.yml number_style)")


def _list_mismatch(listed: UnitList) -> str | None:
    codes = [dict(n.source.key)["org_id"] for n in listed.names]
    if listed.count != str(len(codes)) or len(set(codes)) != len(codes):
        return (f"list of units: printed {listed.count}个 with {len(codes)} name(s) "
                f"({'、'.join(n.printed for n in listed.names)}), {len(set(codes))} distinct")
    return None


def _tie_mismatches(con: duckdb.DuckDBPyConnection, tie: TieCheck) -> list[str]:
    where = " AND ".join(f'"{column}" = ?' for column, _ in tie.key)
    at_value = {str(r[0]) for r in con.execute(
        f'SELECT org_id FROM marts."{tie.mart}" WHERE {where} '
        f'AND CAST("{tie.column}" AS DECIMAL(18, {tie.decimals})) = CAST(? AS DECIMAL(18, {tie.decimals}))',
        [v for _, v in tie.key] + [tie.printed]).fetchall()}
    if tie.count is not None:
        if tie.count != str(len(at_value)):
            return [f"tie at marts.{tie.mart}{dict(tie.key)}.{tie.column} = {tie.printed}: printed {tie.count} units, "
                    f"the marts have {len(at_value)}"]
        return []
    printed = {str(dict(n.source.key)["org_id"]) for n in tie.names}
    missing = sorted(at_value - printed)
    if missing:
        return [f"tie at marts.{tie.mart}{dict(tie.key)}.{tie.column} = {tie.printed}: printed "
                f"{'、'.join(n.printed for n in tie.names)}; also at that value: {', '.join(missing)}"]
    return []


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
    return len(register.entries) + len(register.sum_checks) + len(register.unit_lists) + len(register.tie_checks)
