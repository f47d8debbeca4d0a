//! Mock peripherals with DMA, implementing the `dma-traits` peripheral traits.

mod memcopy;
mod serial;
mod spi;
mod stream;
mod transfer;

pub use memcopy::{CopyError, MockMemCopy};
pub use serial::MockSerial;
pub use spi::MockSpi;
pub use stream::MockStream;
pub use transfer::{Defect, Hang, MockError, MockTransfer, NO_PROGRESS_LIMIT};
