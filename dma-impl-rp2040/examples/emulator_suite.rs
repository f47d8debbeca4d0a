//! On-target checks of the RP2040 HAL on `rp2040js` (the emulator of
//! `emulator/`): one line per check on UART0, `PASS name`, `FAIL name: why`
//! or `N/A name: not applicable on this emulator: reason` (never counted as
//! a pass), then `N passed, N failed`; a `BKPT` ends the run.
//!
//! ```text
//! cargo build -p dma-impl-rp2040 --release --example emulator_suite --features rt --target thumbv6m-none-eabi
//! node dma-impl-rp2040/emulator/run.mjs target/thumbv6m-none-eabi/release/examples/emulator_suite
//! ```
//!
//! On the host the example is an empty program, so `cargo test` with all
//! features still builds; the firmware is in `emulator_suite/firmware.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
#[path = "emulator_suite/firmware.rs"]
mod firmware;

#[cfg(not(target_os = "none"))]
fn main() {}
