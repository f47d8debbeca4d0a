//! The chip maps' typed path on the simulators: a chip's `Usart1` takes the
//! channels its reference manual wires to it (the compile-fail programs in
//! `tests/compile-fail/` show the others refused) and selects their request
//! itself, so the transfers complete on a simulator wired as the chip is.
//! Feature-gated per chip: run with `--all-features`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[cfg(feature = "stm32f1")]
#[test]
fn stm32f1_usart1_on_dma1_channels_4_and_5() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32f1;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaRead, DmaWrite, Transfer};

    // RM0008 table 78: USART1_TX on DMA1 channel 4, USART1_RX on channel 5.
    let sim = ChannelDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::StatusData);
    common::fast_line_under_miri(&serial);
    sim.wire(4, serial.requests(), Line::Tx);
    sim.wire(5, serial.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F1's DMA1 and USART1.
    let mut dma1: stm32f1::Dma1 = unsafe { stm32f1::Dma1::new(sim.base(), 7) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32f1::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
    let (tx, rx) =
        usart1.split(dma1.channel::<4>().unwrap(), dma1.channel::<5>().unwrap(), CompilerFence);
    let done = tx.write_all(&b"F1"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(serial.sent(), b"F1");
    serial.feed(b"ok");
    let done = rx.read_exact(common::bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"ok");
}

#[cfg(feature = "stm32f4")]
#[test]
fn stm32f4_usart1_selects_chsel_4_on_dma2_streams_7_and_5() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32f4;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaRead, DmaWrite, Transfer};

    // RM0090 table 43: USART1_TX on DMA2 stream 7, USART1_RX on stream 5
    // (or 2), both channel 4; the simulator serves them only under CHSEL 4.
    let sim = StreamDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::StatusData);
    common::fast_line_under_miri(&serial);
    sim.wire(7, 4, serial.requests(), Line::Tx);
    sim.wire(5, 4, serial.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F4's DMA2 and USART1.
    let mut dma2: stm32f4::Dma2 = unsafe { stm32f4::Dma2::from_base(sim.base()) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32f4::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
                      // The request given to `stream` (here a wrong 0) does not matter: USART1
                      // selects channel 4 itself.
    let (tx, rx) =
        usart1.split(dma2.stream::<7>(0).unwrap(), dma2.stream::<5>(0).unwrap(), CompilerFence);
    let transfer = tx.write_all(&b"F4"[..]).ok().unwrap();
    let chsel = |offset: usize| (sim.register(offset) >> 25) & 0x7;
    assert_eq!(chsel(0x10 + 0x18 * 7), 4, "S7CR.CHSEL = 4");
    assert_eq!(transfer.wait().ok().unwrap().transferred, 2);
    assert_eq!(serial.sent(), b"F4");
    serial.feed(b"ok");
    let done = rx.read_exact(common::bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"ok");
}

#[cfg(feature = "stm32f7")]
#[test]
fn stm32f7_usart1_receives_on_dma2_stream_2() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32f7;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaRead, Transfer};

    let sim = StreamDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::InterruptStatus);
    common::fast_line_under_miri(&serial);
    sim.wire(2, 4, serial.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F74x's DMA2 and USART1.
    let mut dma2: stm32f7::Dma2 = unsafe { stm32f7::Dma2::from_base(sim.base()) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32f7::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
    serial.feed(b"F7");
    // (The data-cache fence needs a cache-line buffer; the compiler fence
    // suffices on the host.)
    let rx = usart1.receiver(dma2.stream::<2>(7).unwrap(), CompilerFence);
    let done = rx.read_exact(common::bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"F7");
}

#[cfg(feature = "stm32l4")]
#[test]
fn stm32l4_usart1_selects_request_2_in_cselr_on_dma1_and_dma2() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32l4;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    // RM0351 tables 41/42: USART1_TX is DMA1 channel 4 or DMA2 channel 6,
    // request 2 in CSELR; the simulators serve it only under that request.
    let (sim1, sim2) =
        (ChannelDma::threaded(Recorder::new()), ChannelDma::threaded(Recorder::new()));
    let serial = UsartSim::new(UsartLayout::InterruptStatus);
    common::fast_line_under_miri(&serial);
    sim1.wire_request(4, 2, serial.requests(), Line::Tx);
    sim2.wire_request(6, 2, serial.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // L4's DMA1, DMA2 and USART1.
    let mut dma1: stm32l4::Dma1 = unsafe { stm32l4::Dma1::new(sim1.base(), 7) };
    // SAFETY: as above.
    let mut dma2: stm32l4::Dma2 = unsafe { stm32l4::Dma2::new(sim2.base(), 7) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32l4::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
                      // Another channel's field of the shared CSELR must survive.
    let _ch1 = dma1.channel_for_request::<1>(0xF).unwrap();
    let tx = usart1.transmitter(dma1.channel::<4>().unwrap(), CompilerFence);
    assert_eq!(sim1.register(0xA8), 2 << 12 | 0xF, "C4S = 2, C1S kept");
    let done = tx.write_all(&b"L4"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    let (usart1, _ch4) = done.resources.release();
    let tx = usart1.transmitter(dma2.channel::<6>().unwrap(), CompilerFence);
    assert_eq!(sim2.register(0xA8), 2 << 20, "C6S = 2");
    let done = tx.write_all(&b"!"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 1);
    assert_eq!(serial.sent(), b"L4!");
}

#[cfg(feature = "stm32f0")]
#[test]
fn stm32f0_usart1_on_dma1_channel_2() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32f0;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    let sim = ChannelDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::InterruptStatus);
    common::fast_line_under_miri(&serial);
    sim.wire(2, serial.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F0's DMA1 and USART1.
    let mut dma1: stm32f0::Dma1 = unsafe { stm32f0::Dma1::new(sim.base(), 5) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32f0::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
    let tx = usart1.transmitter(dma1.channel::<2>().unwrap(), CompilerFence);
    let done = tx.write_all(&b"F0"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(serial.sent(), b"F0");
}

#[cfg(feature = "stm32f3")]
#[test]
fn stm32f3_usart1_on_dma1_channel_4() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::chip::stm32f3;
    use dma_impl_stm32::usart::Usart;
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    let sim = ChannelDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::InterruptStatus);
    common::fast_line_under_miri(&serial);
    sim.wire(4, serial.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F3's DMA1 and USART1.
    let mut dma1: stm32f3::Dma1 = unsafe { stm32f3::Dma1::new(sim.base(), 7) };
    // SAFETY: as above.
    let mut usart1 = unsafe { Usart::<stm32f3::Usart1>::from_base(serial.base()) };
    usart1.enable(1); // UE, TE, RE: the USART raises DMA requests
    let tx = usart1.transmitter(dma1.channel::<4>().unwrap(), CompilerFence);
    let done = tx.write_all(&b"F3"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(serial.sent(), b"F3");
}

/// The unchecked path is unchanged: a bare register map takes any channel
/// (its caller vouched for the wiring), with the request it was taken with.
#[test]
fn a_bare_map_keeps_the_request_it_was_given() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_stm32::stream;
    use dma_impl_stm32::usart::{StatusData, Usart};
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    // USART2_TX on an F4: DMA1 stream 6, channel 4 (RM0090 table 42), no map.
    let sim = StreamDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::StatusData);
    common::fast_line_under_miri(&serial);
    sim.wire(6, 4, serial.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values; stream 6 is wired to
    // this USART's TX request under CHSEL 4.
    let mut dma1 = unsafe { stream::Dma::<stream::Dma1>::from_base(sim.base()) };
    // SAFETY: as above.
    let mut usart2 = unsafe { Usart::<StatusData>::from_base(serial.base()) };
    usart2.enable(1); // UE, TE, RE: the USART raises DMA requests
    let tx = usart2.transmitter(dma1.stream::<6>(4).unwrap(), CompilerFence);
    let done = tx.write_all(&b"u2"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!((sim.register(0x10 + 0x18 * 6) >> 25) & 0x7, 4);
}
