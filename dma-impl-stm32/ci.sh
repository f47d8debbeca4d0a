#!/usr/bin/env bash
# The STM32 crate on its targets: the library for every chip feature on its
# core and the example firmware linked for an F4 and an F1 (the instruction
# count against hand-written code is bench/run.sh). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*"; "$@"; }
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32f4
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32f4,async
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32f7
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32f3
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32f3,stm32f4,stm32f7
run cargo build -p dma-impl-stm32 --target thumbv7em-none-eabihf --features stm32l4
run cargo build -p dma-impl-stm32 --target thumbv7m-none-eabi --features stm32f1
run cargo build -p dma-impl-stm32 --target thumbv6m-none-eabi --features stm32f0
run cargo build -p dma-impl-stm32 --release --example usart_dma --target thumbv7em-none-eabihf --features rt,stm32f4
run cargo build -p dma-impl-stm32 --release --example usart_dma --target thumbv7m-none-eabi --features rt,stm32f1
run cargo clippy --no-deps -p dma-impl-stm32 --target thumbv7em-none-eabihf --features rt,stm32f4 --lib --examples -- -D warnings
run cargo clippy --no-deps -p dma-impl-stm32 --target thumbv7m-none-eabi --features rt,stm32f1 --lib --examples -- -D warnings
run cargo clippy --no-deps -p dma-impl-stm32 --target thumbv6m-none-eabi --features stm32f0 --lib -- -D warnings
