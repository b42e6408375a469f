"""Render DOCX and XLSX to PDF with LibreOffice, standing in for the Word and WPS of township staff.

LibreOffice is a Debian package, not a PyPI one (.ci/run installs it, tools/install_print_tools.sh):
`soffice_path()` is None where it is not installed, and the tests that need it skip, saying so. The
公文 fonts the DOCX names (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体) are mapped to the fonts
the PDF embeds (bulletin/page.py: Fandol where installed, else the Noto fonts pip installs), through a
private fontconfig file, so the render measures text as a reader's would and as the PDF does."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from gridpulse.bulletin.page import ALIASES, FONTS, print_faces


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig(folder: Path) -> Path:
    faces = print_faces()
    aliases = "".join(f"<alias binding=\"same\"><family>{name}</family><prefer><family>{faces.families[role].removesuffix(' R')}</family></prefer></alias>"
                      for role in FONTS for name in (FONTS[role][0], *ALIASES[role]))
    dirs = "".join(f"<dir>{d}</dir>" for d in faces.folders)
    config = folder / "fonts.conf"
    config.write_text(
        "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
        "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>"
        f"{dirs}<cachedir>{folder / 'cache'}</cachedir>{aliases}</fontconfig>", encoding="utf-8")
    return config


def to_pdf(document: Path, folder: Path) -> Path:
    """`document` rendered to PDF in `folder` by LibreOffice (its own profile: no clash with a
    LibreOffice another process runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"FONTCONFIG_FILE": str(_fontconfig(folder)), "HOME": str(folder)}
    subprocess.run([soffice_path(), f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(document)],
                   check=True, capture_output=True, timeout=300, env=env)
    return folder / (document.stem + ".pdf")
