"""One description of the printed page, after GB/T 9704-2012 (党政机关公文格式), that the PDF
(Typst), the DOCX and the HTML all read, so that the three cannot lay the bulletin out differently.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (a 156 x 225 mm text block); 22 lines of
28 characters: body 3号 (16 pt) 仿宋 on a 28 pt line pitch, its characters set 0.25 pt closer so that 28
fit the 156 mm (16 pt each would leave room for 27); title 2号 小标宋; 一、 headings 黑体, （一） 楷体;
page numbers 4号 半角 宋体 "— n —", 7 mm below the text block, odd pages at the right and even pages
at the left, one character in from the edge of the text; the 落款 date 右空四字.

The fonts: the DOCX names the standard 公文 fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体),
which a township office's Word or WPS has, with the free Fandol fonts as their fallbacks; the PDF
embeds the Fandol fonts (GPL with the font exception; tools/install_print_tools.sh installs them)
and, where they are not installed, the Noto SC fonts pip installs."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pylopdf_fonts_zh_cn import sans_path, serif_path

PT_PER_MM = 72 / 25.4
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]    # 156
TEXT_HEIGHT_MM = PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]   # 225
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, IMPRINT_PT, PAGE_NUMBER_PT = 16.0, 22.0, 14.0, 14.0   # 3号, 2号, 4号, 4号
LINE_PT = 28.0              # 22 lines of 28 pt fill the 225 mm (637.8 pt) text block, with 21.8 pt left
TITLE_LINE_PT = 35.0
TRACKING_PT = -0.25         # 28 characters of 15.75 pt: 441 pt, inside the 442.2 pt of 156 mm
SIGNATURE_RIGHT_CHARS = 4   # 成文日期 右空四字
SEAL_LINES = 2              # room for the seal between the 附件说明 and the issuer
PAGE_NUMBER_BELOW_MM = 7    # 一字线 7 mm below the text block

# GB/T 9704's fonts by role: (the name Word and WPS know, its free fallback, the Noto stand-in)
FONTS = {
    "body": ("仿宋_GB2312", "FandolFang", "Noto Serif SC"),
    "title": ("方正小标宋简体", "FandolSong", "Noto Serif SC"),
    "hei": ("黑体", "FandolHei", "Noto Sans SC"),
    "kai": ("楷体_GB2312", "FandolKai", "Noto Serif SC"),
    "song": ("宋体", "FandolSong", "Noto Serif SC"),
}
# other names the same fonts go by, which a reader's machine may have instead
ALIASES = {"body": ("仿宋", "FangSong", "FangSong_GB2312", "STFangsong"), "title": ("小标宋", "FZXiaoBiaoSong-B05S"),
           "hei": ("SimHei", "STHeiti"), "kai": ("楷体", "KaiTi", "KaiTi_GB2312", "STKaiti"), "song": ("SimSun", "STSong")}
TYPST_NAMES = {"FandolFang": "FandolFang R"}   # the family name Typst reads from FandolFang's name table
FANDOL_FILES = ("FandolFang-Regular.otf", "FandolSong-Bold.otf", "FandolSong-Regular.otf", "FandolHei-Regular.otf",
                "FandolKai-Regular.otf")
FANDOL_DIRS = ("/usr/local/share/fonts/fandol", "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol")


@lru_cache(maxsize=1)
def fandol_dir() -> Path | None:
    """Where the Fandol fonts are: GRIDPULSE_FONT_DIR, else where install_print_tools.sh or Debian's
    texlive-lang-chinese puts them; None where they are not installed."""
    for folder in ([os.environ["GRIDPULSE_FONT_DIR"]] if os.environ.get("GRIDPULSE_FONT_DIR") else []) + list(FANDOL_DIRS):
        if all((Path(folder) / name).is_file() for name in FANDOL_FILES):
            return Path(folder)
    return None


@dataclass(frozen=True)
class Faces:
    """The family each role prints in, and the folders holding them."""
    families: dict[str, str]
    folders: tuple[str, ...]
    title_weight: str   # FandolSong Bold stands in for 小标宋's heavy strokes


def print_faces() -> Faces:
    """The fonts a PDF embeds: Fandol where installed, else the pip-installed Noto SC (one weight)."""
    noto = (str(Path(serif_path()).parent), str(Path(sans_path()).parent))
    found = fandol_dir()
    if found is None:
        return Faces({role: names[2] for role, names in FONTS.items()}, tuple(dict.fromkeys(noto)), "regular")
    return Faces({role: TYPST_NAMES.get(names[1], names[1]) for role, names in FONTS.items()},
                 tuple(dict.fromkeys((str(found), *noto))), "bold")


def css_family(role: str, generic: str = "serif") -> str:
    """A CSS font-family list: the 公文 font, its other names, the free fallback, then Noto."""
    names = (FONTS[role][0], *ALIASES[role], FONTS[role][1], FONTS[role][2])
    return ", ".join(f'"{name}"' for name in names) + f", {generic}"


def description() -> dict:
    """The page as data for the Typst template and the HTML: sizes in mm and pt."""
    faces = print_faces()
    return {"page_mm": PAGE_MM, "margins_mm": MARGINS_MM, "body_pt": BODY_PT, "title_pt": TITLE_PT,
            "imprint_pt": IMPRINT_PT, "page_number_pt": PAGE_NUMBER_PT, "line_pt": LINE_PT,
            "title_line_pt": TITLE_LINE_PT, "tracking_pt": TRACKING_PT, "signature_right_chars": SIGNATURE_RIGHT_CHARS,
            "seal_lines": SEAL_LINES, "page_number_below_mm": PAGE_NUMBER_BELOW_MM,
            "fonts": faces.families, "title_weight": faces.title_weight}


CHART_WIDTH_MM = 140        # both charts, in the PDF and the DOCX alike


def width_chars(text: str) -> float:
    """Printed width in characters of the body font: a digit or Latin letter is half of one."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def issuer_right_chars(issuer: str, signed: str) -> float:
    """How far from the right margin the issuer ends, in characters, so that it is centred over the
    成文日期, which ends 右空四字 (an issuer longer than the date ends at the margin)."""
    return max(0.0, SIGNATURE_RIGHT_CHARS + (width_chars(signed) - width_chars(issuer)) / 2)
