#!/usr/bin/env bash
# Set up everything the test suite needs on a clean machine and run it.
# Used verbatim by the README and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL tests start a real server of their own from the machine's binaries.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL server binaries (apt-get) ..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# The report tests open the page in a real headless Chromium (Debian's package, driven by
# Playwright; Playwright's own browser download is never used).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium (apt-get) ..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e ".[test]"
python -m pytest -n 2 --dist loadfile "$@"
