#!/usr/bin/env bash
# Runs the PL08x firmware (examples/qemu_suite.rs: the on-target checks) on
# qemu-system-arm, installing what it needs. Usage:
#   bash dma-impl-pl08x/qemu.sh [ELF [MACHINE...]]
# Without ELF it builds the firmware; without machines it runs mps2-an505 and
# mps2-an521. Each machine runs under `timeout 60`; its lines are prefixed
# with its name, so a caller's own summary stays the only bare
# `N passed, N failed` line. Exits nonzero if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv8m.main-none-eabi
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET" >/dev/null
if ! command -v qemu-system-arm >/dev/null; then
    (apt-get update && apt-get install -y qemu-system-arm) >/dev/null 2>&1 || echo "cannot install qemu-system-arm"
fi

elf=${1:-}
if [ -z "$elf" ]; then
    elf=${CARGO_TARGET_DIR:-target}/$TARGET/release/examples/qemu_suite
    cargo build -q -p dma-impl-pl08x --release --example qemu_suite --features rt --target "$TARGET" || exit 1
fi
shift || true
machines=("$@")
[ ${#machines[@]} -gt 0 ] || machines=(mps2-an505 mps2-an521)

status=0
for machine in "${machines[@]}"; do
    timeout 60 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$elf" | sed "s/^/  $machine| /"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit "$status"
