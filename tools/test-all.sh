#!/usr/bin/env bash
# The one command that runs every test (README: "Run all tests"; .ci/run calls exactly this).
# It installs what it needs on a fresh machine: Debian packages when run as root, then npm
# packages from the lock file, then builds and runs each suite. Any failing suite fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s ===\n' "$*"; }

# 1. System packages (only as root with apt-get; otherwise report what is missing).
DEB_PACKAGES=(python3-numpy chromium libkrb5-dev ripgrep)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    stage "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: missing Debian packages (${missing[*]}); suites that need them will say so" >&2
  fi
fi

# 2. npm packages, exactly as locked.
stage "npm ci"
npm ci --no-audit --no-fund

# 3. Types and bundles.
stage "typecheck"
npm run -s typecheck
stage "build"
npm run -s build

# 4. Suites.
stage "unit tests (mocha)"
npm run -s test:unit
if [ -f test/conformance/run-conformance.ts ]; then
  stage "ONNX conformance"
  npm run -s test:conformance
fi
if [ -f test/e2e/run-e2e.ts ]; then
  stage "end-to-end in code-server"
  npm run -s test:e2e
fi
stage "all suites passed"
