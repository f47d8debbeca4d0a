//! The PAC oracle: host tests (in `tests/`) that compare every base address,
//! register offset, bit position, field width and enumerated value used by
//! `dma-impl-stm32`, `dma-impl-nrf` and their simulators in `dma-impl-mock`
//! with the svd2rust PACs generated from the vendors' SVD files.
//!
//! The tests read the constants the code itself uses (each crate exposes its
//! register map), never a second copy, so changing one value in a driver or a
//! simulator fails a test here. The crate has no code of its own.
#![no_std]
