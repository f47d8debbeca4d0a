//! Test rigs: a simulated RP2040 and the HAL's parts on it.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::rp2040::Rp2040Sim;
use dma_impl_rp2040::{Channel, Dma};
use dma_traits::{DmaReadBuffer, DmaWriteBuffer};

/// The simulator's 12 channels.
pub fn channels(sim: &Rp2040Sim) -> [Channel; 12] {
    // SAFETY: the simulator outlives every channel in the tests, and each
    // test steals the channels of its own simulator once.
    unsafe { Dma::steal(sim.base()) }
}

/// A stepped simulator and its channels.
pub fn stepped() -> (Rp2040Sim, [Channel; 12]) {
    let sim = Rp2040Sim::new(Recorder::new());
    let ch = channels(&sim);
    (sim, ch)
}

/// A `'static` buffer holding `v` (leaked; Miri runs with -Zmiri-ignore-leaks).
pub fn leak<T: Clone>(v: &[T]) -> &'static mut [T] {
    Box::leak(v.to_vec().into_boxed_slice())
}

/// A `'static` buffer and a raw pointer to it that stays valid after the
/// reference was lent and given up (it is the reference's parent).
pub fn leak_raw<T: Clone>(v: &[T]) -> (*mut [T], &'static mut [T]) {
    let raw = Box::into_raw(v.to_vec().into_boxed_slice());
    // SAFETY: `raw` is a live, leaked allocation; the reference is its only
    // user until the caller reads through `raw` after the reference is gone.
    (raw, unsafe { &mut *raw })
}

/// `7, 14, 21, ..` (wrapping in 7 bits) as words of any width.
pub fn ramp<W: TryFrom<u64> + Default>(n: usize, seed: u64) -> Vec<W> {
    (0..n as u64).map(|i| W::try_from((i * 7 + seed) & 0x7F).unwrap_or_default()).collect()
}

/// A buffer that reports an address and length of our choosing (misaligned,
/// too long). Never dereferenced: the driver refuses it first.
#[derive(Debug)]
pub struct Fake<W> {
    pub addr: usize,
    pub len: usize,
    pub _w: core::marker::PhantomData<W>,
}

impl<W> Fake<W> {
    pub fn new(addr: usize, len: usize) -> Self {
        Fake { addr, len, _w: core::marker::PhantomData }
    }
}

// SAFETY: a test double; the driver refuses these pointers before any access.
unsafe impl<W: dma_traits::Word> DmaReadBuffer for Fake<W> {
    type Word = W;
    fn dma_read_buffer(&self) -> (*const W, usize) {
        (core::ptr::without_provenance(self.addr), self.len)
    }
}

// SAFETY: as above.
unsafe impl<W: dma_traits::Word> DmaWriteBuffer for Fake<W> {
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (core::ptr::without_provenance_mut(self.addr), self.len)
    }
}

/// Smaller cases under Miri.
pub const fn scale(native: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        native
    }
}
