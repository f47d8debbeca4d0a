//! Every transfer API of the mock peripherals under the adversarial
//! scheduler: the engine advances 0..=K words before each CPU access to a
//! channel (start, status reads, stop), over every schedule of the first
//! accesses and over seeded random ones.
//!
//! After each schedule: what the transfer reports (`transferred`) is what
//! moved, every word is delivered exactly once (sent, received, or still
//! pending on the wire), memory past `transferred` was not touched, and once
//! `stop`, `wait` or drop returned the DMA moves nothing more.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::peripheral::{MockMemCopy, MockSpi};
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary};
use dma_impl_mock::{MockDma, MockSerial};
use dma_traits::{CompilerFence, DmaCopy, DmaFullDuplex, DmaRead, DmaWrite, Transfer};

/// Beats per access, schedule depth, schedule limit, random seeds, words.
#[cfg(not(miri))]
const PLAN: (u32, usize, usize, u64, usize) = (2, 7, 5_000, 200, 5);
#[cfg(miri)]
const PLAN: (u32, usize, usize, u64, usize) = (1, 3, 64, 4, 3);

/// A stepped engine whose words move when `adversary` says.
fn engine(adversary: &Adversary) -> (MockDma, dma_mmio::host::interleave::Interleaving) {
    let dma = MockDma::stepped(Recorder::new());
    let stepper = dma.clone();
    let guard = adversary.attach(move || stepper.step(1) > 0);
    (dma, guard)
}

fn data(n: usize) -> Vec<u16> {
    (1..=n).map(|i| u16::try_from(i * 257).unwrap()).collect()
}

/// Runs `case` exhaustively and randomly; returns the schedules run.
fn adversarially(name: &str, case: impl Fn(&Adversary, usize)) -> usize {
    let (k, depth, limit, seeds, n) = PLAN;
    let exhaustive = explore(k, depth, limit, |adv| case(adv, n));
    assert!(exhaustive.exhaustive, "{name}: schedule limit reached");
    let random = explore_random(k + 1, 0..seeds, |adv| case(adv, 4 * n));
    eprintln!("{name}: {} exhaustive + {random} random schedules", exhaustive.schedules);
    exhaustive.schedules + random
}

/// Nothing moves once the transfer has ended.
fn dma_let_go(dma: &MockDma) {
    assert_eq!(dma.step(16), 0, "the DMA moved words after the transfer ended");
}

#[test]
fn serial_write_all_then_wait() {
    adversarially("serial write_all + wait", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let words: &'static [u16] = Vec::leak(data(n));
        let done = serial.write_all(words).unwrap().wait().unwrap();
        assert_eq!(done.transferred, n);
        assert_eq!(wire.take_sent::<u16>(), words);
        dma_let_go(&dma);
    });
}

#[test]
fn serial_write_all_stopped_midway() {
    adversarially("serial write_all + stop", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let words: &'static [u16] = Vec::leak(data(n));
        let transfer = serial.write_all(words).unwrap();
        let _ = transfer.is_done();
        let done = transfer.stop().unwrap();
        assert_eq!(wire.take_sent::<u16>(), words[..done.transferred]);
        dma_let_go(&dma);
        assert!(wire.take_sent::<u16>().is_empty());
    });
}

#[test]
fn serial_read_exact_then_wait() {
    adversarially("serial read_exact + wait", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        wire.deliver(&data(n));
        let done = serial.read_exact(vec![0u16; n].into_boxed_slice()).unwrap().wait().unwrap();
        assert_eq!(done.transferred, n);
        assert_eq!(*done.buffer, data(n)[..]);
        assert_eq!(wire.pending(), 0);
        dma_let_go(&dma);
    });
}

#[test]
fn serial_read_exact_stopped_midway() {
    adversarially("serial read_exact + stop", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let fed = data(n);
        wire.deliver(&fed);
        let transfer = serial.read_exact(vec![0u16; n].into_boxed_slice()).unwrap();
        let _ = transfer.is_done();
        let done = transfer.stop().unwrap();
        let got = done.transferred;
        assert_eq!(done.buffer[..got], fed[..got], "received words");
        assert!(done.buffer[got..].iter().all(|&w| w == 0), "memory past `transferred` written");
        assert_eq!(wire.pending(), n - got, "a word was lost or received twice");
        dma_let_go(&dma);
        assert_eq!(wire.pending(), n - got);
    });
}

#[test]
fn serial_read_exact_dropped_midway() {
    adversarially("serial read_exact + drop", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let fed = data(n);
        wire.deliver(&fed);
        // The test keeps the parent of the `&mut` it lends, so reading through
        // it after the transfer ended is not a use of a stale child tag.
        let at: *mut [u16] = Vec::leak(vec![0u16; n]);
        // SAFETY: a fresh leaked allocation; `at` is not used until the
        // transfer holding this borrow has ended.
        let buffer: &'static mut [u16] = unsafe { &mut *at };
        let transfer = serial.read_exact(buffer).unwrap();
        let _ = transfer.is_done();
        drop(transfer);
        let got = n - wire.pending();
        // SAFETY: the transfer was dropped, so the DMA let go of the leaked
        // buffer (the property under test; Miri reports a race otherwise).
        let seen = unsafe { &*at }.to_vec();
        assert_eq!(seen[..got], fed[..got]);
        assert!(seen[got..].iter().all(|&w| w == 0));
        dma_let_go(&dma);
        // SAFETY: as above.
        assert_eq!(unsafe { &*at }, &seen[..], "the DMA wrote after drop returned");
    });
}

#[test]
fn serial_write_all_scoped_with_a_borrowed_buffer() {
    adversarially("serial write_all_scoped", |adv, n| {
        let (dma, _g) = engine(adv);
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let words = data(n);
        let (_, outcome) = serial.write_all_scoped(&words[..], |t| t.is_done());
        assert_eq!(outcome.unwrap().transferred, n);
        assert_eq!(wire.take_sent::<u16>(), words);
        dma_let_go(&dma);
    });
}

#[test]
fn spi_transfer_stopped_midway() {
    adversarially("spi transfer + stop", |adv, n| {
        let (dma, _g) = engine(adv);
        let spi = MockSpi::new(&dma, CompilerFence);
        let wire = spi.wire();
        let fed = data(n);
        wire.deliver(&fed);
        let tx: &'static [u16] = Vec::leak(data(n).iter().map(|w| !w).collect());
        let transfer = spi.transfer(tx, vec![0u16; n]).unwrap();
        let _ = transfer.is_done();
        match transfer.stop() {
            Ok(done) => {
                let (_, rx) = done.buffer;
                let sent = wire.take_sent::<u16>();
                let received = n - wire.pending();
                assert_eq!(sent, tx[..sent.len()]);
                assert_eq!(rx[..received], fed[..received]);
                assert!(rx[received..].iter().all(|&w| w == 0));
                assert_eq!(done.transferred, sent.len().min(received));
            }
            Err(e) => panic!("stop failed: {:?}", e.error),
        }
        dma_let_go(&dma);
    });
}

#[test]
fn memory_to_memory_copy_wait_and_stop() {
    adversarially("memcopy copy + wait / stop", |adv, n| {
        let (dma, _g) = engine(adv);
        let copier = MockMemCopy::new(&dma, CompilerFence);
        let source: &'static [u16] = Vec::leak(data(n));
        let done = copier.copy(source, vec![0u16; n]).unwrap().wait().unwrap();
        assert_eq!(done.buffer.1, source);
        let transfer = done.resources.copy(source, vec![0u16; n]).unwrap();
        let _ = transfer.is_done();
        let done = transfer.stop().unwrap();
        let got = done.transferred;
        assert_eq!(done.buffer.1[..got], source[..got]);
        assert!(done.buffer.1[got..].iter().all(|&w| w == 0));
        dma_let_go(&dma);
    });
}
