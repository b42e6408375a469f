"""`python -m gridpulse config check`: read a district's profile (or every district of a
deployment) as a run would, and print what the district will get: its words, letterhead, sender,
platform, schemes and folders. A profile that cannot be run is refused with the file and the key."""
from __future__ import annotations

import os
from contextlib import contextmanager

from gridpulse import config
from gridpulse.profile import ProfileError
from gridpulse.schemes import SchemeError, load_scheme


@contextmanager
def _settings_file(path: str | None):
    """Read the named settings file as the current district's for the block."""
    before = os.environ.get("GRIDPULSE_CONFIG")
    if path:
        os.environ["GRIDPULSE_CONFIG"] = str(config.project_path(path))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GRIDPULSE_CONFIG", None)
        else:
            os.environ["GRIDPULSE_CONFIG"] = before


def _scheme_line(scheme_id: str, district: dict) -> str:
    scheme = load_scheme(scheme_id)
    closing = ((district.get("texts") or {}).get(scheme_id) or {}).get("heading") \
        or ((scheme.get("bulletin") or {}).get("closing") or {}).get("heading") or "工作要求"
    own = " (the district's own text)" if scheme_id in (district.get("texts") or {}) else ""
    valid = f"{scheme.get('valid_from') or '—'}..{scheme.get('valid_to') or ''}"
    return f"{scheme_id}: {scheme.get('title_zh') or ''} ({scheme['org_level']}, {valid}); 三、{closing}{own}"


def describe() -> list[str]:
    """What the current district gets, one line per setting."""
    profile, settings, paths = config.profile(), config.settings(), config.paths()
    d = settings["district"]
    words = profile.words()
    sender = d.get("sender") or {}
    mapping = config.platform_mapping(settings["platform"])
    lines = [f"district    {d['name']} ({d['code']}), level {d['level']}",
             f"words       {words['whole']} · {words['units']} · {words['unit']} · {words['villages']}",
             f"letterhead  发文机关 {d['issuer']}; 主送 {d['addressees']}; 印发 {d.get('printed_by') or d['issuer']}"
             + (f"; 抄送 {d['copy_to']}" if d.get("copy_to") else "")
             + (f"; 发文字号 {d['doc_number']}" if d.get("doc_number") else ""),
             f"sender      {sender.get('name') or '(delivery file sender_name)'}"
             f" <{sender.get('email') or 'the SMTP connection from_email'}>",
             f"platform    {settings['platform']} ({mapping.get('label_zh', '')})"]
    lines += [f"scheme      {_scheme_line(s, d)}" for s in settings["schemes"]]
    lines += [f"folder      {name}: {getattr(paths, name)}" for name in ("source", "archive", "quarantine", "warehouse",
                                                                         "restricted", "output", "delivery_log")]
    return lines


def check(settings_path: str | None = None) -> tuple[int, list[str]]:
    """(exit code, lines): 0 and the description of each district, or 2 and what is wrong."""
    try:
        if config.deployment_file() and not settings_path:
            out = []
            for district in config.deployment().districts:
                with config.in_district(district.code):
                    out += [f"== {district.name} ({district.code}) in {config.deployment().file}", *describe()]
            return 0, out + ["ok"]
        with _settings_file(settings_path):
            return 0, [f"== {config.settings_file()}", *describe(), "ok"]
    except (ProfileError, SchemeError) as exc:
        return 2, [f"refused: {exc}"]
    except FileNotFoundError as exc:
        return 2, [f"refused: {exc.filename or exc} does not exist"]


def main(settings_path: str | None) -> int:
    code, lines = check(settings_path)
    print("\n".join(lines))
    return code
