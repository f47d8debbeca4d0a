//! The same drivers, unchanged, on the real HAL code of `dma-impl-nrf` and
//! `dma-impl-stm32` running against the register-level simulators: the
//! logger on an nRF52840 UARTE and an STM32F4 USART (stream DMA), the strip
//! on an nRF52840 SPIM and on STM32 SPI1 (both DMA families).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::logger::Logger;
use dma_drivers::ws2812::{encode, frame_len, Rgb, Strip, RESET_BYTES};
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_nrf::{Nrf52840, Spim, Uarte};
use dma_impl_stm32::stream;
use dma_impl_stm32::usart::{StatusData, Usart};
use dma_traits::CompilerFence;

fn buffer(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0; len].into_boxed_slice())
}

#[test]
fn the_logger_runs_on_the_nrf_uarte() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this UARTE.
    let uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) };
    let (tx, _rx) = uarte.split();
    let mut log = Logger::new(tx, buffer(32), buffer(32));
    log.log(format_args!("temp {} C\n", 21)).unwrap();
    log.poll().unwrap();
    log.log(format_args!("ok\n")).unwrap();
    log.flush().unwrap();
    assert_eq!(sim.take_sent(), b"temp 21 C\nok\n");
}

#[test]
fn the_logger_runs_on_the_stm32f4_usart() {
    let dma_sim = StreamDma::threaded(Recorder::new());
    let usart_sim = UsartSim::new(UsartLayout::StatusData);
    // Under Miri a frame takes one tick of the USART's clock, not 8 (as
    // `fast_wire_under_miri` below does for the SPI).
    if cfg!(miri) {
        usart_sim.set_frame_ticks(1);
    }
    dma_sim.wire(7, 4, usart_sim.requests(), Line::Tx);
    // SAFETY: the simulated DMA2 and USART1 blocks, used only here.
    let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
    // SAFETY: as above.
    let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
    usart.enable(1); // the simulated USART raises DMA requests only when enabled
    let tx = usart.transmitter(dma.stream::<7>(4).unwrap(), CompilerFence);
    let mut log = Logger::new(tx, buffer(16), buffer(16)).with_max_transfer(5);
    log.log(format_args!("stm32 says hi\n")).unwrap();
    log.flush().unwrap();
    assert_eq!(usart_sim.sent(), b"stm32 says hi\n");
}

#[test]
fn the_strip_runs_on_the_nrf_spim() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    let mut strip = Strip::new(spim, buffer(frame_len(1)), buffer(frame_len(1)), 1).unwrap();
    strip.set(0, Rgb { r: 1, g: 2, b: 3 }).unwrap();
    strip.show().unwrap();
    strip.wait().unwrap();
    let mut expected: Vec<u8> = [2, 1, 3].into_iter().flat_map(encode).collect();
    expected.extend([0; RESET_BYTES]);
    assert_eq!(sim.take_sent(), expected);
}

#[test]
fn a_30_led_frame_goes_out_on_an_nrf52832_spim_in_chunks_of_its_maxcnt() {
    use dma_impl_nrf::Nrf52832;
    use dma_traits::DmaWrite;
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52832>::new(sim.base()) };
    // The driver reads the limit through the trait: MAXCNT is 8 bits here.
    assert_eq!(DmaWrite::<u8>::max_len(&spim), 255);
    // 30 * 9 + 96 = 366 bytes, more than one transfer carries; under Miri
    // 20 (276 bytes: still a full chunk of 252 and a second one).
    let leds = if cfg!(miri) { 20 } else { 30 };
    let mut strip =
        Strip::new(spim, buffer(frame_len(leds)), buffer(frame_len(leds)), leds).unwrap();
    assert_eq!(strip.chunk_len(), 252, "255 cut to whole LEDs");
    let colours: Vec<Rgb> =
        (0..30u8).take(leds).map(|i| Rgb { r: i, g: 2 * i, b: 255 - i }).collect();
    for (index, colour) in colours.iter().enumerate() {
        strip.set(index, *colour).unwrap();
    }
    strip.show().unwrap();
    strip.wait().unwrap();
    let mut expected: Vec<u8> =
        colours.iter().flat_map(|c| [c.g, c.r, c.b]).flat_map(encode).collect();
    expected.extend([0; RESET_BYTES]);
    assert_eq!(sim.take_sent(), expected);
}

/// Shows `colours` on a strip over `port` and waits until the frame is out.
fn show_on<P: dma_traits::DmaWrite<u8>>(port: P, colours: &[Rgb]) {
    let leds = colours.len();
    let mut strip =
        Strip::new(port, buffer(frame_len(leds)), buffer(frame_len(leds)), leds).ok().unwrap();
    for (index, colour) in colours.iter().enumerate() {
        strip.set(index, *colour).unwrap();
    }
    strip.show().ok().unwrap();
    strip.wait().ok().unwrap();
}

/// Under Miri a byte takes one tick of the simulated SPI clock, not the
/// simulator's 4: every tick is a DMA-simulator step that Miri interprets
/// (three quarters of this test's time), and the wire's speed changes only
/// how often the HAL polls, not which code runs. The native run keeps 4.
fn fast_wire_under_miri(spi_sim: &dma_impl_mock::sim::stm32::SpiSim) {
    if cfg!(miri) {
        spi_sim.set_byte_ticks(1);
    }
}

/// The strip on STM32 SPI1 by DMA: DMA2 stream 3, request 3 (the F4's
/// SPI1_TX, RM0090 table 43) and DMA1 channel 3 (the F1's, RM0008 table 78).
#[test]
fn the_strip_runs_on_the_stm32_spi1() {
    use dma_impl_mock::sim::stm32::{ChannelDma, SpiSim};
    use dma_impl_stm32::channel;
    use dma_impl_stm32::spi::Spi;
    // Under Miri 2 LEDs (the same code paths, a frame of 114 bytes, not 186
    // per controller); the native run sends 10.
    let leds = if cfg!(miri) { 2 } else { 10 };
    let colours: Vec<Rgb> = (0..leds).map(|i| Rgb { r: i, g: 3 * i, b: 200 - i }).collect();
    let mut expected: Vec<u8> =
        colours.iter().flat_map(|c| [c.g, c.r, c.b]).flat_map(encode).collect();
    expected.extend([0; RESET_BYTES]);

    // Each family in its own block: its simulator (and the worker thread
    // that plays its DMA) is gone before the next one starts.
    {
        let dma_sim = StreamDma::threaded(Recorder::new());
        let spi_sim = SpiSim::new();
        fast_wire_under_miri(&spi_sim);
        dma_sim.wire(3, 3, spi_sim.requests(), Line::Tx);
        // SAFETY: the simulated DMA2 and SPI1 blocks, used only in this
        // block, which they outlive; stream 3 request 3 is wired to the
        // SPI's TX request just above.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
        // SAFETY: as above.
        let mut spi = unsafe { Spi::from_base(spi_sim.base()) };
        spi.enable(2);
        show_on(spi.transmitter(dma.stream::<3>(3).unwrap(), CompilerFence), &colours);
        assert_eq!(spi_sim.take_sent(), expected);
    }
    {
        let dma_sim = ChannelDma::threaded(Recorder::new());
        let spi_sim = SpiSim::new();
        fast_wire_under_miri(&spi_sim);
        dma_sim.wire(3, spi_sim.requests(), Line::Tx);
        // SAFETY: the simulated DMA1 and SPI1 blocks, used only in this
        // block, which they outlive; channel 3 is wired to the SPI's TX
        // request just above.
        let mut dma = unsafe { channel::Dma::from_base(dma_sim.base(), 7) };
        // SAFETY: as above.
        let mut spi = unsafe { Spi::from_base(spi_sim.base()) };
        spi.enable(2);
        show_on(spi.transmitter(dma.channel::<3>().unwrap(), CompilerFence), &colours);
        assert_eq!(spi_sim.take_sent(), expected);
    }
}
