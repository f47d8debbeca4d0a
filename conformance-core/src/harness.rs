//! What a HAL author implements so the suite can drive their transfers on
//! the target: memory from statics, a way to hold a transfer in flight, and
//! one trait per direction that builds the channel or peripheral.

use dma_traits::{DmaCopy, DmaRead, DmaWrite, Word};

/// Two regions the suite owns for good: it carves every buffer out of them.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// Source buffers (what the DMA reads).
    pub source: *mut u8,
    /// Destination buffers (what the DMA writes).
    pub destination: *mut u8,
    /// Size of each region in bytes.
    pub bytes: usize,
}

impl Memory {
    /// Two `static mut` arrays (or any `'static` memory) as the suite's
    /// memory, e.g. `Memory::new(addr_of_mut!(SRC).cast(), addr_of_mut!(DST).cast(), 1024)`.
    pub const fn new(source: *mut u8, destination: *mut u8, bytes: usize) -> Self {
        Memory { source, destination, bytes }
    }
}

/// Sizes of a suite run. The defaults suit a small target and Miri.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Data integrity is checked for every length `1..=max_data_len`
    /// (capped by the harness's `max_len` and the memory).
    pub max_data_len: usize,
    /// Length of the transfers of the stop, drop, forget and fence checks.
    pub long_len: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_data_len: 8, long_len: 12 }
    }
}

/// What every harness provides, whatever the direction.
///
/// # Safety
///
/// For **implementors**:
///
/// * [`memory`](Self::memory) returns two regions that do not overlap, each
///   `bytes` long and aligned to 8 bytes, valid for reads and writes for the
///   rest of the program (`'static`: statics, or leaked memory on the
///   host), that the DMA of the channels under test can reach, and that
///   nothing but the suite and the DMA it starts accesses from the first call
///   on (no reference to them is used again). Every call returns the same
///   regions.
/// * After [`hold`](Self::hold) returns `true` and until
///   [`release`](Self::release), no transfer started on the harness's
///   channels moves any data: it is accepted and stays in flight (on QEMU's
///   PL08x: `DMACConfiguration.E` cleared). `release` lets them run. (The
///   suite ends every held transfer before it releases, so a hold may also
///   be a stall that never resumes; but only a hold that resumes lets the
///   drop check catch a `Drop` that leaves the DMA running.)
/// * [`settle`](Self::settle) returns only once every transfer started
///   outside a hold has let go of the memory (on hardware that finishes
///   transfers by itself: a bounded wait; where transfers run inside the
///   enabling write, as on QEMU: nothing).
/// * An address from [`unreachable`](Self::unreachable) is one the HAL must
///   refuse and that the DMA may access harmlessly if a broken HAL accepts
///   it (the suite never dereferences it).
///
/// For **callers** (the suite): use the memory only while no transfer of it
/// is in flight, and pair every `hold` with a `release`.
pub unsafe trait Harness {
    /// The suite's memory (see the trait's contract).
    fn memory(&mut self) -> Memory;

    /// Holds every transfer started from now on in flight, moving nothing,
    /// until [`release`](Self::release); `false` if the harness cannot (the
    /// stop and drop checks are then not applicable).
    fn hold(&mut self) -> bool;

    /// Ends a [`hold`](Self::hold): held transfers run (or, if they were
    /// ended, must not).
    fn release(&mut self);

    /// Waits until every transfer started outside a hold has finished.
    fn settle(&mut self) {}

    /// An address of `bytes` bytes, aligned to 8, that the DMA cannot reach
    /// and the HAL must refuse (on mps2-an505: SSRAM through its non-secure
    /// alias); `None` if every address is reachable.
    fn unreachable(&mut self, bytes: usize) -> Option<usize> {
        let _ = bytes;
        None
    }
}

/// A memory-to-memory channel ([`DmaCopy<W>`]) under test.
///
/// The channel's fence must be a [`RecordingFence`](crate::RecordingFence)
/// (wrapping the chip's real fence), or the fence check fails.
pub trait CopyHarness<W: Word>: Harness {
    /// The channel type.
    type Channel: DmaCopy<W>;

    /// A channel, fresh or [recycled](Self::recycle). `None` when the
    /// harness has none left (the check then fails). The drop and forget
    /// checks lose the channel with the transfer: build a new one then.
    fn channel(&mut self) -> Option<Self::Channel>;

    /// A channel the suite got back; hand it out again from `channel`.
    fn recycle(&mut self, channel: Self::Channel) {
        drop(channel);
    }

    /// Arms an error: the next transfer fails after moving `items` items.
    /// `false` if the hardware cannot be made to fail (the error check is
    /// then not applicable).
    fn fail_next(&mut self, items: usize) -> bool {
        let _ = items;
        false
    }

    /// The longest transfer, in words, a channel accepts; `None`: no limit
    /// below what memory allows.
    fn max_len(&self) -> Option<usize>;

    /// Whether the channel moves `W` at all; if not, the suite checks only
    /// that a valid transfer is refused with everything given back.
    fn supports_width(&self) -> bool {
        true
    }
}

/// A peripheral that sends by DMA ([`DmaWrite<W>`]) under test, wired to an
/// endpoint the harness can observe.
pub trait WriteHarness<W: Word>: Harness {
    /// The peripheral type (its fence a [`RecordingFence`](crate::RecordingFence)).
    type Peripheral: DmaWrite<W>;

    /// As [`CopyHarness::channel`].
    fn peripheral(&mut self) -> Option<Self::Peripheral>;

    /// As [`CopyHarness::recycle`].
    fn recycle(&mut self, peripheral: Self::Peripheral) {
        drop(peripheral);
    }

    /// Writes into `out` the most recent words the endpoint received since
    /// the last call (oldest first) and returns how many. An endpoint that
    /// keeps only the last word (a data register) writes that one word, or
    /// none if nothing arrived: reset it to 0 after reading (the suite never
    /// sends a 0 byte).
    fn received(&mut self, out: &mut [W]) -> usize;

    /// As [`CopyHarness::fail_next`].
    fn fail_next(&mut self, items: usize) -> bool {
        let _ = items;
        false
    }

    /// As [`CopyHarness::max_len`].
    fn max_len(&self) -> Option<usize>;

    /// As [`CopyHarness::supports_width`].
    fn supports_width(&self) -> bool {
        true
    }
}

/// A peripheral that receives by DMA ([`DmaRead<W>`]) under test, fed by an
/// endpoint the harness controls.
pub trait ReadHarness<W: Word>: Harness {
    /// The peripheral type (its fence a [`RecordingFence`](crate::RecordingFence)).
    type Peripheral: DmaRead<W>;

    /// As [`CopyHarness::channel`].
    fn peripheral(&mut self) -> Option<Self::Peripheral>;

    /// As [`CopyHarness::recycle`].
    fn recycle(&mut self, peripheral: Self::Peripheral) {
        drop(peripheral);
    }

    /// Arranges for the next transfer to receive `word(0)`, `word(1)`, ...,
    /// `word(len - 1)` and returns `true`; an endpoint that can only repeat
    /// one value (a data register) holds `word(0)` and returns `false`.
    fn feed(&mut self, len: usize, word: &dyn Fn(usize) -> W) -> bool;

    /// As [`CopyHarness::fail_next`].
    fn fail_next(&mut self, items: usize) -> bool {
        let _ = items;
        false
    }

    /// As [`CopyHarness::max_len`].
    fn max_len(&self) -> Option<usize>;

    /// As [`CopyHarness::supports_width`].
    fn supports_width(&self) -> bool {
        true
    }
}
