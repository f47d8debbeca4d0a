#!/usr/bin/env python3
"""Mutation testing of the reference HALs: does the test suite catch a broken HAL?

Each mutant file (scripts/mutants/<crate>.toml, format in scripts/mutants/FORMAT.md)
lists test commands and defects. For every defect the runner applies it to a
scratch copy of the working tree, runs the commands there, and reports the
tests that failed (the killers). A mutant nobody kills, a `find` text that does
not occur exactly once, a mutant that does not compile, or a baseline that
fails makes the run fail.

    python3 scripts/mutants.py scripts/mutants/stm32.toml [more.toml] [--ci] [--only TEXT]
                               [--own PATH...]   (HEAD plus only these working-tree paths)
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "target" / "mutants"
TREE = SCRATCH / "tree"
IGNORED = {"target", ".git"}

RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+)")
DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)")
FAILED = re.compile(r"^test (.+?) \.\.\. FAILED$")
NOT_COMPILED = re.compile(r"^error: could not compile `([^`]+)`")


def copy_tree(own_paths):
    """A fresh copy of the working tree (uncommitted edits included) or, with
    `own_paths`, of the last commit with only those paths from the working
    tree (so that someone else's half-done edits do not break the baseline)."""
    if TREE.exists():
        shutil.rmtree(TREE)
    ignore = lambda d, names: [n for n in names if n in IGNORED]
    # Fresh modification times (`shutil.copy`, not `copy2`): a file copied
    # with an old time over a mutant's build would not be rebuilt.
    if not own_paths:
        shutil.copytree(ROOT, TREE, ignore=ignore, copy_function=shutil.copy)
    else:
        TREE.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(TREE)], input=archive, check=True)
        for own in own_paths:
            source, target = ROOT / own, TREE / own
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if source.is_dir():
                shutil.copytree(source, target, ignore=ignore, copy_function=shutil.copy)
            elif source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
    # Anything the tests read beside the workspace (../shared).
    shared = ROOT.parent / "shared"
    link = SCRATCH / "shared"
    if shared.exists() and not link.exists():
        link.symlink_to(shared)


def edits_of(mutant):
    if "edit" in mutant:
        return mutant["edit"]
    return [{"file": mutant["file"], "find": mutant["find"], "replace": mutant["replace"]}]


CHILD = None  # the command running now, killed with its process group if we are


def kill_child(*_):
    if CHILD is not None and CHILD.poll() is None:
        os.killpg(CHILD.pid, signal.SIGKILL)
    sys.exit(130)


def run(command, timeout):
    """Runs one shell command in the scratch tree: (exit code or 'timeout', output)."""
    global CHILD
    # A target directory of its own: cargo names a path crate's artifacts by
    # its path relative to the workspace, so the copy and the original would
    # overwrite each other's builds.
    # Incremental builds there whatever the caller set (CI turns them off for
    # its own target directories): each mutant changes one file of one crate,
    # and rebuilding that crate's test binaries incrementally takes about half
    # the time of a full rebuild (only workspace crates are built
    # incrementally; the registry dependencies are built once, by the baseline).
    env = dict(os.environ, CARGO_TARGET_DIR=str(SCRATCH / "target"), CARGO_TERM_COLOR="never",
               CARGO_INCREMENTAL="1")
    proc = subprocess.Popen(command, shell=True, cwd=TREE, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    CHILD = proc
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return "timeout", out


def killers(output):
    """The failing tests of a cargo test log, each named with its test binary."""
    names, binary = [], "?"
    for line in output.splitlines():
        if m := RUNNING.match(line):
            binary = Path(m.group(1)).stem.split("-")[0] if "deps" in m.group(1) else m.group(1)
        elif m := DOCTESTS.match(line):
            binary = f"doctest {m.group(1)}"
        elif m := FAILED.match(line):
            names.append(f"{binary}: {m.group(1)}")
    return names


def run_commands(commands, timeout):
    """Runs the commands until one fails: (verdict, detail)."""
    for command in commands:
        code, out = run(command, timeout)
        if code == 0:
            continue
        if code == "timeout":
            return "caught", [f"timeout after {timeout} s: {command}"]
        lines = out.splitlines()
        if m := next(filter(None, map(NOT_COMPILED.match, lines)), None):
            return "no-compile", [f"`{m.group(1)}` does not compile", *[l for l in lines if l.startswith("error")][:3]]
        names = killers(out)
        return "caught", names or [f"exit {code}: {command}", *lines[-5:]]
    return "survived", []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--ci", action="store_true", help="only the mutants marked ci = true")
    parser.add_argument("--only", help="only mutants whose name contains this text")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per test command")
    parser.add_argument("--own", nargs="+", metavar="PATH", default=[],
                        help="start from HEAD and take only these paths from the working tree")
    args = parser.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, kill_child)

    copy_tree(args.own)
    rows, bad = [], 0
    for path in args.files:
        spec = tomllib.loads(path.read_text())
        # `--ci` runs the file's `ci_tests` when it has them: the commands
        # that catch its CI mutants, without the slower ones only the rest need.
        commands = spec.get("ci_tests", spec["tests"]) if args.ci else spec["tests"]
        mutants = [m for m in spec.get("mutant", [])
                   if (not args.ci or m.get("ci")) and (not args.only or args.only in m["name"])]
        if not mutants:
            print(f"== {path.name}: no mutants selected")
            continue
        print(f"== {path.name}: {len(mutants)} mutants; baseline first", flush=True)
        start = time.time()
        verdict, detail = run_commands(commands, args.timeout)
        if verdict != "survived":
            print(f"baseline FAILS ({verdict}): {detail[:5]}")
            return 2
        print(f"   baseline passes ({time.time() - start:.0f} s)", flush=True)
        originals = {}
        for mutant in mutants:
            start = time.time()
            problem = None
            for edit in edits_of(mutant):
                file = TREE / edit["file"]
                text = originals.setdefault(file, file.read_text())
                current = file.read_text()
                if current == text and (count := text.count(edit["find"])) != 1:
                    problem = f"`find` occurs {count} times in {edit['file']}"
                    break
                if current.count(edit["find"]) != 1:
                    problem = f"`find` does not occur exactly once in {edit['file']} after earlier edits"
                    break
                file.write_text(current.replace(edit["find"], edit["replace"]))
            if problem:
                verdict, detail = "invalid", [problem]
            else:
                verdict, detail = run_commands(commands, args.timeout)
            for file, text in originals.items():
                file.write_text(text)
            if verdict != "caught":
                bad += 1
            mark = {"caught": "caught", "survived": "SURVIVED", "invalid": "INVALID", "no-compile": "NO-COMPILE"}[verdict]
            killer = "; ".join(detail[:3]) + (f" (+{len(detail) - 3} more)" if len(detail) > 3 else "")
            print(f"   {mark:10} {mutant['name']} [{time.time() - start:.0f} s] -- {killer}", flush=True)
            rows.append((path.stem, mutant["name"], mark, killer))

    caught = sum(1 for r in rows if r[2] == "caught")
    print()
    print("| crate | mutant | verdict | first killers |")
    print("|---|---|---|---|")
    for crate, name, mark, killer in rows:
        print(f"| {crate} | {name} | {mark} | {killer} |")
    print()
    print(f"mutants: {caught} caught, {len(rows) - caught} not caught, of {len(rows)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
