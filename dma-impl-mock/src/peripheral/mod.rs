//! Mock peripherals with DMA, implementing the `dma-traits` peripheral traits.

mod serial;
mod transfer;

pub use serial::MockSerial;
pub use transfer::{Defect, MockError, MockTransfer};
