//! Test rigs: a simulated PL081/PL080 and the HAL on it.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Dmac, Lli, Pl081};
use dma_traits::DmaReadBuffer;

/// A stepped PL081 and the HAL's controller on it (everything reachable).
pub fn stepped() -> (Pl08xSim, Pl081) {
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller value in every test.
    let dmac = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    (sim, dmac)
}

/// A threaded controller with `N` channels.
pub fn threaded<const N: usize>() -> (Pl08xSim, Dmac<N>) {
    let sim = Pl08xSim::threaded(N);
    // SAFETY: as in `stepped`.
    let dmac = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    (sim, dmac)
}

/// A `'static` buffer holding `v` (leaked; Miri runs with -Zmiri-ignore-leaks).
pub fn leak<T: Clone>(v: &[T]) -> &'static mut [T] {
    Box::leak(v.to_vec().into_boxed_slice())
}

/// A `'static` buffer holding `v` and a raw pointer to it that stays valid
/// after the reference was lent and given up (it is the reference's parent).
pub fn leak_raw<T: Clone>(v: &[T]) -> (*mut [T], &'static mut [T]) {
    let raw = Box::into_raw(v.to_vec().into_boxed_slice());
    // SAFETY: `raw` is a live, leaked allocation; the reference is its only
    // user until the caller reads through `raw` after the reference is gone.
    (raw, unsafe { &mut *raw })
}

/// A `'static` LLI pool of `n` items.
pub fn pool(n: usize) -> &'static mut [Lli] {
    Box::leak(vec![Lli::EMPTY; n].into_boxed_slice())
}

/// `0, 1, 2, ..` as words of any width (wrapping).
pub fn ramp<W: TryFrom<u64> + Default>(n: usize, seed: u64) -> Vec<W> {
    (0..n as u64).map(|i| W::try_from((i * 7 + seed) & 0x7F).unwrap_or_default()).collect()
}

/// A read buffer that reports an address of our choosing (misaligned, say).
/// Never dereferenced: the driver refuses it first.
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

/// Smaller cases under Miri.
pub const fn scale(native: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        native
    }
}
