//! STM32F7, DMA2 stream 7 (channel 4) to USART1 TX with the Cortex-M7
//! D-cache fence: `write_all` + `wait` through `dma-impl-stm32` and
//! `dma_traits::CortexM7DCache`, against the tight hand-written sequence with
//! the same guarantees. See `bench/src/lib.rs` for the shapes, `bench/run.sh`.
//!
//! The hand-written sequence is the F4's (`stm32f4.rs`; RM0385 §8.3.17 and
//! §34.5.15 say the same as RM0090 for these registers) with the USART's
//! ISR/ICR map (`TC` cleared through `ICR.TCCF`, `TDR` at 0x28, `CR3` at
//! 0x08) and the fence's release for a buffer the DMA reads: `DSB`, clean
//! (`DCCMVAC`) each 32-byte line the buffer touches, `DSB`, `ISB` (the
//! acquire of a buffer the DMA only read does nothing but order the
//! compiler). In order:
//!
//! * start: clear `TC` (`SR`, rc_w0); release fence; clear the stream's
//!   flags; `NDTR`, `PAR`, `M0AR`, `FCR` (direct mode); one `CR` write with
//!   the configuration and `EN`; set `DMAT` (read-modify-write of `CR3`: this
//!   transmitter owns the whole USART, so no critical section);
//! * wait: poll `HISR` (one register) until `TCIF`, `TEIF` or `DMEIF`; read
//!   `CR` once: `EN` is cleared by hardware at the end of the transfer and on
//!   `TEIF` (RM0090 §10.5.5, `EN`), so only when it still reads 1 (a `DMEIF`,
//!   which does not stop the stream, §10.3.18) clear it and wait until it
//!   reads 0; read `NDTR`; clear the flags; acquire fence; clear `DMAT`;
//!   return the count, flagged on `TEIF`/`DMEIF` (`FEIF` is no error in
//!   direct mode, §10.3.18).
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
    use dma_impl_stm32::chip::stm32f7::{Usart1, DMA2, USART1};
    use dma_impl_stm32::stream::{self, Stream};
    use dma_impl_stm32::usart::{Usart, UsartTx};
    use dma_traits::{CortexM7DCache, DmaWrite};

    static MESSAGE: [u8; 16] = *b"zero-cost DMA!\r\n";

    /// The transmitter the `held` and `two` shapes get from their caller.
    pub(crate) type Tx = UsartTx<Usart1, Stream<7, stream::Dma2>, CortexM7DCache>;

    /// The hand-written transmitter: owning it is the right to use DMA2
    /// stream 7 and USART1 (a zero-sized token: the addresses are constants).
    #[derive(Debug)]
    pub(crate) struct HandTx(());

    fn take() -> Tx {
        // SAFETY: this program owns DMA2 and USART1; each benchmark function
        // runs alone.
        let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(DMA2 as *mut u32) };
        // SAFETY: as above.
        let usart = unsafe { Usart::<Usart1>::from_base(USART1 as *mut u32) };
        // SAFETY: as above: the SCB is this program's; the fence only needs
        // to see that the caller owns it.
        let mut core = unsafe { cortex_m::Peripherals::steal() };
        let fence = CortexM7DCache::new(&mut core.SCB);
        match dma2.stream::<7>(0) {
            Some(s7) => usart.transmitter(s7, fence),
            None => loop {
                cortex_m::asm::wfi();
            },
        }
    }

    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f7_const_crate() -> u32 {
        outcome!(take().write_all(&MESSAGE)).1
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f7_held_crate(tx: Tx, buf: &'static [u8]) -> (Tx, u32) {
        outcome!(tx.write_all(buf))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f7_two_crate(tx: Tx, a: &'static [u8], b: &'static [u8]) -> (Tx, u32) {
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

    const S7: usize = DMA2 + 0x10 + 0x18 * 7;
    const CR: *mut u32 = S7 as *mut u32;
    const NDTR: *mut u32 = (S7 + 0x04) as *mut u32;
    const PAR: *mut u32 = (S7 + 0x08) as *mut u32;
    const M0AR: *mut u32 = (S7 + 0x0C) as *mut u32;
    const FCR: *mut u32 = (S7 + 0x14) as *mut u32;
    const HISR: *mut u32 = (DMA2 + 0x04) as *mut u32;
    const HIFCR: *mut u32 = (DMA2 + 0x0C) as *mut u32;
    const ICR: *mut u32 = (USART1 + 0x20) as *mut u32;
    const DR: usize = USART1 + 0x28;
    const CR3: *mut u32 = (USART1 + 0x08) as *mut u32;
    const DCCMVAC: *mut u32 = 0xE000_EF68 as *mut u32;
    const LINE: usize = 32;
    const DMAT: u32 = 1 << 7;
    const TC: u32 = 1 << 6;
    const EN: u32 = 1;
    /// `CHSEL` 4, `MINC`, memory-to-peripheral, bytes, low priority.
    const CONFIG: u32 = 4 << 25 | 1 << 10 | 0b01 << 6;
    /// Stream 7's flags: `TCIF HTIF TEIF DMEIF FEIF` (bits 27..22).
    const FLAGS: u32 = 0b11_1101 << 22;
    const TCIF: u32 = 1 << 27;
    const ERRORS: u32 = 0b1100 << 22; // TEIF DMEIF

    /// Start + wait by hand; `len` is 1..=65535.
    #[inline(always)]
    fn send(ptr: *const u8, len: u32) -> u32 {
        // SAFETY: the addresses are DMA2 stream 7 and USART1 of an STM32F7
        // (RM0385), owned by the holder of `HandTx`, and `DCCMVAC`, a
        // stateless by-address clean (it changes no memory contents); the
        // buffer is `'static` and stays unchanged while the DMA reads it.
        unsafe {
            wr(ICR, TC);
            compiler_fence(Ordering::SeqCst);
            cortex_m::asm::dsb();
            let end = ptr as usize + len as usize;
            let mut line = ptr as usize & !(LINE - 1);
            while line < end {
                wr(DCCMVAC, line as u32);
                line += LINE;
            }
            cortex_m::asm::dsb();
            cortex_m::asm::isb();
            compiler_fence(Ordering::SeqCst);
            wr(HIFCR, FLAGS);
            wr(NDTR, len);
            wr(PAR, DR as u32);
            wr(M0AR, ptr as u32);
            wr(FCR, 0);
            wr(CR, CONFIG | EN);
            wr(CR3, rd(CR3) | DMAT);
            let isr = loop {
                let isr = rd(HISR);
                if isr & (TCIF | ERRORS) != 0 {
                    break isr;
                }
                core::hint::spin_loop();
            };
            let cr = rd(CR);
            if cr & EN != 0 {
                wr(CR, cr & !EN);
                while rd(CR) & EN != 0 {
                    core::hint::spin_loop();
                }
            }
            let left = rd(NDTR) & 0xFFFF;
            wr(HIFCR, FLAGS);
            compiler_fence(Ordering::Acquire);
            wr(CR3, rd(CR3) & !DMAT);
            let moved = len.saturating_sub(left);
            if isr & ERRORS != 0 {
                moved | ERR
            } else {
                moved
            }
        }
    }

    /// With the buffer checks a runtime buffer needs (empty, longer than
    /// `NDTR`). No inlining attribute: as for the crates' methods, LLVM
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
    pub(crate) fn f7_const_hand() -> u32 {
        send(MESSAGE.as_ptr(), MESSAGE.len() as u32)
    }

    #[cfg(feature = "shape-held")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f7_held_hand(tx: HandTx, buf: &'static [u8]) -> (HandTx, u32) {
        (tx, send_checked(buf))
    }

    #[cfg(feature = "shape-two")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn f7_two_hand(tx: HandTx, a: &'static [u8], b: &'static [u8]) -> (HandTx, u32) {
        let n = send_checked(a);
        let m = send_checked(b);
        (tx, n.wrapping_add(m))
    }

    #[entry]
    fn main() -> ! {
        let buf: &'static [u8] = black_box(&MESSAGE);
        #[cfg(feature = "shape-const")]
        black_box((f7_const_crate(), f7_const_hand()));
        #[cfg(feature = "shape-held")]
        black_box((f7_held_crate(take(), buf), f7_held_hand(HandTx(()), buf)));
        #[cfg(feature = "shape-two")]
        black_box((f7_two_crate(take(), buf, buf), f7_two_hand(HandTx(()), buf, buf)));
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
