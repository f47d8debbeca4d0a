//! A halt that unwinds (on the host a register access can: a simulator's
//! check, a test's interleave hook) aborts the process instead of letting
//! `InFlight`'s `Drop` or `stop` drop or hand back a buffer the DMA may still
//! write (review 3, finding 1). Each case runs in a child process, since an
//! abort ends the process; the parent checks that the child aborted with
//! `abort_on_unwind`'s message and never got past the unwind.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use dma_traits::{CompilerFence, ErrorKind, Halt, Halted, InFlight, Lent, Region, Transfer};

const CASE: &str = "DMA_TRAITS_STOP_UNWIND_CASE";

/// Hardware whose stop sequence panics, as a register access with a
/// panicking hook does.
struct PanickingStop;

// SAFETY: `halt` unwinds, which the contract forbids: that is the case
// under test. Nothing is ever started, so no memory is accessed whatever
// happens.
unsafe impl Halt for PanickingStop {
    type Error = ErrorKind;
    fn is_done(&self) -> bool {
        false
    }
    fn halt(&mut self) -> Halted<ErrorKind> {
        panic!("a register hook panics inside the stop sequence");
    }
}

fn started() -> InFlight<Box<[u8; 64]>, PanickingStop, CompilerFence, 1> {
    let mut buffer = Box::new([0u8; 64]);
    let regions = [Region::dma_writes(buffer.as_mut_ptr(), 64)];
    // SAFETY: `PanickingStop` starts no hardware: nothing accesses the buffer.
    unsafe { InFlight::new(Lent::new(buffer), PanickingStop, regions, CompilerFence) }
}

/// The child: ends a transfer as `case` says, inside `catch_unwind`, and
/// reports if the unwind got out.
fn child(case: &str) {
    let transfer = started();
    let unwound = match case {
        "drop" => catch_unwind(AssertUnwindSafe(move || drop(transfer))).is_err(),
        _ => catch_unwind(AssertUnwindSafe(move || transfer.stop().is_ok())).is_err(),
    };
    println!("UNWOUND past the stop: {unwound}");
    std::process::exit(0);
}

fn run(case: &str, test: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CASE, case)
        .output()
        .unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "the child exited normally:\n{stdout}\n{stderr}");
    assert!(!stdout.contains("UNWOUND"), "the unwind left the stop:\n{stdout}");
    assert!(
        stderr.contains("a stop unwound while the DMA may still access its buffer"),
        "the child did not abort in the stop:\n{stderr}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_drop_whose_halt_unwinds_aborts() {
    match std::env::var(CASE) {
        Ok(case) => child(&case),
        Err(_) => run("drop", "a_drop_whose_halt_unwinds_aborts"),
    }
}

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_stop_whose_halt_unwinds_aborts() {
    match std::env::var(CASE) {
        Ok(case) => child(&case),
        Err(_) => run("stop", "a_stop_whose_halt_unwinds_aborts"),
    }
}
