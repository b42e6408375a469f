"""A district's profile: the settings file (or a deployment's entry over it) read into one typed
model that refuses what it does not know.

Everything that belongs to a district lives here: its code, name and level (and the words that
follow from the level: 全区/全县/全街道, 各乡镇（街道）/各村（社区）), its letterhead, sender,
platform, schemes, holidays and folders. A wrong key is refused with the file, the key and what to
write, before a month is read: a typo must not fall back to another district's words.
"""
from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from gridpulse.locations import CONFIG_DIR, read_yaml, schemes_dir

LEVELS_FILE = CONFIG_DIR / "levels.yml"
WORD_KEYS = ("whole", "units", "unit", "villages")
MonthKey = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]  # an assessed month, YYYY-MM


class ProfileError(ValueError):
    """A profile that cannot be run: the message names the file, the key and what to write."""


@cache
def level_words_table() -> dict[str, dict[str, str]]:
    return read_yaml(LEVELS_FILE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Strict):
    name: str = Field(description="the name mail is sent under, e.g. XX区综治中心")
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$", description="the From address (else the SMTP connection's)")


class BulletinText(_Strict):
    heading: str | None = Field(None, description="the section's heading, e.g. 工作要求 or 下一步计划")
    paragraphs: list[str] = Field(description="one paragraph per entry")


class DistrictSection(_Strict):
    code: str = Field(pattern=r"^\d{6,12}$", description='the administrative code, quoted, e.g. "330102"')
    name: str = Field(min_length=1, description="e.g. 某某区")
    level: str = Field(description=f"one of the levels in {LEVELS_FILE.name}, e.g. 区, 县, 县级市, 街道, 镇")
    issuer: str = Field(min_length=1, description="发文机关, printed above the red line and as 落款")
    addressees: str = Field(min_length=1, description="主送机关, e.g. 各乡镇（街道）综治中心")
    printed_by: str | None = Field(None, description="版记: 印发机关 (default: the issuer)")
    copy_to: str | None = Field(None, description="版记: 抄送机关")
    data_source: str | None = Field(None, description="the platform's name as printed: （数据来源于…）")
    doc_number: str | None = Field(None, description="发文字号 pattern, e.g. 某办〔{year}〕{number}号")
    # the office's own register, month by month: where the clerk fixed what the rules would give
    doc_numbers: dict[MonthKey, int] | None = Field(
        None, description="发文字号's running number for a month, e.g. {2021-09: 45} (else the month's number)")
    issue_dates: dict[MonthKey, date] | None = Field(
        None, description="the date a month's bulletin is signed, e.g. {2022-11: 2022-12-02} (else the rule's workday)")
    print_dates: dict[MonthKey, date] | None = Field(
        None, description="版记's 印发日期 for a month, e.g. {2022-11: 2022-12-01} (else the signing date)")
    sender: Sender | None = Field(None, description="{name: ..., email: ...}: who the district's mail comes from")
    words: dict[str, str] | None = Field(None, description=f"overrides of the level's words ({', '.join(WORD_KEYS)})")
    integrity_annex: bool | None = Field(None, description="true: the internal edition with the 数据质量提示 annex")
    texts: dict[str, BulletinText] | None = Field(
        None, description="per scheme id, the closing section's text instead of the scheme's default")

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, value):
        return str(value) if isinstance(value, int) else value

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value not in level_words_table():
            raise ValueError(f"unknown level {value!r}; write one of {', '.join(level_words_table())}")
        return value

    @field_validator("words")
    @classmethod
    def _known_words(cls, value):
        unknown = set(value or {}) - set(WORD_KEYS)
        if unknown:
            raise ValueError(f"unknown word(s) {sorted(unknown)}; the words are {', '.join(WORD_KEYS)}")
        return value

    @field_validator("doc_number")
    @classmethod
    def _doc_number_pattern(cls, value):
        if value and "{number}" not in value:
            raise ValueError("a 发文字号 pattern holds {number} (and usually {year}), e.g. 某办〔{year}〕{number}号")
        return value


class Schedule(_Strict):
    run_day: int = Field(1, ge=1, le=28)
    run_time: str = Field("00:00", pattern=r"^\d{2}:\d{2}$")
    export_wait_days: int = Field(7, ge=0)


class RemoteSource(_Strict):
    connection: str
    month_path: str


class Source(_Strict):
    kind: Literal["local", "http", "sftp"] = "local"
    path: str = "data/landing"
    http: RemoteSource | None = None
    sftp: RemoteSource | None = None
    attempts: int = Field(5, ge=1)
    backoff_seconds: float = Field(2, ge=0)
    timeout_seconds: float = Field(60, gt=0)


class Validation(_Strict):
    model_config = ConfigDict(extra="allow", frozen=True)  # export limits are read by validate/
    batch_rows: int = Field(100000, ge=1)
    memory_limit: str = "1GB"


class ExportLimits(_Strict):
    """What the gate lets an export be before it is read (docs/bad_exports.md, Limits)."""
    manifest_bytes: int = Field(1048576, gt=0)
    file_bytes: int = Field(4294967296, gt=0)
    files: int = Field(100, gt=0)
    cell_chars: int = Field(10000, gt=0)
    header_columns: int = Field(200, gt=0)
    rows: int = Field(20000000, gt=0)


class Folders(_Strict):
    archive: str
    quarantine: str
    restricted: str
    warehouse: str
    delivery_log: str
    output: str


class Profile(_Strict):
    district: DistrictSection
    platform: str = Field(description="a mapping in include/config/platforms/<platform>.yml")
    schemes: list[str] = Field(min_length=1, description="scheme ids, files in include/schemes/<id>.yml")
    paths: Folders
    source: Source = Source()
    timezone: str = "Asia/Shanghai"
    schedule: Schedule = Schedule()
    validation: Validation = Validation()
    export_limits: ExportLimits = ExportLimits()
    schemes_out_of_force: Literal["fail", "warn"] = "fail"
    delivery: str | None = Field(None, description="the recipients file, extending include/config/delivery.yml (without one, no recipients)")
    holidays: str | None = Field(None, description="corrections of the official calendar")

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        folder = CONFIG_DIR / "platforms"
        if not (folder / f"{value}.yml").is_file():
            known = ", ".join(sorted(p.stem for p in folder.glob("*.yml")))
            raise ValueError(f"no platform mapping {value!r}; write one of {known} (files in include/config/platforms/)")
        return value

    @field_validator("schemes")
    @classmethod
    def _known_schemes(cls, value: list[str]) -> list[str]:
        folder = schemes_dir()  # as the run's environment names it, not as it was at import
        missing = [s for s in value if not (folder / f"{s}.yml").is_file()]
        if missing:
            raise ValueError(f"no scheme file for {missing} in {folder}")
        return value

    def words(self) -> dict[str, str]:
        """The level's words with the district's own overrides."""
        return {**level_words_table()[self.district.level], **(self.district.words or {})}


def _what_to_write(model: type[BaseModel], loc: tuple) -> str:
    """The key's description, found by walking the models along the error's location."""
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part) if isinstance(part, str) else None
        if field is None:
            return ""
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)]
        if part == loc[-1]:
            return field.description or ""
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else (inner[0] if inner else None)
    return ""


def _message(error: dict, where: str) -> str:
    key = ".".join(str(p) for p in error["loc"])
    hint = _what_to_write(Profile, error["loc"])
    if error["type"] == "extra_forbidden":
        parent = ".".join(str(p) for p in error["loc"][:-1]) or "the top level"
        return f"{where}: unknown key '{key}' (under {parent}); remove it or check its spelling"
    if error["type"] == "missing":
        return f"{where}: '{key}' is required" + (f": {hint}" if hint else "")
    text = re.sub(r"^Value error, ", "", error["msg"])
    return f"{where}: '{key}': {text}" + (f" ({hint})" if hint and hint not in text else "")


def checked(data: dict, where: str | Path) -> Profile:
    """The settings as a Profile, or ProfileError naming the file and every wrong key."""
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile is a YAML mapping (district:, platform:, schemes:, paths:, ...)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError("\n".join(_message(e, str(where)) for e in exc.errors())) from None
