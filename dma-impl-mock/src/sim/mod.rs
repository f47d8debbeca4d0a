//! Register-level simulators of real DMA controllers, driven through
//! `dma_mmio::host` so the real drivers run against them unchanged.
pub mod adversary;
pub mod nrf;
pub mod pl08x;
pub mod rp2040;
pub mod stm32;
