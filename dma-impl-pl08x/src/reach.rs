//! Which memory a controller's DMA reaches: every buffer, and the LLI pool,
//! must lie inside it, or the transfer is refused with
//! [`Error::Unreachable`](crate::Error::Unreachable).
//!
//! A board whose map is known when the program is built names it as a type
//! ([`mps2::SecureSsram`](crate::mps2::SecureSsram)): the check is then a
//! few compares of constants, as it would be written by hand. A list only
//! known at run time is a `&'static [Range<u32>]`, walked window by window;
//! [`Anywhere`] has no check at all.

use core::ops::Range;

/// The memory a PL08x reaches on one board (its bus windows).
///
/// What it says is trusted: [`Dmac::new`](crate::Dmac::new)'s caller
/// promises that it answers `true` only for memory the DMA can really read
/// and write.
///
/// A board of one's own, as a type (the check folds to two compares):
///
/// ```
/// use dma_impl_pl08x::Reach;
///
/// /// 64 KiB of SRAM at 0x2000_0000, the only memory this board's DMA sees.
/// #[derive(Clone, Copy)]
/// struct MyBoard;
///
/// impl Reach for MyBoard {
///     fn reaches(&self, address: *const u8, bytes: usize) -> bool {
///         dma_mmio::in_window(address, bytes, 0x2000_0000..0x2001_0000)
///     }
/// }
/// let list: &'static [core::ops::Range<u32>] = &[];
/// assert!(!list.reaches(core::ptr::null(), 4), "an empty list reaches nothing");
/// ```
pub trait Reach: Copy {
    /// Whether the `bytes` bytes at `address` lie in one window the DMA
    /// reaches.
    fn reaches(&self, address: *const u8, bytes: usize) -> bool;
}

/// Every address is reachable: a bus without holes, or a host simulator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Anywhere;

impl Reach for Anywhere {
    #[inline(always)]
    fn reaches(&self, _: *const u8, _: usize) -> bool {
        true
    }
}

/// Windows known at run time; an empty list reaches nothing.
impl Reach for &'static [Range<u32>] {
    #[inline]
    fn reaches(&self, address: *const u8, bytes: usize) -> bool {
        self.iter().any(|w| dma_mmio::in_window(address, bytes, w.clone()))
    }
}
