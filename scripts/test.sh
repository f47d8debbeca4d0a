#!/usr/bin/env bash
# The tests: unit, integration, doc and compile-fail tests of every crate, on
# the host, with every feature on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec cargo test --workspace --all-features --no-fail-fast
