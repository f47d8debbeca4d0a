//! Mock peripherals with DMA, implementing the `dma-traits` peripheral traits.

mod lent;
mod serial;
mod transfer;

pub use serial::MockSerial;
pub use transfer::{Defect, MockError, MockTransfer};
