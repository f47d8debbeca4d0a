//! The sampler, written once against `DmaReadStream`, on every stream
//! implementation: every word it hands out is the word the line carried at
//! that place, and an overrun (the CPU more than a half late) is reported
//! as an error with the words lost, after which sampling goes on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::sampler::{Sampler, SamplerError};
use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
use dma_traits::{DmaReadStream, ReadStream, Word};

/// What one run saw: the words handed out (with their place on the line)
/// and the overruns reported.
#[derive(Debug, Default)]
struct Seen<W> {
    blocks: Vec<Vec<W>>,
    overruns: Vec<u64>,
}

/// Polls `sampler` once after each `advance()` until `rounds` have passed.
fn sample<W: Word, S: ReadStream<W>, const N: usize>(
    sampler: &mut Sampler<W, S, N>,
    rounds: usize,
    mut advance: impl FnMut(usize),
) -> Seen<W> {
    let mut seen = Seen { blocks: Vec::new(), overruns: Vec::new() };
    for round in 0..rounds {
        advance(round);
        loop {
            match sampler.poll(|block| seen.blocks.push(block.to_vec())) {
                Ok(_) => break,
                Err(SamplerError::Overrun { lost, .. }) => seen.overruns.push(lost),
                Err(SamplerError::Stopped(e)) => panic!("stream stopped: {e:?}"),
            }
        }
    }
    seen
}

/// Checks that the blocks, placed after the words lost before each, are the
/// line's words.
fn check<W: Word + PartialEq + core::fmt::Debug>(seen: &Seen<W>, line: &[W], half: usize) {
    let mut position = 0;
    let handed: usize = seen.blocks.iter().map(Vec::len).sum();
    let lost: u64 = seen.overruns.iter().sum();
    assert_eq!(handed as u64 + lost, line.len() as u64, "{seen:?}");
    // Reconstruct: blocks in order, each a whole half at a half boundary.
    let mut lost_left: Vec<u64> = seen.overruns.clone();
    for block in &seen.blocks {
        assert_eq!(block.len(), half);
        while block[..] != line[position..position + half] {
            let skip = lost_left.first_mut().expect("a block not on the line");
            assert!(*skip >= half as u64);
            *skip -= half as u64;
            if *skip == 0 {
                lost_left.remove(0);
            }
            position += half;
        }
        position += half;
    }
}

fn mock_sampler<W: Word + Default>(
    dma: &MockDma,
    line: &[W],
) -> Sampler<W, <MockSerial as DmaReadStream<W>>::Stream<Box<[W]>>, 4> {
    let serial = MockSerial::with_default_fence(dma);
    serial.wire().deliver(line);
    let stream = serial.read_stream(vec![W::default(); 8].into_boxed_slice()).ok().unwrap();
    Sampler::new(stream).ok().unwrap()
}

#[test]
fn on_the_mock_u16_every_half_in_order() {
    let dma = MockDma::stepped(Recorder::new());
    let line: Vec<u16> = (0..64).map(|i| i * 1000).collect();
    let mut sampler = mock_sampler(&dma, &line);
    let seen = sample(&mut sampler, 16, |_| {
        dma.step(4);
    });
    assert!(seen.overruns.is_empty());
    check(&seen, &line, 4);
    assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
    assert!(sampler.stop().is_ok());
}

#[test]
fn on_the_mock_i16_an_overrun_is_reported_and_sampling_goes_on() {
    let dma = MockDma::stepped(Recorder::new());
    let line: Vec<i16> = (0..64).map(|i| (i - 32) * 1000).collect();
    let mut sampler = mock_sampler(&dma, &line);
    // Round 5: the CPU is late by two halves (12 words at once).
    let seen = sample(&mut sampler, 14, |round| {
        dma.step(if round == 5 { 12 } else { 4 });
    });
    assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
    check(&seen, &line, 4);
    assert_eq!(sampler.lost(), 8);
}

// ---------------------------------------------------------------------------
// The same sampler on `dma-impl-stm32` against the register-level simulators:
// circular reception on the channel DMA (F1) and on the stream DMA (F4), and
// the stream DMA's double-buffer reception over the buffer's two halves
// (`UsartRx::double_buffered`, which needs a look per quarter).

mod stm32 {
    use super::*;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_stm32::usart::{StatusData, Usart, UsartRx};
    use dma_impl_stm32::{channel, stream};
    use dma_traits::CompilerFence;

    /// 64 bytes whose values name their place.
    fn line() -> Vec<u8> {
        (1..=64).collect()
    }

    /// USART1 RX on DMA1 channel 5 (RM0008 table 78), stepped; feeds `line`.
    fn f1(line: &[u8]) -> (ChannelDma, UsartSim, impl DmaReadStream<u8>) {
        let dma_sim = ChannelDma::new(Recorder::new());
        let usart_sim = UsartSim::new(UsartLayout::StatusData);
        dma_sim.wire(5, usart_sim.requests(), Line::Rx);
        // SAFETY: the simulated DMA1 and USART1 blocks, used only here; the
        // simulators are returned to the test, which keeps them until the
        // driver values are gone.
        let mut dma = unsafe { channel::Dma::from_base(dma_sim.base(), 7) };
        // SAFETY: as above.
        let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
        usart.enable(1); // the simulated USART raises DMA requests only when enabled
        usart_sim.feed(line);
        let rx = usart.receiver(dma.channel::<5>().unwrap(), CompilerFence);
        (dma_sim, usart_sim, rx)
    }

    /// USART1 RX on DMA2 stream 2, channel 4 (RM0090 table 43), stepped.
    fn f4(
        line: &[u8],
    ) -> (StreamDma, UsartSim, UsartRx<StatusData, stream::Stream<2, stream::Dma2>, CompilerFence>)
    {
        let dma_sim = StreamDma::new(Recorder::new());
        let usart_sim = UsartSim::new(UsartLayout::StatusData);
        dma_sim.wire(2, 4, usart_sim.requests(), Line::Rx);
        // SAFETY: as in `f1`.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
        // SAFETY: as above.
        let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
        usart.enable(1);
        usart_sim.feed(line);
        let rx = usart.receiver(dma.stream::<2>(4).unwrap(), CompilerFence);
        (dma_sim, usart_sim, rx)
    }

    #[test]
    fn on_the_stm32_channel_dma_circular_every_half_in_order() {
        let line = line();
        let (dma, _usart, rx) = f1(&line);
        let stream = rx.read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        let seen = sample(&mut sampler, 16, |_| {
            for _ in 0..4 {
                dma.step();
            }
        });
        assert!(seen.overruns.is_empty());
        check(&seen, &line, 4);
        assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_stm32_channel_dma_circular_an_overrun_is_reported() {
        let line = line();
        let (dma, _usart, rx) = f1(&line);
        let stream = rx.read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        // Round 5: the CPU is late by two halves (12 bytes at once).
        let seen = sample(&mut sampler, 14, |round| {
            for _ in 0..if round == 5 { 12 } else { 4 } {
                dma.step();
            }
        });
        assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
        check(&seen, &line, 4);
        assert_eq!(sampler.lost(), 8);
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_stm32_stream_dma_circular_every_half_in_order() {
        let line = line();
        let (dma, _usart, rx) = f4(&line);
        let stream = rx.read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        // Circular mode: one look per half, as the trait's contract says.
        let seen = sample(&mut sampler, 16, |_| {
            for _ in 0..4 {
                dma.step();
            }
        });
        assert!(seen.overruns.is_empty());
        check(&seen, &line, 4);
        assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_stm32_stream_dma_circular_an_overrun_is_reported() {
        let line = line();
        let (dma, _usart, rx) = f4(&line);
        let stream = rx.read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        // Round 5: the CPU is late by two halves (12 bytes at once).
        let seen = sample(&mut sampler, 14, |round| {
            for _ in 0..if round == 5 { 12 } else { 4 } {
                dma.step();
            }
        });
        assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
        check(&seen, &line, 4);
        assert_eq!(sampler.lost(), 8);
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_stm32_stream_dma_double_buffer_every_half_in_order() {
        let line = line();
        let (dma, _usart, rx) = f4(&line);
        let stream =
            rx.double_buffered().read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        // Each half is a fill of its own: the driver must see each fill's
        // half-transfer event too, so the CPU looks every 2 bytes.
        let seen = sample(&mut sampler, 32, |_| {
            for _ in 0..2 {
                dma.step();
            }
        });
        assert!(seen.overruns.is_empty());
        check(&seen, &line, 4);
        assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_stm32_stream_dma_double_buffer_an_overrun_is_reported() {
        let line = line();
        let (dma, _usart, rx) = f4(&line);
        let stream =
            rx.double_buffered().read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        // Round 10 (at byte 20): the CPU is late by two halves and a bit
        // (10 bytes at once): the half 20..24 is overwritten.
        let seen = sample(&mut sampler, 28, |round| {
            for _ in 0..if round == 10 { 10 } else { 2 } {
                dma.step();
            }
        });
        assert_eq!(seen.overruns, [4], "one half lost, the newest kept");
        check(&seen, &line, 4);
        assert_eq!(sampler.lost(), 4);
        assert!(sampler.stop().is_ok());
    }
}

// ---------------------------------------------------------------------------
// The same sampler on `dma-impl-rp2040` against its register-level
// simulator: UART1 RX on one channel whose write address wraps in ring mode
// over a naturally aligned 8-byte buffer.

mod rp2040 {
    use super::*;
    use dma_impl_mock::sim::rp2040::Rp2040Sim;
    use dma_impl_rp2040::{Dma, Uart, Uart1};

    #[repr(C, align(8))]
    struct Ring([u8; 8]);

    /// 64 bytes whose values name their place.
    fn line() -> Vec<u8> {
        (1..=64).collect()
    }

    /// Runs the simulator until its DMA has written `n` more bytes.
    fn deliver(sim: &Rp2040Sim, n: u64) {
        let target = sim.dma_writes() + n;
        while sim.dma_writes() < target && sim.step() {}
    }

    fn sampler(
        sim: &Rp2040Sim,
        line: &[u8],
    ) -> Sampler<u8, impl ReadStream<u8, Error = dma_impl_rp2040::Error>, 4> {
        // SAFETY: the simulator outlives the channels (the test keeps it
        // until the sampler is gone), stolen once.
        let [_, _, tx, rx, ..] = unsafe { Dma::steal(sim.base()) };
        // SAFETY: the simulator's UART1 block, as above.
        let (_tx, rx) = unsafe { Uart::<Uart1>::new(sim.uart_base(1)) }.split(tx, rx);
        sim.feed_uart(1, line);
        let ring: &'static mut [u8; 8] = &mut Box::leak(Box::new(Ring([0; 8]))).0;
        let stream = rx.read_stream(ring).ok().unwrap();
        Sampler::new(stream).ok().unwrap()
    }

    #[test]
    fn on_the_rp2040_ring_every_half_in_order() {
        let sim = Rp2040Sim::new(Recorder::new());
        let line = line();
        let mut sampler = sampler(&sim, &line);
        let seen = sample(&mut sampler, 16, |_| deliver(&sim, 4));
        assert!(seen.overruns.is_empty());
        check(&seen, &line, 4);
        assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
        assert!(sampler.stop().is_ok());
    }

    #[test]
    fn on_the_rp2040_ring_an_overrun_is_reported() {
        let sim = Rp2040Sim::new(Recorder::new());
        let line = line();
        let mut sampler = sampler(&sim, &line);
        // Round 5: the CPU is late by two halves (12 bytes at once).
        let seen = sample(&mut sampler, 14, |round| deliver(&sim, if round == 5 { 12 } else { 4 }));
        assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
        check(&seen, &line, 4);
        assert_eq!(sampler.lost(), 8);
        assert!(sampler.stop().is_ok());
    }
}

// ---------------------------------------------------------------------------
// The same sampler on `dma-impl-nrf` against its register-level simulator:
// UARTE reception into the two halves of one buffer, one reception at a
// time; a byte lost to the UARTE's overrun discards the half it fell in.

mod nrf {
    use super::*;
    use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
    use dma_impl_nrf::{Nrf52840, Uarte};

    #[test]
    fn on_the_nrf_uarte_an_injected_overrun_is_reported() {
        let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
        let line: Vec<u8> = (1..=33).collect();
        sim.feed(&line);
        // The 10th byte is lost on the wire.
        sim.inject_uart_overrun(9);
        // SAFETY: the simulator's UARTE block, used only here; the test keeps
        // the simulator until the sampler is gone.
        let rx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().1;
        let stream = DmaReadStream::read_stream(rx, vec![0u8; 8].into_boxed_slice()).ok().unwrap();
        let mut sampler = Sampler::<u8, _, 4>::new(stream).ok().unwrap();
        let seen = sample(&mut sampler, 60, |_| {
            sim.step();
        });
        assert_eq!(seen.overruns, [4], "the half with the gap, discarded");
        // Halves 1..=4 and 5..=8 intact; 9, 11, 12, 13 (10 lost) discarded.
        let mut expected = line[..8].to_vec();
        expected.extend(&line[13..]);
        assert_eq!(seen.blocks.concat(), expected);
        assert_eq!((sampler.taken(), sampler.lost()), (28, 4));
        assert!(sampler.stop().is_ok());
    }
}

/// The PL08x's LLI-ring stream (`dma_impl_pl08x::StreamRx`) against the
/// register-level simulator, fed by a simulated paced peripheral on request
/// line 5; a CPU two halves late is reported as `SamplerError::Overrun`.
mod pl08x {
    use super::*;
    use dma_impl_mock::sim::pl08x::Pl08xSim;
    use dma_impl_pl08x::{Dmac, Lli, PacedSource, Pl081, StreamRx};

    const LINE: u8 = 5;

    /// A stepped PL081 whose channel 0 streams 8 words of `W` from the
    /// simulated peripheral, which has received `line` (as 16-bit words).
    fn sampler<W: Word + Default>(
        sim: &Pl08xSim,
        line: &[u32],
    ) -> Sampler<W, impl ReadStream<W, Error = dma_impl_pl08x::Error>, 4> {
        // SAFETY: the simulator outlives the controller and the stream (each
        // test keeps it until the sampler is gone).
        let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
        let channel = dmac.channel(0).unwrap().with_lli_pool(Box::leak(Box::new([Lli::EMPTY; 4])));
        // SAFETY: the simulator's peripheral data register on `LINE`, valid
        // while the simulator lives (as above).
        let source = unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
        sim.feed(u32::from(LINE), line);
        let buffer: &'static mut [W] = Box::leak(vec![W::default(); 8].into_boxed_slice());
        let stream = StreamRx::new(channel, source).read_stream(buffer).ok().unwrap();
        Sampler::new(stream).ok().unwrap()
    }

    /// Runs the simulator until its DMA has written `n` more words.
    fn deliver(sim: &Pl08xSim, n: u64) {
        let target = sim.dma_writes() + n;
        while sim.dma_writes() < target && sim.step() {}
    }

    #[test]
    fn on_the_pl08x_lli_ring_u16_every_half_in_order() {
        let sim = Pl08xSim::pl081();
        let line: Vec<u16> = (0..64).map(|i| i * 1000).collect();
        let words: Vec<u32> = line.iter().map(|&w| u32::from(w)).collect();
        let mut sampler = sampler::<u16>(&sim, &words);
        let seen = sample(&mut sampler, 16, |_| deliver(&sim, 4));
        assert!(seen.overruns.is_empty());
        check(&seen, &line, 4);
        assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
        assert!(sampler.stop().is_ok());
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    }

    #[test]
    fn on_the_pl08x_lli_ring_i16_an_overrun_is_reported_and_sampling_goes_on() {
        let sim = Pl08xSim::pl081();
        let line: Vec<i16> = (0..64).map(|i| (i - 32) * 1000).collect();
        // The peripheral's register holds the word's 16 bits.
        let words: Vec<u32> = line.iter().map(|&w| u32::from(w as u16)).collect();
        let mut sampler = sampler::<i16>(&sim, &words);
        // Round 5: the CPU is late by two halves (12 words at once).
        let seen = sample(&mut sampler, 14, |round| deliver(&sim, if round == 5 { 12 } else { 4 }));
        assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
        check(&seen, &line, 4);
        assert_eq!(sampler.lost(), 8);
        assert!(sampler.stop().is_ok());
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    }
}
