//! `InFlight`, `Lent` and `Region`: the order `Transfer`'s contract needs
//! (halt, then acquire, then the buffer leaves) on every path.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Mutex;

use dma_traits::{
    Access, DmaFence, ErrorKind, FenceError, Halt, Halted, InFlight, Lent, Region, Transfer,
    TransferError,
};

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn log(entry: impl Into<String>) {
    LOG.lock().unwrap().push(entry.into());
}

/// Runs `f` with a fresh log and returns what was logged (tests share LOG,
/// so they take this lock for their whole run).
fn logged(f: impl FnOnce()) -> Vec<String> {
    static SERIAL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    LOG.lock().unwrap().clear();
    f();
    std::mem::take(&mut *LOG.lock().unwrap())
}

#[derive(Debug, Clone, Copy)]
struct LoggingFence {
    refuse_writes: bool,
}

// SAFETY: test fence on the host: a SeqCst fence orders everything, and
// `release` refuses before doing anything.
unsafe impl DmaFence for LoggingFence {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        if self.refuse_writes && access == Access::DmaWrites {
            return Err(FenceError::NotCacheLineAligned {
                address: buf.cast::<W>() as usize,
                bytes: 0,
            });
        }
        log(format!("release {access:?}"));
        Ok(())
    }
    fn acquire<W>(self, _buf: *const [W], access: Access) {
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        log(format!("acquire {access:?}"));
    }
}

/// A channel whose "hardware" is a flag: running until halted.
#[derive(Debug)]
struct Channel {
    running: bool,
    moved: usize,
    fail: bool,
}

// SAFETY: no real hardware; `halt` "stops" it before returning.
unsafe impl Halt for Channel {
    type Error = ErrorKind;
    fn is_done(&self) -> bool {
        !self.running
    }
    fn halt(&mut self) -> Halted<ErrorKind> {
        log(if self.running { "halt" } else { "halt (idle)" });
        self.running = false;
        Halted { transferred: self.moved, error: self.fail.then_some(ErrorKind::Bus) }
    }
}

/// A buffer that says when it is dropped.
#[derive(Debug)]
struct Noisy(Box<[u8; 4]>);

impl Drop for Noisy {
    fn drop(&mut self) {
        log("buffer dropped");
    }
}

fn start(fail: bool) -> InFlight<Noisy, Channel, LoggingFence, 1> {
    let buffer = Lent::new(Noisy(Box::new([1, 2, 3, 4])));
    let region = Region::dma_reads(buffer.get().0.as_ptr(), 4);
    let fence = LoggingFence { refuse_writes: false };
    region.release(fence).unwrap();
    // SAFETY: the "hardware" touches no memory; the region is the buffer's.
    unsafe { InFlight::new(buffer, Channel { running: true, moved: 3, fail }, [region], fence) }
}

#[test]
fn stop_halts_then_acquires_then_gives_everything_back() {
    let events = logged(|| {
        let transfer = start(false);
        assert!(!transfer.is_done());
        let done = transfer.stop().unwrap();
        assert_eq!(done.transferred, 3);
        assert!(!done.resources.running);
        assert_eq!(*done.buffer.0, [1, 2, 3, 4]);
        log("returned");
    });
    assert_eq!(
        events,
        ["release DmaReads", "halt", "acquire DmaReads", "returned", "buffer dropped"]
    );
}

#[test]
fn an_error_gives_everything_back_too() {
    let events = logged(|| {
        let TransferError { error, buffer, resources, transferred } =
            start(true).stop().unwrap_err();
        assert_eq!((error, transferred, resources.running), (ErrorKind::Bus, 3, false));
        drop(buffer);
    });
    assert_eq!(events, ["release DmaReads", "halt", "acquire DmaReads", "buffer dropped"]);
}

#[test]
fn drop_halts_and_acquires_before_the_buffer_is_dropped() {
    let events = logged(|| drop(start(false)));
    assert_eq!(events, ["release DmaReads", "halt", "acquire DmaReads", "buffer dropped"]);
}

#[test]
fn forget_runs_nothing() {
    let events = logged(|| core::mem::forget(start(false)));
    assert_eq!(events, ["release DmaReads"]);
}

#[test]
fn release_all_acquires_back_what_it_released_when_one_is_refused() {
    let (tx, mut rx) = ([1u8; 4], [0u8; 4]);
    let regions = [Region::dma_reads(tx.as_ptr(), 4), Region::dma_writes(rx.as_mut_ptr(), 4)];
    let events = logged(|| {
        let refused = Region::release_all(&regions, LoggingFence { refuse_writes: true });
        assert!(refused.is_err());
    });
    assert_eq!(events, ["release DmaReads", "acquire DmaReads"]);
}

#[test]
fn a_region_counts_bytes() {
    let words = [0u32; 5];
    let region = Region::dma_reads(words.as_ptr(), 5);
    assert_eq!((region.start(), region.bytes()), (words.as_ptr().cast::<u8>(), 20));
    let huge = Region::dma_reads(words.as_ptr(), usize::MAX);
    assert_eq!(huge.bytes(), usize::MAX, "saturates instead of wrapping");
}

#[test]
fn a_lent_box_survives_moves_of_its_holder() {
    // Under Miri: moving the holder must not retag the Box (which would
    // invalidate `ptr`); reading through `ptr` afterwards is then fine.
    let lent = Lent::new(Box::new([7u8; 8]));
    let ptr = lent.get().as_ptr();
    let moved = std::hint::black_box(vec![lent]);
    // SAFETY: the box is alive (inside `moved`), and `ptr` was derived from it.
    assert_eq!(unsafe { ptr.read() }, 7);
    drop(moved);
}
