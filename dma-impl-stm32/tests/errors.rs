//! Every refusal and every hardware error gives the buffer and the channel
//! (and peripheral) back, on both controller families.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use dma_impl_mock::record::Event;
use dma_impl_mock::sim::stm32::Fault;
use dma_impl_stm32::memory::Memory;
use dma_impl_stm32::{channel, stream, Error};
use dma_traits::{
    Access, CompilerFence, DmaCopy, DmaFence, DmaRead, DmaReadBuffer, DmaWrite, FenceError,
    Transfer, WordWidth,
};

/// A read buffer that reports an address of our choosing (null, misaligned).
/// Never dereferenced by the driver; only the simulated DMA would, and it
/// raises `TEIF` for null.
struct Fake {
    addr: usize,
    len: usize,
}

// SAFETY: a test double: the driver refuses or the simulator rejects these
// pointers before any memory access.
unsafe impl DmaReadBuffer for Fake {
    type Word = u32;
    fn dma_read_buffer(&self) -> (*const u32, usize) {
        (std::ptr::null::<u32>().wrapping_byte_add(self.addr), self.len)
    }
}

/// A fence that refuses every buffer, as the Cortex-M7 fence refuses one
/// that shares a cache line.
#[derive(Clone, Copy)]
struct Refusing;

// SAFETY: `release` always fails and changes nothing; `acquire` is never
// reached for a refused buffer.
unsafe impl DmaFence for Refusing {
    fn release<W>(self, buf: *const [W], _: Access) -> Result<(), FenceError> {
        Err(FenceError::NotCacheLineAligned { address: buf.cast::<W>() as usize, bytes: 3 })
    }
    fn acquire<W>(self, _: *const [W], _: Access) {}
}

macro_rules! error_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            fn empty_buffer_is_refused_untouched() {
                let (rig, tx, _rx) = $rig(false);
                rig.fast_line_under_miri();
                let err = tx.write_all(bytes(0, |_| 0)).err().unwrap();
                assert_eq!(err.error, Error::Empty);
                assert_eq!(err.buffer.len(), 0);
                assert_eq!(err.transferred, 0);
                assert_eq!(rig.dma.register(rig.tx_cr), 0, "channel never programmed");
                assert!(rig.log.events().is_empty(), "no fence ran");
                // The transmitter came back working.
                let t = err.resources.write_all(bytes(1, |_| 9)).ok().unwrap();
                rig.run();
                t.wait().ok().unwrap();
                assert_eq!(rig.usart.sent(), [9]);
            }

            #[test]
            fn more_than_65535_items_is_refused_not_truncated() {
                let (rig, _tx, rx) = $rig(false);
                let err = rx.read_exact(vec![0u8; 65_536].into_boxed_slice()).err().unwrap();
                assert_eq!(err.error, Error::TooLong { items: 65_536, max: 65_535 });
                assert_eq!(err.buffer.len(), 65_536);
                assert_eq!(rig.dma.register(rig.rx_cr), 0);
            }

            #[test]
            fn refused_by_the_fence() {
                let (rig, tx, _rx) = $rig(false);
                // The transmitter gives back its half of the USART and its
                // channel, to be used with another fence.
                let (half, channel) = tx.release();
                let tx = half.transmitter(channel, Refusing);
                let err = tx.write_all(bytes(3, |i| i as u8)).err().unwrap();
                assert!(matches!(err.error, Error::Fence(FenceError::NotCacheLineAligned { .. })));
                assert_eq!(&*err.buffer, [0, 1, 2]);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "never enabled");
                assert!(rig.usart.sent().is_empty());
            }

            #[test]
            fn transfer_error_midway_returns_everything() {
                let (rig, tx, _rx) = $rig(false);
                rig.fast_line_under_miri();
                let transfer = tx.write_all(bytes(6, |i| i as u8)).ok().unwrap();
                assert!(rig.dma.step() && rig.dma.step());
                rig.dma.fault(rig.tx_number, Fault::Transfer);
                assert!(transfer.is_done());
                let err = transfer.wait().err().unwrap();
                assert_eq!(err.error, Error::Transfer);
                assert_eq!(err.transferred, 2);
                assert_eq!(&*err.buffer, [0, 1, 2, 3, 4, 5]);
                assert_eq!(rig.usart.sent(), [0, 1]);
                assert_eq!(rig.usart.cr3() & (1 << 7), 0, "DMAT cleared");
                let events = rig.log.events();
                assert!(matches!(events.last(), Some(Event::Acquire { .. })));
                // Flags were cleared: the next transfer starts clean.
                let again = err.resources.write_all(bytes(1, |_| 7)).ok().unwrap();
                rig.run();
                assert_eq!(again.wait().ok().unwrap().transferred, 1);
            }
        }
    };
}

error_tests!(channel_dma, channel_rig);
error_tests!(stream_dma, stream_rig);

/// One controller of each family, for the memory-to-memory refusals.
fn controllers() -> (
    common::Rig<dma_impl_mock::sim::stm32::ChannelDma>,
    common::Rig<dma_impl_mock::sim::stm32::StreamDma>,
    channel::Dma,
    stream::Dma,
) {
    let (c, _, _) = channel_rig(false);
    let (s, _, _) = stream_rig(false);
    // SAFETY: the simulators outlive these values (dropped in reverse order).
    let dma1 = unsafe { channel::Dma::from_base(c.dma.base(), 7) };
    // SAFETY: as above.
    let dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(s.dma.base()) };
    (c, s, dma1, dma2)
}

#[test]
fn misaligned_buffer_is_refused() {
    let (_c, _s, mut dma1, mut dma2) = controllers();
    let to: Box<[u32]> = vec![0; 2].into();
    let err = Memory::new(dma1.channel::<1>().unwrap(), CompilerFence)
        .copy(Fake { addr: 0x1002, len: 2 }, to)
        .err()
        .unwrap();
    assert_eq!(err.error, Error::Misaligned { address: 0x1002 });
    let (from, to) = err.buffer;
    let err =
        Memory::new(dma2.stream::<0>(0).unwrap(), CompilerFence).copy(from, to).err().unwrap();
    assert_eq!(err.error, Error::Misaligned { address: 0x1002 });
}

#[test]
fn sixty_four_bit_words_are_refused() {
    let (_c, _s, mut dma1, mut dma2) = controllers();
    let from: Box<[u64]> = vec![1, 2].into();
    let to: Box<[u64]> = vec![0, 0].into();
    let err =
        Memory::new(dma1.channel::<2>().unwrap(), CompilerFence).copy(from, to).err().unwrap();
    assert_eq!(err.error, Error::UnsupportedWidth(WordWidth::Bits64));
    let (from, to) = err.buffer;
    let err =
        Memory::new(dma2.stream::<1>(0).unwrap(), CompilerFence).copy(from, to).err().unwrap();
    assert_eq!(err.error, Error::UnsupportedWidth(WordWidth::Bits64));
    assert_eq!(*err.buffer.0, [1, 2]);
}

#[test]
fn length_mismatch_is_refused() {
    let (_c, _s, mut dma1, _dma2) = controllers();
    let from: Box<[u16]> = vec![1, 2, 3].into();
    let to: Box<[u16]> = vec![0, 0].into();
    let err =
        Memory::new(dma1.channel::<3>().unwrap(), CompilerFence).copy(from, to).err().unwrap();
    assert_eq!(err.error, Error::LengthMismatch { source: 3, destination: 2 });
    assert_eq!(*err.buffer.0, [1, 2, 3]);
}

#[test]
fn null_address_raises_teif_and_returns_everything() {
    let (c, s, mut dma1, mut dma2) = controllers();
    let to: Box<[u32]> = vec![5; 2].into();
    let copy = Memory::new(dma1.channel::<1>().unwrap(), CompilerFence)
        .copy(Fake { addr: 0, len: 2 }, to)
        .ok()
        .unwrap();
    c.run();
    let err = copy.wait().err().unwrap();
    assert_eq!(err.error, Error::Transfer);
    assert_eq!(err.transferred, 0);
    assert_eq!(*err.buffer.1, [5, 5]);
    let (from, to) = err.buffer;
    let copy =
        Memory::new(dma2.stream::<0>(0).unwrap(), CompilerFence).copy(from, to).ok().unwrap();
    s.run();
    assert_eq!(copy.wait().err().unwrap().error, Error::Transfer);
    assert!(!c.log.events().iter().any(is_dma_access), "no memory touched");
}

#[test]
fn feif_in_direct_mode_is_not_an_error_dmeif_is() {
    let (rig, tx, _rx) = stream_rig(false);
    rig.fast_line_under_miri();
    let transfer = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
    rig.dma.step();
    // RM0090 §10.3.18: in direct mode FEIF may be set with no data lost and
    // the stream running: the transfer goes on and succeeds.
    rig.dma.fault(7, Fault::Fifo);
    assert!(!transfer.is_done(), "FEIF in direct mode does not end the transfer");
    rig.run();
    let done = transfer.wait().ok().unwrap();
    assert_eq!(done.transferred, 4);
    assert_eq!(rig.usart.take_sent(), [0, 1, 2, 3]);
    let transfer = done.resources.write_all(done.buffer).ok().unwrap();
    rig.dma.fault(7, Fault::DirectMode);
    let err = transfer.wait().err().unwrap();
    assert_eq!(err.error, Error::DirectMode);
    // The stop drains (RM0090 §10.3.14): what moved meanwhile is counted.
    assert_eq!(err.transferred, rig.usart.take_sent().len());
    assert_eq!(&*err.buffer, [0, 1, 2, 3]);
    assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "stream stopped");
}

#[test]
fn odd_circular_length_is_refused() {
    let (_rig, _tx, rx) = channel_rig(false);
    let err = rx.read_circular(bytes(5, |_| 0)).err().unwrap();
    assert_eq!(err.error, Error::OddLength { items: 5 });
    let (_rig, _tx, rx) = stream_rig(false);
    let err = rx.read_circular(bytes(0, |_| 0)).err().unwrap();
    assert_eq!(err.error, Error::Empty);
}

#[test]
fn read_exact_refusal_returns_the_receiver() {
    let (rig, _tx, rx) = stream_rig(false);
    let err = rx.read_exact(bytes(0, |_| 0)).err().unwrap();
    rig.usart.feed(b"ok");
    let t = err.resources.read_exact(bytes(2, |_| 0)).ok().unwrap();
    rig.run();
    assert_eq!(&*t.wait().ok().unwrap().buffer, b"ok");
}
