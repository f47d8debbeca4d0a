#!/bin/sh
# Zero-cost benchmark: builds bench/zero_cost.rs for thumbv7em-none-eabihf in
# release, disassembles `via_crate` (this crate's write_all + wait) and
# `by_hand` (the same register sequence written by hand), counts their
# instructions and prints the ratio. Needs the llvm-tools rustup component
# (`rustup component add llvm-tools`; the nightly one is used if stable lacks it).
set -eu
cd "$(dirname "$0")/../.."
target=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build -q -p dma-impl-stm32 --release --example zero_cost \
    --target "$target" --features rt,stm32f4
elf="$CARGO_TARGET_DIR/$target/release/examples/zero_cost"
objdump=""
for toolchain in "" "+nightly"; do
    sysroot=$(rustc $toolchain --print sysroot 2>/dev/null) || continue
    host=$(rustc $toolchain -vV | sed -n 's/^host: //p')
    candidate="$sysroot/lib/rustlib/$host/bin/llvm-objdump"
    if [ -x "$candidate" ]; then objdump="$candidate"; break; fi
done
[ -n "$objdump" ] || { echo "llvm-objdump not found: rustup component add llvm-tools" >&2; exit 1; }
count() {
    "$objdump" -d --no-show-raw-insn --disassemble-symbols="$1" "$elf" |
        grep -cE '^ +[0-9a-f]+:'
}
crate=$(count via_crate)
hand=$(count by_hand)
echo "via_crate: $crate instructions"
echo "by_hand:   $hand instructions"
awk -v c="$crate" -v h="$hand" 'BEGIN { printf "ratio (crate / hand): %.2f\n", c / h }'
if [ "${VERBOSE:-0}" = 1 ]; then
    "$objdump" -d --no-show-raw-insn --disassemble-symbols=via_crate,by_hand "$elf"
fi
