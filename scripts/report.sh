#!/usr/bin/env bash
# The main job: the conformance suite against every buffer type and every
# transfer implementation in the workspace (the software engine and the
# STM32 / nRF52 / RP2040 / PL08x drivers on their register-level simulators),
# as a table; then the PL08x driver's on-target checks on QEMU (mps2-an505
# and mps2-an521) and the RP2040 driver's on rp2040js.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --quiet -p dma-conformance --bin conformance-report -- "$@"
echo
echo "== PL08x (dma-impl-pl08x) on QEMU: the firmware's on-target checks =="
bash dma-impl-pl08x/qemu.sh
echo; echo "== RP2040 (dma-impl-rp2040) on rp2040js: the firmware's on-target checks =="; bash dma-impl-rp2040/emulator.sh
