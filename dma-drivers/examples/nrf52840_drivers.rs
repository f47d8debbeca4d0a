//! Both drivers on an nRF52840, unchanged: the logger on UARTE0 (TXD P0.06,
//! the DK's VCOM, 115200 baud) and the WS2812 strip on SPIM1 (MOSI P0.26,
//! SCK P0.27), each a `DmaWrite<u8>` of `dma-impl-nrf`. All buffers are
//! statics in data RAM, where EasyDMA reaches.
//!
//! `dma-impl-nrf` offers 125 kHz, 1 MHz and 8 MHz SPIM clocks; the WS2812
//! encoding needs 2.4 MHz, so a real strip waits for a closer clock there.
//!
//! ```text
//! cargo build -p dma-drivers --example nrf52840_drivers --release \
//!     --target thumbv7em-none-eabihf --features rt,nrf52840
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
#[path = "shared/app.rs"]
mod app;

#[cfg(target_os = "none")]
mod firmware {
    use cortex_m_rt::entry;
    use dma_impl_nrf::spim::Frequency;
    use dma_impl_nrf::{peripherals, Baudrate, Pin, SpimConfig, UarteConfig};

    use crate::app;

    #[entry]
    fn main() -> ! {
        let (Some(mut uarte), Some(mut spim)) = (peripherals::uarte0(), peripherals::spim1())
        else {
            halt()
        };
        let (Some(txd), Some(mosi), Some(sck)) = (Pin::new(0, 6), Pin::new(0, 26), Pin::new(0, 27))
        else {
            halt()
        };
        uarte.configure(&UarteConfig { txd, rxd: None, baudrate: Baudrate::Baud115200 });
        let (serial, _rx) = uarte.split();
        spim.configure(&SpimConfig {
            sck,
            mosi: Some(mosi),
            miso: None,
            frequency: Frequency::M1,
            mode: 0,
        });

        let (Some(log_a), Some(log_b), Some(frame_a), Some(frame_b)) = (
            cortex_m::singleton!(: [u8; app::LOG] = [0; app::LOG]),
            cortex_m::singleton!(: [u8; app::LOG] = [0; app::LOG]),
            cortex_m::singleton!(: [u8; app::FRAME] = [0; app::FRAME]),
            cortex_m::singleton!(: [u8; app::FRAME] = [0; app::FRAME]),
        ) else {
            halt()
        };
        app::run(serial, [log_a, log_b], spim, [frame_a, frame_b])
    }

    fn halt() -> ! {
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        halt()
    }
}

/// Firmware for `thumbv7em-none-eabihf`; on the host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {}
