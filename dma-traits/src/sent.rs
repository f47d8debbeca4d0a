//! "Sent" as well as "done": whether the words a finished transfer moved
//! into a peripheral have also left it.
//!
//! A transfer is done when the DMA has let go of memory: its last word is in
//! the peripheral's data register, not yet on the wire. A USART shifts it
//! out for another frame time (STM32 `TC` is set only then), an SPI keeps
//! `BSY` until the last bit is clocked. A driver that toggles a chip select
//! or a display's D/C line, turns an RS-485 bus around, or implements
//! `embedded-io`'s `flush`, must wait for that: [`Sent::is_sent`].
//!
//! It is a trait of its own, implemented by the peripheral (the value a
//! transfer gives back), because it is a question about the peripheral,
//! asked between transfers, and a driver that does not toggle lines need
//! not require it.
//!
//! # For HAL authors
//!
//! Implement it for every peripheral with a transmit side, from the flag
//! that says the shift register is empty (STM32 USART `TC`, SPI `BSY` clear
//! with `TXE` set; on an nRF52 `ENDTX` only means EasyDMA is done, and the
//! halt's `STOPTX` → `TXSTOPPED` (SPIM `END`, TWIM `STOPPED`) comes after the
//! last byte, so it is true once the transfer has ended).
//!
//! # For driver authors
//!
//! ```
//! use dma_traits::{DmaWrite, Sent, Transfer};
//!
//! /// Sends a command, then releases the chip select only once it is out.
//! fn command<P: DmaWrite<u8> + Sent>(port: P, cmd: &'static [u8], release_cs: impl FnOnce()) -> P {
//!     let port = match port.write_all(cmd) {
//!         Ok(sending) => match sending.wait() {
//!             Ok(done) => done.resources,
//!             Err(failed) => failed.resources,
//!         },
//!         Err(refused) => refused.resources,
//!     };
//!     port.wait_sent();
//!     release_cs();
//!     port
//! }
//! # let port = command(support::Serial::default(), b"\x2A", || ());
//! # assert_eq!(port.sent, 1);
//! # mod support { include!("../tests/support/serial.rs"); }
//! ```

/// A peripheral that can tell whether what the DMA gave it has left it.
pub trait Sent {
    /// Whether every word a finished transfer moved into the peripheral has
    /// left it (the transmitter is idle). While a transfer runs, or before
    /// any, it says whether the transmitter is idle now.
    fn is_sent(&self) -> bool;

    /// Waits until [`is_sent`](Self::is_sent). Call it only after the
    /// transfer ended: a transmitter with no more words always drains.
    fn wait_sent(&self) {
        while !self.is_sent() {
            core::hint::spin_loop();
        }
    }
}
