//! ARM PL081 (DMA0 of the MPS2 AN505 / AN521, secure alias), channel 0,
//! memory to memory: `copy` + `wait` of `u32` words through `dma-impl-pl08x`
//! (no linked-list pool: one segment of at most 4095 items), against the
//! tight hand-written sequence with the same guarantees. See
//! `bench/src/lib.rs` for the shapes, `bench/run.sh`.
//!
//! The hand-written sequence (PL080/PL081 TRM, "Programming the DMAC"):
//! check the lengths (equal, 1..=4095) and that both buffers lie in the
//! secure SSRAM windows the DMA reaches (`mps2::SecureSsram`; the `u32`
//! slices are aligned by type); clear the channel's TC and error interrupt
//! status; `SrcAddr`, `DestAddr`, `LLI` = 0, `Control` (32-bit widths, both
//! addresses increment, terminal-count interrupt bit, size); `DMB` (the
//! release fence); one `Configuration` write with `IE`, `ITC` and `E`; poll
//! until `E` reads 0 (the channel disables itself at the end of the transfer
//! and on an error); `DMB` (acquire); `Control`'s remaining size and the raw
//! error status; clear TC and error status; return the count, flagged on an
//! error.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]
// 32-bit target: lengths and addresses fit `u32`. The hand-written sequences
// are each one unsafe block, as hand-written register code is.
#![allow(clippy::cast_possible_truncation, clippy::multiple_unsafe_ops_per_block)]

// Each build holds one shape: what the others use is unused there.
#[cfg(target_os = "none")]
#[allow(dead_code)]
mod firmware {
    use core::hint::black_box;
    use core::ptr::{addr_of_mut, read_volatile as rd, write_volatile as wr};

    use cortex_m_rt::entry;
    use dma_bench::{outcome, ERR};
    use dma_impl_pl08x::{mps2, Channel, DmbFence, NoLliPool, Pl081};
    use dma_traits::DmaCopy;

    /// In the SSRAM1 image (its secure alias), which the DMA reaches.
    static SOURCE: [u32; 16] = [0x5A5A_5A5A; 16];
    /// In SSRAM2+3 (secure alias).
    static mut DESTINATION: [u32; 16] = [0; 16];

    const DMA0: usize = mps2::DMA_SECURE[0];

    pub(crate) type Ch = Channel<2, DmbFence, NoLliPool, mps2::SecureSsram>;

    /// A hand-written driver's channel token (zero-sized).
    #[derive(Debug)]
    pub(crate) struct Hand(());

    fn channel() -> Ch {
        // SAFETY: this program owns DMA0 of the board; the windows are the
        // secure SSRAM aliases its secure master reaches.
        let mut dma = unsafe { Pl081::new(DMA0 as *mut u32, mps2::SecureSsram) };
        match dma.channel(0) {
            Some(channel) => channel,
            None => loop {
                cortex_m::asm::wfi();
            },
        }
    }

    fn destination() -> &'static mut [u32; 16] {
        // SAFETY: each benchmark function runs once, and only one of them
        // (through the crate or by hand) holds the buffer at a time.
        unsafe { &mut *addr_of_mut!(DESTINATION) }
    }

    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_const_crate() -> u32 {
        outcome!(channel().copy(&SOURCE, destination())).1
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_held_crate(
        ch: Ch,
        src: &'static [u32],
        dst: &'static mut [u32],
    ) -> (Ch, u32) {
        outcome!(ch.copy(src, dst))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_two_crate(
        ch: Ch,
        a: (&'static [u32], &'static mut [u32]),
        b: (&'static [u32], &'static mut [u32]),
    ) -> (Ch, u32) {
        let (ch, n) = copy_through_crate(ch, a.0, a.1);
        let (ch, m) = copy_through_crate(ch, b.0, b.1);
        (ch, n.wrapping_add(m))
    }

    /// The `two` shape's call, written once as the hand-written column's
    /// `copy_checked` is: no inlining attribute, so LLVM decides for both
    /// columns alike whether to copy it into the two call sites.
    #[cfg(feature = "shape-two")]
    fn copy_through_crate(ch: Ch, src: &'static [u32], dst: &'static mut [u32]) -> (Ch, u32) {
        outcome!(ch.copy(src, dst))
    }

    const CH0: usize = DMA0 + 0x100;
    const INT_TC_CLEAR: *mut u32 = (DMA0 + 0x008) as *mut u32;
    const INT_ERR_CLEAR: *mut u32 = (DMA0 + 0x010) as *mut u32;
    const RAW_INT_ERROR_STATUS: *mut u32 = (DMA0 + 0x018) as *mut u32;
    const SRC_ADDR: *mut u32 = CH0 as *mut u32;
    const DEST_ADDR: *mut u32 = (CH0 + 0x04) as *mut u32;
    const LLI: *mut u32 = (CH0 + 0x08) as *mut u32;
    const CONTROL: *mut u32 = (CH0 + 0x0C) as *mut u32;
    const CONFIG: *mut u32 = (CH0 + 0x10) as *mut u32;
    /// 32-bit source and destination, both incrementing, terminal-count interrupt.
    const CONTROL_BITS: u32 = 2 << 18 | 2 << 21 | 1 << 26 | 1 << 27 | 1 << 31;
    /// `IE`, `ITC`, `E` (memory to memory, no peripheral).
    const CONFIG_BITS: u32 = 1 << 14 | 1 << 15 | 1;
    const E: u32 = 1;
    const BIT: u32 = 1 << 0;

    /// Whether `words` words at `p` lie in one of the windows the DMA reaches.
    #[inline(always)]
    fn reachable(p: *const u32, words: u32) -> bool {
        let (a, bytes) = (p as u32, words * 4);
        // `bytes <= 4 * 4095` is less than each window's 4 MiB.
        a.wrapping_sub(0x1000_0000) <= 0x40_0000 - bytes
            || a.wrapping_sub(0x3800_0000) <= 0x40_0000 - bytes
    }

    /// Copy + wait by hand; `len` is 1..=4095 and both buffers reachable.
    #[inline(always)]
    fn copy(src: *const u32, dst: *mut u32, len: u32) -> u32 {
        // SAFETY: DMA0 channel 0, owned by the holder of `Hand`; both
        // buffers are `'static`, reachable by the DMA, the destination
        // exclusively the DMA's until the channel reads disabled.
        unsafe {
            wr(INT_TC_CLEAR, BIT);
            wr(INT_ERR_CLEAR, BIT);
            wr(SRC_ADDR, src as u32);
            wr(DEST_ADDR, dst as u32);
            wr(LLI, 0);
            wr(CONTROL, CONTROL_BITS | len);
            cortex_m::asm::dmb();
            wr(CONFIG, CONFIG_BITS);
            while rd(CONFIG) & E != 0 {
                core::hint::spin_loop();
            }
            cortex_m::asm::dmb();
            let left = rd(CONTROL) & 0xFFF;
            let failed = rd(RAW_INT_ERROR_STATUS) & BIT != 0;
            wr(INT_TC_CLEAR, BIT);
            wr(INT_ERR_CLEAR, BIT);
            let moved = len - left.min(len);
            if failed {
                moved | ERR
            } else {
                moved
            }
        }
    }

    /// With the checks of runtime buffers. No inlining attribute: as for
    /// the crates' methods, LLVM decides.
    #[cfg(any(feature = "shape-held", feature = "shape-two"))]
    fn copy_checked(src: &'static [u32], dst: &'static mut [u32]) -> u32 {
        let len = src.len();
        if len != dst.len() || len == 0 || len > 0xFFF {
            return ERR;
        }
        let len = len as u32;
        if !reachable(src.as_ptr(), len) || !reachable(dst.as_ptr(), len) {
            return ERR;
        }
        copy(src.as_ptr(), dst.as_mut_ptr(), len)
    }

    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_const_hand() -> u32 {
        let dst = destination();
        if !reachable(SOURCE.as_ptr(), 16) || !reachable(dst.as_ptr(), 16) {
            return ERR;
        }
        copy(SOURCE.as_ptr(), dst.as_mut_ptr(), 16)
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_held_hand(
        ch: Hand,
        src: &'static [u32],
        dst: &'static mut [u32],
    ) -> (Hand, u32) {
        (ch, copy_checked(src, dst))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn pl08x_two_hand(
        ch: Hand,
        a: (&'static [u32], &'static mut [u32]),
        b: (&'static [u32], &'static mut [u32]),
    ) -> (Hand, u32) {
        let n = copy_checked(a.0, a.1);
        let m = copy_checked(b.0, b.1);
        (ch, n.wrapping_add(m))
    }

    #[entry]
    fn main() -> ! {
        #[cfg(feature = "shape-const")]
        black_box((pl08x_const_crate(), pl08x_const_hand()));
        #[cfg(feature = "shape-held")]
        {
            let (_, n) = pl08x_held_crate(channel(), black_box(&SOURCE), black_box(destination()));
            let (_, m) = pl08x_held_hand(Hand(()), black_box(&SOURCE), black_box(destination()));
            black_box((n, m));
        }
        #[cfg(feature = "shape-two")]
        {
            let two = || (black_box(&SOURCE[..]), black_box(&mut destination()[..]));
            let (_, n) = pl08x_two_crate(channel(), two(), two());
            let (_, m) = pl08x_two_hand(Hand(()), two(), two());
            black_box((n, m));
        }
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {
            cortex_m::asm::wfi();
        }
    }
}

#[cfg(not(target_os = "none"))]
fn main() {}
