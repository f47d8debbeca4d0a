#!/usr/bin/env bash
# dma-impl-rp2040 on rp2040js (Wokwi's RP2040 emulator, pinned in
# emulator/package-lock.json): installs it (`npm ci`), builds the firmware
# `examples/emulator_suite.rs` for thumbv6m-none-eabi, runs it with a cycle
# limit and a wall-clock timeout, and prints every line prefixed
# `  rp2040js| ` (the last: `  rp2040js| N passed, N failed`).
#   MUTANT=rp2040_mutant_drop_no_abort bash dma-impl-rp2040/emulator.sh
# builds the firmware with that deliberate defect (it must FAIL).
# Exits nonzero if a check failed or the run did not finish.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv6m-none-eabi
prefix() { sed -u 's/^/  rp2040js| /'; }
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET" >/dev/null

(cd dma-impl-rp2040/emulator && npm ci --no-audit --no-fund --loglevel=error) 2>&1 | prefix
[ "${PIPESTATUS[0]}" = 0 ] || { echo "  rp2040js| 0 passed, 1 failed"; exit 1; }

target_dir=target
if [ -n "${MUTANT:-}" ]; then
    target_dir=target/mutant-$MUTANT
    export RUSTFLAGS="--cfg $MUTANT"
fi
if ! CARGO_TARGET_DIR=$target_dir cargo build -q -p dma-impl-rp2040 --release --example emulator_suite \
    --features rt --target "$TARGET" 2>&1 | prefix; then
    echo "  rp2040js| 0 passed, 1 failed"
    exit 1
fi
fw=$target_dir/$TARGET/release/examples/emulator_suite
timeout 120 node dma-impl-rp2040/emulator/run.mjs "$fw" --max-cycles 200000000 --max-seconds 90 2>&1 | prefix
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "  rp2040js| 0 passed, 1 failed"
exit "$rc"
