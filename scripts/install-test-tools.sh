#!/usr/bin/env bash
# Installs the Debian packages `npm test` drives (npm's pretest runs this):
#   chromium   /usr/bin/chromium  the status-page browser test (playwright-core from package.json
#                                 drives it; it never downloads a browser of its own)
#   prometheus /usr/bin/promtool  `promtool check rules|config` on docker/prometheus/
# Idempotent: installs only the packages whose binary is missing. Needs root (CI runs as root) or sudo.
set -euo pipefail

# package:binary pairs.
wanted=("chromium:/usr/bin/chromium" "prometheus:/usr/bin/promtool")
missing=()
for pair in "${wanted[@]}"; do
  pkg="${pair%%:*}" bin="${pair#*:}"
  if [ -x "$bin" ]; then
    echo "install-test-tools: $pkg already installed ($("$bin" --version 2>/dev/null | head -1))"
  else
    missing+=("$pkg")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-tools: missing ${missing[*]} and this user cannot install packages; run: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

extra=()
# Chromium needs a font to render the status page.
for pkg in "${missing[@]}"; do [ "$pkg" = chromium ] && extra+=(fonts-dejavu-core); done
echo "install-test-tools: installing Debian's ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" "${extra[@]}" >/dev/null
# Only promtool is wanted from prometheus: where systemd runs, stop the server its package started.
for pkg in "${missing[@]}"; do
  if [ "$pkg" = prometheus ] && [ -d /run/systemd/system ]; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
done
for pair in "${wanted[@]}"; do
  bin="${pair#*:}"
  [ -x "$bin" ] || { echo "install-test-tools: ${bin} still missing after apt-get install" >&2; exit 1; }
  "$bin" --version 2>/dev/null | head -1
done
