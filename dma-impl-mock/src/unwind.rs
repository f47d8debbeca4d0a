//! Checks that a transfer's stop aborts rather than unwinds when a register
//! access inside it panics (`dma_traits::abort_on_unwind`; review 3,
//! finding 1). An abort ends the process, so each case runs in a child:
//! the test binary again, with only the test and an environment variable
//! naming the case.
//!
//! A test calls [`in_child`] first: in the child it runs the case, and in
//! the parent it spawns the child and checks how it ended.

#![allow(clippy::panic)] // panicking inside a register access, and failing the test, is the point

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::rc::Rc;

use dma_mmio::host::interleave::{interleave, CpuAccess, Interleaving};
use dma_traits::Transfer;

const CASE: &str = "DMA_IMPL_MOCK_UNWIND_CASE";

/// What `abort_on_unwind` prints as it aborts.
const ABORTED: &str = "a stop unwound while the DMA may still access its buffer";

/// Panics at this thread's `n`-th register write from now (1-based), once.
pub fn panic_at_write(n: usize) -> Interleaving {
    let left = Rc::new(Cell::new(n));
    interleave(move |access| {
        if matches!(access, CpuAccess::Write(_)) {
            let now = left.get();
            left.set(now.saturating_sub(1));
            if now == 1 {
                panic!("a register hook panics inside a write");
            }
        }
    })
}

/// Ends `transfer` with the first register write of its end panicking: by
/// [`Transfer::stop`] when `case` ends in `"stop"`, else by dropping it.
pub fn end_with_a_panicking_write<T: Transfer>(case: &str, transfer: T) {
    let _hook = panic_at_write(1);
    if case.ends_with("stop") {
        drop(transfer.stop());
    } else {
        drop(transfer);
    }
}

/// In the child (the environment names a case): runs `case(name)` inside
/// `catch_unwind`, reports whether an unwind got out, and exits; never
/// returns. In the parent: runs `test` (the calling test's full name) in a
/// child once per case in `cases`, and panics unless each aborted with
/// `abort_on_unwind`'s message and never got past the unwind.
pub fn in_child(test: &str, cases: &[&str], case: impl FnOnce(&str)) {
    if let Ok(name) = std::env::var(CASE) {
        let unwound = catch_unwind(AssertUnwindSafe(|| case(&name))).is_err();
        println!("UNWOUND past the stop in case {name}: {unwound}");
        std::process::exit(0);
    }
    for name in cases {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no test binary: {e}"));
        let out = Command::new(exe)
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(CASE, name)
            .output()
            .unwrap_or_else(|e| panic!("cannot run the child: {e}"));
        let (stdout, stderr) =
            (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(
            !out.status.success() && !stdout.contains("UNWOUND") && stderr.contains(ABORTED),
            "case {name}: the child did not abort in the stop ({}):\n{stdout}\n{stderr}",
            out.status
        );
    }
}
