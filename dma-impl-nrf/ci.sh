#!/usr/bin/env bash
# The nRF52 crate on its target: the library for each chip feature (and all of
# them at once), the example firmware linked for the nRF52840 and the nRF52832
# (checked for a vector table at address 0), and clippy on the target. Run
# from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*"; "$@"; }
target=thumbv7em-none-eabihf
for chip in nrf52832 nrf52833 nrf52840; do
  run cargo build -p dma-impl-nrf --target "$target" --features "$chip"
done
run cargo build -p dma-impl-nrf --target "$target" --all-features
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
for chip in nrf52840 nrf52832; do
  run cargo build -p dma-impl-nrf --release --example uarte_dma --target "$target" --features "rt,$chip"
  elf="$target_dir/$target/release/examples/uarte_dma"
  if command -v readelf >/dev/null; then
    readelf -S "$elf" | grep -q '\.vector_table' || { echo "no vector table in $elf"; exit 1; }
  fi
done
run cargo clippy --no-deps -p dma-impl-nrf --target "$target" --features rt,nrf52840 --lib --examples -- -D warnings
