//! The conformance-suite harness of the PL08x HAL, one file for both places
//! it runs: the QEMU firmware (`firmware.rs`) and the host test
//! `tests/conformance_core.rs` (against `dma_impl_mock::sim::pl08x` in QEMU
//! timing).
//!
//! One channel of one controller, handed out again after the suite's drop
//! and forget checks lose it ([`Dmac::steal_channel`]); a transfer is held
//! in flight by clearing `DMACConfiguration.E` ([`Dmac::disable`]); a
//! [`FixedAddress`] on a `'static` word stands for a device data register.

use dma_conformance_core::{
    CopyHarness, Harness, Memory, ReadHarness, RecordingFence, WriteHarness,
};
use dma_impl_pl08x::{Channel, Dmac, FixedAddress, NoLliPool, Pacing, Reach};
use dma_traits::{DmaFence, Word, WordWidth};

/// Items per LLI segment, and so the longest transfer (no LLI pool): small,
/// so the over-long check fits small statics.
pub(crate) const SEGMENT: usize = 16;

/// Drives channel `index` of `dmac`; `inject(channel, items)` arms a bus
/// error where the hardware can (the host simulator), else returns `false`.
pub(crate) struct Pl08xHarness<
    const N: usize,
    F: DmaFence,
    I: FnMut(usize, usize) -> bool,
    A: Reach,
> {
    dmac: Dmac<N, A>,
    index: usize,
    spare: Option<Channel<N, RecordingFence<F>, NoLliPool, A>>,
    memory: Memory,
    device: *mut u32,
    unreachable: Option<usize>,
    fence: F,
    inject: I,
}

impl<const N: usize, F: DmaFence, I: FnMut(usize, usize) -> bool, A: Reach>
    Pl08xHarness<N, F, I, A>
{
    /// The harness.
    ///
    /// # Safety
    ///
    /// For **callers**: `memory` meets [`Harness`]'s contract (two `'static`
    /// regions, 8-byte aligned, reachable by `dmac`, used by nothing but the
    /// suite); `device` is a `'static` 32-bit word nothing else uses;
    /// `unreachable`, if given, is memory `dmac` refuses and whose DMA
    /// accesses are harmless; channel `index` of `dmac` was never taken; and
    /// the harness is used only by the suite's `check_*` functions, which
    /// hold one channel at a time (it hands the same channel out again).
    pub(crate) unsafe fn new(
        dmac: Dmac<N, A>,
        index: usize,
        memory: Memory,
        device: *mut u32,
        unreachable: Option<usize>,
        fence: F,
        inject: I,
    ) -> Self {
        Pl08xHarness { dmac, index, spare: None, memory, device, unreachable, fence, inject }
    }

    fn fresh(&mut self) -> Option<Channel<N, RecordingFence<F>, NoLliPool, A>> {
        if let Some(c) = self.spare.take() {
            return Some(c);
        }
        // SAFETY: the suite holds one channel at a time (`new`'s contract):
        // when it asks again without recycling, the previous value went with
        // a transfer it dropped (which halted it) or leaked after `settle`
        // saw the channel finished; neither is used again.
        let channel = unsafe { self.dmac.steal_channel(self.index) }?;
        channel.with_fence(RecordingFence(self.fence)).with_segment_limit(SEGMENT).ok()
    }

    fn port(&mut self) -> Option<FixedAddress<N, RecordingFence<F>, NoLliPool, A>> {
        let channel = self.fresh()?;
        // SAFETY: `device` is a `'static` word nothing else uses (`new`).
        unsafe { FixedAddress::new(channel, self.device.cast(), Pacing::Unpaced) }.ok()
    }

    fn device_word<W: Word>(&self) -> *mut W {
        self.device.cast::<W>()
    }
}

// SAFETY: the memory, unreachable address and channel are the caller's
// promises (`new`); the hold clears `DMACConfiguration.E`, with which no
// channel moves (DDI 0196 §3.4.13; QEMU `pl080_run`); `settle` waits until
// the channel's `DMACEnbldChns` bit clears, i.e. it let go of the memory.
unsafe impl<const N: usize, F: DmaFence, I: FnMut(usize, usize) -> bool, A: Reach> Harness
    for Pl08xHarness<N, F, I, A>
{
    fn memory(&mut self) -> Memory {
        self.memory
    }

    fn hold(&mut self) -> bool {
        self.dmac.disable();
        true
    }

    fn release(&mut self) {
        self.dmac.enable();
    }

    fn settle(&mut self) {
        while self.dmac.enabled_channels() & (1 << self.index) != 0 {
            core::hint::spin_loop();
        }
    }

    fn unreachable(&mut self, _bytes: usize) -> Option<usize> {
        self.unreachable
    }
}

fn moves<W: Word>() -> bool {
    W::WIDTH != WordWidth::Bits64
}

impl<W: Word, const N: usize, F: DmaFence, I: FnMut(usize, usize) -> bool, A: Reach> CopyHarness<W>
    for Pl08xHarness<N, F, I, A>
{
    type Channel = Channel<N, RecordingFence<F>, NoLliPool, A>;

    fn channel(&mut self) -> Option<Self::Channel> {
        self.fresh()
    }

    fn recycle(&mut self, channel: Self::Channel) {
        self.spare = Some(channel);
    }

    fn fail_next(&mut self, items: usize) -> bool {
        (self.inject)(self.index, items)
    }

    fn max_len(&self) -> Option<usize> {
        Some(SEGMENT)
    }

    fn supports_width(&self) -> bool {
        moves::<W>()
    }
}

impl<W: Word, const N: usize, F: DmaFence, I: FnMut(usize, usize) -> bool, A: Reach> WriteHarness<W>
    for Pl08xHarness<N, F, I, A>
{
    type Peripheral = FixedAddress<N, RecordingFence<F>, NoLliPool, A>;

    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        self.port()
    }

    fn recycle(&mut self, port: Self::Peripheral) {
        self.spare = Some(port.into_channel());
    }

    /// A data register keeps the last word: report it, then clear it.
    fn received(&mut self, out: &mut [W]) -> usize {
        if !moves::<W>() {
            return 0;
        }
        let p = self.device_word::<W>();
        // SAFETY: the `'static` device word (`new`), aligned to 4, read and
        // cleared while no transfer runs (the suite calls this between
        // transfers); `W` is at most 4 bytes here (no 64-bit transfers).
        let last = unsafe { p.read_volatile() };
        // SAFETY: as above.
        unsafe { self.device.write_volatile(0) };
        match out.first_mut() {
            Some(slot) if !is_zero(last) => {
                *slot = last;
                1
            }
            _ => 0,
        }
    }

    fn fail_next(&mut self, items: usize) -> bool {
        (self.inject)(self.index, items)
    }

    fn max_len(&self) -> Option<usize> {
        Some(SEGMENT)
    }

    fn supports_width(&self) -> bool {
        moves::<W>()
    }
}

impl<W: Word, const N: usize, F: DmaFence, I: FnMut(usize, usize) -> bool, A: Reach> ReadHarness<W>
    for Pl08xHarness<N, F, I, A>
{
    type Peripheral = FixedAddress<N, RecordingFence<F>, NoLliPool, A>;

    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        self.port()
    }

    fn recycle(&mut self, port: Self::Peripheral) {
        self.spare = Some(port.into_channel());
    }

    /// A data register holds one value: `word(0)`.
    fn feed(&mut self, _len: usize, word: &dyn Fn(usize) -> W) -> bool {
        if moves::<W>() {
            // SAFETY: the device word (`new`), written while no transfer
            // runs; `W` is at most 4 bytes.
            unsafe { self.device.write_volatile(0) };
            // SAFETY: as above.
            unsafe { self.device_word::<W>().write_volatile(word(0)) };
        }
        false
    }

    fn fail_next(&mut self, items: usize) -> bool {
        (self.inject)(self.index, items)
    }

    fn max_len(&self) -> Option<usize> {
        Some(SEGMENT)
    }

    fn supports_width(&self) -> bool {
        moves::<W>()
    }
}

fn is_zero<W: Word>(w: W) -> bool {
    let bytes = core::mem::size_of::<W>();
    let p = core::ptr::addr_of!(w).cast::<u8>();
    // SAFETY: `W` is `bytes` bytes of plain data (`Word`), every byte
    // initialized; read through a local's address.
    (0..bytes).all(|i| unsafe { p.wrapping_add(i).read() } == 0)
}
