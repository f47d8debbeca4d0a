#!/usr/bin/env bash
# Installs everything the workspace's jobs need. Idempotent; safe to re-run.
set -euo pipefail
rustup target add thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf >/dev/null
rustup component add llvm-tools clippy rustfmt >/dev/null
rustup component add miri rust-src --toolchain nightly >/dev/null
cargo +nightly miri setup >/dev/null 2>&1
