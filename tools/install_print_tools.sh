#!/usr/bin/env bash
# What the print and browser tests need from Debian, and the 公文 fonts the bulletin sets its text in.
# Run as root on a Debian or Ubuntu machine (CI's .ci/run does); nothing happens without apt-get.
#
# The fonts: Fandol (FandolFang for 仿宋, FandolSong Bold for 小标宋, FandolSong for 宋体 (page numbers), FandolHei for 黑体, FandolKai for
# 楷体; GPL with the font exception, so they may be embedded in a PDF) cover GB 2312 and every character
# the bulletins print. Debian ships them only inside texlive-lang-chinese, whose dependencies are most of
# TeX Live: the package is downloaded and only the four fonts are taken out of it, into FONT_DIR.
# fonts-cwtex-fs (a 仿宋 too) is Traditional Chinese only: it lacks 184 of the characters printed here.
set -euo pipefail

FONT_DIR=${GRIDPULSE_FONT_DIR:-/usr/local/share/fonts/fandol}
PACKAGES=(chromium libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils fontconfig)

if ! command -v apt-get >/dev/null || [ "$(id -u)" != 0 ]; then
    echo "install_print_tools: no apt-get or not root: nothing installed (the print and browser tests skip, saying why)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ] || [ ! -f "$FONT_DIR/FandolFang-Regular.otf" ]; then
    apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -f "$FONT_DIR/FandolFang-Regular.otf" ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    (cd "$scratch" && apt-get download -qq texlive-lang-chinese 2>/dev/null)
    mkdir -p "$FONT_DIR"
    dpkg-deb --fsys-tarfile "$scratch"/texlive-lang-chinese_*.deb \
        | tar -x -C "$scratch" --wildcards '*/fandol/FandolFang-Regular.otf' '*/fandol/FandolSong-Bold.otf' '*/fandol/FandolSong-Regular.otf' \
              '*/fandol/FandolHei-Regular.otf' '*/fandol/FandolKai-Regular.otf'
    find "$scratch" -name 'Fandol*.otf' -exec cp {} "$FONT_DIR/" \;
    fc-cache -f "$FONT_DIR" >/dev/null
fi
# The 公文 font names the DOCX uses, mapped to Fandol for this machine's LibreOffice and Chromium
# (the names of include/gridpulse/bulletin/page.py's FONTS and ALIASES)
alias() { for name in "${@:2}"; do printf '<alias binding="same"><family>%s</family><prefer><family>%s</family></prefer></alias>' "$name" "$1"; done; }
{
    echo '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
    alias FandolFang 仿宋_GB2312 仿宋 FangSong FangSong_GB2312 STFangsong
    alias FandolSong 方正小标宋简体 小标宋 FZXiaoBiaoSong-B05S 宋体 SimSun STSong
    alias FandolHei 黑体 SimHei STHeiti
    alias FandolKai 楷体_GB2312 楷体 KaiTi KaiTi_GB2312 STKaiti
    echo '</fontconfig>'
} > /etc/fonts/conf.d/65-gridpulse-gongwen.conf
fc-cache -f >/dev/null
echo "install_print_tools: ${PACKAGES[*]} and the Fandol fonts in $FONT_DIR are installed"
