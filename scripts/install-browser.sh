#!/usr/bin/env bash
# Installs what the status-page browser test drives: Debian's Chromium (/usr/bin/chromium).
# playwright-core comes from package.json (npm ci); it never downloads a browser of its own.
# Idempotent: does nothing when Chromium is already there. Needs root (CI runs as root) or sudo.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser: /usr/bin/chromium is missing and this user cannot install packages; run: apt-get install -y chromium" >&2
    exit 1
  fi
fi

echo "install-browser: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
