//! Bad input: refused without a panic, with everything given back, and the
//! channel usable afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{leak, Fake};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{mps2, Dmac, Error, Pl081};
use dma_traits::{DmaCopy, Transfer, WordWidth};

fn board() -> (Pl08xSim, Pl081<mps2::SecureSsram>) {
    let sim = Pl08xSim::threaded(2);
    // SAFETY: the simulator outlives the controller value.
    let dmac = unsafe { Dmac::new(sim.base(), mps2::SecureSsram) };
    (sim, dmac)
}

#[test]
fn zero_length_and_length_mismatch_are_refused() {
    let (_sim, mut dmac) = board();
    let ch = dmac.channel(0).unwrap();
    let refused = ch.copy(&[] as &[u32], leak(&[0u32; 0])).err().unwrap();
    assert_eq!((refused.error, refused.transferred), (Error::Empty, 0));
    let refused = refused.resources.copy(&[1u8, 2][..], leak(&[0u8; 3])).err().unwrap();
    assert_eq!(refused.error, Error::LengthMismatch { source: 2, destination: 3 });
    assert_eq!(refused.buffer.1, &[0, 0, 0]);
    let done = refused.resources.copy(&[1u8][..], leak(&[0u8])).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.buffer.1, &[1]);
}

#[test]
fn misaligned_buffers_and_sixty_four_bit_words_are_refused() {
    let (_sim, mut dmac) = board();
    let ch = dmac.channel(1).unwrap();
    let refused = ch.copy(Fake::<u32>::new(0x3800_0002, 2), leak(&[0u32; 2])).err().unwrap();
    assert_eq!(refused.error, Error::Misaligned { address: 0x3800_0002 });
    assert_eq!(refused.buffer.0.addr, 0x3800_0002);
    let refused =
        refused.resources.copy(Fake::<u16>::new(0x3800_0001, 1), leak(&[0u16])).err().unwrap();
    assert_eq!(refused.error, Error::Misaligned { address: 0x3800_0001 });
    let refused = refused.resources.copy(&[1u64][..], leak(&[0u64])).err().unwrap();
    assert_eq!(refused.error, Error::UnsupportedWidth(WordWidth::Bits64));
}

#[test]
fn memory_the_secure_dma_cannot_reach_is_refused() {
    let (_sim, mut dmac) = board();
    let ch = dmac.channel(0).unwrap();
    let from = leak(&[1u32, 2]);
    let to = leak(&[0u32; 2]);
    // SSRAM2 through its non-secure alias: the DMA's writes would vanish.
    let _ns = dma_mmio::host::place(to.as_ptr().cast(), 8, 0x2800_1000);
    let refused = ch.copy(&*from, to).err().unwrap();
    assert_eq!(
        refused.error,
        Error::Unreachable { address: refused.buffer.1.as_ptr() as usize, bytes: 8 }
    );
    drop(_ns);
    let (from, to) = refused.buffer;
    // The same memory at its secure alias is fine.
    let _s = dma_mmio::host::place(to.as_ptr().cast(), 8, 0x3800_1000);
    let _code = dma_mmio::host::place(from.as_ptr().cast(), 8, 0x1000_2000);
    let done = refused.resources.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.buffer.1, &[1, 2]);
    // A source in the non-secure code alias, or straddling a window's end.
    drop(_code);
    let _ns = dma_mmio::host::place(done.buffer.0.as_ptr().cast(), 8, 0x0000_2000);
    let refused = done.resources.copy(done.buffer.0, done.buffer.1).err().unwrap();
    assert!(matches!(refused.error, Error::Unreachable { bytes: 8, .. }));
    drop(_ns);
    let _edge = dma_mmio::host::place(refused.buffer.0.as_ptr().cast(), 8, 0x383F_FFFC);
    let refused = refused.resources.copy(refused.buffer.0, refused.buffer.1).err().unwrap();
    assert!(matches!(refused.error, Error::Unreachable { .. }));
}

#[test]
fn segment_limits_out_of_range_are_refused() {
    let (_sim, mut dmac) = board();
    let ch = dmac.channel(0).unwrap();
    let ch = ch.with_segment_limit(0).err().unwrap();
    let ch = ch.with_segment_limit(4096).err().unwrap();
    assert_eq!(ch.segment_limit(), 4095);
    assert_eq!(ch.with_segment_limit(4095).ok().unwrap().max_items(), 4095);
}

/// The board as a type (two compares of constants) and the board's window
/// list (walked at run time) refuse and accept the same memory, and both
/// agree with the AN505 / AN521 map written out here: SSRAM1's secure
/// alias 0x1000_0000 and SSRAM2+3's 0x3800_0000, 4 MiB each.
#[test]
fn the_board_type_and_its_window_list_reach_the_same_memory() {
    use dma_impl_pl08x::Reach;
    const MIB4: u64 = 0x40_0000;
    let inside = |bus: u64, bytes: u64| {
        [0x1000_0000u64, 0x3800_0000].iter().any(|&w| bus >= w && bus + bytes <= w + MIB4)
    };
    let memory = leak(&[0u8; 64]);
    let mut seen = [0usize; 2];
    for edge in [0x0000_0000u64, 0x1000_0000, 0x1040_0000, 0x2800_0000, 0x3800_0000, 0x3840_0000] {
        for delta in [-64i64, -8, -1, 0, 1, 8] {
            let Some(bus) = edge.checked_add_signed(delta) else { continue };
            for bytes in [1u64, 4, 8, 64] {
                let at = u32::try_from(bus).unwrap();
                let _placed = dma_mmio::host::place(memory.as_ptr(), 64, at);
                let n = usize::try_from(bytes).unwrap();
                let typed = mps2::SecureSsram.reaches(memory.as_ptr(), n);
                let listed = mps2::SECURE_SSRAM.reaches(memory.as_ptr(), n);
                assert_eq!(typed, inside(bus, bytes), "type, {bytes} bytes at {bus:#x}");
                assert_eq!(listed, typed, "list, {bytes} bytes at {bus:#x}");
                seen[usize::from(typed)] += 1;
            }
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "both answers were exercised: {seen:?}");
}
