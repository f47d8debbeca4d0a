//! A software DMA engine, register-level simulators and the conformance suite
//! for `dma-traits`. A host (`std`) development tool: not for targets.

pub mod record;
pub mod sim;
