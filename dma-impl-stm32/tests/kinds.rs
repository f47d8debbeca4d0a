//! `dma_traits::Error::kind` and `max_len` agree with what the drivers
//! refuse: a buffer of `max_len() + 1` items is refused with
//! `TooLong { max: max_len() }` and everything comes back, on every port of
//! the crate and both controller families; every variant maps to the kind a
//! portable driver can act on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use dma_impl_stm32::memory::Memory;
use dma_impl_stm32::{channel, stream, Error, MAX_ITEMS};
use dma_traits::{
    CompilerFence, DmaCopy, DmaRead, DmaWrite, Error as _, ErrorKind, FenceError, Transfer,
    WordWidth,
};

macro_rules! kind_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            #[cfg_attr(
                miri,
                ignore = "64 KiB buffers take minutes under Miri; no memory is touched"
            )]
            fn transmitter_refuses_one_more_than_max_len_with_that_max() {
                let (rig, tx, _rx) = $rig(false);
                let max = DmaWrite::<u8>::max_len(&tx);
                assert_eq!(max, 65_535);
                let err = tx.write_all(bytes(max + 1, |i| i as u8)).err().unwrap();
                assert_eq!(err.error.kind(), ErrorKind::TooLong { max });
                assert!(err.error.kind().is_refusal());
                assert_eq!(err.buffer.len(), max + 1);
                assert_eq!(err.buffer[max], max as u8, "buffer back untouched");
                assert_eq!(rig.dma.register(rig.tx_cr), 0, "channel never programmed");
                // Exactly `max_len` is taken, and the transmitter came back working.
                let t = err.resources.write_all(bytes(max, |_| 0)).ok().unwrap();
                assert!(t.stop().is_ok());
            }

            #[test]
            #[cfg_attr(
                miri,
                ignore = "64 KiB buffers take minutes under Miri; no memory is touched"
            )]
            fn receiver_refuses_one_more_than_max_len_with_that_max() {
                let (rig, _tx, rx) = $rig(false);
                let max = DmaRead::<u8>::max_len(&rx);
                let err = rx.read_exact(bytes(max + 1, |_| 0)).err().unwrap();
                assert_eq!(err.error.kind(), ErrorKind::TooLong { max });
                assert_eq!(err.buffer.len(), max + 1);
                assert_eq!(rig.dma.register(rig.rx_cr), 0);
                let err = err.resources.read_exact(bytes(0, |_| 0)).err().unwrap();
                assert_eq!(err.error.kind(), ErrorKind::Empty);
                rig.usart.feed(b"k");
                let t = err.resources.read_exact(bytes(1, |_| 0)).ok().unwrap();
                rig.run();
                assert_eq!(&*t.wait().ok().unwrap().buffer, b"k");
            }
        }
    };
}

kind_tests!(channel_dma, channel_rig);
kind_tests!(stream_dma, stream_rig);

#[test]
#[cfg_attr(miri, ignore = "128 KiB buffers take minutes under Miri; no memory is touched")]
fn copies_refuse_one_more_than_max_len_on_both_families() {
    let (c, _, _) = channel_rig(false);
    let (s, _, _) = stream_rig(false);
    // SAFETY: the simulators outlive these values (dropped in reverse order).
    let mut dma1 = unsafe { channel::Dma::from_base(c.dma.base(), 7) };
    // SAFETY: as above.
    let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(s.dma.base()) };
    let on_channel = Memory::new(dma1.channel::<1>().unwrap(), CompilerFence);
    let on_stream = Memory::new(dma2.stream::<0>(0).unwrap(), CompilerFence);
    let max = DmaCopy::<u16>::max_len(&on_channel);
    assert_eq!((max, DmaCopy::<u16>::max_len(&on_stream)), (MAX_ITEMS, MAX_ITEMS));
    let from: Box<[u16]> = vec![3; max + 1].into();
    let to: Box<[u16]> = vec![0; max + 1].into();
    let err = on_channel.copy(from, to).err().unwrap();
    assert_eq!(err.error.kind(), ErrorKind::TooLong { max });
    let (from, to) = err.buffer;
    let err = on_stream.copy(from, to).err().unwrap();
    assert_eq!(err.error.kind(), ErrorKind::TooLong { max });
    assert_eq!((err.buffer.0.len(), err.buffer.1.len()), (max + 1, max + 1));
    assert!(err.buffer.1.iter().all(|&w| w == 0), "destination untouched");
    // Other refusals of a copy, by kind.
    let from: Box<[u16]> = vec![1, 2, 3].into();
    let to: Box<[u16]> = vec![0, 0].into();
    let err = err.resources.copy(from, to).err().unwrap();
    assert_eq!(err.error.kind(), ErrorKind::LengthMismatch);
    let wide: (Box<[u64]>, Box<[u64]>) = (vec![1].into(), vec![0].into());
    let err = DmaCopy::<u64>::copy(err.resources, wide.0, wide.1).err().unwrap();
    assert_eq!(err.error.kind(), ErrorKind::UnsupportedWidth);
}

#[test]
fn every_variant_has_its_kind() {
    let fence = FenceError::NotCacheLineAligned { address: 0x2000_0001, bytes: 3 };
    let table = [
        (Error::Empty, ErrorKind::Empty),
        (Error::TooLong { items: 70_000, max: 65_535 }, ErrorKind::TooLong { max: 65_535 }),
        (Error::TooLong { items: 9, max: 8 }, ErrorKind::TooLong { max: 8 }),
        (Error::Misaligned { address: 0x1001 }, ErrorKind::Misaligned),
        (Error::UnsupportedWidth(WordWidth::Bits64), ErrorKind::UnsupportedWidth),
        (Error::LengthMismatch { source: 1, destination: 2 }, ErrorKind::LengthMismatch),
        (Error::OddLength { items: 5 }, ErrorKind::OddLength),
        (Error::Fence(fence), ErrorKind::Fence),
        (Error::Transfer, ErrorKind::Bus),
        (Error::DirectMode, ErrorKind::Overrun),
        (Error::Overrun { lost: 4 }, ErrorKind::Overrun),
        (Error::Fifo, ErrorKind::Other),
        (Error::TooShort { items: 1, min: 2 }, ErrorKind::Other),
    ];
    for (error, kind) in table {
        assert_eq!(error.kind(), kind, "{error:?}");
    }
    assert!(!Error::Transfer.kind().is_refusal());
    assert!(Error::Misaligned { address: 1 }.kind().is_refusal());
}
