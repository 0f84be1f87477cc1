#!/bin/sh
# Run before `npm test`: the browser tests (staff console, test chat) drive Debian's Chromium,
# and check that Korean, Chinese, Japanese, Thai and Khmer text renders with real glyphs.
# Installs Chromium and the Noto fonts (CJK; Thai and Khmer are in fonts-noto-core) when missing.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
PACKAGES="chromium fonts-noto-cjk fonts-noto-core"
has_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list ":lang=$1" family 2>/dev/null)" ]; }
fonts_ok() { has_font ko && has_font ja && has_font zh-cn && has_font th && has_font km; }
[ -x "$CHROMIUM" ] && fonts_ok && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium or fonts for the browser tests missing: installing $PACKAGES"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM (or set CHROMIUM_PATH) and fonts for CJK, Thai and Khmer (Debian: sudo apt-get install $PACKAGES)." >&2
exit 1
