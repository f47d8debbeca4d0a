#!/usr/bin/env bash
# The instruction-count benchmark (issue #14): builds the firmware in
# bench/examples (release, opt-level "s", LTO, one codegen unit, panic=abort:
# the workspace's [profile.release] plus panic=abort on the command line),
# counts the instructions of every `<path>_<shape>_crate` / `_hand` function
# and of every function it calls (transitively, each once), checks that
# llvm-objdump disassembled each function whole (its byte extent equals the
# symbol's size from llvm-nm), prints one table and fails when a path costs
# more than its bound over the hand-written sequence. VERBOSE=1 prints the
# disassembly. Needs the llvm-tools rustup component.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/bench}"

tools=""
for toolchain in "" "+nightly"; do
    sysroot=$(rustc $toolchain --print sysroot 2>/dev/null) || continue
    host=$(rustc $toolchain -vV | sed -n 's/^host: //p')
    if [ -x "$sysroot/lib/rustlib/$host/bin/llvm-objdump" ]; then
        tools="$sysroot/lib/rustlib/$host/bin"
        break
    fi
done
[ -n "$tools" ] || { echo "llvm-objdump not found: rustup component add llvm-tools" >&2; exit 1; }

# path name, example, target, features
firmware=(
    "stm32f1 thumbv7m-none-eabi stm32f1"
    "stm32f4 thumbv7em-none-eabihf stm32f4"
    "stm32f7 thumbv7em-none-eabihf stm32f7"
    "nrf52840 thumbv7em-none-eabihf nrf52840"
    "pl08x thumbv8m.main-none-eabi pl08x"
)
elfs=()
out="$CARGO_TARGET_DIR/dma-bench"
mkdir -p "$out"
for line in "${firmware[@]}"; do
    # ONLY="stm32f4*" SHAPES="two": a subset, while working on one path (the
    # table then fails its row count: only the full run is a result).
    case "$line" in ${ONLY:-*}) ;; *) continue ;; esac
    set -- $line
    for shape in ${SHAPES:-const held two}; do
        # One shape per build, so that the shapes do not share the crates'
        # out-of-line instances (which would change LLVM's inlining).
        cargo build -q -p dma-bench --release --example "$1" --target "$2" \
            --features "$3,shape-$shape" --config 'profile.release.panic="abort"'
        cp "$CARGO_TARGET_DIR/$2/release/examples/$1" "$out/$1-$shape.elf"
        elfs+=("$out/$1-$shape.elf")
    done
done

# Bounds on crate / hand, per row (path_shape); the default is the goal.
# A row above 1.02 names what the excess pays for (see bench/README.md).
DEFAULT_BOUND=1.02 OBJDUMP="$tools/llvm-objdump" NM="$tools/llvm-nm" \
    VERBOSE="${VERBOSE:-0}" python3 - "${elfs[@]}" <<'PY'
import os, re, subprocess, sys

# Bounds until the HAL changes of bench/README.md land: 5 % over what was
# measured when each was set (10 % for the two-call-site rows, where LLVM's
# inlining choice moves with unrelated changes: F7 `two` grew by 25 with
# a204992), so that a regression fails. The goal is 1.02 everywhere.
BOUNDS = {
    "f1_const": 1.20,  # 1.14 measured: the start's wait for an idle line (Sent), stop by read-modify-write, second ISR read (README: F1)
    "f1_held": 1.82,  # 1.73 measured: the start's wait for an idle line (Sent), stop by read-modify-write, second ISR read (README: F1) + transmitter moved in and out (README: STM32 held)
    "f1_two": 1.97,  # 1.79 measured: the start's wait for an idle line (Sent), stop by read-modify-write, second ISR read (README: F1) + the held call from two sites (both columns call one helper) and the struct moved between them
    "f4_const": 1.12,  # 1.07 measured: the start's wait for an idle line (Sent), the conditional stop, second HISR read (README: F4)
    "f4_held": 1.70,  # 1.61 measured: the start's wait for an idle line (Sent), the conditional stop, second HISR read (README: F4) + transmitter moved in and out (README: STM32 held)
    "f4_two": 1.85,  # 1.68 measured: the start's wait for an idle line (Sent), the conditional stop, second HISR read (README: F4) + the held call from two sites (both columns call one helper) and the struct moved between them
    "f7_const": 1.14,  # 1.09 measured: as f4, plus 2 for the fence's saturating end (README: F7)
    "f7_held": 1.62,  # 1.54 measured: as f4, plus 2 for the fence's saturating end (README: F7) + transmitter moved in and out (README: STM32 held)
    "f7_two": 1.78,  # 1.61 measured: as f4, plus 2 for the fence's saturating end (README: F7) + the held call from two sites (both columns call one helper) and the struct moved between them
    "pl08x_const": 1.10,  # 1.05 measured: Pl081::new's DMACConfiguration.E write, the empty-buffer test (README: PL08x)
    "pl08x_held": 1.55,  # 1.47 measured: the channel (base, index, segment limit) moved in and out (README: PL08x)
    "pl08x_two": 1.87,  # 1.70 measured: the held call from two sites (both columns call one helper) and the channel moved between them
    "spim_const": 1.17,  # 1.11 measured: truncation check of the 16-bit chip type, a rematerialised constant (README: nRF)
    "spim_held": 1.71,  # 1.62 measured: truncation check of the 16-bit chip type, a rematerialised constant (README: nRF) + peripheral struct moved in and out
    "spim_two": 1.90,  # 1.72 measured: truncation check of the 16-bit chip type, a rematerialised constant (README: nRF) + the held call from two sites (both columns call one helper) and the struct moved between them
    "twim_const": 1.28,  # 1.21 measured: truncation check, STOPPED read again in halt, rematerialised constants (README: nRF)
    "twim_held": 1.46,  # 1.39 measured: truncation check, STOPPED read again in halt, rematerialised constants (README: nRF) + peripheral struct moved in and out
    "twim_two": 1.67,  # 1.51 measured: truncation check, STOPPED read again in halt, rematerialised constants (README: nRF) + the held call from two sites (both columns call one helper) and the struct moved between them
    "uarte_const": 1.26,  # 1.20 measured: truncation check, ENDTX read again in halt, STOPTX's 1 rematerialised (README: nRF)
    "uarte_held": 1.49,  # 1.41 measured: truncation check, ENDTX read again in halt, STOPTX's 1 rematerialised (README: nRF) + peripheral struct moved in and out
    "uarte_two": 1.72,  # 1.56 measured: truncation check, ENDTX read again in halt, STOPTX's 1 rematerialised (README: nRF) + the held call from two sites (both columns call one helper) and the struct moved between them
    "uarteram_const": 1.30,  # 1.23 measured: as uarte: the ram_static! buffer folds the address check in both columns (README: nRF)
}
default = float(os.environ["DEFAULT_BOUND"])
objdump, nm = os.environ["OBJDUMP"], os.environ["NM"]
verbose = os.environ["VERBOSE"] == "1"
bench = re.compile(r"^([a-z0-9]+)_(const|held|two)_(crate|hand)$")
# "addr: <raw bytes, in groups> \t<mnemonic>\t<operands>" (data: .word etc.)
line_re = re.compile(r"^\s*([0-9a-f]+):\s((?:[0-9a-f]{2,8} )+)\s*\t(\S+)\s*(.*)$")
failed = False

def symbols(elf):
    out = subprocess.run([nm, "-S", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    table = {}
    for l in out.splitlines():
        f = l.split()
        if len(f) == 4 and f[2] in "tTwW":
            table[f[3]] = (int(f[0], 16) & ~1, int(f[1], 16))
    return table

def disassemble(elf, name, size_of):
    """(instructions, bytes, callees) of one function, checked whole."""
    global failed
    out = subprocess.run([objdump, "-d",
                          "--disassemble-symbols=" + name, elf],
                         check=True, capture_output=True, text=True).stdout
    if verbose:
        print(out)
    start, size = size_of[name]
    insns, end, callees = 0, None, []
    for l in out.splitlines():
        m = line_re.match(l)
        if not m:
            continue
        addr = int(m.group(1), 16)
        nbytes = sum(len(g) // 2 for g in m.group(2).split())
        mnemonic, operands = m.group(3), m.group(4)
        if end is None and addr != start:
            break
        if end is not None and addr != end:
            break
        end = addr + nbytes
        if not mnemonic.startswith("."):
            insns += 1
            if mnemonic.startswith(("b", "cb")):
                for target in re.findall(r"<([^>+]+)>", operands):
                    if target != name and target not in callees:
                        callees.append(target)
    extent = (end or start) - start
    if extent != size:
        print(f"FAIL {name}: disassembled {extent} bytes of {size} "
              f"(objdump stopped early: literal pool or jump table?)", file=sys.stderr)
        failed = True
    return insns, size, callees

rows = {}
for elf in sys.argv[1:]:
    size_of = symbols(elf)
    for name in sorted(size_of):
        m = bench.match(name)
        if not m:
            continue
        total, text, parts, seen, work = 0, 0, [], set(), [name]
        while work:
            sym = work.pop(0)
            if sym in seen or sym not in size_of:
                continue
            seen.add(sym)
            n, b, callees = disassemble(elf, sym, size_of)
            total += n
            text += b
            parts.append(n)
            work += callees
        rows.setdefault((m.group(1), m.group(2)), {})[m.group(3)] = (total, text, parts)

# 7 paths x 3 shapes, and the nRF UARTE with a `ram_static!` buffer (const).
if len(rows) != 22:
    print(f"FAIL: {len(rows)} path x shape rows, expected 22", file=sys.stderr)
    failed = True
print(f"{'path':<10} {'shape':<6} {'crate':>14} {'hand':>12} {'ratio':>6} {'bound':>6} "
      f"{'crate B':>8} {'hand B':>7}")
for (path, shape), r in sorted(rows.items()):
    if "crate" not in r or "hand" not in r:
        print(f"FAIL {path}_{shape}: missing crate or hand function", file=sys.stderr)
        failed = True
        continue
    (c, cb, cp), (h, hb, hp) = r["crate"], r["hand"]
    show = lambda n, p: f"{n}" if len(p) == 1 else f"{n} ({'+'.join(map(str, p))})"
    ratio = c / h
    bound = BOUNDS.get(f"{path}_{shape}", default)
    mark = "" if ratio <= bound + 1e-9 else "  <-- over bound"
    if mark:
        failed = True
    print(f"{path:<10} {shape:<6} {show(c, cp):>14} {show(h, hp):>12} {ratio:>6.2f} "
          f"{bound:>6.2f} {cb:>8} {hb:>7}{mark}")
sys.exit(1 if failed else 0)
PY
