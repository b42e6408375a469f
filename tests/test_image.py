"""The Dockerfile's image can render the bulletin's PDF (no Docker engine runs here).

A real Typst render runs in a child process; every system library it maps that was not mapped
before it started is traced to its Debian package (this machine runs the same Debian release as
the official Airflow image), and that package must be libc6 (which Python itself needs, so every
Python image has it) or a dependency of it, or be installed by the Dockerfile's apt-get line (it
has none since the PDF moved from WeasyPrint, which needed Pango and HarfBuzz, to Typst)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import PROJECT_DIR

RENDER = """
def mapped():
    return {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line.split()[-1]}
import ssl, zlib, lzma, bz2, hashlib, uuid, urllib.request, json, tempfile
before = mapped()  # what Python loads on its own
from gridpulse.bulletin.document import Bulletin, Letterhead, Paragraph
from gridpulse.bulletin.figures import Register
from gridpulse.bulletin.typst_writer import pdf_bytes
pdf_bytes(Bulletin("yushui", "2022-11", ["渝水区2022年11月网格化服务管理工作考核通报"],
                   Letterhead("办公室", "2022年12月5日", "办公室", "2022年12月5日"), "各单位", [], "考核内容", [],
                   Register("2022-11")))
print("\\n".join(sorted(path for path in mapped() - before if path.startswith(("/usr/lib", "/lib")))))
"""


def _package_of(path: str) -> str:
    for candidate in (path, path.removeprefix("/usr")):  # merged /usr: dpkg may know either
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0]
    raise AssertionError(f"no Debian package owns {path}")


def _with_dependencies(packages: set[str]) -> set[str]:
    closure, todo = set(), list(packages)
    while todo:
        package = todo.pop()
        if package in closure:
            continue
        closure.add(package)
        fields = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package],
                                capture_output=True, text=True).stdout
        todo += [re.split(r"[\s:(]", alternative.strip())[0] for dependency in fields.split(",") if dependency.strip()
                 for alternative in dependency.split("|")[:1]]
    return closure


def _dockerfile_apt_packages() -> set[str]:
    text = (PROJECT_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    return {word for line in text.splitlines() if "apt-get install" in line
            for word in line.split("apt-get install", 1)[1].split("&&")[0].split() if not word.startswith("-")}


@pytest.mark.skipif(not shutil.which("dpkg"), reason="needs a Debian system to trace libraries to packages")
def test_the_image_has_every_system_library_the_pdf_renderer_loads():
    loaded = subprocess.run([sys.executable, "-c", RENDER], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR / "include")}).stdout.split()
    needed = {_package_of(path) for path in loaded}
    installed_by_image = _with_dependencies(_dockerfile_apt_packages() | {"libc6"})
    assert needed - installed_by_image == set(), f"the Dockerfile does not install: {sorted(needed - installed_by_image)}"
