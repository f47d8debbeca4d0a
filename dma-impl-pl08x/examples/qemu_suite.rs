//! On-target checks of the PL081 HAL on QEMU's `mps2-an505` / `mps2-an521`
//! (Cortex-M33, secure state): one line per check, `PASS name` or
//! `FAIL name: why`, then `N passed, N failed`; the exit status (through
//! semihosting) is nonzero if any check failed.
//!
//! QEMU runs a whole transfer inside the register write that enables the
//! channel, so to hold a transfer in flight a check clears
//! `DMACConfiguration.E` first ([`Dmac::disable`]): the channel is accepted
//! and nothing moves until `E` is set again.
//!
//! ```text
//! cargo build -p dma-impl-pl08x --release --example qemu_suite --features rt --target thumbv8m.main-none-eabi
//! qemu-system-arm -M mps2-an505 -nographic -semihosting-config enable=on,target=native -kernel target/thumbv8m.main-none-eabi/release/examples/qemu_suite
//! ```
//!
//! On the host the example is an empty program, so `cargo test` with all
//! features still builds; the firmware is in `qemu_suite/firmware.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
#[path = "qemu_suite/firmware.rs"]
mod firmware;

#[cfg(not(target_os = "none"))]
fn main() {}
