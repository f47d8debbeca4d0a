//! STM32F1, DMA1 channel 4 to USART1 TX: `write_all` + `wait` through
//! `dma-impl-stm32`, against the tight hand-written sequence with the same
//! guarantees. See `bench/src/lib.rs` for the shapes, `bench/run.sh`.
//!
//! The hand-written sequence (RM0008 §13.3.3 channel configuration,
//! §27.3.13 USART transmission using DMA):
//!
//! * start: clear `TC` (`SR`, rc_w0); release fence; clear the channel's
//!   flags (`IFCR`); `CNDTR`, `CPAR`, `CMAR`; one `CCR` write with the
//!   configuration and `EN`; set `DMAT` (read-modify-write of `CR3`, no
//!   critical section: the transmitter owns the whole USART);
//! * wait: poll `ISR` until `TCIF` or `TEIF`; write `CCR` with the
//!   configuration and `EN` clear (a channel keeps `EN` after its last
//!   transfer; a transfer error clears it, RM0008 §13.3.7) and wait until
//!   `EN` reads 0; read `CNDTR`; clear the flags; acquire fence; clear `DMAT`;
//!   return the count, flagged on `TEIF`.
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
    use core::ptr::{read_volatile as rd, write_volatile as wr};
    use core::sync::atomic::{compiler_fence, Ordering};

    use cortex_m_rt::entry;
    use dma_bench::{outcome, ERR};
    use dma_impl_stm32::channel::{self, Channel};
    use dma_impl_stm32::chip::stm32f1::{Usart1, DMA1, USART1};
    use dma_impl_stm32::usart::{Usart, UsartTx};
    use dma_traits::{CompilerFence, DmaWrite};

    static MESSAGE: [u8; 16] = *b"zero-cost DMA!\r\n";

    /// The transmitter the `held` and `two` shapes get from their caller.
    pub(crate) type Tx = UsartTx<Usart1, Channel<4, channel::Dma1>, CompilerFence>;

    /// The hand-written transmitter: owning it is the right to use DMA1
    /// channel 4 and USART1 (a zero-sized token: the addresses are constants).
    #[derive(Debug)]
    pub(crate) struct HandTx(());

    fn take() -> Tx {
        // SAFETY: this program owns DMA1 and USART1; each benchmark function
        // runs alone; DMA1 of an F1 has 7 channels.
        let mut dma1 = unsafe { channel::Dma::<channel::Dma1>::new(DMA1 as *mut u32, 7) };
        // SAFETY: as above.
        let usart = unsafe { Usart::<Usart1>::from_base(USART1 as *mut u32) };
        match dma1.channel::<4>() {
            Some(c4) => usart.transmitter(c4, CompilerFence),
            None => loop {
                cortex_m::asm::wfi();
            },
        }
    }

    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_const_crate() -> u32 {
        outcome!(take().write_all(&MESSAGE)).1
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_held_crate(tx: Tx, buf: &'static [u8]) -> (Tx, u32) {
        outcome!(tx.write_all(buf))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_two_crate(tx: Tx, a: &'static [u8], b: &'static [u8]) -> (Tx, u32) {
        let (tx, n) = send_through_crate(tx, a);
        let (tx, m) = send_through_crate(tx, b);
        (tx, n.wrapping_add(m))
    }

    /// The `two` shape's call, written once as the hand-written column's
    /// `send_checked` is: no inlining attribute, so LLVM decides for both
    /// columns alike whether to copy it into the two call sites.
    #[cfg(feature = "shape-two")]
    fn send_through_crate(tx: Tx, buf: &'static [u8]) -> (Tx, u32) {
        outcome!(tx.write_all(buf))
    }

    const CH4: usize = DMA1 + 0x08 + 0x14 * 3;
    const CCR: *mut u32 = CH4 as *mut u32;
    const CNDTR: *mut u32 = (CH4 + 0x04) as *mut u32;
    const CPAR: *mut u32 = (CH4 + 0x08) as *mut u32;
    const CMAR: *mut u32 = (CH4 + 0x0C) as *mut u32;
    const ISR: *mut u32 = DMA1 as *mut u32;
    const IFCR: *mut u32 = (DMA1 + 0x04) as *mut u32;
    const SR: *mut u32 = USART1 as *mut u32;
    const DR: usize = USART1 + 0x04;
    const CR3: *mut u32 = (USART1 + 0x14) as *mut u32;
    const DMAT: u32 = 1 << 7;
    const TC: u32 = 1 << 6;
    const EN: u32 = 1;
    /// `MINC`, memory-to-peripheral (`DIR`), bytes, low priority.
    const CONFIG: u32 = 1 << 7 | 1 << 4;
    /// Channel 4's flags: `TEIF HTIF TCIF GIF` (bits 15..12).
    const FLAGS: u32 = 0xF << 12;
    const TCIF: u32 = 1 << 13;
    const TEIF: u32 = 1 << 15;

    /// Start + wait by hand; `len` is 1..=65535.
    #[inline(always)]
    fn send(ptr: *const u8, len: u32) -> u32 {
        // SAFETY: the addresses are DMA1 channel 4 and USART1 of an STM32F1
        // (RM0008), owned by the holder of `HandTx`; the buffer is `'static`
        // and stays unchanged while the DMA reads it.
        unsafe {
            wr(SR, !TC);
            compiler_fence(Ordering::Release);
            wr(IFCR, FLAGS);
            wr(CNDTR, len);
            wr(CPAR, DR as u32);
            wr(CMAR, ptr as u32);
            wr(CCR, CONFIG | EN);
            wr(CR3, rd(CR3) | DMAT);
            let isr = loop {
                let isr = rd(ISR);
                if isr & (TCIF | TEIF) != 0 {
                    break isr;
                }
                core::hint::spin_loop();
            };
            wr(CCR, CONFIG);
            while rd(CCR) & EN != 0 {
                core::hint::spin_loop();
            }
            let left = rd(CNDTR) & 0xFFFF;
            wr(IFCR, FLAGS);
            compiler_fence(Ordering::Acquire);
            wr(CR3, rd(CR3) & !DMAT);
            let moved = len.saturating_sub(left);
            if isr & TEIF != 0 {
                moved | ERR
            } else {
                moved
            }
        }
    }

    /// With the buffer checks a runtime buffer needs (empty, longer than
    /// `CNDTR`). No inlining attribute: as for the crates' methods, LLVM
    /// decides at two call sites.
    #[cfg(any(feature = "shape-held", feature = "shape-two"))]
    fn send_checked(buf: &'static [u8]) -> u32 {
        if buf.is_empty() || buf.len() > 0xFFFF {
            return ERR;
        }
        send(buf.as_ptr(), buf.len() as u32)
    }

    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_const_hand() -> u32 {
        send(MESSAGE.as_ptr(), MESSAGE.len() as u32)
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_held_hand(tx: HandTx, buf: &'static [u8]) -> (HandTx, u32) {
        (tx, send_checked(buf))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f1_two_hand(tx: HandTx, a: &'static [u8], b: &'static [u8]) -> (HandTx, u32) {
        let n = send_checked(a);
        let m = send_checked(b);
        (tx, n.wrapping_add(m))
    }

    #[entry]
    fn main() -> ! {
        let buf: &'static [u8] = black_box(&MESSAGE);
        #[cfg(feature = "shape-const")]
        black_box((f1_const_crate(), f1_const_hand()));
        #[cfg(feature = "shape-held")]
        black_box((f1_held_crate(take(), buf), f1_held_hand(HandTx(()), buf)));
        #[cfg(feature = "shape-two")]
        black_box((f1_two_crate(take(), buf, buf), f1_two_hand(HandTx(()), buf, buf)));
        black_box(buf);
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
