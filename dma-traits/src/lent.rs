//! Holding a buffer while the DMA uses its memory.
//!
//! # For HAL authors
//!
//! Park the buffer in a [`Lent`] *before* you take its DMA pair, take the
//! pair through [`Lent::get`] / [`Lent::get_mut`], describe the memory as
//! [`Region`]s for the fences, and take the buffer out with
//! [`Lent::into_inner`] only after the hardware let go.
//! [`InFlight`](crate::InFlight) does all of it around one `halt` function.

use core::mem::{ManuallyDrop, MaybeUninit};

use crate::{Access, DmaFence, FenceError};

/// A buffer lent to the DMA: owned, but out of reach of the aliasing model.
///
/// Moving a `Box<[W]>` or a `&'static mut [W]` is, in Rust's aliasing model,
/// a *retag*: a fresh claim of unique access to the memory behind it, which
/// Miri counts as an access. While the DMA uses that memory, such a claim is
/// a data race, and it invalidates the pointer the DMA was given. A
/// transfer that keeps its buffer as a plain field is therefore undefined
/// behaviour as soon as it is moved while running. A `Lent` keeps the buffer
/// inside a `MaybeUninit`, which is never retagged: moving the transfer
/// copies the buffer's bytes and asserts nothing about its memory.
///
/// ```
/// use dma_traits::{DmaWriteBuffer, Lent};
/// let mut lent = Lent::new(vec![0u8; 16]);
/// let (ptr, len) = lent.get_mut().dma_write_buffer(); // the pair, after parking
/// // ... program the DMA with (ptr, len), let it run, see it stop ...
/// let buffer = lent.into_inner();
/// assert_eq!((buffer.as_ptr(), buffer.len()), (ptr.cast_const(), len));
/// ```
pub struct Lent<B>(MaybeUninit<B>);

impl<B> Lent<B> {
    /// Parks `buffer`.
    #[inline(always)]
    pub fn new(buffer: B) -> Self {
        Lent(MaybeUninit::new(buffer))
    }

    /// The buffer, to ask for its DMA pair. Do not dereference its memory
    /// while the DMA may use it.
    #[inline(always)]
    pub fn get(&self) -> &B {
        // SAFETY: initialized by `new`, the only constructor; only
        // `into_inner` (which consumes `self`) and `drop` move it out.
        unsafe { self.0.assume_init_ref() }
    }

    /// The buffer, to ask for its DMA write pair; as [`get`](Self::get).
    #[inline(always)]
    pub fn get_mut(&mut self) -> &mut B {
        // SAFETY: as in `get`.
        unsafe { self.0.assume_init_mut() }
    }

    /// Takes the buffer back (once the DMA has let go of its memory).
    #[inline(always)]
    pub fn into_inner(self) -> B {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized by `new`; `this` is never dropped or used
        // again, so the buffer is moved out exactly once.
        unsafe { this.0.assume_init_read() }
    }
}

impl<B> Drop for Lent<B> {
    fn drop(&mut self) {
        // SAFETY: initialized by `new`; `into_inner` skips this drop.
        unsafe { self.0.assume_init_drop() }
    }
}

impl<B> core::fmt::Debug for Lent<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Lent(..)")
    }
}

/// Memory lent to the DMA as the fences see it: where, how many bytes, and
/// which way the DMA uses it.
///
/// It is only an address range: nothing dereferences it, so it is `Send`
/// and `Sync` whatever it points to.
///
/// ```
/// use dma_traits::{Access, CompilerFence, Region};
/// let words = [1u32, 2, 3];
/// let region = Region::dma_reads(words.as_ptr(), words.len());
/// assert_eq!((region.bytes(), region.access()), (12, Access::DmaReads));
/// region.release(CompilerFence).unwrap();
/// region.acquire(CompilerFence);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    start: *const u8,
    bytes: usize,
    access: Access,
}

// SAFETY: a `Region` is an address and a length that are handed to fences,
// never dereferenced; sending or sharing it gives access to no memory.
unsafe impl Send for Region {}
// SAFETY: as for `Send`.
unsafe impl Sync for Region {}

impl Region {
    fn new<W>(start: *const W, len: usize, access: Access) -> Self {
        Region { start: start.cast(), bytes: len.saturating_mul(core::mem::size_of::<W>()), access }
    }

    /// `len` words at `start` that the DMA reads (a `dma_read_buffer` pair).
    pub fn dma_reads<W>(start: *const W, len: usize) -> Self {
        Self::new(start, len, Access::DmaReads)
    }

    /// `len` words at `start` that the DMA writes (a `dma_write_buffer` pair).
    pub fn dma_writes<W>(start: *mut W, len: usize) -> Self {
        Self::new(start.cast_const(), len, Access::DmaWrites)
    }

    /// The first byte.
    pub fn start(&self) -> *const u8 {
        self.start
    }

    /// The length in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Which way the DMA uses the memory.
    pub fn access(&self) -> Access {
        self.access
    }

    fn as_raw(self) -> *const [u8] {
        core::ptr::slice_from_raw_parts(self.start, self.bytes)
    }

    /// [`DmaFence::release`] over the region.
    #[inline(always)]
    pub fn release<F: DmaFence>(self, fence: F) -> Result<(), FenceError> {
        fence.release(self.as_raw(), self.access)
    }

    /// [`DmaFence::acquire`] over the region.
    #[inline(always)]
    pub fn acquire<F: DmaFence>(self, fence: F) {
        fence.acquire(self.as_raw(), self.access);
    }

    /// Releases every region, or none: if the fence refuses one, the ones
    /// already released are acquired back and the refusal is returned.
    ///
    /// ```
    /// use dma_traits::{CompilerFence, Region};
    /// let (tx, mut rx) = ([1u8; 4], [0u8; 4]);
    /// let regions = [Region::dma_reads(tx.as_ptr(), 4), Region::dma_writes(rx.as_mut_ptr(), 4)];
    /// Region::release_all(&regions, CompilerFence).unwrap();
    /// ```
    ///
    /// With a fence that [covers all buffers](DmaFence::COVERS_ALL_BUFFERS),
    /// one release (of the first region) stands for all of them.
    pub fn release_all<F: DmaFence>(regions: &[Region], fence: F) -> Result<(), FenceError> {
        if F::COVERS_ALL_BUFFERS {
            return regions.first().map_or(Ok(()), |first| first.release(fence));
        }
        for (released, region) in regions.iter().enumerate() {
            if let Err(error) = region.release(fence) {
                for done in regions.iter().take(released) {
                    done.acquire(fence);
                }
                return Err(error);
            }
        }
        Ok(())
    }

    /// Acquires every region: once for a fence that
    /// [covers all buffers](DmaFence::COVERS_ALL_BUFFERS), else each.
    #[inline(always)]
    ///
    /// By value: LLVM folds the loop over an array it owns better than one
    /// over a slice (`bench/README.md`: +10 instructions on the nRF `held`
    /// shape through a slice).
    ///
    /// ```
    /// use dma_traits::{DmbFence, Region};
    /// let mut rx = [0u8; 4];
    /// let regions = [Region::dma_writes(rx.as_mut_ptr(), 4)];
    /// Region::release_all(&regions, DmbFence).unwrap();
    /// // ... the DMA runs, and a register read shows it stopped ...
    /// Region::acquire_all(regions, DmbFence);
    /// ```
    pub fn acquire_all<F: DmaFence, const N: usize>(regions: [Region; N], fence: F) {
        for region in regions {
            region.acquire(fence);
            if F::COVERS_ALL_BUFFERS {
                break;
            }
        }
    }
}
