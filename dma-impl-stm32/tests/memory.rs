//! Memory-to-memory copies on both families, word widths and priority.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::stm32::{ChannelDma, StreamDma};
use dma_impl_stm32::memory::Memory;
use dma_impl_stm32::{channel, stream, Priority};
use dma_traits::{Access, DmaCopy, Transfer};

#[test]
fn channel_dma_copies_every_width() {
    let log = Recorder::new();
    let sim = ChannelDma::threaded(log.clone());
    // SAFETY: the simulator outlives the controller value.
    let mut dma = unsafe { channel::Dma::from_base(sim.base(), 7) };
    let fence = common::fence(&log);
    let ch = dma.channel::<1>().unwrap().with_priority(Priority::VeryHigh);

    let from: Box<[u8]> = vec![1, 2, 3].into();
    let to: Box<[u8]> = vec![0; 3].into();
    let done = Memory::new(ch, fence).copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(*done.buffer.1, [1, 2, 3]);
    let ccr = sim.register(0x08);
    assert_eq!((ccr >> 12) & 0b11, 0b11, "PL very high");
    assert_ne!(ccr & (1 << 14), 0, "MEM2MEM");

    let from: Box<[u16]> = vec![0x1234, 0xABCD].into();
    let to: Box<[u16]> = vec![0; 2].into();
    let done = done.resources.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(*done.buffer.1, [0x1234, 0xABCD]);
    assert_eq!((sim.register(0x08) >> 8) & 0b1111, 0b0101, "PSIZE = MSIZE = 16 bits");

    let from: Box<[f32]> = vec![1.5, -2.0].into();
    let to: Box<[f32]> = vec![0.0; 2].into();
    let done = done.resources.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(*done.buffer.1, [1.5, -2.0]);
    assert!(log.events().iter().any(|e| matches!(e, Event::DmaWrite { bytes: 4, .. })));
    let releases = log
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Release { access: Access::DmaWrites, .. }))
        .count();
    assert_eq!(releases, 3);
}

#[test]
fn stream_dma_copies_in_fifo_mode() {
    let log = Recorder::new();
    let sim = StreamDma::new(log.clone());
    // SAFETY: the simulator outlives the controller value.
    let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(sim.base()) };
    let fence = common::fence(&log);
    let s = dma.stream::<5>(0).unwrap().with_priority(Priority::High);
    let from: Box<[u32]> = vec![10, 20, 30, 40].into();
    let to: Box<[u32]> = vec![0; 4].into();
    let copy = Memory::new(s, fence).copy(from, to).ok().unwrap();
    let cr = sim.register(0x10 + 0x18 * 5);
    assert_eq!((cr >> 6) & 0b11, 0b10, "DIR memory-to-memory");
    assert_eq!((cr >> 16) & 0b11, 0b10, "PL high");
    assert_eq!(sim.register(0x24 + 0x18 * 5) & (1 << 2), 1 << 2, "FIFO mode (DMDIS)");
    assert_eq!(sim.run(100), 4);
    assert_eq!(copy.remaining(), 0);
    let done = copy.wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer.1), (4, &[10, 20, 30, 40][..]));
}

#[test]
fn channels_and_streams_are_taken_once() {
    let a = ChannelDma::new(Recorder::new());
    let b = StreamDma::new(Recorder::new());
    // SAFETY: the simulators outlive the controller values.
    let mut dma1 = unsafe { channel::Dma::from_base(a.base(), 5) };
    // SAFETY: as above.
    let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(b.base()) };
    assert!(dma1.channel::<1>().is_some());
    assert!(dma1.channel::<1>().is_none(), "taken twice");
    assert!(dma1.channel::<0>().is_none(), "channels count from 1");
    assert!(dma1.channel::<6>().is_none(), "only 5 channels");
    assert!(dma2.stream::<7>(4).is_some());
    assert!(dma2.stream::<7>(4).is_none());
    assert!(dma2.stream::<8>(0).is_none());
    assert!(dma2.stream::<0>(16).is_none());
}
