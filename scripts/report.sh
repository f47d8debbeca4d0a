#!/usr/bin/env bash
# The main job: the conformance suite against every buffer type and every
# transfer implementation in the workspace (the software engine and the
# STM32 / nRF52 drivers on their register-level simulators), as a table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec cargo run --quiet -p dma-conformance --bin conformance-report -- "$@"
