#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser test (test/scenarios/statusPageBrowser)
# and `npm run screenshots`, which drive it with playwright-core: the project never lets a tool
# download a browser of its own. Run by .ci/run and by the browser test's setup.
#
# Present: says which. Missing, as root with apt-get: `apt-get update` and installs the package
# `chromium` without its recommended packages. Otherwise: says how to install it and fails.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") at $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null) at $CHROMIUM"
    exit 0
  fi
  echo "ensure-chromium: FAILED: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi

echo "ensure-chromium: FAILED: $CHROMIUM is missing, and this script can install it only as root on a machine with apt-get." >&2
echo "ensure-chromium: install Debian's chromium (sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium)," >&2
echo "ensure-chromium: or set CHROMIUM_PATH to a Chromium or Chrome binary. The browser test and npm run screenshots need it." >&2
exit 1
