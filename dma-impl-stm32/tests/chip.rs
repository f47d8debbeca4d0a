//! The chip modules: singletons taken once, and the Cortex-M7 fence refusing a
//! receive buffer that shares a data-cache line (feature-gated: run with
//! `--all-features`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[cfg(feature = "stm32f4")]
#[test]
fn stm32f4_peripherals_are_taken_once() {
    use dma_impl_stm32::chip::stm32f4;
    use dma_impl_stm32::stream;
    assert_eq!(stm32f4::DMA2, 0x4002_6400);
    assert_eq!(stm32f4::USART1, 0x4001_1000);
    assert_eq!(stm32f4::USART1_TX, (7, 4));
    // On the host there is no `take()` (a compile-fail doctest of
    // `stm32f4::Peripherals` shows it): the blocks exist only at a
    // simulator's address, built unsafely, and each stream is taken once.
    let (rig, _tx, _rx) = common::stream_rig(false);
    // SAFETY: the simulator outlives the value; the rig's own streams (7, 2)
    // are not touched.
    let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(rig.dma.base()) };
    assert!(dma2.stream::<0>(0).is_some());
    assert!(dma2.stream::<0>(0).is_none(), "a stream is handed out once");
}

#[cfg(feature = "stm32f1")]
#[test]
fn stm32f1_addresses_and_request_map() {
    use dma_impl_stm32::chip::stm32f1;
    assert_eq!((stm32f1::DMA1, stm32f1::USART1), (0x4002_0000, 0x4001_3800));
    assert_eq!(stm32f1::DMA2, 0x4002_0400);
    assert_eq!((stm32f1::USART1_TX_CHANNEL, stm32f1::USART1_RX_CHANNEL), (4, 5));
}

#[cfg(feature = "stm32f7")]
#[test]
fn cortex_m7_fence_refuses_a_shared_cache_line() {
    use dma_impl_stm32::chip::stm32f7::Fence;
    use dma_impl_stm32::stream;
    use dma_impl_stm32::usart::{InterruptStatus, Usart};
    use dma_impl_stm32::Error;
    use dma_traits::{DmaRead, FenceError};

    let (rig, _tx, _rx) = common::stream_rig(false);
    // `take` needs the core's PRIMASK; on the host, `steal` only builds the
    // handles. SAFETY: no register of the host "core" is ever accessed: the
    // fence refuses this buffer before any cache operation.
    let mut core = unsafe { cortex_m::Peripherals::steal() };
    let fence: Fence = dma_traits::CortexM7DCache::new(&mut core.SCB);
    // SAFETY: the simulator outlives these values; the rig's own driver
    // halves are unused from here on.
    let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(rig.dma.base()) };
    // SAFETY: as above.
    let mut usart = unsafe { Usart::<InterruptStatus>::from_base(rig.usart.base()) };
    usart.enable(1); // UE, TE, RE: the USART raises DMA requests
    let rx = usart.receiver(dma.stream::<2>(4).unwrap(), fence);
    // 5 bytes cannot cover whole 32-byte lines: invalidating them later would
    // destroy neighbouring data, so the fence refuses before any cache work.
    let err = rx.read_exact(common::bytes(5, |_| 0)).err().unwrap();
    assert!(matches!(err.error, Error::Fence(FenceError::NotCacheLineAligned { bytes: 5, .. })));
    assert_eq!(err.buffer.len(), 5);
    assert_eq!(rig.dma.register(rig.rx_cr) & 1, 0, "never enabled");
}

#[test]
fn rigs_build_on_every_feature_set() {
    let (rig, _tx, _rx) = common::channel_rig(false);
    assert_eq!(rig.run(), 0, "nothing enabled, nothing moves");
}

#[test]
fn cselr_routes_the_request_to_the_channel() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::channel;
    use dma_impl_stm32::usart::{InterruptStatus, Usart};
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    // An L4: USART1_TX reaches DMA1 channel 4 only under request 2.
    let sim = ChannelDma::new(Recorder::new());
    let usart = UsartSim::new(UsartLayout::InterruptStatus);
    sim.wire_request(4, 2, usart.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values.
    let mut dma = unsafe { channel::Dma::from_base(sim.base(), 7) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    assert!(dma.channel_for_request::<4>(16).is_none(), "CxS is 4 bits");
    let ch4 = dma.channel_for_request::<4>(2).unwrap();
    assert_eq!(sim.register(0xA8), 2 << 12, "C4S = 2");
    let tx = driver.transmitter(ch4, CompilerFence);
    let transfer = tx.write_all(&b"L4"[..]).ok().unwrap();
    assert_eq!(sim.run(10), 2);
    assert_eq!(transfer.wait().ok().unwrap().transferred, 2);
    assert_eq!(usart.sent(), b"L4");
    // A channel left at request 0 never sees USART1's request.
    let ch5 = dma.channel::<5>().unwrap();
    sim.wire_request(5, 2, usart.requests(), Line::Tx);
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let stalled = driver.transmitter(ch5, CompilerFence).write_all(&b"x"[..]).ok().unwrap();
    assert_eq!(sim.run(10), 0);
    assert!(!stalled.is_done());
    assert_eq!(stalled.stop().ok().unwrap().transferred, 0);
}
