#!/usr/bin/env bash
# dma-impl-rp2040 on its target and on rp2040js:
#  1. the library and the firmware for thumbv6m-none-eabi (Cortex-M0+), clippy there;
#  2. the host tests against the RP2040 simulator (cargo's `test result:` lines,
#     the adversarial schedule counts);
#  3. the firmware on rp2040js (emulator.sh; its lines prefixed `  rp2040js| `):
#     the RP2040-specific checks and the no_std core suite (dma-conformance-core);
#  4. the mutation runs: the firmware with a Drop that does not abort
#     (`--cfg rp2040_mutant_drop_no_abort`) must FAIL on the emulator; the host
#     suites with an abort that does not wait (`--cfg rp2040_mutant_no_busy_wait`)
#     must FAIL (rp2040js completes an abort at once, so only the host sees it);
#     the firmware with an SPI transmit channel that sends its first word
#     over and over (`--cfg rp2040_mutant_spi_no_incr`) must FAIL the core
#     suite's SPI "data intact" check on the emulator;
#     a stream whose read_half skips the count's re-read after the copy
#     (`--cfg rp2040_mutant_stream_no_recheck`) must FAIL the adversarial
#     stream test on the host.
# Miri on request: RP2040_MIRI=1. Prints `N passed, N failed` last (steps).
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv6m-none-eabi
passed=0
failed=0
step() { # name, command...
    local name=$1; shift
    echo "+ $*"
    if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
fails() { ! "$@"; }

rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET"

step "build $TARGET" cargo build -p dma-impl-rp2040 --target "$TARGET"
step "clippy $TARGET" cargo clippy --no-deps -p dma-impl-rp2040 --target "$TARGET" --features rt --lib --examples -- -D warnings
step "clippy host" cargo clippy --no-deps -p dma-impl-rp2040 --tests -- -D warnings

host_tests() {
    local log rc
    log=$(mktemp)
    # Shown as "host tests:": .ci/run counts these tests in its own test run.
    cargo test -p dma-impl-rp2040 -- --nocapture 2>&1 | tee "$log" \
        | grep -E '^test result:|adversarial .*schedules|panicked' | sed 's/^test result:/host tests:/'
    rc=${PIPESTATUS[0]}
    grep -q 'test result: FAILED' "$log" && rc=1
    rm -f "$log"
    return "$rc"
}
step "host tests" host_tests
sim_tests() {
    cargo test -p dma-impl-mock --lib sim::rp2040 2>&1 | grep -E '^test result:|panicked' \
        | sed 's/^test result:/simulator tests:/'
    return "${PIPESTATUS[0]}"
}
step "simulator unit tests" sim_tests
oracle() {
    cargo test -p dma-pac-oracle --test rp2040 2>&1 | grep -E '^test result:|panicked' \
        | sed 's/^test result:/PAC oracle tests:/'
    return "${PIPESTATUS[0]}"
}
step "PAC oracle (rp2040-pac)" oracle
if [ "${RP2040_MIRI:-0}" = 1 ]; then
    miri() { # extra flags
        DMA_ADVERSARY_MIRI_DEPTH=1 DMA_ADVERSARY_MIRI_SEEDS=0 \
        MIRIFLAGS="-Zmiri-disable-isolation -Zmiri-ignore-leaks $*" cargo +nightly miri test -p dma-impl-rp2040 2>&1 \
            | grep -E '^test result:|Undefined Behavior|panicked' | sed 's/^test result:/miri tests:/'
        return "${PIPESTATUS[0]}"
    }
    step "Miri (Stacked Borrows)" miri
    step "Miri (Tree Borrows)" miri -Zmiri-tree-borrows
fi

step "rp2040js" bash dma-impl-rp2040/emulator.sh
mutant_emulator() {
    MUTANT=rp2040_mutant_drop_no_abort bash dma-impl-rp2040/emulator.sh | sed 's/^  rp2040js|/  rp2040js (mutant: Drop does not abort)|/'
    [ "${PIPESTATUS[0]}" != 0 ]
}
step "mutant 'Drop does not abort' fails on rp2040js" mutant_emulator
mutant_core() {
    local log
    log=$(mktemp)
    MUTANT=rp2040_mutant_spi_no_incr bash dma-impl-rp2040/emulator.sh >"$log" 2>&1
    local rc=$?
    grep -E '^  rp2040js\| (FAIL|[0-9]+ passed)' "$log" | head -4 \
        | sed 's/^  rp2040js|/  rp2040js (mutant: SPI read address fixed)|/'
    # Caught only by a failed core check (a crash or timeout proves less).
    grep -q 'FAIL rp2040 SPI0 write u8 / data intact' "$log" && [ "$rc" != 0 ]
    local caught=$?
    rm -f "$log"
    return "$caught"
}
step "mutant 'SPI read address fixed' fails the core suite on rp2040js" mutant_core
mutant_host() {
    # Caught only if a test *fails* (a build error would prove nothing): the
    # adversarial tests here and the RP2040 sections of the conformance run.
    local log
    log=$(mktemp)
    RUSTFLAGS="--cfg rp2040_mutant_no_busy_wait" CARGO_TARGET_DIR=target/mutant-host \
        cargo test -q -p dma-impl-rp2040 --test adversarial --no-fail-fast >"$log" 2>&1
    RUSTFLAGS="--cfg rp2040_mutant_no_busy_wait" CARGO_TARGET_DIR=target/mutant-host \
        cargo test -q -p dma-conformance --lib --no-fail-fast -- rp2040 >>"$log" 2>&1
    grep -E '^test result:|^  FAIL ' "$log" | head -5 | sed -e 's/^test result:/mutant run:/' -e 's/^/  mutant (abort without waiting)| /'
    grep -q 'test result: FAILED' "$log"
    local caught=$?
    rm -f "$log"
    return "$caught"
}
step "mutant 'abort without waiting for BUSY' fails on the host" mutant_host
mutant_stream() {
    local log
    log=$(mktemp)
    RUSTFLAGS="--cfg rp2040_mutant_stream_no_recheck" CARGO_TARGET_DIR=target/mutant-host \
        cargo test -q -p dma-impl-rp2040 --test stream --no-fail-fast >"$log" 2>&1
    grep -E '^test result:|panicked at' "$log" | head -3 \
        | sed -e 's/^test result:/mutant run:/' -e 's/^/  mutant (no re-read after the copy)| /'
    grep -q 'test result: FAILED' "$log"
    local caught=$?
    rm -f "$log"
    return "$caught"
}
step "mutant 'stream hands out its copy without the post-copy check' fails on the host" mutant_stream

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
