//! Property: for any length, word width and fault point, what arrives is
//! the prefix that was moved, the count says how long it is, and the buffer
//! and the port always come back.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_impl_mock::bits::{pattern_vec, to_bits};
use dma_impl_mock::engine::{Fault, MockDma, Mode};
use dma_impl_mock::record::Recorder;
use dma_impl_mock::{MockError, MockSerial};
use dma_traits::{DmaRead, DmaWrite, Outcome, Transfer, Word};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Injected {
    None,
    Error(usize),
    Stall(usize),
}

/// Runs `transfer` to its end: stepping (stepped mode) or waiting, and
/// stopping a stalled one. Returns the outcome.
fn run_to_end<T: Transfer>(
    dma: &MockDma,
    transfer: T,
    len: usize,
    injected: Injected,
) -> Outcome<T> {
    match (dma.mode(), injected) {
        (Mode::Stepped, _) => {
            dma.step(len + 1);
            transfer.stop()
        }
        (_, Injected::Stall(at)) => {
            while !transfer.is_done() && transfer_moved(dma) < at.min(len) {
                std::thread::yield_now();
            }
            transfer.stop()
        }
        _ => transfer.wait(),
    }
}

/// Words sent so far can't be asked of a generic `Transfer`; the stall
/// case polls the recorder instead.
fn transfer_moved(dma: &MockDma) -> usize {
    dma.recorder()
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                dma_impl_mock::record::Event::DmaRead { .. }
                    | dma_impl_mock::record::Event::DmaWrite { .. }
            )
        })
        .count()
}

fn expected_count(len: usize, injected: Injected) -> (usize, bool) {
    match injected {
        Injected::None => (len, false),
        Injected::Error(at) if at <= len => (at, true),
        Injected::Error(_) => (len, false),
        Injected::Stall(at) => (at.min(len), false),
    }
}

fn arm(dma: &MockDma, injected: Injected) {
    match injected {
        Injected::None => {}
        Injected::Error(at) => dma.inject(Fault::ErrorAfter(at)),
        Injected::Stall(at) => dma.inject(Fault::StallAfter(at)),
    }
}

fn check<W: Word + core::fmt::Debug>(
    len: usize,
    injected: Injected,
    threaded: bool,
    send: bool,
) -> Result<(), TestCaseError> {
    let mode = if threaded {
        Mode::Threaded { word_delay: std::time::Duration::ZERO }
    } else {
        Mode::Stepped
    };
    let dma = MockDma::new(mode, Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let data: Vec<W> = pattern_vec(len as u64, len);
    let bits = |words: &[W]| words.iter().map(|w| to_bits(*w)).collect::<Vec<_>>();
    let (count, fails) = expected_count(len, injected);
    arm(&dma, injected);
    let buffer = if send {
        data.clone().into_boxed_slice()
    } else {
        wire.deliver(&data);
        vec![W::default_bits(); len].into_boxed_slice()
    };
    let ptr = buffer.as_ptr();
    let (buffer, transferred, error, serial) = if send {
        let transfer = DmaWrite::<W>::write_all(serial, buffer).unwrap();
        split::<W, Mock<W>>(run_to_end(&dma, transfer, len, injected))
    } else {
        let transfer = DmaRead::<W>::read_exact(serial, buffer).unwrap();
        split::<W, Mock<W>>(run_to_end(&dma, transfer, len, injected))
    };
    prop_assert_eq!(buffer.as_ptr(), ptr, "the same buffer comes back");
    prop_assert_eq!(transferred, count);
    prop_assert_eq!(error, fails.then_some(MockError::Bus));
    if send {
        prop_assert_eq!(bits(&wire.take_sent::<W>()), bits(&data[..count]));
        prop_assert_eq!(bits(&buffer), bits(&data));
    } else {
        prop_assert_eq!(bits(&buffer[..count]), bits(&data[..count]));
        prop_assert!(buffer[count..].iter().all(|w| to_bits(*w) == 0));
    }
    // The port comes back working.
    let done = DmaWrite::<W>::write_all(serial, buffer).unwrap();
    let done = run_to_end(&dma, done, len, Injected::None).unwrap();
    prop_assert_eq!(done.transferred, len);
    Ok(())
}

type Mock<W> = dma_impl_mock::MockTransfer<Box<[W]>, MockSerial, W, dma_traits::CompilerFence>;

type Parts<W> = (Box<[W]>, usize, Option<MockError>, MockSerial);

fn split<W, T>(outcome: Outcome<T>) -> Parts<W>
where
    T: Transfer<Buffer = Box<[W]>, Resources = MockSerial, Error = MockError>,
{
    match outcome {
        Ok(done) => (done.buffer, done.transferred, None, done.resources),
        Err(failed) => (failed.buffer, failed.transferred, Some(failed.error), failed.resources),
    }
}

/// A zero word of any width.
trait DefaultBits: Word {
    fn default_bits() -> Self {
        dma_impl_mock::bits::from_bits(0)
    }
}
impl<W: Word> DefaultBits for W {}

fn injected() -> impl Strategy<Value = Injected> {
    prop_oneof![
        Just(Injected::None),
        (0usize..48).prop_map(Injected::Error),
        (0usize..48).prop_map(Injected::Stall),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 6 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn data_arrives_intact_and_everything_comes_back(
        len in 1usize..if cfg!(miri) { 6 } else { 40 },
        width in 0usize..4,
        injected in injected(),
        threaded in any::<bool>(),
        send in any::<bool>(),
    ) {
        match width {
            0 => check::<u8>(len, injected, threaded, send)?,
            1 => check::<i16>(len, injected, threaded, send)?,
            2 => check::<f32>(len, injected, threaded, send)?,
            _ => check::<u64>(len, injected, threaded, send)?,
        }
    }
}
