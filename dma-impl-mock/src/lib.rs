//! A software DMA engine, register-level simulators and the conformance suite
//! for `dma-traits`. A host (`std`) development tool: not for targets.

pub mod bits;
pub mod conformance;
pub mod engine;
pub mod peripheral;
pub mod record;
pub mod sim;

pub use engine::{MockDma, Wire};
pub use peripheral::{MockError, MockSerial, MockTransfer};
