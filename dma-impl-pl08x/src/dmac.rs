//! The controller, its channels and linked-list items.

use core::num::NonZeroUsize;
use core::ptr::NonNull;

use dma_mmio::Reg;
use dma_traits::DmaFence;

use crate::reach::{Anywhere, Reach};
use crate::regs;
use crate::DmbFence;

/// A PL080 or PL081 with `N` channels (8 or 2), owned by the holder, whose
/// DMA reaches the memory `A` says ([`Reach`]).
///
/// ```
/// # use dma_impl_mock::sim::pl08x::Pl08xSim;
/// use dma_impl_pl08x::{Anywhere, Pl081};
/// # let sim = Pl08xSim::pl081();
/// // SAFETY: a simulated PL081 this code owns (on the chip: `mps2::take()`).
/// let mut dmac = unsafe { Pl081::new(sim.base(), Anywhere) };
/// assert!(dmac.channel(0).is_some());
/// assert!(dmac.channel(0).is_none(), "taken once");
/// assert!(dmac.channel(2).is_none(), "a PL081 has two channels");
/// ```
#[derive(Debug)]
pub struct Dmac<const N: usize, A: Reach = Anywhere> {
    base: Reg,
    reach: A,
    taken: u8,
}

/// The 8-channel PL080 (ARM DDI 0196), reaching what `A` says.
pub type Pl080<A = Anywhere> = Dmac<8, A>;
/// The 2-channel PL081 (ARM DDI 0218), as on mps2-an505/an521.
pub type Pl081<A = Anywhere> = Dmac<2, A>;

impl<const N: usize, A: Reach> Dmac<N, A> {
    const CHANNELS: usize = {
        assert!(N == 2 || N == 8, "a PL080 has 8 channels, a PL081 2");
        N
    };

    /// The controller at `base`, enabled (`DMACConfiguration.E = 1`, both
    /// AHB masters little-endian). `reach` says which memory the DMA can
    /// read and write; a buffer (and an LLI pool) must lie inside it.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a PL080 (`N = 8`) or
    /// PL081 (`N = 2`), or of a live host simulator of one, and nothing else
    /// uses it or any of its channels while this value or a channel taken
    /// from it exists; a simulator outlives the [`Interrupt`](crate::Interrupt)
    /// tokens taken from the channels too. `reach` answers `true` only for
    /// memory the DMA can really reach (a wrong window makes the DMA miss
    /// memory it was lent, which the transfers' contract forbids).
    pub unsafe fn new(base: *mut u32, reach: A) -> Self {
        let _ = Self::CHANNELS;
        // SAFETY: the caller's contract: a PL08x register block we own.
        let base = unsafe { Reg::from_ptr(base) };
        let dmac = Dmac { base, reach, taken: 0 };
        dmac.enable();
        dmac
    }

    /// Channel `n` (0 has the highest priority, TRM §2.2.3), once; `None` if
    /// taken already or there is no such channel.
    pub fn channel(&mut self, n: usize) -> Option<Channel<N, DmbFence, NoLliPool, A>> {
        if n >= Self::CHANNELS || self.taken & (1 << n) != 0 {
            return None;
        }
        self.taken |= 1 << n;
        Some(Channel {
            hw: Hw { base: self.base, index: n, reach: self.reach },
            pool: NoLliPool,
            segment: regs::MAX_SEGMENT,
            fence: DmbFence,
        })
    }

    /// Channel `n` again, taken or not (`None` if there is no such
    /// channel): for a test harness that loses channels with the transfers
    /// it drops or leaks on purpose (the conformance suite's drop and forget
    /// checks), as a PAC's `steal` does for peripherals.
    ///
    /// # Safety
    ///
    /// For **callers**: no other value for channel `n` (a [`Channel`], a
    /// [`FixedAddress`](crate::FixedAddress) or a transfer owning one) is
    /// ever used again, and none is running: a leaked transfer of it has
    /// finished (`DMACEnbldChns` bit `n` reads 0).
    pub unsafe fn steal_channel(&mut self, n: usize) -> Option<Channel<N, DmbFence, NoLliPool, A>> {
        if n >= Self::CHANNELS {
            return None;
        }
        self.taken &= !(1 << n);
        self.channel(n)
    }

    /// Sets `DMACConfiguration.E`: channels move data (DDI 0196 §3.4.13).
    pub fn enable(&self) {
        self.reg(regs::CONFIGURATION).write(regs::CONFIGURATION_E);
    }

    /// Clears `DMACConfiguration.E`: no channel moves until [`enable`](Self::enable).
    ///
    /// On QEMU, which runs a whole transfer inside the write that enables a
    /// channel, this is how a test keeps a transfer in flight. On hardware,
    /// ending a transfer while the controller is disabled waits for its FIFO
    /// to drain, which it does not do until the controller is enabled again:
    /// enable it before ending a transfer that may hold data in its FIFO.
    pub fn disable(&self) {
        self.reg(regs::CONFIGURATION).write(0);
    }

    /// The enabled channels (`DMACEnbldChns`, bit n for channel n).
    pub fn enabled_channels(&self) -> u32 {
        self.reg(regs::ENABLED_CHANNELS).read()
    }

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: offsets below 0x200 are registers of this block (§3.3).
        unsafe { self.base.offset(offset) }
    }
}

/// A linked-list item in memory (DDI 0196 §3.4.17, "Scatter/gather", and
/// §3.4.18): source address, destination address, next LLI, control word.
///
/// On the chip each word is 32 bits. On the host an address word is a
/// pointer (so the simulated DMA keeps the provenance Rust needs, as
/// `dma_mmio::Reg::write_ptr` does for address registers); the order is the
/// TRM's.
///
/// ```
/// use dma_impl_pl08x::Lli;
/// static mut POOL: [Lli; 4] = [Lli::EMPTY; 4];
/// ```
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy)]
pub struct Lli {
    pub(crate) src: BusWord,
    pub(crate) dst: BusWord,
    pub(crate) next: BusWord,
    pub(crate) control: u32,
}

#[cfg(target_os = "none")]
pub(crate) type BusWord = u32;
#[cfg(not(target_os = "none"))]
pub(crate) type BusWord = *mut u8;

/// The bus address of `p` as an LLI word.
#[inline(always)]
pub(crate) fn bus_word(p: *const u8) -> BusWord {
    // Bare-metal Cortex-M addresses are 32 bits wide: nothing is cut.
    #[cfg(target_os = "none")]
    #[allow(clippy::cast_possible_truncation)]
    return p as usize as u32;
    #[cfg(not(target_os = "none"))]
    return p.cast_mut();
}

/// The low 32 bits of an address, as a `DMACCx*Addr`/`DMACCxLLI` register
/// reads it back.
#[inline(always)]
pub(crate) fn low32(p: *const u8) -> u32 {
    // Registers are 32 bits; on the chip this is the whole address.
    #[allow(clippy::cast_possible_truncation)]
    let v = p as usize as u32;
    v
}

impl Lli {
    /// An item that is not in use (all zero).
    #[cfg(target_os = "none")]
    pub const EMPTY: Lli = Lli { src: 0, dst: 0, next: 0, control: 0 };
    /// An item that is not in use (all zero).
    #[cfg(not(target_os = "none"))]
    pub const EMPTY: Lli = Lli {
        src: core::ptr::null_mut(),
        dst: core::ptr::null_mut(),
        next: core::ptr::null_mut(),
        control: 0,
    };
}

// SAFETY: an LLI is plain data (addresses as numbers or pointers); sending it
// sends no ownership of what it points to.
unsafe impl Send for Lli {}

/// One channel's registers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hw<A: Reach> {
    base: Reg,
    pub(crate) index: usize,
    pub(crate) reach: A,
}

impl<A: Reach> Hw<A> {
    pub(crate) fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `index` is below the controller's channel count (checked
        // by `Dmac::channel`), so the group is in the block (§3.3).
        unsafe { self.base.offset(regs::channel(self.index) + offset) }
    }

    pub(crate) fn global(&self, offset: usize) -> Reg {
        // SAFETY: the controller's registers below 0x100 (§3.3).
        unsafe { self.base.offset(offset) }
    }

    pub(crate) fn bit(&self) -> u32 {
        1 << self.index
    }

    /// Writes `config` (with `E`) to `DMACCxConfiguration`: the enabling
    /// write of every start. On the host it takes the critical section the
    /// [`Interrupt`](crate::Interrupt) token's check-and-clear runs in (a
    /// token may run on another thread there), so a token that saw the
    /// channel stopped cannot clear the status of the transfer this write
    /// starts. On the chip it is one store, which a handler preempts
    /// before or after, never in the middle (see [`crate::interrupt`]).
    #[inline(always)]
    pub(crate) fn enable(&self, config: u32) {
        let write = || self.reg(regs::CONFIG).write(config);
        #[cfg(target_os = "none")]
        write();
        #[cfg(not(target_os = "none"))]
        critical_section::with(|_| write());
    }
}

/// One channel of a [`Dmac`], owned. It copies memory to memory
/// ([`dma_traits::DmaCopy`]) and drives a [`FixedAddress`](crate::FixedAddress).
///
/// `P` says whether the channel has a pool of linked-list items. Without
/// one ([`NoLliPool`], the default) a transfer moves at most
/// [`segment_limit`](Self::segment_limit) items, and the code that chains
/// LLIs is not in the program at all. With one
/// ([`with_lli_pool`](Self::with_lli_pool), [`LliPool`]) a longer transfer
/// runs through the pool, one LLI per further segment, and a
/// [`StreamRx`](crate::StreamRx) can keep its ring there.
///
/// A stream on a channel without a pool does not compile (the
/// [`StreamRx`](crate::StreamRx) example, without its `with_lli_pool`):
///
/// ```compile_fail,E0308
/// # use dma_impl_mock::sim::pl08x::Pl08xSim;
/// use dma_impl_pl08x::{Anywhere, PacedSource, Pl081, StreamRx};
/// let sim = Pl08xSim::pl081();
/// // SAFETY: a simulated PL081 and peripheral this example owns.
/// let mut dmac = unsafe { Pl081::new(sim.base(), Anywhere) };
/// // SAFETY: as above.
/// let adc = unsafe { PacedSource::new(sim.paced_source(3), 3) }.unwrap();
/// let _ = StreamRx::new(dmac.channel(0).unwrap(), adc);
/// ```
#[derive(Debug)]
pub struct Channel<
    const N: usize,
    F: DmaFence = DmbFence,
    P: MaybeLliPool = NoLliPool,
    A: Reach = Anywhere,
> {
    pub(crate) hw: Hw<A>,
    pub(crate) pool: P,
    pub(crate) segment: NonZeroUsize,
    pub(crate) fence: F,
}

// SAFETY: the registers are owned through the channel number; the pool, if
// any, is `Send` when `P` is (an `LliPool` owns a `&'static mut [Lli]`).
unsafe impl<const N: usize, F: DmaFence + Send, P: MaybeLliPool + Send, A: Reach + Send> Send
    for Channel<N, F, P, A>
{
}

impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> Channel<N, F, P, A> {
    /// The channel number.
    pub fn index(&self) -> usize {
        self.hw.index
    }

    /// The channel's interrupt, for the controller's vector: see
    /// [`crate::interrupt`]. Take it before giving the channel to a transfer.
    pub fn interrupt(&self) -> crate::Interrupt {
        crate::Interrupt::new(self.hw.base, self.hw.index)
    }

    /// The same channel with fence `fence` (the default is [`DmbFence`]).
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Channel<N, G, P, A> {
        Channel { hw: self.hw, pool: self.pool, segment: self.segment, fence }
    }

    /// Items per LLI segment (4095, the 12-bit `TransferSize`, unless lowered).
    pub fn segment_limit(&self) -> usize {
        self.segment.get()
    }

    /// Lowers the items per LLI segment to `items` (1..=4095), e.g. to see
    /// LLI chaining with short buffers; refused (the channel back) otherwise.
    pub fn with_segment_limit(mut self, items: usize) -> Result<Self, Self> {
        match NonZeroUsize::new(items) {
            Some(segment) if items <= regs::MAX_TRANSFER_SIZE => {
                self.segment = segment;
                Ok(self)
            }
            _ => Err(self),
        }
    }

    /// The most items one transfer on this channel can move.
    pub fn max_items(&self) -> usize {
        let llis = sealed::Sealed::get(&self.pool).map_or(0, |(_, n)| n);
        self.segment.get().saturating_mul(llis.saturating_add(1))
    }
}

impl<const N: usize, F: DmaFence, A: Reach> Channel<N, F, NoLliPool, A> {
    /// The channel with `pool` for linked-list items: a transfer of up to
    /// `segment_limit() * (pool.len() + 1)` items then runs as one transfer.
    /// The pool is `'static` because a leaked transfer keeps the DMA reading
    /// it.
    ///
    /// ```
    /// # use dma_impl_mock::sim::pl08x::Pl08xSim;
    /// use dma_impl_pl08x::{Anywhere, Lli, Pl081};
    /// # let sim = Pl08xSim::pl081();
    /// // SAFETY: a simulated PL081 this code owns.
    /// let mut dmac = unsafe { Pl081::new(sim.base(), Anywhere) };
    /// let plain = dmac.channel(0).unwrap();
    /// assert_eq!(plain.max_items(), 4095, "one segment");
    /// let pooled = plain.with_lli_pool(Box::leak(Box::new([Lli::EMPTY; 2])));
    /// assert_eq!(pooled.max_items(), 3 * 4095);
    /// let (plain, pool) = pooled.take_lli_pool();
    /// assert_eq!((plain.max_items(), pool.len()), (4095, 2));
    /// ```
    pub fn with_lli_pool(self, pool: &'static mut [Lli]) -> Channel<N, F, LliPool, A> {
        let len = pool.len();
        let pool = LliPool { first: NonNull::from(pool).cast::<Lli>(), len };
        Channel { hw: self.hw, pool, segment: self.segment, fence: self.fence }
    }
}

impl<const N: usize, F: DmaFence, A: Reach> Channel<N, F, LliPool, A> {
    /// The channel without its LLI pool, and the pool.
    pub fn take_lli_pool(self) -> (Channel<N, F, NoLliPool, A>, &'static mut [Lli]) {
        let LliPool { first, len } = self.pool;
        // SAFETY: `first`/`len` came from a `&'static mut [Lli]` handed to
        // `with_lli_pool`, which this channel owned exclusively since; no
        // transfer is running (it would own the channel), so the DMA does not
        // read it, and the channel that goes on has no pool. A transfer that
        // was leaked keeps its channel, and with it the pool, for ever:
        // `Dmac::steal_channel` hands out a new channel without a pool.
        let pool = unsafe { core::slice::from_raw_parts_mut(first.as_ptr(), len) };
        let channel =
            Channel { hw: self.hw, pool: NoLliPool, segment: self.segment, fence: self.fence };
        (channel, pool)
    }
}

pub(crate) mod sealed {
    use super::Lli;
    use core::ptr::NonNull;

    pub trait Sealed {
        /// The pool's first item and length, if there is one.
        fn get(&self) -> Option<(NonNull<Lli>, usize)>;
    }
}

/// Whether a [`Channel`] has a pool of linked-list items: [`NoLliPool`] or
/// [`LliPool`]. Sealed: the transfers trust what it reports.
pub trait MaybeLliPool: sealed::Sealed {}

/// A channel without an LLI pool: one segment per transfer.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLliPool;

impl MaybeLliPool for NoLliPool {}
impl sealed::Sealed for NoLliPool {
    #[inline(always)]
    fn get(&self) -> Option<(NonNull<Lli>, usize)> {
        None
    }
}

/// A channel's pool of linked-list items, from
/// [`Channel::with_lli_pool`]: a `&'static mut [Lli]` the channel owns.
#[derive(Debug)]
pub struct LliPool {
    first: NonNull<Lli>,
    len: usize,
}

impl LliPool {
    /// The first item and the number of items.
    pub(crate) fn items(&self) -> (*mut Lli, usize) {
        (self.first.as_ptr(), self.len)
    }
}

// SAFETY: it is a `&'static mut [Lli]` kept as raw parts (so that moving the
// channel does not retag memory the DMA reads), and `Lli` is `Send`.
unsafe impl Send for LliPool {}

impl MaybeLliPool for LliPool {}
impl sealed::Sealed for LliPool {
    #[inline(always)]
    fn get(&self) -> Option<(NonNull<Lli>, usize)> {
        Some((self.first, self.len))
    }
}
