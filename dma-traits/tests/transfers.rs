//! The transfer traits: safe and scoped constructors, errors that give
//! everything back, and the scoped API's stop-on-unwind guarantee.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

#[allow(dead_code, unreachable_pub)]
#[path = "support/serial.rs"]
mod serial;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use dma_traits::{
    scoped, Access, CompilerFence, DmaFence, DmaRead, DmaWrite, ErrorKind, FenceError, Finished,
    Outcome, Transfer, TransferError,
};
use serial::{Serial, FILL};

#[test]
fn static_write_gives_back_buffer_and_port() {
    let done = Serial::default().write_all("hello").unwrap().wait().unwrap();
    assert_eq!((done.buffer, done.transferred, done.resources.sent), ("hello", 5, 5));
}

#[test]
fn rejected_start_gives_back_everything() {
    let empty: &'static [u8] = &[];
    let err = Serial { sent: 3 }.write_all(empty).err().unwrap();
    assert_eq!(err.error, ErrorKind::Empty);
    assert_eq!((err.buffer.len(), err.resources.sent, err.transferred), (0, 3, 0));
    assert_eq!(err.to_string(), "a buffer of zero words (after 0 words)");
}

#[test]
fn scoped_read_into_stack_buffer() {
    let mut stack = [0u16; 4];
    let (ran, outcome) = Serial::default().read_exact_scoped(&mut stack[..], |t| t.is_done());
    let done = outcome.unwrap();
    assert_eq!((ran, done.transferred), (Some(true), 4));
    assert_eq!(stack, [u16::from_ne_bytes([FILL, FILL]); 4]);
}

#[test]
fn scoped_refusal_skips_body() {
    let mut empty: [u8; 0] = [];
    let (ran, outcome) = Serial::default().write_all_scoped(&mut empty[..], |_| unreachable!());
    assert_eq!(ran, None);
    assert_eq!(outcome.err().unwrap().error, ErrorKind::Empty);
}

/// A transfer whose "hardware" finishes when `done` is set; counts `stop` calls.
struct Running<'a> {
    stops: &'a Cell<u32>,
    done: &'a Cell<bool>,
}

// SAFETY: owns no buffer; `stop` is where the (absent) hardware would halt.
unsafe impl Transfer for Running<'_> {
    type Buffer = ();
    type Resources = ();
    type Error = FenceError;

    fn is_done(&self) -> bool {
        self.done.get()
    }

    fn stop(self) -> Outcome<Self> {
        self.stops.set(self.stops.get() + 1);
        Ok(Finished { buffer: (), resources: (), transferred: 0 })
    }
}

#[test]
fn scoped_stops_the_transfer_when_the_body_panics() {
    let (stops, done) = (Cell::new(0), Cell::new(false));
    let running = Running { stops: &stops, done: &done };
    let result = catch_unwind(AssertUnwindSafe(|| scoped(running, |_| panic!("body failed"))));
    assert!(result.is_err());
    assert_eq!(stops.get(), 1, "stopped exactly once, during unwinding");
}

#[test]
fn scoped_waits_after_the_body_returns() {
    let (stops, done) = (Cell::new(0), Cell::new(false));
    let running = Running { stops: &stops, done: &done };
    let (value, outcome) = scoped(running, |t| {
        assert!(!t.is_done(), "still running inside the body");
        done.set(true);
        7
    });
    assert_eq!((value, stops.get()), (7, 1));
    assert!(outcome.is_ok());
}

#[test]
fn compiler_fence_never_refuses() {
    let buf = [0u8; 3];
    let raw = core::ptr::slice_from_raw_parts(buf.as_ptr(), 3);
    for access in [Access::DmaReads, Access::DmaWrites] {
        assert_eq!(CompilerFence.release(raw, access), Ok(()));
        CompilerFence.acquire(raw, access);
    }
}

#[test]
fn errors_read_well() {
    let e = FenceError::NotCacheLineAligned { address: 0x2000_0004, bytes: 60 };
    assert_eq!(
        e.to_string(),
        "DMA write buffer at 0x20000004 (60 bytes) does not cover whole data-cache lines"
    );
    let t = TransferError::rejected(e, [0u8; 1], ());
    assert!(t.to_string().starts_with("DMA write buffer"));
}

#[allow(dead_code, unreachable_pub)]
#[path = "support/copier.rs"]
mod copier;

#[test]
fn copy_tiers_static_scoped_and_refusal() {
    use copier::Copier;
    use dma_traits::DmaCopy;
    let source: &'static [u16] = &[1, 2, 3];
    let out: &'static mut [u16] = Box::leak(Box::new([0u16; 3]));
    let done = Copier.copy(source, out).unwrap().wait().unwrap();
    assert_eq!(done.buffer.1, [1, 2, 3]);
    assert_eq!(done.transferred, 3);

    let mut stack = [0u16; 3];
    let (ran, outcome) = Copier.copy_scoped(&[4u16, 5, 6][..], &mut stack[..], |t| t.is_done());
    assert_eq!((ran, outcome.unwrap().transferred), (Some(true), 3));
    assert_eq!(stack, [4, 5, 6]);

    let mut short = [0u16; 2];
    let (ran, outcome) = Copier.copy_scoped(&[7u16, 8, 9][..], &mut short[..], |_| ());
    let refused = outcome.unwrap_err();
    assert_eq!((ran, refused.error, refused.transferred), (None, ErrorKind::LengthMismatch, 0));
    assert_eq!(refused.buffer.0, [7, 8, 9]);
    assert_eq!(short, [0, 0], "nothing written on refusal");
}
