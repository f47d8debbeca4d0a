//! A panic in the HAL while `DmaSpiBus` has a borrowed buffer on the DMA:
//! the DMA is stopped before the panic leaves the bus, and the bus reports
//! the port as lost afterwards instead of using it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use dma_drivers::spi_bus::{DmaSpiBus, SpiBusError};
use dma_impl_mock::peripheral::MockSpi;
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::{MockDma, MockError};
use dma_traits::{
    CompilerFence, DmaFullDuplex, DmaReadBuffer, DmaWriteBuffer, Finished, Outcome, Transfer,
    TransferError,
};
use embedded_hal::spi::SpiBus;

/// A mock SPI whose transfers panic when polled: a HAL bug.
#[derive(Debug)]
struct Buggy(MockSpi);

impl dma_traits::Sent for Buggy {
    fn is_sent(&self) -> bool {
        self.0.is_sent()
    }
}

/// The mock's transfer, panicking in `is_done`.
struct PanicOnPoll<T>(T);

// SAFETY: `stop` and drop are the inner transfer's, which meets the contract
// (`MockTransfer`); `is_done` panics before touching anything, and unwinding
// drops the inner transfer, which stops the DMA and runs the acquire fence.
unsafe impl<T: Transfer<Resources = MockSpi>> Transfer for PanicOnPoll<T> {
    type Buffer = T::Buffer;
    type Resources = Buggy;
    type Error = T::Error;

    fn is_done(&self) -> bool {
        panic!("HAL bug while polling a transfer")
    }

    fn stop(self) -> Outcome<Self> {
        match self.0.stop() {
            Ok(done) => Ok(Finished {
                buffer: done.buffer,
                resources: Buggy(done.resources),
                transferred: done.transferred,
            }),
            Err(failed) => Err(TransferError {
                error: failed.error,
                buffer: failed.buffer,
                resources: Buggy(failed.resources),
                transferred: failed.transferred,
            }),
        }
    }
}

// SAFETY: everything is the mock's `DmaFullDuplex`, whose contract holds.
unsafe impl DmaFullDuplex<u8> for Buggy {
    type Error = MockError;
    type Transfer<TX: DmaReadBuffer<Word = u8>, RX: DmaWriteBuffer<Word = u8>> =
        PanicOnPoll<<MockSpi as DmaFullDuplex<u8>>::Transfer<TX, RX>>;

    unsafe fn transfer_unchecked<TX, RX>(
        self,
        tx: TX,
        rx: RX,
    ) -> Result<Self::Transfer<TX, RX>, TransferError<MockError, (TX, RX), Self>>
    where
        TX: DmaReadBuffer<Word = u8>,
        RX: DmaWriteBuffer<Word = u8>,
    {
        // SAFETY: forwarded from this function's contract.
        match unsafe { self.0.transfer_unchecked(tx, rx) } {
            Ok(transfer) => Ok(PanicOnPoll(transfer)),
            Err(e) => Err(TransferError::rejected(e.error, e.buffer, Buggy(e.resources))),
        }
    }
}

#[test]
fn a_panic_mid_transfer_stops_the_dma_before_the_borrow_ends() {
    let log = Recorder::new();
    let dma = MockDma::threaded(log.clone());
    let spi = MockSpi::new(&dma, CompilerFence);
    spi.wire().deliver(&[0u8; 8]);
    let mut bus: DmaSpiBus<_, 8> = DmaSpiBus::new(Buggy(spi));
    dma.stall_next_after(2); // the transfer is still running when the HAL panics
    let data = [1u8, 2, 3, 4, 5, 6];
    let unwound = catch_unwind(AssertUnwindSafe(|| bus.write(&data)));
    log.push(Event::Note("unwound"));
    assert!(unwound.is_err(), "the panic went through the bus");

    std::thread::sleep(std::time::Duration::from_millis(2));
    let events = log.events();
    let note = events.iter().position(|e| *e == Event::Note("unwound")).unwrap();
    assert!(events[..note].contains(&Event::Stopped), "stopped before the unwind left the bus");
    assert!(
        !events[note..].iter().any(|e| matches!(e, Event::DmaRead { .. } | Event::DmaWrite { .. })),
        "no DMA access after the borrowed buffer was free again"
    );
    assert_eq!(data, [1, 2, 3, 4, 5, 6]);
    assert_eq!(bus.flush(), Err(SpiBusError::PortLost));
    assert_eq!(bus.write(&[9]), Err(SpiBusError::PortLost));
}
