//! The zero-cost benchmark: the start-and-wait of a one-shot
//! memory-to-peripheral transfer (USART1 TX on DMA2 stream 7 of an STM32F4)
//! through this crate, and the same register sequence written by hand.
//! `bench/zero-cost.sh` builds this for `thumbv7em-none-eabihf` in release
//! and compares the two functions' instruction counts.
//!
//! Both functions do the same work, in the same order: clear `TC`; clear the
//! stream's flags; program `NDTR`, `PAR`, `M0AR`, `FCR`, `CR`; set `EN`; set
//! `DMAT` in a critical section; poll until complete, failed or disabled;
//! clear `EN` and wait until it reads 0; read the flags and `NDTR`; clear the
//! flags; clear `DMAT`; return the count moved (or `u32::MAX` on an error).
//! Like the crate, the hand-written loops use `core::hint::spin_loop()` and
//! the count is a saturating subtraction (see `bench/README.md`).
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]
// 32-bit target: `usize` and addresses fit `u32`. The hand-written function is
// deliberately one unsafe block, as hand-written register code is.
#![allow(clippy::cast_possible_truncation, clippy::multiple_unsafe_ops_per_block)]

#[cfg(all(target_os = "none", feature = "stm32f4"))]
mod firmware {
    use core::sync::atomic::{compiler_fence, Ordering};

    use cortex_m_rt::entry;
    use dma_impl_stm32::chip::stm32f4::{DMA2, USART1};
    use dma_impl_stm32::stream;
    use dma_impl_stm32::usart::{StatusData, Usart};
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    static MESSAGE: [u8; 16] = *b"zero-cost DMA!\r\n";

    /// Through the crate: `write_all` + `wait`.
    #[inline(never)]
    #[no_mangle]
    pub(crate) extern "C" fn via_crate() -> u32 {
        // SAFETY: this program owns DMA2 and USART1 (nothing else uses them).
        let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(DMA2 as *mut u32) };
        // SAFETY: as above.
        let usart = unsafe { Usart::<StatusData>::from_base(USART1 as *mut u32) };
        let Some(stream7) = dma2.stream::<7>(4) else {
            return u32::MAX;
        };
        let tx = usart.transmitter(stream7, CompilerFence);
        match tx.write_all(&MESSAGE) {
            Ok(transfer) => match transfer.wait() {
                Ok(done) => done.transferred as u32,
                Err(_) => u32::MAX,
            },
            Err(_) => u32::MAX,
        }
    }

    /// The same register sequence, by hand.
    #[inline(never)]
    #[no_mangle]
    pub(crate) extern "C" fn by_hand() -> u32 {
        const S7: usize = DMA2 + 0x10 + 0x18 * 7;
        const CR: *mut u32 = S7 as *mut u32;
        const NDTR: *mut u32 = (S7 + 0x04) as *mut u32;
        const PAR: *mut u32 = (S7 + 0x08) as *mut u32;
        const M0AR: *mut u32 = (S7 + 0x0C) as *mut u32;
        const FCR: *mut u32 = (S7 + 0x14) as *mut u32;
        const HISR: *mut u32 = (DMA2 + 0x04) as *mut u32;
        const HIFCR: *mut u32 = (DMA2 + 0x0C) as *mut u32;
        const SR: *mut u32 = USART1 as *mut u32;
        const CR3: *mut u32 = (USART1 + 0x14) as *mut u32;
        const FLAGS: u32 = 0b11_1101 << 22; // stream 7: TCIF HTIF TEIF DMEIF FEIF
        const TCIF: u32 = 1 << 27;
        const ERRORS: u32 = 0b1100 << 22; // TEIF DMEIF (FEIF is no error in direct mode, RM0090 §10.3.18)
                                          // SAFETY: the addresses are DMA2 stream 7 and USART1 of an STM32F4
                                          // (RM0090), owned by this program; the buffer is static.
        unsafe {
            use core::ptr::{read_volatile as rd, write_volatile as wr};
            wr(SR, !(1 << 6));
            compiler_fence(Ordering::Release);
            wr(HIFCR, FLAGS);
            wr(NDTR, MESSAGE.len() as u32);
            wr(PAR, USART1 as u32 + 0x04);
            wr(M0AR, MESSAGE.as_ptr() as u32);
            wr(FCR, 0);
            wr(CR, 4 << 25 | 1 << 10 | 0b01 << 6);
            wr(CR, rd(CR) | 1);
            critical_section::with(|_| wr(CR3, rd(CR3) | 1 << 7));
            loop {
                let isr = rd(HISR);
                if isr & (TCIF | ERRORS) != 0 || rd(CR) & 1 == 0 {
                    break;
                }
                core::hint::spin_loop();
            }
            wr(CR, rd(CR) & !1);
            loop {
                if rd(CR) & 1 == 0 {
                    break;
                }
                core::hint::spin_loop();
            }
            let isr = rd(HISR);
            let left = rd(NDTR) as u16;
            wr(HIFCR, FLAGS);
            compiler_fence(Ordering::Acquire);
            critical_section::with(|_| wr(CR3, rd(CR3) & !(1 << 7)));
            if isr & ERRORS != 0 {
                u32::MAX
            } else {
                u32::from((MESSAGE.len() as u16).saturating_sub(left))
            }
        }
    }

    #[entry]
    fn main() -> ! {
        let a = via_crate();
        let b = by_hand();
        core::hint::black_box((a, b));
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
fn main() {
    println!("zero_cost is firmware: run dma-impl-stm32/bench/zero-cost.sh");
}
