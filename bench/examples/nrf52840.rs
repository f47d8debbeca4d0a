//! nRF52840 EasyDMA: UARTE0 TX, SPIM0 write and TWIM1 write (`write_all` +
//! `wait` through `dma-impl-nrf`), each against the tight hand-written
//! sequence with the same guarantees. See `bench/src/lib.rs` for the shapes,
//! `bench/run.sh`.
//!
//! Every hand-written start checks what the crate checks: the buffer is not
//! empty, fits `MAXCNT` (16 bits) and lies in data RAM (0x2000_0000 ..
//! 0x2004_0000; EasyDMA reaches nothing else, PS "EasyDMA"), and the
//! peripheral is enabled (a disabled one ignores its tasks, so a wait would
//! never end). The data-RAM check stays even for the `'static` buffer of the
//! `const` shape: its address is known only at link time. The buffers live
//! in RAM (`.data`).
//!
//! * UARTE (PS "UARTE", "Transmission"): clear `ENDTX`, `TXSTOPPED`; `TXD.PTR`,
//!   `TXD.MAXCNT`; release fence; `STARTTX`; poll `ENDTX`; `STOPTX` and poll
//!   `TXSTOPPED` (the transmitter is left stopped, as the crate leaves it);
//!   clear both events; `TXD.AMOUNT`; acquire fence.
//! * SPIM (PS "SPIM"): clear `END`; `TXD.PTR`, `TXD.MAXCNT`, `RXD.MAXCNT` =
//!   0; release; `START`; poll `END` (the transaction has ended: nothing to
//!   stop); clear `END`, `ENDTX`, `ENDRX`; `TXD.AMOUNT`; acquire.
//! * TWIM (PS "TWIM", "Master write sequence"): clear `STOPPED`, `ERROR`;
//!   `ERRORSRC` cleared; `ADDRESS`; `SHORTS` = `LASTTX_STOP`; `TXD.PTR`,
//!   `TXD.MAXCNT`; release; `STARTTX`; poll `STOPPED` or `ERROR`; on
//!   `ERROR`, `STOP` and poll `STOPPED` (the TWIM holds the bus until then);
//!   clear `STOPPED`, `LASTTX`; `TXD.AMOUNT`; on `ERROR` read and clear
//!   `ERRORSRC` and `ERROR`, flag the count; acquire.
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
    use dma_impl_nrf::{Nrf52840, Spim, Twim, Uarte, UarteTx};
    use dma_traits::DmaWrite;

    /// In data RAM, where EasyDMA reaches (copied there by `cortex-m-rt`).
    #[link_section = ".data"]
    static MESSAGE: [u8; 16] = *b"zero-cost DMA!\r\n";

    // The same bytes proven in data RAM at link time (`easydma.x`): the
    // `uarteram` row, where neither column checks the address at run time.
    #[cfg(feature = "shape-const")]
    dma_impl_nrf::ram_static!(static RAM_MESSAGE: [u8; 16] = *b"zero-cost DMA!\r\n");

    const UARTE0: usize = 0x4000_2000;
    const SPIM0: usize = 0x4000_3000;
    const TWIM1: usize = 0x4000_4000;
    const ADDRESS: u8 = 0x3C;

    pub(crate) type UTx = UarteTx<Nrf52840>;
    pub(crate) type SpimW = Spim<Nrf52840>;
    pub(crate) type TwimW = Twim<Nrf52840>;

    /// A hand-written driver's peripheral token (zero-sized: the addresses
    /// are constants).
    #[derive(Debug)]
    pub(crate) struct Hand(());

    fn uarte() -> UTx {
        // SAFETY: this program owns UARTE0 of this nRF52840.
        unsafe { Uarte::<Nrf52840>::new(UARTE0 as *mut u32) }.split().0
    }
    fn spim() -> SpimW {
        // SAFETY: this program owns SPIM0 (the SERIAL0 block) of this nRF52840.
        unsafe { Spim::<Nrf52840>::new(SPIM0 as *mut u32) }
    }
    fn twim() -> TwimW {
        // SAFETY: this program owns TWIM1 (the SERIAL1 block) of this nRF52840.
        unsafe { Twim::<Nrf52840>::new(TWIM1 as *mut u32) }.with_address(ADDRESS)
    }

    /// Through the crates: the three shapes of one peripheral.
    macro_rules! through_crate {
        ($make:ident, $ty:ty, $c:ident, $h:ident, $t:ident) => {
            #[cfg(feature = "shape-const")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $c() -> u32 {
                outcome!($make().write_all(&MESSAGE)).1
            }

            #[cfg(feature = "shape-held")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $h(p: $ty, buf: &'static [u8]) -> ($ty, u32) {
                outcome!(p.write_all(buf))
            }

            #[cfg(feature = "shape-two")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $t(p: $ty, a: &'static [u8], b: &'static [u8]) -> ($ty, u32) {
                let (p, n) = send_through_crate(p, a);
                let (p, m) = send_through_crate(p, b);
                (p, n.wrapping_add(m))
            }
        };
    }
    /// The `two` shape's call, written once as the hand-written column's
    /// `*_checked` is: no inlining attribute, so LLVM decides for both
    /// columns alike whether to copy it into the two call sites.
    #[cfg(feature = "shape-two")]
    fn send_through_crate<P: DmaWrite<u8, Transfer<&'static [u8]> = T>, T>(
        p: P,
        buf: &'static [u8],
    ) -> (P, u32)
    where
        T: dma_traits::Transfer<Resources = P>,
    {
        outcome!(p.write_all(buf))
    }

    through_crate!(uarte, UTx, uarte_const_crate, uarte_held_crate, uarte_two_crate);
    through_crate!(spim, SpimW, spim_const_crate, spim_held_crate, spim_two_crate);
    through_crate!(twim, TwimW, twim_const_crate, twim_held_crate, twim_two_crate);

    /// By hand: the three shapes of one peripheral, around `$send`.
    macro_rules! by_hand {
        ($send:ident, $checked:ident, $c:ident, $h:ident, $t:ident) => {
            /// With the length checks a runtime buffer needs. No inlining
            /// attribute: as for the crates' methods, LLVM decides.
            #[cfg(any(feature = "shape-held", feature = "shape-two"))]
            fn $checked(buf: &'static [u8]) -> u32 {
                if buf.is_empty() || buf.len() > 0xFFFF {
                    return ERR;
                }
                $send(buf.as_ptr(), buf.len() as u32)
            }

            #[cfg(feature = "shape-const")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $c() -> u32 {
                $send(MESSAGE.as_ptr(), MESSAGE.len() as u32)
            }

            #[cfg(feature = "shape-held")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $h(p: Hand, buf: &'static [u8]) -> (Hand, u32) {
                (p, $checked(buf))
            }

            #[cfg(feature = "shape-two")]
            #[no_mangle]
            #[inline(never)]
            pub(crate) fn $t(p: Hand, a: &'static [u8], b: &'static [u8]) -> (Hand, u32) {
                let n = $checked(a);
                let m = $checked(b);
                (p, n.wrapping_add(m))
            }
        };
    }
    by_hand!(uarte_send, uarte_checked, uarte_const_hand, uarte_held_hand, uarte_two_hand);

    /// UARTE0 with the `ram_static!` buffer: `write_all_ram` skips the
    /// run-time data-RAM check, as the hand-written column does.
    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn uarteram_const_crate() -> u32 {
        outcome!(uarte().write_all_ram(&RAM_MESSAGE)).1
    }

    /// By hand, a buffer the link proved in data RAM: no address check.
    #[cfg(feature = "shape-const")]
    #[no_mangle]
    #[inline(never)]
    pub(crate) fn uarteram_const_hand() -> u32 {
        uarte_send_in_ram(MESSAGE.as_ptr(), MESSAGE.len() as u32)
    }
    by_hand!(spim_send, spim_checked, spim_const_hand, spim_held_hand, spim_two_hand);
    by_hand!(twim_send, twim_checked, twim_const_hand, twim_held_hand, twim_two_hand);

    /// Whether `len` bytes at `ptr` lie in the nRF52840's data RAM.
    #[inline(always)]
    fn in_ram(ptr: *const u8, len: u32) -> bool {
        const START: u32 = 0x2000_0000;
        const SIZE: u32 = 0x4_0000;
        // `len <= 0xFFFF < SIZE`, so `SIZE - len` does not wrap.
        (ptr as u32).wrapping_sub(START) <= SIZE - len
    }

    /// Register `offset` of the block at `base`.
    const fn r(base: usize, offset: usize) -> *mut u32 {
        (base + offset) as *mut u32
    }

    const TASKS_STARTTX: usize = 0x008;
    const TASKS_STOPTX: usize = 0x00C;
    const TASKS_START: usize = 0x010;
    const TASKS_STOP: usize = 0x014;
    const EVENTS_STOPPED: usize = 0x104;
    const EVENTS_ENDRX: usize = 0x110;
    const EVENTS_END: usize = 0x118;
    const EVENTS_ENDTX: usize = 0x120;
    const EVENTS_ERROR: usize = 0x124;
    const EVENTS_TXSTOPPED: usize = 0x158;
    const EVENTS_LASTTX: usize = 0x160;
    const SHORTS: usize = 0x200;
    const ENABLE: usize = 0x500;
    const RXD_MAXCNT: usize = 0x538;
    const TXD_PTR: usize = 0x544;
    const TXD_MAXCNT: usize = 0x548;
    const TXD_AMOUNT: usize = 0x54C;
    const TWIM_ERRORSRC: usize = 0x4C4;
    const TWIM_ADDRESS: usize = 0x588;
    const SHORT_LASTTX_STOP: u32 = 1 << 9;

    /// UARTE0 start + wait by hand; `len` is 1..=65535.
    #[inline(always)]
    fn uarte_send(ptr: *const u8, len: u32) -> u32 {
        if !in_ram(ptr, len) {
            return ERR;
        }
        uarte_send_in_ram(ptr, len)
    }

    /// [`uarte_send`] for a buffer known to lie in data RAM.
    #[inline(always)]
    fn uarte_send_in_ram(ptr: *const u8, len: u32) -> u32 {
        const B: usize = UARTE0;
        // SAFETY: UARTE0's registers, owned by the holder of `Hand`; the
        // buffer is `'static`, in data RAM, unchanged while EasyDMA reads it.
        unsafe {
            if rd(r(B, ENABLE)) != 8 {
                return ERR;
            }
            wr(r(B, EVENTS_ENDTX), 0);
            wr(r(B, EVENTS_TXSTOPPED), 0);
            wr(r(B, TXD_PTR), ptr as u32);
            wr(r(B, TXD_MAXCNT), len);
            compiler_fence(Ordering::Release);
            wr(r(B, TASKS_STARTTX), 1);
            while rd(r(B, EVENTS_ENDTX)) == 0 {
                core::hint::spin_loop();
            }
            wr(r(B, TASKS_STOPTX), 1);
            while rd(r(B, EVENTS_TXSTOPPED)) == 0 {
                core::hint::spin_loop();
            }
            wr(r(B, EVENTS_TXSTOPPED), 0);
            wr(r(B, EVENTS_ENDTX), 0);
            let moved = rd(r(B, TXD_AMOUNT));
            compiler_fence(Ordering::Acquire);
            moved
        }
    }

    /// SPIM0 write (nothing received) by hand; `len` is 1..=65535.
    #[inline(always)]
    fn spim_send(ptr: *const u8, len: u32) -> u32 {
        const B: usize = SPIM0;
        if !in_ram(ptr, len) {
            return ERR;
        }
        // SAFETY: SPIM0's registers, owned by the holder of `Hand`; the
        // buffer is `'static`, in data RAM, unchanged while EasyDMA reads it.
        unsafe {
            if rd(r(B, ENABLE)) != 7 {
                return ERR;
            }
            wr(r(B, EVENTS_END), 0);
            wr(r(B, TXD_PTR), ptr as u32);
            wr(r(B, TXD_MAXCNT), len);
            wr(r(B, RXD_MAXCNT), 0);
            compiler_fence(Ordering::Release);
            wr(r(B, TASKS_START), 1);
            while rd(r(B, EVENTS_END)) == 0 {
                core::hint::spin_loop();
            }
            wr(r(B, EVENTS_END), 0);
            wr(r(B, EVENTS_ENDTX), 0);
            wr(r(B, EVENTS_ENDRX), 0);
            let moved = rd(r(B, TXD_AMOUNT));
            compiler_fence(Ordering::Acquire);
            moved
        }
    }

    /// TWIM1 write to `ADDRESS` by hand; `len` is 1..=65535.
    #[inline(always)]
    fn twim_send(ptr: *const u8, len: u32) -> u32 {
        const B: usize = TWIM1;
        if !in_ram(ptr, len) {
            return ERR;
        }
        // SAFETY: TWIM1's registers, owned by the holder of `Hand`; the
        // buffer is `'static`, in data RAM, unchanged while EasyDMA reads it.
        unsafe {
            if rd(r(B, ENABLE)) != 6 {
                return ERR;
            }
            wr(r(B, EVENTS_STOPPED), 0);
            wr(r(B, EVENTS_ERROR), 0);
            wr(r(B, TWIM_ERRORSRC), 0b111);
            wr(r(B, TWIM_ADDRESS), u32::from(ADDRESS));
            wr(r(B, SHORTS), SHORT_LASTTX_STOP);
            wr(r(B, TXD_PTR), ptr as u32);
            wr(r(B, TXD_MAXCNT), len);
            compiler_fence(Ordering::Release);
            wr(r(B, TASKS_STARTTX), 1);
            let failed = loop {
                if rd(r(B, EVENTS_STOPPED)) != 0 {
                    break false;
                }
                if rd(r(B, EVENTS_ERROR)) != 0 {
                    break true;
                }
                core::hint::spin_loop();
            };
            if failed {
                wr(r(B, TASKS_STOP), 1);
                while rd(r(B, EVENTS_STOPPED)) == 0 {
                    core::hint::spin_loop();
                }
            }
            wr(r(B, EVENTS_STOPPED), 0);
            wr(r(B, EVENTS_LASTTX), 0);
            let mut moved = rd(r(B, TXD_AMOUNT));
            if rd(r(B, EVENTS_ERROR)) != 0 {
                wr(r(B, TWIM_ERRORSRC), rd(r(B, TWIM_ERRORSRC)));
                wr(r(B, EVENTS_ERROR), 0);
                moved |= ERR;
            }
            compiler_fence(Ordering::Acquire);
            moved
        }
    }

    #[entry]
    fn main() -> ! {
        let buf: &'static [u8] = black_box(&MESSAGE);
        #[cfg(feature = "shape-const")]
        black_box((uarte_const_crate(), spim_const_crate(), twim_const_crate()));
        #[cfg(feature = "shape-const")]
        black_box((uarte_const_hand(), spim_const_hand(), twim_const_hand()));
        #[cfg(feature = "shape-const")]
        black_box((uarteram_const_crate(), uarteram_const_hand()));
        #[cfg(feature = "shape-held")]
        black_box((uarte_held_crate(uarte(), buf), spim_held_crate(spim(), buf)));
        #[cfg(feature = "shape-held")]
        black_box((twim_held_crate(twim(), buf), uarte_held_hand(Hand(()), buf)));
        #[cfg(feature = "shape-held")]
        black_box((spim_held_hand(Hand(()), buf), twim_held_hand(Hand(()), buf)));
        #[cfg(feature = "shape-two")]
        black_box((uarte_two_crate(uarte(), buf, buf), spim_two_crate(spim(), buf, buf)));
        #[cfg(feature = "shape-two")]
        black_box((twim_two_crate(twim(), buf, buf), uarte_two_hand(Hand(()), buf, buf)));
        #[cfg(feature = "shape-two")]
        black_box((spim_two_hand(Hand(()), buf, buf), twim_two_hand(Hand(()), buf, buf)));
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
