//! Transfers: memory-to-memory copies and fixed-address transfers, started
//! with the release fence and ended by Halt, Active polling and disable.

// The sealed trait's `parts` names crate-private types; it cannot be called
// or implemented outside the crate (its module is private).
#![allow(private_interfaces)]

use core::mem::ManuallyDrop;
use core::num::NonZeroUsize;

use dma_traits::{
    Access, DmaCopy, DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Finished, Outcome,
    Started, Transfer, TransferError, Word, WordWidth,
};

use crate::dmac::{bus_word, low32, Channel, Hw, Lli, LliPool, MaybeLliPool, NoLliPool};
use crate::held::Held;
use crate::reach::{Anywhere, Reach};
use crate::{regs, Error};

mod sealed {
    use crate::dmac::{Hw, Lli};

    /// An LLI pool: its first item and length.
    pub(crate) type Pool = Option<(core::ptr::NonNull<Lli>, usize)>;

    /// The channel behind an owner: registers, fence, LLI pool, segment size.
    pub trait Sealed {
        type Fence: dma_traits::DmaFence;
        type Reach: crate::Reach;
        fn parts(&self) -> (Hw<Self::Reach>, Self::Fence, Pool, core::num::NonZeroUsize);
    }
}

/// What a transfer owns besides its buffer: a [`Channel`], or a
/// [`FixedAddress`] holding one. Sealed: the transfers rely on its
/// (crate-private) `parts` always returning the registers, pool and segment
/// limit of the channel they programmed.
pub trait Owner: sealed::Sealed {}

impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> Owner for Channel<N, F, P, A> {}
impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> sealed::Sealed
    for Channel<N, F, P, A>
{
    type Fence = F;
    type Reach = A;
    #[inline(always)]
    fn parts(&self) -> (Hw<A>, F, sealed::Pool, NonZeroUsize) {
        (self.hw, self.fence, crate::dmac::sealed::Sealed::get(&self.pool), self.segment)
    }
}

/// How the DMA paces a fixed-address transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// No handshake: flow control "memory-to-memory" with the device address
    /// not incremented (`FlowCntrl = 0`); the DMA moves as fast as the bus
    /// lets it. For a FIFO that always accepts or a data register that is
    /// always valid, and on QEMU, whose PL080 model has no request inputs.
    Unpaced,
    /// The peripheral's DMA request line (0..16) paces each item
    /// (`FlowCntrl = 1` memory-to-peripheral with `DestPeripheral`, or `2`
    /// peripheral-to-memory with `SrcPeripheral`; DDI 0196 §3.4.19).
    Line(u8),
}

/// A channel bound to one device address: memory-to-peripheral
/// ([`DmaWrite`]) and peripheral-to-memory ([`DmaRead`]) transfers of the
/// address, which does not increment.
#[derive(Debug)]
pub struct FixedAddress<
    const N: usize,
    F: DmaFence = crate::DmbFence,
    P: MaybeLliPool = NoLliPool,
    A: Reach = Anywhere,
> {
    channel: Channel<N, F, P, A>,
    address: *mut u8,
    pacing: Pacing,
}

// SAFETY: the address is a device register the caller handed over with the
// unsafe constructor; the channel is `Send` when its fence, its pool and its
// reach are (the bounds).
unsafe impl<const N: usize, F: DmaFence + Send, P: MaybeLliPool + Send, A: Reach + Send> Send
    for FixedAddress<N, F, P, A>
{
}

impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> FixedAddress<N, F, P, A> {
    /// `channel` bound to the device register at `address`, paced by `pacing`.
    /// A request line of 16 or more is refused, with the channel.
    ///
    /// # Safety
    ///
    /// For **callers**: `address` is a device register (or memory) the DMA
    /// can read and write with accesses of the widths used, that nothing in
    /// Rust expects to keep its value, and that stays valid as long as this
    /// value and any transfer of it exist (forever, if one is leaked). On the
    /// host it is the address of atomics or of a simulated device.
    pub unsafe fn new(
        channel: Channel<N, F, P, A>,
        address: *mut u8,
        pacing: Pacing,
    ) -> Result<Self, (Error, Channel<N, F, P, A>)> {
        if let Pacing::Line(n) = pacing {
            if n >= regs::REQUEST_LINES {
                return Err((Error::NoSuchRequestLine(n), channel));
            }
        }
        Ok(FixedAddress { channel, address, pacing })
    }

    /// The device address.
    pub fn address(&self) -> *mut u8 {
        self.address
    }

    /// Gives the channel back.
    pub fn into_channel(self) -> Channel<N, F, P, A> {
        self.channel
    }
}

impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> Owner for FixedAddress<N, F, P, A> {}
impl<const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> sealed::Sealed
    for FixedAddress<N, F, P, A>
{
    type Fence = F;
    type Reach = A;
    fn parts(&self) -> (Hw<A>, F, sealed::Pool, NonZeroUsize) {
        self.channel.parts()
    }
}

/// Memory the DMA uses: what the fences cover.
#[derive(Debug, Clone, Copy)]
struct Region {
    start: *const u8,
    bytes: usize,
    access: Access,
}

impl Region {
    fn raw(self) -> *const [u8] {
        core::ptr::slice_from_raw_parts(self.start, self.bytes)
    }
}

/// One side of a transfer.
#[derive(Debug, Clone, Copy)]
struct Side {
    ptr: *const u8,
    increment: bool,
}

/// A contiguous part of a transfer: one buffer (or one of a list).
#[derive(Debug, Clone, Copy)]
struct Part {
    src: Side,
    dst: Side,
    items: usize,
}

impl Part {
    const EMPTY: Part = Part {
        src: Side { ptr: core::ptr::null(), increment: true },
        dst: Side { ptr: core::ptr::null(), increment: true },
        items: 0,
    };
}

/// How a transfer's parts split into LLI segments: segment 0 is programmed
/// into the channel's registers, segment j >= 1 is LLI j - 1 of the pool.
#[derive(Debug, Clone, Copy)]
struct Plan {
    first: usize,
    segments: usize,
    pool: *const Lli,
}

impl Plan {
    /// Items of segment `j`.
    fn len(&self, j: usize) -> usize {
        if j == 0 {
            return self.first;
        }
        // SAFETY: `j - 1 < segments - 1 <= pool length` (checked by
        // `plan`): the item is in the pool; the raw place is not read here.
        let field = unsafe { core::ptr::addr_of!((*self.pool.wrapping_add(j - 1)).control) };
        // SAFETY: the item was written by `start` and the DMA only reads it.
        let control = unsafe { field.read() };
        (control & regs::TRANSFER_SIZE_MASK) as usize
    }
}

/// The `SWidth`/`DWidth` code of a width, or the error (§3.4.18).
pub(crate) const fn width_code(width: WordWidth) -> Result<u32, Error> {
    match width {
        WordWidth::Bits8 => Ok(0),
        WordWidth::Bits16 => Ok(1),
        WordWidth::Bits32 => Ok(2),
        WordWidth::Bits64 => Err(Error::UnsupportedWidth(WordWidth::Bits64)),
    }
}

/// `p` aligned to the beat `width`, or `Misaligned`.
pub(crate) fn aligned(p: *const u8, width: WordWidth) -> Result<(), Error> {
    // A deliberate defect for the mutation runs: misaligned buffers accepted.
    if cfg!(pl08x_mutant_misaligned_accepted) {
        return Ok(());
    }
    if (p as usize) & (width.bytes() - 1) != 0 {
        Err(Error::Misaligned { address: p as usize })
    } else {
        Ok(())
    }
}

/// `bytes` at `p` inside memory the DMA reaches (the channel's [`Reach`]),
/// or `Unreachable`.
pub(crate) fn reachable<A: Reach>(hw: &Hw<A>, p: *const u8, bytes: usize) -> Result<(), Error> {
    if hw.reach.reaches(p, bytes) {
        Ok(())
    } else {
        Err(Error::Unreachable { address: p as usize, bytes })
    }
}

/// The most items one transfer of a single part can take: one segment per
/// descriptor, the channel's own plus each of its LLI pool (as `plan`).
fn max_items<R: Owner>(resources: &R) -> usize {
    let (_, _, pool, segment) = resources.parts();
    let pool_len = pool.map_or(0, |(_, n)| n);
    segment.get().saturating_mul(pool_len.saturating_add(1))
}

/// Checks one non-empty part's sides (alignment, and the memory side's reach)
/// against the channel: the per-part checks of `plan`, in its order, which
/// `start_single` runs too.
#[inline]
fn check_part<A: Reach>(hw: &Hw<A>, part: &Part, width: WordWidth) -> Result<(), Error> {
    let too_long = Error::TooLong { items: usize::MAX, max: 0 };
    let bytes = part.items.checked_mul(width.bytes()).ok_or(too_long)?;
    let check = |side: Side| {
        aligned(side.ptr, width)?;
        // Only memory is checked against the windows: a fixed device
        // address is the caller's promise (`FixedAddress::new`).
        if side.increment {
            reachable(hw, side.ptr, bytes)?;
        }
        Ok(())
    };
    check(part.src)?;
    check(part.dst)
}

/// Checks the parts against the channel and counts the segments.
fn plan<R: Owner>(resources: &R, parts: &[Part], width: WordWidth) -> Result<Plan, Error> {
    let (hw, _, pool, segment) = resources.parts();
    width_code(width)?;
    let mut items = 0usize;
    let mut segments = 0usize;
    let mut first = 0;
    for part in parts.iter().filter(|p| p.items > 0) {
        check_part(&hw, part, width)?;
        if segments == 0 {
            first = part.items.min(segment.get());
        }
        items = items.saturating_add(part.items);
        // `div_ceil` by a `NonZeroUsize`: no division-by-zero path.
        let n = part.items / segment + usize::from(part.items % segment != 0);
        segments = segments.saturating_add(n);
    }
    if items == 0 {
        return Err(Error::Empty);
    }
    let (pool_ptr, pool_len) = match pool {
        Some((p, n)) => (p.as_ptr().cast_const(), n),
        None => (core::ptr::null(), 0),
    };
    if segments - 1 > pool_len {
        // A single part reports how many items the pool allows; a list, what
        // it holds.
        let max = if parts.len() == 1 {
            segment.get().saturating_mul(pool_len.saturating_add(1))
        } else {
            0
        };
        return Err(Error::TooLong { items, max });
    }
    if segments > 1 {
        reachable(&hw, pool_ptr.cast::<u8>(), (segments - 1) * core::mem::size_of::<Lli>())?;
    }
    Ok(Plan { first, segments, pool: pool_ptr })
}

/// A transfer in flight (a copy, or a fixed-address write or read, of one
/// buffer or of a list of `M` buffers). It owns the buffer(s) `B` and the
/// resources `R` until it ends.
///
/// Ended by [`Transfer::wait`], [`Transfer::stop`] or drop. Every way out
/// that finds the channel still enabled sets `DMACCxConfiguration.H`, polls
/// `A` until it reads 0, clears `E` and waits until `E` reads 0 (the TRM's
/// procedure for disabling a channel without losing data, DDI 0196 §3.4.19),
/// then runs the fence's `acquire` before the buffer is given back or dropped.
#[derive(Debug)]
pub struct InFlight<B, R: Owner, const M: usize = 2> {
    buffer: ManuallyDrop<Held<B>>,
    resources: ManuallyDrop<R>,
    regions: [Region; M],
    pool: Region,
    plan: Plan,
}

// SAFETY: the raw pointers describe memory owned by `buffer` and the pool
// owned by `resources`; sending the transfer sends that ownership.
unsafe impl<B: Send, R: Owner + Send, const M: usize> Send for InFlight<B, R, M> {}

/// What the channel said when it was stopped.
struct Ended {
    transferred: usize,
    error: bool,
}

impl<B, R: Owner, const M: usize> InFlight<B, R, M> {
    /// Programs the channel for `parts` (moving `width`-sized items, with the
    /// `config` flow-control bits), releases `regions` and enables it.
    ///
    /// # Safety
    ///
    /// For **callers**: `parts` let the DMA access only memory owned by
    /// `buffer` (by its `DmaReadBuffer`/`DmaWriteBuffer` contract), which
    /// `regions` cover, and the device address of a [`FixedAddress`]; that
    /// memory stays valid until the returned transfer ends, or forever if it
    /// is leaked.
    unsafe fn start(
        buffer: Held<B>,
        resources: R,
        parts: &[Part],
        width: WordWidth,
        config: u32,
        regions: [Region; M],
    ) -> Started<Self>
    where
        Self: Transfer<Buffer = B, Resources = R, Error = Error>,
    {
        let (plan, code) =
            match plan(&resources, parts, width).and_then(|p| Ok((p, width_code(width)?))) {
                Ok(ok) => ok,
                Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), resources)),
            };
        let (hw, fence, _, segment) = resources.parts();
        let bytes = width.bytes();
        let base = (code << regs::SWIDTH_SHIFT) | (code << regs::DWIDTH_SHIFT);
        let control = |part: &Part, n: usize, last: bool| {
            let mut c = base;
            if part.src.increment {
                c |= regs::SI;
            }
            if part.dst.increment {
                c |= regs::DI;
            }
            if last {
                c |= regs::I;
            }
            // At most `MAX_TRANSFER_SIZE` (12 bits): split so below.
            #[allow(clippy::cast_possible_truncation)]
            let n = n as u32 & regs::TRANSFER_SIZE_MASK;
            c | n
        };
        let at = |side: Side, offset: usize| {
            if side.increment {
                side.ptr.wrapping_add(offset * bytes)
            } else {
                side.ptr
            }
        };
        // Walk every segment: (part, offset in it, items).
        let pool = plan.pool.cast_mut();
        let mut j = 0usize;
        let mut segment0 = (Part::EMPTY, 0usize);
        for part in parts.iter().filter(|p| p.items > 0) {
            let mut offset = 0;
            while offset < part.items {
                let n = (part.items - offset).min(segment.get());
                let last = j + 1 == plan.segments;
                let (src, dst) = (at(part.src, offset), at(part.dst, offset));
                if j == 0 {
                    segment0 = (
                        Part {
                            src: Side { ptr: src, ..part.src },
                            dst: Side { ptr: dst, ..part.dst },
                            items: n,
                        },
                        n,
                    );
                } else {
                    let next = if last {
                        bus_word(core::ptr::null())
                    } else {
                        bus_word(pool.wrapping_add(j).cast::<u8>())
                    };
                    let item = Lli {
                        src: bus_word(src),
                        dst: bus_word(dst),
                        next,
                        control: control(part, n, last),
                    };
                    // SAFETY: `plan` checked `segments - 1 <= pool length`,
                    // so entry `j - 1` is inside the pool, which the channel
                    // owns exclusively (`with_lli_pool`) and no DMA reads now
                    // (the channel is idle: a running transfer would own it).
                    unsafe { pool.wrapping_add(j - 1).write(item) };
                }
                offset += n;
                j += 1;
            }
        }
        let pool_region = Region {
            start: plan.pool.cast::<u8>(),
            bytes: (plan.segments - 1) * core::mem::size_of::<Lli>(),
            access: Access::DmaReads,
        };
        // Clear the channel's old terminal-count and error status (W1C,
        // §3.4.3 / §3.4.5), then program it disabled.
        hw.global(regs::INT_TC_CLEAR).write(hw.bit());
        hw.global(regs::INT_ERR_CLEAR).write(hw.bit());
        let (first, n) = segment0;
        hw.reg(regs::SRC_ADDR).write_ptr(first.src.ptr);
        hw.reg(regs::DEST_ADDR).write_ptr(first.dst.ptr);
        let first_lli = if plan.segments > 1 { plan.pool } else { core::ptr::null() };
        hw.reg(regs::LLI).write_ptr(first_lli);
        hw.reg(regs::CONTROL).write(control(&first, n, plan.segments == 1));
        // The pool's region only when the transfer uses the pool (`halt`
        // acquires it on the same condition).
        let pool = (plan.segments > 1).then_some(&pool_region);
        if let Err(e) = release_all(fence, &regions, pool) {
            // `Configuration` was not written: the channel stays disabled.
            let e = Error::Fence(e);
            return Err(TransferError::rejected(e, buffer.into_inner(), resources));
        }
        // The one `Configuration` write, enabling: after the release fence
        // (a DMB on the M33).
        let config = config | regs::CONFIG_IE | regs::CONFIG_ITC | regs::CONFIG_E;
        hw.enable(config);
        Ok(InFlight {
            buffer: ManuallyDrop::new(buffer),
            resources: ManuallyDrop::new(resources),
            regions,
            pool: pool_region,
            plan,
        })
    }

    /// [`start`](Self::start) for one part (a copy, a fixed-address write
    /// or read): the same checks and refusals in the same order as `plan`
    /// (width; then empty, or else the part's alignment and reach; too long
    /// for the pool; the pool's reach), and the same programming, written
    /// for one part so that it folds: `SrcAddr`, `DestAddr`, `LLI`,
    /// `Control` for the first segment, the pool's LLIs only when the part
    /// is longer than a segment, the release fence (the pool's region only
    /// when it is used) and the one enabling `Configuration` write. A transfer of one segment has no
    /// pool region, and `halt` computes its count as `len - remaining`.
    ///
    /// # Safety
    ///
    /// For **callers**: as for [`start`](Self::start), with `parts = &[part]`.
    #[inline]
    unsafe fn start_single(
        buffer: Held<B>,
        resources: R,
        part: Part,
        width: WordWidth,
        config: u32,
        regions: [Region; M],
    ) -> Started<Self>
    where
        Self: Transfer<Buffer = B, Resources = R, Error = Error>,
    {
        let (hw, fence, pool, segment) = resources.parts();
        let checked = (|| {
            let code = width_code(width)?;
            if part.items == 0 {
                return Err(Error::Empty);
            }
            check_part(&hw, &part, width)?;
            if part.items <= segment.get() {
                return Ok((
                    code,
                    Plan { first: part.items, segments: 1, pool: core::ptr::null() },
                ));
            }
            // Longer than a segment: LLIs from the pool. Without one (known
            // from the channel's type) this folds to the refusal.
            let Some((pool_ptr, pool_len)) = pool else {
                return Err(Error::TooLong { items: part.items, max: segment.get() });
            };
            // `div_ceil` by a `NonZeroUsize`: no division-by-zero path.
            let segments = part.items / segment + usize::from(part.items % segment != 0);
            if segments - 1 > pool_len {
                let max = segment.get().saturating_mul(pool_len.saturating_add(1));
                return Err(Error::TooLong { items: part.items, max });
            }
            let pool_ptr = pool_ptr.as_ptr().cast_const();
            let bytes = (segments - 1) * core::mem::size_of::<Lli>();
            reachable(&hw, pool_ptr.cast::<u8>(), bytes)?;
            Ok((code, Plan { first: segment.get(), segments, pool: pool_ptr }))
        })();
        let (code, plan) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), resources)),
        };
        let mut base = (code << regs::SWIDTH_SHIFT) | (code << regs::DWIDTH_SHIFT);
        if part.src.increment {
            base |= regs::SI;
        }
        if part.dst.increment {
            base |= regs::DI;
        }
        let control = |n: usize, last: bool| {
            // At most a segment, at most `MAX_TRANSFER_SIZE` (12 bits).
            #[allow(clippy::cast_possible_truncation)]
            let n = n as u32 & regs::TRANSFER_SIZE_MASK;
            if last {
                base | regs::I | n
            } else {
                base | n
            }
        };
        let bytes = width.bytes();
        let at = |side: Side, offset: usize| {
            if side.increment {
                side.ptr.wrapping_add(offset * bytes)
            } else {
                side.ptr
            }
        };
        // Segment j >= 1 is LLI j - 1 of the pool.
        let pool_mut = plan.pool.cast_mut();
        for j in 1..plan.segments {
            let offset = j * segment.get();
            let n = (part.items - offset).min(segment.get());
            let last = j + 1 == plan.segments;
            let next = if last {
                bus_word(core::ptr::null())
            } else {
                bus_word(pool_mut.wrapping_add(j).cast::<u8>())
            };
            let item = Lli {
                src: bus_word(at(part.src, offset)),
                dst: bus_word(at(part.dst, offset)),
                next,
                control: control(n, last),
            };
            // SAFETY: the check above found `segments - 1 <= pool length`,
            // so entry `j - 1` is inside the pool, which the channel owns
            // exclusively (`with_lli_pool`) and no DMA reads now (the channel
            // is idle: a running transfer would own it).
            unsafe { pool_mut.wrapping_add(j - 1).write(item) };
        }
        let pool_region = Region {
            start: plan.pool.cast::<u8>(),
            bytes: (plan.segments - 1) * core::mem::size_of::<Lli>(),
            access: Access::DmaReads,
        };
        // Clear the channel's old terminal-count and error status (W1C,
        // §3.4.3 / §3.4.5), then program it, still disabled.
        hw.global(regs::INT_TC_CLEAR).write(hw.bit());
        hw.global(regs::INT_ERR_CLEAR).write(hw.bit());
        hw.reg(regs::SRC_ADDR).write_ptr(part.src.ptr);
        hw.reg(regs::DEST_ADDR).write_ptr(part.dst.ptr);
        let first_lli = if plan.segments > 1 { plan.pool } else { core::ptr::null() };
        hw.reg(regs::LLI).write_ptr(first_lli);
        hw.reg(regs::CONTROL).write(control(plan.first, plan.segments == 1));
        let used = (plan.segments > 1).then_some(&pool_region);
        if let Err(e) = release_all(fence, &regions, used) {
            // `Configuration` was not written: the channel stays disabled.
            let e = Error::Fence(e);
            return Err(TransferError::rejected(e, buffer.into_inner(), resources));
        }
        // The one `Configuration` write, enabling: after the release fence.
        let config = config | regs::CONFIG_IE | regs::CONFIG_ITC | regs::CONFIG_E;
        hw.enable(config);
        Ok(InFlight {
            buffer: ManuallyDrop::new(buffer),
            resources: ManuallyDrop::new(resources),
            regions,
            pool: pool_region,
            plan,
        })
    }

    fn enabled<A: Reach>(hw: &Hw<A>) -> bool {
        hw.reg(regs::CONFIG).read() & regs::CONFIG_E != 0
    }

    /// Stops the channel (if still enabled; not read again when `disabled`:
    /// the caller saw `E` read 0), runs acquire, reads the count.
    fn halt(&mut self, disabled: bool) -> Ended {
        // Not unwinding while the DMA may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            let (hw, fence, pool, _) = self.resources.parts();
            let config = hw.reg(regs::CONFIG);
            let now = if disabled { 0 } else { config.read() };
            if now & regs::CONFIG_E != 0 {
                // DDI 0196 §3.4.19, disabling a channel without losing data in
                // the FIFO: 1. set H (later requests are ignored), 2. poll A
                // until 0 (the FIFO drained), 3. clear E.
                //
                // If the transfer completed between the read above and this
                // write, the write sets E again on a finished channel; it does so
                // with H set, so the channel fetches nothing, and step 3 clears it.
                config.write(now | regs::CONFIG_H);
                while config.read() & regs::CONFIG_A != 0 {
                    core::hint::spin_loop();
                }
                config.write((now | regs::CONFIG_H) & !regs::CONFIG_E);
                while Self::enabled(&hw) {
                    core::hint::spin_loop();
                }
            }
            // A deliberate defect for the mutation runs: no acquire fence.
            #[cfg(not(pl08x_mutant_no_acquire))]
            {
                if <R as sealed::Sealed>::Fence::COVERS_ALL_BUFFERS {
                    // One barrier covers the regions and the pool.
                    fence.acquire(self.pool.raw(), self.pool.access);
                } else {
                    for region in &self.regions {
                        fence.acquire(region.raw(), region.access);
                    }
                    // Released only for a transfer through the pool (`start`).
                    if self.plan.segments > 1 {
                        fence.acquire(self.pool.raw(), self.pool.access);
                    }
                }
            }
            #[cfg(pl08x_mutant_no_acquire)]
            let _ = fence;
            let remaining = (hw.reg(regs::CONTROL).read() & regs::TRANSFER_SIZE_MASK) as usize;
            let error = hw.global(regs::RAW_INT_ERROR_STATUS).read() & hw.bit() != 0;
            // A channel without a pool (known from its type) ran one segment:
            // the count through the LLIs below is then not in the program.
            let segments = if pool.is_none() { 1 } else { self.plan.segments };
            let transferred = if segments == 1 {
                // One segment (no LLI): what the registers were programmed
                // with, less what `TransferSize` has left.
                let len = self.plan.first;
                len - remaining.min(len)
            } else {
                // DMACCxLLI holds the item of the segment after the running one:
                // LLI j while segment j runs, 0 during the last. (On the host
                // the register keeps a pointer's low 32 bits, so an item whose
                // low 32 bits are 0 would read as the last; review 5 built one
                // at a 4 GiB boundary. On the 32-bit chip an item's address is
                // all of it, and never 0: it is a reference.)
                let next = hw.reg(regs::LLI).read() & !0b11;
                let current = if next == 0 {
                    segments - 1
                } else {
                    (0..segments - 1)
                        .find(|&j| low32(self.plan.pool.wrapping_add(j).cast::<u8>()) == next)
                        .unwrap_or(0)
                };
                let before: usize = (0..current).map(|j| self.plan.len(j)).sum();
                let len = self.plan.len(current);
                before + len - remaining.min(len)
            };
            hw.global(regs::INT_TC_CLEAR).write(hw.bit());
            hw.global(regs::INT_ERR_CLEAR).write(hw.bit());
            config.write(0);
            Ended { transferred, error }
        })
    }

    fn end(self, disabled: bool) -> (Ended, B, R) {
        let mut this = ManuallyDrop::new(self);
        let ended = this.halt(disabled);
        // SAFETY: `this` is in `ManuallyDrop`, so `Drop` never runs; each
        // field is taken exactly once, here, and `this` is not used after.
        let buffer = unsafe { ManuallyDrop::take(&mut this.buffer) };
        // SAFETY: as above, for the resources.
        let resources = unsafe { ManuallyDrop::take(&mut this.resources) };
        (ended, buffer.into_inner(), resources)
    }

    /// Whether the channel still reads enabled.
    pub fn is_running(&self) -> bool {
        Self::enabled(&self.resources.parts().0)
    }
}

impl<B, R: Owner, const M: usize> Drop for InFlight<B, R, M> {
    fn drop(&mut self) {
        // A deliberate defect for the mutation run of `ci.sh`: a `Drop` that
        // does not stop the channel. Never set in a normal build.
        #[cfg(not(pl08x_mutant_drop_no_halt))]
        self.halt(false);
        // SAFETY: `drop` runs once; `end` (the only other taker) keeps it
        // from running. The channel has stopped and acquire ran.
        unsafe { ManuallyDrop::drop(&mut self.buffer) };
        // SAFETY: as above, for the resources.
        unsafe { ManuallyDrop::drop(&mut self.resources) };
    }
}

// SAFETY: `stop` and `wait` go through `end`, and drop through `Drop`; all
// run `halt`, which returns only once `E` reads 0 (the channel let go of
// every buffer; `wait` read it 0 before, and only the owner sets it) and
// after `acquire` over every region.
// Nothing in `halt` panics (no indexing, no unwrap), and it runs under
// `abort_on_unwind`, so a register access that unwinds on the host (a
// simulator's check, a test hook) aborts instead; its loops wait for a
// channel that was seen enabled, i.e. started.
unsafe impl<B, R: Owner, const M: usize> Transfer for InFlight<B, R, M> {
    type Buffer = B;
    type Resources = R;
    type Error = Error;

    fn is_done(&self) -> bool {
        !self.is_running()
    }

    fn stop(self) -> Outcome<Self> {
        self.stopped(false)
    }

    /// Polls `E` until it reads 0, then ends without the stop procedure
    /// (the channel disables itself at the end and on an error, DDI 0196
    /// §3.4.19, and only this transfer sets `E`), which the hand-written
    /// sequence does not carry either.
    fn wait(self) -> Outcome<Self> {
        while self.is_running() {
            core::hint::spin_loop();
        }
        self.stopped(true)
    }
}

impl<B, R: Owner, const M: usize> InFlight<B, R, M> {
    /// Ends the transfer (see [`halt`](Self::halt) for `disabled`).
    fn stopped(self, disabled: bool) -> Outcome<Self> {
        let (ended, buffer, resources) = self.end(disabled);
        if ended.error {
            Err(TransferError {
                error: Error::Bus,
                buffer,
                resources,
                transferred: ended.transferred,
            })
        } else {
            Ok(Finished { buffer, resources, transferred: ended.transferred })
        }
    }
}

/// The flow-control bits of a fixed-address transfer.
fn paced(pacing: Pacing, to_device: bool) -> u32 {
    match pacing {
        Pacing::Unpaced => 0,
        Pacing::Line(n) if to_device => {
            (1 << regs::FLOW_SHIFT) | (u32::from(n) << regs::DEST_PERIPHERAL_SHIFT)
        }
        Pacing::Line(n) => (2 << regs::FLOW_SHIFT) | (u32::from(n) << regs::SRC_PERIPHERAL_SHIFT),
    }
}

/// Releases every region and the pool's (if the transfer uses the pool), or
/// none: acquires those already released if one fails; with a fence that
/// covers all buffers, one release stands for all. (A fixed-size array
/// and a separate pool region, so that with a fence that cannot fail the
/// loops unroll to the fences alone.)
fn release_all<F: DmaFence, const M: usize>(
    fence: F,
    regions: &[Region; M],
    pool: Option<&Region>,
) -> Result<(), dma_traits::FenceError> {
    if F::COVERS_ALL_BUFFERS {
        return match regions.first().or(pool) {
            Some(any) => fence.release(any.raw(), any.access),
            None => Ok(()),
        };
    }
    for (k, region) in regions.iter().enumerate() {
        if let Err(e) = fence.release(region.raw(), region.access) {
            for done in regions.iter().take(k) {
                fence.acquire(done.raw(), done.access);
            }
            return Err(e);
        }
    }
    let Some(pool) = pool else {
        return Ok(());
    };
    if let Err(e) = fence.release(pool.raw(), pool.access) {
        for done in regions {
            fence.acquire(done.raw(), done.access);
        }
        return Err(e);
    }
    Ok(())
}

fn region<W>(ptr: *const W, items: usize, access: Access) -> Region {
    Region {
        start: ptr.cast::<u8>(),
        bytes: items.saturating_mul(core::mem::size_of::<W>()),
        access,
    }
}

// SAFETY: `copy_unchecked` either returns a refusal before touching the
// channel's enable bit (buffers and channel given back) or starts exactly
// one transfer that reads the source pair and writes the destination pair
// (equal lengths, checked), after the release fence; `InFlight` meets
// `Transfer`'s contract (see its impl).
unsafe impl<W: Word, const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> DmaCopy<W>
    for Channel<N, F, P, A>
{
    type Error = Error;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> =
        InFlight<(S, D), Channel<N, F, P, A>>;

    fn max_len(&self) -> usize {
        max_items(self)
    }

    unsafe fn copy_unchecked<S, D>(self, source: S, destination: D) -> Started<Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let mut held = Held::new((source, destination));
        let (from, len) = held.get().0.dma_read_buffer();
        let (to, to_len) = held.get_mut().1.dma_write_buffer();
        if len != to_len {
            let e = Error::LengthMismatch { source: len, destination: to_len };
            return Err(TransferError::rejected(e, held.into_inner(), self));
        }
        let part = Part {
            src: Side { ptr: from.cast::<u8>(), increment: true },
            dst: Side { ptr: to.cast::<u8>().cast_const(), increment: true },
            items: len,
        };
        let regions =
            [region(from, len, Access::DmaReads), region(to.cast_const(), len, Access::DmaWrites)];
        // SAFETY: the part reaches only the two buffers' pairs, owned by
        // `held`; the caller keeps their memory alive (this fn's contract).
        unsafe { InFlight::start_single(held, self, part, W::WIDTH, 0, regions) }
    }
}

// SAFETY: as for `DmaCopy`: a refusal gives everything back untouched; a
// start reads exactly the buffer's pair and writes only the device address.
unsafe impl<W: Word, const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> DmaWrite<W>
    for FixedAddress<N, F, P, A>
{
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = W>> = InFlight<B, FixedAddress<N, F, P, A>, 1>;

    fn max_len(&self) -> usize {
        max_items(self)
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let held = Held::new(buffer);
        let (from, len) = held.get().dma_read_buffer();
        let part = Part {
            src: Side { ptr: from.cast::<u8>(), increment: true },
            dst: Side { ptr: self.address.cast_const(), increment: false },
            items: len,
        };
        let config = paced(self.pacing, true);
        let regions = [region(from, len, Access::DmaReads)];
        // SAFETY: the buffer's pair and the device address (the unsafe
        // constructor's promise); the caller keeps the buffer alive.
        unsafe { InFlight::start_single(held, self, part, W::WIDTH, config, regions) }
    }
}

// SAFETY: as for `DmaWrite`, reading only the device address and writing
// exactly the buffer's pair.
unsafe impl<W: Word, const N: usize, F: DmaFence, P: MaybeLliPool, A: Reach> DmaRead<W>
    for FixedAddress<N, F, P, A>
{
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = W>> = InFlight<B, FixedAddress<N, F, P, A>, 1>;

    fn max_len(&self) -> usize {
        max_items(self)
    }

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let mut held = Held::new(buffer);
        let (to, len) = held.get_mut().dma_write_buffer();
        let part = Part {
            src: Side { ptr: self.address.cast_const(), increment: false },
            dst: Side { ptr: to.cast::<u8>().cast_const(), increment: true },
            items: len,
        };
        let config = paced(self.pacing, false);
        let regions = [region(to.cast_const(), len, Access::DmaWrites)];
        // SAFETY: as in `write_all_unchecked`.
        unsafe { InFlight::start_single(held, self, part, W::WIDTH, config, regions) }
    }
}

/// A gather write or scatter read of `K` buffers in flight.
pub type ListTransfer<B, const N: usize, F, const K: usize, A = Anywhere> =
    InFlight<[B; K], FixedAddress<N, F, LliPool, A>, K>;

/// The result of starting a gather write or scatter read.
pub type ListStarted<B, const N: usize, F, const K: usize, A = Anywhere> =
    Started<ListTransfer<B, N, F, K, A>>;

/// Gather and scatter lists need linked-list items: a channel with an
/// [`LliPool`] (one LLI per buffer after the first, more for buffers longer
/// than the segment limit).
impl<const N: usize, F: DmaFence, A: Reach> FixedAddress<N, F, LliPool, A> {
    /// Sends the `K` buffers one after the other to the device address as
    /// one transfer (a gather list: one LLI per buffer, more for buffers
    /// longer than the segment limit, from the channel's pool). Empty
    /// buffers are skipped; all empty is refused. `'static` buffers, so a
    /// leaked transfer is harmless.
    pub fn write_gather<B, const K: usize>(self, buffers: [B; K]) -> ListStarted<B, N, F, K, A>
    where
        B: dma_traits::StaticReadBuffer,
    {
        // SAFETY: the buffers are `'static`.
        unsafe { self.write_gather_unchecked(buffers) }
    }

    /// [`write_gather`](Self::write_gather) without requiring `'static`.
    ///
    /// # Safety
    ///
    /// For **callers**: as for
    /// [`DmaWrite::write_all_unchecked`](dma_traits::DmaWrite::write_all_unchecked),
    /// for every buffer.
    pub unsafe fn write_gather_unchecked<B, const K: usize>(
        self,
        buffers: [B; K],
    ) -> ListStarted<B, N, F, K, A>
    where
        B: DmaReadBuffer,
    {
        let held = Held::new(buffers);
        let pairs: [(*const B::Word, usize); K] = core::array::from_fn(|k| {
            held.get().get(k).map_or((core::ptr::null(), 0), |b| b.dma_read_buffer())
        });
        let parts = pairs.map(|(p, n)| Part {
            src: Side { ptr: p.cast::<u8>(), increment: true },
            dst: Side { ptr: self.address.cast_const(), increment: false },
            items: n,
        });
        let regions = pairs.map(|(p, n)| region(p, n, Access::DmaReads));
        let config = paced(self.pacing, true);
        // SAFETY: every part is one buffer's pair (owned by `held`) and the
        // device address; the caller keeps the buffers alive.
        unsafe { InFlight::start(held, self, &parts, B::Word::WIDTH, config, regions) }
    }

    /// Fills the `K` buffers one after the other from the device address as
    /// one transfer (a scatter list). Empty buffers are skipped; all empty is
    /// refused.
    pub fn read_scatter<B, const K: usize>(self, buffers: [B; K]) -> ListStarted<B, N, F, K, A>
    where
        B: dma_traits::StaticWriteBuffer,
    {
        // SAFETY: the buffers are `'static`.
        unsafe { self.read_scatter_unchecked(buffers) }
    }

    /// [`read_scatter`](Self::read_scatter) without requiring `'static`.
    ///
    /// # Safety
    ///
    /// For **callers**: as for
    /// [`DmaRead::read_exact_unchecked`](dma_traits::DmaRead::read_exact_unchecked),
    /// for every buffer.
    pub unsafe fn read_scatter_unchecked<B, const K: usize>(
        self,
        buffers: [B; K],
    ) -> ListStarted<B, N, F, K, A>
    where
        B: DmaWriteBuffer,
    {
        let mut held = Held::new(buffers);
        let list = held.get_mut();
        let pairs: [(*mut B::Word, usize); K] = core::array::from_fn(|k| {
            list.get_mut(k).map_or((core::ptr::null_mut(), 0), |b| b.dma_write_buffer())
        });
        let parts = pairs.map(|(p, n)| Part {
            src: Side { ptr: self.address.cast_const(), increment: false },
            dst: Side { ptr: p.cast::<u8>().cast_const(), increment: true },
            items: n,
        });
        let regions = pairs.map(|(p, n)| region(p.cast_const(), n, Access::DmaWrites));
        let config = paced(self.pacing, false);
        // SAFETY: as in `write_gather_unchecked`.
        unsafe { InFlight::start(held, self, &parts, B::Word::WIDTH, config, regions) }
    }
}
