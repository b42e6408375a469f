"""Typed access to the export contract (include/config/export_contract.yml)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from gridpulse import config

# Warehouse type of each contract type; the raw schema uses these.
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}

# Lineage columns the loader adds to every raw table: the month, the platform's export id, the
# archived copy the row was loaded from (archive/<period>/<archive_id>/: a re-export under the same
# export id is archived beside the first as <export_id>.2, ...), the sha256 of the file as received,
# and the row in that file.
LINEAGE_COLUMNS = {"period": "VARCHAR", "export_id": "VARCHAR", "archive_id": "VARCHAR",
                   "source_sha256": "VARCHAR", "source_row": "INTEGER"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    label_zh: str
    description: str = ""
    personal: bool = False
    values: tuple[str, ...] | None = None
    references: str | None = None
    min: float | None = None
    max: float | None = None
    not_before: str | None = None
    max_hours_after: dict | None = None
    distinct_from: str | None = None  # table.column whose values this column must never take
    pseudonymised: bool = False  # personal, but raw keeps it as a keyed HMAC (a join key): load/pseudonyms.py
    references_level: tuple[str, ...] | None = None  # the referenced org unit's org_level must be one of these
    not_after_export: bool = False  # a time that cannot be later than the export was made (manifest exported_at)
    value_labels_zh: dict | None = None  # how staff name each canonical value, for messages
    printed: bool = False  # text that outputs print: formula-like or markup text is reported as a repair

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def display(self) -> str:
        """How staff see the column in messages: the Chinese label with the canonical name."""
        return f"「{self.label_zh}」({self.name})"


@dataclass(frozen=True)
class Table:
    name: str
    label_zh: str
    description: str
    key: tuple[str, ...]
    columns: dict[str, Column] = field(default_factory=dict)
    period_column: str | None = None
    period_exempt_if: str | None = None
    may_be_empty: bool = False  # a month may have no rows (a header-only file is then accepted)

    @property
    def personal_columns(self) -> list[str]:
        """Columns split off at load into the restricted store (pseudonymised ones included)."""
        return [c.name for c in self.columns.values() if c.personal or c.pseudonymised]


def _column(name: str, spec: dict) -> Column:
    unknown = set(spec) - set(Column.__dataclass_fields__)
    if unknown:
        raise ValueError(f"export_contract.yml: column {name} has unknown settings {sorted(unknown)}")
    values = tuple(spec["values"]) if spec.get("values") else None
    levels = tuple(spec["references_level"]) if spec.get("references_level") else None
    return Column(name=name, **{**spec, "values": values, "references_level": levels})


@lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """Every table of the contract, in the contract's order."""
    result = {}
    for name, spec in config.contract()["tables"].items():
        result[name] = Table(
            name=name,
            label_zh=spec["label_zh"],
            description=spec.get("description", ""),
            key=tuple(spec["key"]),
            columns={col: _column(col, cspec) for col, cspec in spec["columns"].items()},
            period_column=spec.get("period_column"),
            period_exempt_if=spec.get("period_exempt_if"),
            may_be_empty=bool(spec.get("may_be_empty", False)),
        )
    return result
