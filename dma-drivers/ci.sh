#!/usr/bin/env bash
# The drivers on their targets: the library for thumbv7em (no chip, and each
# chip feature), the example firmware linked for an STM32F4 and an nRF52840
# (checked for a vector table; they greet through the async writer), and clippy on the target. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*"; "$@"; }
target=thumbv7em-none-eabihf
run cargo build -p dma-drivers --target "$target"
run cargo build -p dma-drivers --target "$target" --features stm32f4
run cargo build -p dma-drivers --target "$target" --features nrf52840
run cargo build -p dma-drivers --target "$target" --features async
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
for chip in stm32f4 nrf52840; do
  example="${chip}_drivers"
  run cargo build -p dma-drivers --release --example "$example" --target "$target" --features "rt,$chip,async"
  elf="$target_dir/$target/release/examples/$example"
  if command -v readelf >/dev/null; then
    readelf -S "$elf" | grep -q '\.vector_table' || { echo "no vector table in $elf"; exit 1; }
  fi
  run cargo clippy --no-deps -p dma-drivers --target "$target" --features "rt,$chip,async" --lib --examples -- -D warnings
done
