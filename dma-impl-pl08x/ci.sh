#!/usr/bin/env bash
# dma-impl-pl08x on its target and on QEMU:
#  1. the library for thumbv8m.main-none-eabi (Cortex-M33) and clippy there;
#  2. the host tests against the PL08x simulator (cargo's `test result:` lines);
#  3. the firmware `examples/qemu_suite.rs` (the core suite, the PL08x
#     checks, and dma-drivers' async DmaWriter) on qemu-system-arm -M mps2-an505
#     and -M mps2-an521 (each with `timeout 60`);
#  4. the mutation runs: the firmware built with a Drop that does not halt
#     (`--cfg pl08x_mutant_drop_no_halt`), without the acquire fence
#     (`pl08x_mutant_no_acquire`) or accepting misaligned buffers
#     (`pl08x_mutant_misaligned_accepted`) must FAIL on QEMU, in the named
#     check of the conformance suite's no_std core; the async check's port
#     reporting done early (`pl08x_mutant_async_done_early`) must FAIL the
#     async DmaWriter check.
# Prints `N passed, N failed` last (steps and QEMU checks) and exits nonzero
# on any failure. Run from anywhere.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET=thumbv8m.main-none-eabi
FW=target/$TARGET/release/examples/qemu_suite
passed=0
failed=0
step() { # name, command...
    local name=$1; shift
    echo "+ $*"
    if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || rustup target add "$TARGET"

step "build $TARGET" cargo build -p dma-impl-pl08x --target "$TARGET"
step "clippy $TARGET" cargo clippy --no-deps -p dma-impl-pl08x --target "$TARGET" --features rt --lib --examples -- -D warnings
step "clippy host" cargo clippy --no-deps -p dma-impl-pl08x --tests -- -D warnings

host_tests() {
    local log
    log=$(mktemp)
    # Shown as "host tests:": .ci/run counts these tests in its own test run.
    cargo test -p dma-impl-pl08x -- --nocapture 2>&1 | tee "$log" \
        | grep -E '^test result:|adversarial .*schedules|panicked' | sed 's/^test result:/host tests:/' 
    local rc=${PIPESTATUS[0]}
    grep -q 'test result: FAILED' "$log" && rc=1
    rm -f "$log"
    return "$rc"
}
step "host tests" host_tests
sim_tests() {
    cargo test -p dma-impl-mock --lib sim::pl08x 2>&1 | grep -E '^test result:|panicked' \
        | sed 's/^test result:/simulator tests:/'
    return "${PIPESTATUS[0]}"
}
step "simulator unit tests" sim_tests
# Miri (Stacked and Tree Borrows) on request: PL08X_MIRI=1 bash dma-impl-pl08x/ci.sh
if [ "${PL08X_MIRI:-0}" = 1 ]; then
    miri() { # extra flags
        MIRIFLAGS="-Zmiri-disable-isolation -Zmiri-ignore-leaks $*" cargo +nightly miri test -p dma-impl-pl08x 2>&1 \
            | grep -E '^test result:|Undefined Behavior|panicked' | sed 's/^test result:/miri tests:/'
        return "${PIPESTATUS[0]}"
    }
    step "Miri (Stacked Borrows)" miri
    step "Miri (Tree Borrows)" miri -Zmiri-tree-borrows
fi

step "firmware" cargo build -p dma-impl-pl08x --release --example qemu_suite --features rt --target "$TARGET"

step "QEMU mps2-an505 and mps2-an521" bash dma-impl-pl08x/qemu.sh "$FW"

# The fence argument, checked in the binary: a DMB shortly before (within
# six instructions, no branch between) the enabling write to
# DMACCxConfiguration (offset 0x110 + 0x20 * n, value 0xC001: ITC|IE|E).
fence_in_binary() {
    local od
    od=$(ls ~/.rustup/toolchains/*/lib/rustlib/*/bin/llvm-objdump 2>/dev/null | head -1)
    [ -x "$od" ] || od=$(command -v llvm-objdump) || { echo "no llvm-objdump"; return 1; }
    "$od" -d --no-show-raw-insn "$FW" | awk '
        /\tdmb\t/ { window = 6; next }
        /\tb[a-z.]*\t|\tc?bn?z\t/ { window = 0 }
        window > 0 && /\tstr(\.w)?\t+r[0-9]+, \[r[0-9]+, #0x1[13]0\]/ { found++; print }
        { if (window > 0) window-- }
        END { exit found ? 0 : 1 }'
}
step "DMB before the enabling write" fence_in_binary

# The mutations: each deliberate defect must make the on-target run fail,
# caught by the conformance suite's no_std core (the firmware no longer has
# bespoke drop / alignment checks): a Drop that does not halt (DROP_STOPS,
# FENCES_BRACKET), no acquire fence (FENCES_BRACKET), misaligned buffers
# accepted (MISALIGNED_REFUSED).
mutant() { # cfg, the core check that must fail [, or instead the whole FAIL line]
    local cfg=$1 check=$2 line=${3:-} log
    log=$(mktemp)
    CARGO_TARGET_DIR=target/pl08x-mutant \
        CARGO_TARGET_THUMBV8M_MAIN_NONE_EABI_RUSTFLAGS="--cfg $cfg" \
        cargo build -q -p dma-impl-pl08x --release --example qemu_suite --features rt --target "$TARGET" || return 1
    if bash dma-impl-pl08x/qemu.sh "target/pl08x-mutant/$TARGET/release/examples/qemu_suite" mps2-an505 \
        > "$log"; then
        sed 's/^/  mutant/' "$log"
        echo "the mutant $cfg passed on QEMU: the checks miss it"
        rm -f "$log"
        return 1
    fi
    grep -E 'FAIL|passed' "$log" | sed 's/^/  mutant/'
    [ -n "$line" ] || line="FAIL .* / $check"
    [ -n "$check" ] || check=${line#FAIL }
    if ! grep -q "$line" "$log"; then
        echo "the mutant $cfg failed, but not the core check '$check'"
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    echo "the mutant $cfg fails on QEMU ($check), as it must"
}
step "mutant Drop without halt caught on QEMU" mutant pl08x_mutant_drop_no_halt "drop stops the DMA before release"
step "mutant no acquire caught on QEMU" mutant pl08x_mutant_no_acquire "fences bracket the DMA"
step "mutant misaligned accepted caught on QEMU" mutant pl08x_mutant_misaligned_accepted "misaligned is an error"
# The async driver check (dma-drivers' DmaWriter, not a core check): a port
# whose transfer reports done before the hardware lets the held write
# finish at once.
step "mutant async port done early caught on QEMU" mutant pl08x_mutant_async_done_early \
    "" "FAIL async_dma_writer_bytes_arrive_and_a_leaked_future_is_harmless"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
