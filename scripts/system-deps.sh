#!/usr/bin/env bash
# The system packages the test suite needs, installed by `make test` (and `make system-deps`).
#   chromium              real-browser UI tests (Playwright drives Debian's Chromium; no browser download)
#   libreoffice-calc      exchange workbooks re-saved by a real office suite
#   poppler-utils         CDO brief PDFs rendered to images (pdftoppm)
#   faketime              the suite run once more with the machine's clock a year ahead
#   fonts-dejavu-core, fonts-liberation   the PDF brief and the screenshots
# As root it installs what is missing with apt-get; otherwise it prints the one command to run
# and fails. It never lets the suite skip a test for a missing tool.
set -euo pipefail

PACKAGES=(chromium poppler-utils libreoffice-calc faketime fonts-dejavu-core fonts-liberation)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${missing[*]}; this machine has no apt-get, install the equivalents" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: the tests need ${missing[*]}. Run once:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]} (once per machine)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
