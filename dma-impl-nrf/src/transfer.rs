//! In-flight transfers, shared by all peripherals: one type,
//! [`EasyDmaTransfer`], which is `dma_traits::InFlight` over this crate's
//! peripherals.
//!
//! A transfer owns the peripheral (an [`Engine`]) and the buffer(s), parked
//! in a `dma_traits::Lent` before their DMA pointers are taken (moving a
//! `&mut` buffer while the DMA runs would re-assert its uniqueness and race
//! the DMA). Whatever ends it — `Transfer::wait`, `Transfer::stop` or `Drop`
//! — calls the peripheral's `Halt::halt` (stop task, stopped event), then
//! runs the acquire fence over every region, and only then gives the buffer
//! back (or drops it): `InFlight` does it, in that order, once for all.

use dma_traits::{Access, DmaFence, DmaReadBuffer, DmaWriteBuffer, Halt, Halted, InFlight, Lent};
use dma_traits::{Region, TransferError};

use crate::DataRam;

use crate::check::InRam;
use crate::chip::sealed::Sealed;
use crate::Error;

/// A peripheral that runs one EasyDMA transaction at a time.
///
/// Sealed: the transfers' soundness rests on its `Halt` impl (`halt` must
/// not return before EasyDMA has let go, and must return at once when
/// nothing runs). Implemented by this crate's peripherals.
///
/// ```compile_fail
/// use dma_impl_nrf::{Engine, Error};
/// struct Fake;
/// impl Engine for Fake {
///     type Fence = dma_traits::CompilerFence;
///     fn fence(&self) -> Self::Fence { dma_traits::CompilerFence }
/// }
/// ```
pub trait Engine: Sealed + Halt<Error = Error> + Sized {
    /// The fence the peripheral was given.
    type Fence: DmaFence;

    /// The fence for this transaction.
    fn fence(&self) -> Self::Fence;
}

/// Starting a transaction: crate-private, so that safe code cannot point
/// EasyDMA at memory no buffer owns.
pub(crate) trait Begin: Engine {
    /// Checks the regions (EasyDMA reads the [`Access::DmaReads`] one and
    /// writes the [`Access::DmaWrites`] one; their place in data RAM only if
    /// `in_ram` is [`InRam::Check`]), `ENABLE`, clears the events,
    /// programs the channels from the regions, releases every region (all or
    /// none), triggers the start task and records what `halt` must stop. On
    /// `Err` nothing was started and no region stays released.
    fn begin(&mut self, regions: &[Region], in_ram: InRam) -> Result<(), Error>;
}

/// A running EasyDMA transaction of peripheral `E` over buffer `B` (a pair
/// `(TX, RX)` for two-way transactions) and its `N` regions.
pub type EasyDmaTransfer<E, B, const N: usize = 1> = InFlight<B, E, <E as Engine>::Fence, N>;

/// A two-way transaction: SPIM, TWIM write-then-read.
pub type DuplexTransfer<E, TX, RX> = EasyDmaTransfer<E, (TX, RX), 2>;

/// What `halt` reports when nothing runs.
pub(crate) const IDLE: Halted<Error> = Halted { transferred: 0, error: None };

/// A `Halted` from the words moved and the outcome.
#[inline]
pub(crate) fn halted(transferred: usize, result: Result<(), Error>) -> Halted<Error> {
    Halted { transferred, error: result.err() }
}

/// `Ok`, unless a transaction that ended by itself moved fewer words than
/// it asked for: the hardware's `MAXCNT` is narrower than the chip type `C`
/// said (checked only when `C` may be wider than the part, see
/// [`Chip::MAY_BE_WIDER_THAN_THE_PART`](crate::Chip::MAY_BE_WIDER_THAN_THE_PART)).
#[inline]
pub(crate) fn complete<C: crate::Chip>(
    ended: bool,
    asked: usize,
    moved: usize,
) -> Result<(), Error> {
    if C::MAY_BE_WIDER_THAN_THE_PART && ended && moved < asked {
        Err(Error::Truncated { asked, moved })
    } else {
        Ok(())
    }
}

/// The region EasyDMA reads and the one it writes, if any.
#[inline]
pub(crate) fn channels(regions: &[Region]) -> (Option<Region>, Option<Region>) {
    let find = |access| regions.iter().copied().find(|r| r.access() == access);
    (find(Access::DmaReads), find(Access::DmaWrites))
}

/// The region of a buffer EasyDMA reads.
#[inline]
pub(crate) fn reads<B: DmaReadBuffer>(buffer: &mut B) -> [Region; 1] {
    let (ptr, len) = buffer.dma_read_buffer();
    [Region::dma_reads(ptr, len)]
}

/// The region of a buffer EasyDMA writes.
#[inline]
pub(crate) fn writes<B: DmaWriteBuffer>(buffer: &mut B) -> [Region; 1] {
    let (ptr, len) = buffer.dma_write_buffer();
    [Region::dma_writes(ptr, len)]
}

/// The regions of a (read, write) buffer pair.
#[inline]
pub(crate) fn both<TX: DmaReadBuffer, RX: DmaWriteBuffer>(buffers: &mut (TX, RX)) -> [Region; 2] {
    let [tx] = reads(&mut buffers.0);
    let [rx] = writes(&mut buffers.1);
    [tx, rx]
}

/// Parks `buffer`, takes its `regions` from the parked buffer and starts
/// `engine` on them; gives everything back if it refuses.
///
/// # Safety
///
/// For **callers**: the contract of the `*_unchecked` trait method that
/// calls it: the buffer is `'static`, or the transfer cannot be leaked.
#[inline]
pub(crate) unsafe fn lend<E: Begin, B, const N: usize>(
    engine: E,
    buffer: B,
    regions: impl FnOnce(&mut B) -> [Region; N],
) -> Result<EasyDmaTransfer<E, B, N>, TransferError<Error, B, E>> {
    // SAFETY: forwarded from this function's contract.
    unsafe { start(engine, buffer, regions, InRam::Check) }
}

/// [`lend`] for a buffer proven in data RAM at link time: `T`'s
/// [`DataRam`] proof, if it covers chip `C`, replaces the run-time window
/// check.
#[inline]
pub(crate) fn lend_in_ram<C: crate::Chip, E: Begin, T>(
    engine: E,
    buffer: &'static DataRam<T>,
) -> dma_traits::Started<EasyDmaTransfer<E, &'static DataRam<T>>>
where
    &'static T: DmaReadBuffer,
{
    let in_ram = if DataRam::<T>::proven_for::<C>() { InRam::Proven } else { InRam::Check };
    // SAFETY: the buffer is `'static`; `in_ram` is `Proven` only when the
    // link proved every `DataRam` to lie in a window inside `C`'s data RAM
    // (`DataRam::proven_for`), `C` being the engine's chip type.
    unsafe { start(engine, buffer, reads, in_ram) }
}

/// [`lend`], with the data-RAM check as `in_ram` says.
///
/// # Safety
///
/// For **callers**: as for [`lend`]; and `in_ram` is [`InRam::Proven`] only
/// if every region lies in the engine's chip's data RAM.
#[inline]
unsafe fn start<E: Begin, B, const N: usize>(
    mut engine: E,
    buffer: B,
    regions: impl FnOnce(&mut B) -> [Region; N],
    in_ram: InRam,
) -> Result<EasyDmaTransfer<E, B, N>, TransferError<Error, B, E>> {
    let mut lent = Lent::new(buffer);
    let regions = regions(lent.get_mut());
    match engine.begin(&regions, in_ram) {
        Ok(()) => {
            let fence = engine.fence();
            // SAFETY: `begin` returned `Ok`, so it started the hardware with
            // a register access (the start task) made after `fence` released
            // every one of `regions`; it programmed the channels from these
            // regions only, so EasyDMA accesses nothing outside them; they
            // were taken from the buffer after it was parked in `lent`; and
            // `engine.halt()` stops exactly the transaction `begin` recorded.
            // This function's contract covers the rest.
            Ok(unsafe { InFlight::new(lent, engine, regions, fence) })
        }
        Err(error) => Err(TransferError::rejected(error, lent.into_inner(), engine)),
    }
}

/// The `DmaWrite<u8>` / `DmaRead<u8>` / `DmaFullDuplex<u8>` impls of a
/// peripheral `$ty<C, F>` that implements [`Begin`]: each parks its buffer(s)
/// and starts through [`lend`], the one place that does it.
macro_rules! easydma_impls {
    ($ty:ident: $($which:ident),+) => {
        $($crate::transfer::easydma_impls!(@ $which $ty);)+
    };
    (@ write $ty:ident) => {
        // SAFETY: the transfer is a `dma_traits::InFlight`, built by
        // `transfer::lend` only after `Begin::begin` checked the buffer (data
        // RAM, MAXCNT), programmed the channel from its region and released
        // it before the start task; the type's `Halt` impl argues `halt`.
        unsafe impl<C: Chip, F: DmaFence> dma_traits::DmaWrite<u8> for $ty<C, F> {
            type Error = Error;
            type Transfer<B: dma_traits::DmaReadBuffer<Word = u8>> =
                $crate::transfer::EasyDmaTransfer<Self, B>;

            fn max_len(&self) -> usize {
                // `MAXCNT`'s width on this chip (see `Chip::MAXCNT_MAX`).
                C::MAXCNT_MAX
            }

            unsafe fn write_all_unchecked<B: dma_traits::DmaReadBuffer<Word = u8>>(
                self,
                buffer: B,
            ) -> dma_traits::Started<Self::Transfer<B>> {
                // SAFETY: forwarded from this function's contract.
                unsafe { $crate::transfer::lend(self, buffer, $crate::transfer::reads) }
            }
        }
    };
    (@ read $ty:ident) => {
        // SAFETY: as for the `DmaWrite` impls above, for a buffer EasyDMA writes.
        unsafe impl<C: Chip, F: DmaFence> dma_traits::DmaRead<u8> for $ty<C, F> {
            type Error = Error;
            type Transfer<B: dma_traits::DmaWriteBuffer<Word = u8>> =
                $crate::transfer::EasyDmaTransfer<Self, B>;

            fn max_len(&self) -> usize {
                // `MAXCNT`'s width on this chip (see `Chip::MAXCNT_MAX`).
                C::MAXCNT_MAX
            }

            unsafe fn read_exact_unchecked<B: dma_traits::DmaWriteBuffer<Word = u8>>(
                self,
                buffer: B,
            ) -> dma_traits::Started<Self::Transfer<B>> {
                // SAFETY: forwarded from this function's contract.
                unsafe { $crate::transfer::lend(self, buffer, $crate::transfer::writes) }
            }
        }
    };
    (@ duplex $ty:ident) => {
        // SAFETY: as for the `DmaWrite` impls above, for both buffers.
        unsafe impl<C: Chip, F: DmaFence> dma_traits::DmaFullDuplex<u8> for $ty<C, F> {
            type Error = Error;
            type Transfer<
                TX: dma_traits::DmaReadBuffer<Word = u8>,
                RX: dma_traits::DmaWriteBuffer<Word = u8>,
            > = $crate::transfer::DuplexTransfer<Self, TX, RX>;

            fn max_len(&self) -> usize {
                // `MAXCNT`'s width on this chip (see `Chip::MAXCNT_MAX`).
                C::MAXCNT_MAX
            }

            unsafe fn transfer_unchecked<TX, RX>(
                self,
                tx: TX,
                rx: RX,
            ) -> dma_traits::Started<Self::Transfer<TX, RX>>
            where
                TX: dma_traits::DmaReadBuffer<Word = u8>,
                RX: dma_traits::DmaWriteBuffer<Word = u8>,
            {
                // SAFETY: forwarded from this function's contract.
                unsafe { $crate::transfer::lend(self, (tx, rx), $crate::transfer::both) }
            }
        }
    };
}
pub(crate) use easydma_impls;
