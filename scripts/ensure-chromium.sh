#!/bin/sh
# Run before `npm test`: the staff console's browser tests drive Debian's Chromium.
# Installs it (and CJK fonts, so Korean screenshots are readable) when it is missing.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $CHROMIUM: installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM (Debian: sudo apt-get install chromium), or set CHROMIUM_PATH." >&2
exit 1
