//! Sends a greeting over UARTE0 by EasyDMA, then idles.
//!
//! Build: `cargo build -p dma-impl-nrf --example uarte_dma --release
//! --target thumbv7em-none-eabihf --features rt,nrf52840` (or `nrf52832`).
//! TXD is P0.06 (the nRF52 DKs' VCOM pin), 115200 baud. The build script
//! links it with `-Tlink.x -Teasydma.x` (the second proves the
//! `ram_static!` buffer in data RAM). On the host the
//! example compiles to an empty program.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod firmware {
    use core::panic::PanicInfo;

    use cortex_m_rt::entry;
    use dma_impl_nrf::{peripherals, Baudrate, Pin, UarteConfig};
    use dma_traits::{DmaWrite, Transfer};

    /// The text lives in flash; EasyDMA cannot read it from there.
    const GREETING: &[u8] = b"Hello from EasyDMA\r\n";

    dma_impl_nrf::ram_static!(static BYE: [u8; 5] = *b"bye\r\n");

    #[entry]
    fn main() -> ! {
        let (Some(mut uarte), Some(txd)) = (peripherals::uarte0(), Pin::new(0, 6)) else { idle() };
        uarte.configure(&UarteConfig { txd, rxd: None, baudrate: Baudrate::Baud115200 });
        let (tx, _rx) = uarte.split();

        // A RAM copy the transfer owns for as long as the DMA reads it.
        let Some(bounce) = cortex_m::singleton!(: heapless::Vec<u8, 32> = heapless::Vec::new())
        else {
            idle()
        };
        let tx = match tx.write_all_bounced(GREETING, bounce) {
            Ok(transfer) => match transfer.wait() {
                Ok(done) => done.resources,
                Err(failed) => failed.resources,
            },
            Err(rejected) => rejected.resources,
        };

        // A buffer already in RAM goes straight to the DMA.
        let Some(counter) = cortex_m::singleton!(: [u8; 4] = *b"42\r\n") else { idle() };
        let tx = match tx.write_all(counter) {
            Ok(transfer) => match transfer.wait() {
                Ok(done) => done.resources,
                Err(failed) => failed.resources,
            },
            Err(rejected) => rejected.resources,
        };

        // A static proven in data RAM when linking (`easydma.x`): no
        // run-time address check.
        if let Ok(transfer) = tx.write_all_ram(&BYE) {
            let _outcome = transfer.wait();
        }
        idle()
    }

    fn idle() -> ! {
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &PanicInfo<'_>) -> ! {
        idle()
    }
}

/// The firmware is for `thumbv7em-none-eabihf`; on the host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {}
