//! The STM32 register facts of `dma-impl-stm32` (its [`regs`] module, chip
//! table and request numbers) and of the simulator `dma_impl_mock::sim::stm32`
//! (its own [`sim`] map), checked against the svd2rust PACs `stm32f0`
//! (`stm32f0x0`), `stm32f1` (`stm32f103`), `stm32f3` (`stm32f303`), `stm32l4`
//! (`stm32l4x6`), `stm32f4` (`stm32f407`) and `stm32f7` (`stm32f767`).
//!
//! How, without hardware: each PAC register block is laid over zeroed host
//! memory. Offsets are the distance from the block to the PAC's register
//! accessor; a field's position and width come from the PAC's own writer
//! (`FieldWriter::offset` / `width`) inside a `write` to that host memory;
//! enumerated values are written through the PAC's variant writers and read
//! back as raw bits; flags of read-only registers (`ISR`, `LISR`) are found
//! by storing one bit at a time and asking the PAC's reader which field it
//! sets. Request-channel numbers are not in the SVD files: they are checked
//! against the reference manuals' request tables, cited at each assertion.
//!
//! One F7 device feature only (`stm32f767`, `CHSEL` 4 bits): two device
//! features of one PAC crate cannot be linked together (`DEVICE_PERIPHERALS`
//! is defined twice). The 3-bit `CHSEL` of the F74x/F75x is RM0090's F4
//! field, checked on the `stm32f407`.
#![allow(dead_code, unused_macros, unused_imports)]

use core::mem::size_of;

pub(crate) use dma_impl_mock::sim::stm32::regs as sim;
pub(crate) use dma_impl_stm32::{chip, regs, stream, Priority};

/// A PAC register block over zeroed, leaked host memory, and that memory.
pub(crate) fn host_block<T>() -> (&'static T, *mut u32) {
    let words = size_of::<T>().div_ceil(4).max(1) + 1;
    let memory: &'static mut [u32] = Box::leak(vec![0u32; words].into_boxed_slice());
    let base = memory.as_mut_ptr();
    // SAFETY: an svd2rust register block is a `repr(C)` struct of
    // `VolatileCell<u32>` registers (interior mutability), for which all-zero
    // bits are valid; the memory is u32-aligned, large enough, leaked (lives
    // for ever) and reached only through this block and `base` afterwards.
    (unsafe { &*base.cast::<T>() }, base)
}

/// Byte offset of register `reg` inside `block`.
pub(crate) fn offset<T, R>(block: &T, reg: &R) -> usize {
    core::ptr::from_ref(reg) as usize - core::ptr::from_ref(block) as usize
}

/// Stores `value` into the host word at byte `offset` of `base`.
pub(crate) fn poke(base: *mut u32, offset: usize, value: u32) {
    // SAFETY: `offset` is a register offset inside the block `host_block`
    // allocated (every caller passes one measured with `offset`).
    let word = base.wrapping_add(offset / 4);
    // SAFETY: as above: `word` is inside the leaked block, aligned.
    unsafe { word.write_volatile(value) };
}

/// `(offset, width)` of field `$f` of writable register `$reg`, from the
/// PAC's field writer.
macro_rules! field {
    ($reg:expr, $f:ident) => {{
        let mut found = (0u8, 0u8);
        $reg.write(|w| {
            let field = w.$f();
            found = (field.offset(), field.width());
            w
        });
        (u32::from(found.0), u32::from(found.1))
    }};
}

/// The raw bits the PAC's writer produces for `$($call)*` on register `$reg`
/// starting from 0.
macro_rules! value {
    ($reg:expr, $($call:tt)*) => {{
        $reg.write(|w| {
            // SAFETY: `bits(0)` only starts the value written to the host
            // memory of `host_block`; no hardware is behind it.
            let w = unsafe { w.bits(0) };
            w.$($call)*
        })
    }};
}

/// The bit position of the one-bit field `$f` of (read-only) register
/// `$reg` at byte `$off` of `$base`: the single bit the PAC reports set.
macro_rules! read_bit {
    ($base:expr, $off:expr, $reg:expr, $f:ident $(($n:expr))?) => {{
        let mut found = Vec::new();
        for bit in 0..32u32 {
            poke($base, $off, 1 << bit);
            if $reg.read().$f($($n)?).bit_is_set() {
                found.push(bit);
            }
        }
        poke($base, $off, 0);
        assert_eq!(found.len(), 1, "field {} is one bit", stringify!($f));
        found.first().copied().unwrap_or(u32::MAX)
    }};
}

pub(crate) fn bit(mask: u32) -> u32 {
    assert_eq!(mask.count_ones(), 1, "{mask:#x} is one bit");
    mask.trailing_zeros()
}

// ---------------------------------------------------------------------------
// Channel DMA: F0, F1, F3, L4.

/// Everything the driver and the simulator use of a channel controller, on
/// the PAC module `$dma` (with `$channels` channels).
macro_rules! check_channel_dma {
    ($dma:path, $channels:expr) => {{
        use $dma as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        // Register map: RM0008 §13.4.7, RM0360 §10.4.8, RM0316 §13.6.8,
        // RM0351 §11.6.8.
        assert_eq!(offset(block, block.isr()), regs::channel::ISR);
        assert_eq!(offset(block, block.ifcr()), regs::channel::IFCR);
        assert_eq!(offset(block, block.isr()), sim::channel::ISR);
        assert_eq!(offset(block, block.ifcr()), sim::channel::IFCR);
        for i in 0..$channels {
            let ch = block.ch(i);
            let driver = |reg: usize| reg + regs::channel::STRIDE * i;
            let simulated = |reg: usize| reg + sim::channel::STRIDE * i;
            assert_eq!(offset(block, ch.cr()), driver(regs::channel::CCR), "CCR{}", i + 1);
            assert_eq!(offset(block, ch.ndtr()), driver(regs::channel::CNDTR), "CNDTR{}", i + 1);
            assert_eq!(offset(block, ch.par()), driver(regs::channel::CPAR), "CPAR{}", i + 1);
            assert_eq!(offset(block, ch.mar()), driver(regs::channel::CMAR), "CMAR{}", i + 1);
            assert_eq!(offset(block, ch.cr()), simulated(sim::channel::CCR));
            assert_eq!(offset(block, ch.ndtr()), simulated(sim::channel::CNDTR));
            assert_eq!(offset(block, ch.par()), simulated(sim::channel::CPAR));
            assert_eq!(offset(block, ch.mar()), simulated(sim::channel::CMAR));
            // The counter is 16 bits (the driver masks and refuses longer).
            assert_eq!(field!(ch.ndtr(), ndt), (0, 16));
            // Flags of channel i + 1: `ISR` read-only, `IFCR` write-1-to-clear.
            let n = u8::try_from(i).unwrap();
            let group = regs::channel::FLAG_STRIDE * u32::try_from(i).unwrap();
            let sim_group = sim::channel::FLAG_STRIDE * u32::try_from(i).unwrap();
            let isr = offset(block, block.isr());
            for (pac_bit, ours, theirs) in [
                (read_bit!(base, isr, block.isr(), gif(n)), regs::channel::GIF, sim::channel::GIF),
                (
                    read_bit!(base, isr, block.isr(), tcif(n)),
                    regs::channel::TCIF,
                    sim::channel::TCIF,
                ),
                (
                    read_bit!(base, isr, block.isr(), htif(n)),
                    regs::channel::HTIF,
                    sim::channel::HTIF,
                ),
                (
                    read_bit!(base, isr, block.isr(), teif(n)),
                    regs::channel::TEIF,
                    sim::channel::TEIF,
                ),
            ] {
                assert_eq!(pac_bit, group + bit(ours), "ISR flag of channel {}", i + 1);
                assert_eq!(pac_bit, sim_group + bit(theirs), "simulated ISR flag");
            }
            assert_eq!(value!(block.ifcr(), cgif(n).set_bit()), regs::channel::GIF << group);
            assert_eq!(value!(block.ifcr(), ctcif(n).set_bit()), regs::channel::TCIF << group);
            assert_eq!(value!(block.ifcr(), chtif(n).set_bit()), regs::channel::HTIF << group);
            assert_eq!(value!(block.ifcr(), cteif(n).set_bit()), regs::channel::TEIF << group);
        }
        // CCR fields (RM0008 §13.4.3).
        let cr = block.ch(0).cr();
        assert_eq!(field!(cr, en), (bit(regs::channel::EN), 1));
        assert_eq!(field!(cr, dir), (bit(regs::channel::DIR), 1));
        assert_eq!(field!(cr, circ), (bit(regs::channel::CIRC), 1));
        assert_eq!(field!(cr, pinc), (bit(regs::channel::PINC), 1));
        assert_eq!(field!(cr, minc), (bit(regs::channel::MINC), 1));
        assert_eq!(field!(cr, psize), (regs::channel::PSIZE_SHIFT, 2));
        assert_eq!(field!(cr, msize), (regs::channel::MSIZE_SHIFT, 2));
        assert_eq!(field!(cr, pl), (regs::channel::PL_SHIFT, 2));
        assert_eq!(field!(cr, mem2mem), (bit(regs::channel::MEM2MEM), 1));
        // The interrupt enables `Channel::interrupt` turns on and masks.
        assert_eq!(field!(cr, tcie), (bit(regs::channel::TCIE), 1));
        assert_eq!(field!(cr, htie), (bit(regs::channel::HTIE), 1));
        assert_eq!(field!(cr, teie), (bit(regs::channel::TEIE), 1));
        assert_eq!(field!(cr, en), (sim::channel::EN, 1));
        assert_eq!(field!(cr, dir), (sim::channel::DIR, 1));
        assert_eq!(field!(cr, circ), (sim::channel::CIRC, 1));
        assert_eq!(field!(cr, pinc), (sim::channel::PINC, 1));
        assert_eq!(field!(cr, minc), (sim::channel::MINC, 1));
        assert_eq!(field!(cr, psize), (sim::channel::PSIZE, 2));
        assert_eq!(field!(cr, msize), (sim::channel::MSIZE, 2));
        assert_eq!(field!(cr, mem2mem), (sim::channel::MEM2MEM, 1));
        // Enumerated values: DIR = 1 reads from memory, sizes, priorities.
        assert_eq!(value!(cr, dir().from_memory()), regs::channel::DIR);
        assert_eq!(value!(cr, psize().bits8()), regs::SIZE_8 << regs::channel::PSIZE_SHIFT);
        assert_eq!(value!(cr, psize().bits16()), regs::SIZE_16 << regs::channel::PSIZE_SHIFT);
        assert_eq!(value!(cr, psize().bits32()), regs::SIZE_32 << regs::channel::PSIZE_SHIFT);
        assert_eq!(value!(cr, msize().bits32()), regs::SIZE_32 << regs::channel::MSIZE_SHIFT);
        for (variant, priority) in [
            (value!(cr, pl().low()), Priority::Low),
            (value!(cr, pl().medium()), Priority::Medium),
            (value!(cr, pl().high()), Priority::High),
            (value!(cr, pl().very_high()), Priority::VeryHigh),
        ] {
            assert_eq!(variant, priority.bits() << regs::channel::PL_SHIFT, "{priority:?}");
        }
    }};
}

/// `CR1`/`CR3` bits of either USART map, on PAC module `$usart`.
macro_rules! check_usart_bits {
    ($block:expr) => {{
        let block = $block;
        assert_eq!(field!(block.cr1(), te), (bit(regs::usart::TE), 1));
        assert_eq!(field!(block.cr1(), re), (bit(regs::usart::RE), 1));
        assert_eq!(field!(block.cr3(), dmat), (bit(regs::usart::DMAT), 1));
        assert_eq!(field!(block.cr3(), dmar), (bit(regs::usart::DMAR), 1));
        assert_eq!(field!(block.cr1(), te), (bit(sim::usart::TE), 1));
        assert_eq!(field!(block.cr1(), re), (bit(sim::usart::RE), 1));
        assert_eq!(field!(block.cr3(), dmat), (bit(sim::usart::DMAT), 1));
        assert_eq!(field!(block.cr3(), dmar), (bit(sim::usart::DMAR), 1));
    }};
}

/// A fresh simulated USART with register map `layout` reads `reset` (the
/// PAC's reset value of its status register, at `status`) in every bit the
/// simulator models (`TC`, `TXE`, `RXNE`), and `TC` is among them: the
/// transmitter's start waits for `TC` when it does not know the line idle,
/// which ends for a USART that never sent only because of this
/// (`dma_impl_stm32::usart`).
pub(crate) fn check_status_reset(
    layout: dma_impl_mock::sim::stm32::UsartLayout,
    status: usize,
    reset: u32,
) {
    let usart = dma_impl_mock::sim::stm32::UsartSim::new(layout);
    let modelled = sim::usart::TC | sim::usart::TXE | sim::usart::RXNE;
    // SAFETY: the simulator's register block, alive until the end of this
    // function, and only read here.
    let block = unsafe { dma_mmio::Reg::from_ptr(usart.base()) };
    // SAFETY: `status` is a register offset inside that block (checked
    // against the PAC by the caller).
    let read = unsafe { block.offset(status) }.read();
    assert_eq!(read & modelled, reset & modelled, "status at reset: {read:#x}, PAC {reset:#x}");
    assert_ne!(reset & regs::usart::TC, 0, "TC set at reset");
}

/// The `ISR`/`ICR`/`RDR`/`TDR` USART map (F0, F3, L4, F7) on PAC module
/// `$usart` of PAC crate `$pac`.
macro_rules! check_isr_usart {
    ($usart:path, $pac:ident) => {{
        use dma_impl_stm32::usart::{InterruptStatus, Layout};
        use $usart as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        type L = InterruptStatus;
        assert_eq!(offset(block, block.cr1()), L::CR1);
        assert_eq!(offset(block, block.cr3()), L::CR3);
        assert_eq!(offset(block, block.brr()), L::BRR);
        assert_eq!(offset(block, block.isr()), L::STATUS);
        assert_eq!(offset(block, block.icr()), regs::usart::ICR);
        assert_eq!(offset(block, block.rdr()), L::RDR);
        assert_eq!(offset(block, block.tdr()), L::TDR);
        assert_eq!(offset(block, block.cr1()), sim::usart::ISR_MAP_CR1);
        assert_eq!(offset(block, block.cr3()), sim::usart::ISR_MAP_CR3);
        assert_eq!(offset(block, block.isr()), sim::usart::ISR_MAP_ISR);
        assert_eq!(offset(block, block.icr()), sim::usart::ISR_MAP_ICR);
        assert_eq!(offset(block, block.rdr()), sim::usart::ISR_MAP_RDR);
        assert_eq!(offset(block, block.tdr()), sim::usart::ISR_MAP_TDR);
        assert_eq!(field!(block.cr1(), ue), (bit(L::UE), 1));
        assert_eq!(field!(block.cr1(), ue), (bit(sim::usart::ISR_MAP_UE), 1));
        assert_eq!(field!(block.icr(), tccf), (bit(regs::usart::TC), 1));
        let isr = offset(block, block.isr());
        assert_eq!(read_bit!(base, isr, block.isr(), tc), bit(regs::usart::TC));
        assert_eq!(read_bit!(base, isr, block.isr(), tc), bit(sim::usart::TC));
        assert_eq!(read_bit!(base, isr, block.isr(), txe), bit(sim::usart::TXE));
        assert_eq!(read_bit!(base, isr, block.isr(), rxne), bit(sim::usart::RXNE));
        let reset = <pac::isr::ISRrs as $pac::Resettable>::RESET_VALUE;
        check_status_reset(dma_impl_mock::sim::stm32::UsartLayout::InterruptStatus, isr, reset);
        check_usart_bits!(block);
    }};
}

/// The `SR`/`DR` USART map (F1, F2, F4) on PAC module `$usart` of PAC
/// crate `$pac`.
macro_rules! check_sr_usart {
    ($usart:path, $pac:ident) => {{
        use dma_impl_stm32::usart::{Layout, StatusData};
        use $usart as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        type L = StatusData;
        assert_eq!(offset(block, block.sr()), L::STATUS);
        assert_eq!(offset(block, block.dr()), L::TDR);
        assert_eq!(offset(block, block.dr()), L::RDR);
        assert_eq!(offset(block, block.brr()), L::BRR);
        assert_eq!(offset(block, block.cr1()), L::CR1);
        assert_eq!(offset(block, block.cr3()), L::CR3);
        assert_eq!(offset(block, block.sr()), sim::usart::SR_MAP_SR);
        assert_eq!(offset(block, block.dr()), sim::usart::SR_MAP_DR);
        assert_eq!(offset(block, block.cr1()), sim::usart::SR_MAP_CR1);
        assert_eq!(offset(block, block.cr3()), sim::usart::SR_MAP_CR3);
        assert_eq!(field!(block.cr1(), ue), (bit(L::UE), 1));
        assert_eq!(field!(block.cr1(), ue), (bit(sim::usart::SR_MAP_UE), 1));
        let sr = offset(block, block.sr());
        assert_eq!(read_bit!(base, sr, block.sr(), tc), bit(regs::usart::TC));
        assert_eq!(read_bit!(base, sr, block.sr(), tc), bit(sim::usart::TC));
        assert_eq!(read_bit!(base, sr, block.sr(), txe), bit(sim::usart::TXE));
        assert_eq!(read_bit!(base, sr, block.sr(), rxne), bit(sim::usart::RXNE));
        let reset = u32::from(<pac::sr::SRrs as $pac::Resettable>::RESET_VALUE);
        check_status_reset(dma_impl_mock::sim::stm32::UsartLayout::StatusData, sr, reset);
        check_usart_bits!(block);
    }};
}

/// Everything the driver and the simulator use of a stream controller, on
/// the PAC module `$dma`, whose `CHSEL` has `$chsel` bits.
macro_rules! check_stream_dma {
    ($dma:path, $chsel:expr) => {{
        use $dma as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        // Register map: RM0090 §10.5.11, RM0385 §8.5.11.
        assert_eq!(offset(block, block.lisr()), regs::stream::LISR);
        assert_eq!(offset(block, block.hisr()), regs::stream::HISR);
        assert_eq!(offset(block, block.lifcr()), regs::stream::LIFCR);
        assert_eq!(offset(block, block.hifcr()), regs::stream::HIFCR);
        assert_eq!(offset(block, block.lisr()), sim::stream::LISR);
        assert_eq!(offset(block, block.hisr()), sim::stream::HISR);
        assert_eq!(offset(block, block.lifcr()), sim::stream::LIFCR);
        assert_eq!(offset(block, block.hifcr()), sim::stream::HIFCR);
        for x in 0..8 {
            let st = block.st(x);
            let driver = |reg: usize| reg + regs::stream::STRIDE * x;
            let simulated = |reg: usize| reg + sim::stream::STRIDE * x;
            assert_eq!(offset(block, st.cr()), driver(regs::stream::CR), "S{x}CR");
            assert_eq!(offset(block, st.ndtr()), driver(regs::stream::NDTR), "S{x}NDTR");
            assert_eq!(offset(block, st.par()), driver(regs::stream::PAR), "S{x}PAR");
            assert_eq!(offset(block, st.m0ar()), driver(regs::stream::M0AR), "S{x}M0AR");
            assert_eq!(offset(block, st.m1ar()), driver(regs::stream::M1AR), "S{x}M1AR");
            assert_eq!(offset(block, st.fcr()), driver(regs::stream::FCR), "S{x}FCR");
            assert_eq!(offset(block, st.cr()), simulated(sim::stream::CR));
            assert_eq!(offset(block, st.ndtr()), simulated(sim::stream::NDTR));
            assert_eq!(offset(block, st.par()), simulated(sim::stream::PAR));
            assert_eq!(offset(block, st.m0ar()), simulated(sim::stream::M0AR));
            assert_eq!(offset(block, st.m1ar()), simulated(sim::stream::M1AR));
            assert_eq!(offset(block, st.fcr()), simulated(sim::stream::FCR));
        }
        assert_eq!(field!(block.st(0).ndtr(), ndt), (0, 16));
        // Flags, stream by stream (read-only LISR/HISR; LIFCR/HIFCR).
        macro_rules! flags {
            ($isr:ident, $ifcr:ident, $x:expr,
                                 $fe:ident, $dme:ident, $te:ident, $ht:ident, $tc:ident,
                                 $cfe:ident, $cdme:ident, $cte:ident, $cht:ident, $ctc:ident) => {{
                let at = offset(block, block.$isr());
                let group = regs::stream::FLAG_SHIFTS[$x % 4];
                let sim_group = sim::stream::FLAG_SHIFTS[$x % 4];
                for (pac_bit, ours, theirs, name) in [
                    (
                        read_bit!(base, at, block.$isr(), $fe),
                        regs::stream::FEIF,
                        sim::stream::FEIF,
                        "FEIF",
                    ),
                    (
                        read_bit!(base, at, block.$isr(), $dme),
                        regs::stream::DMEIF,
                        sim::stream::DMEIF,
                        "DMEIF",
                    ),
                    (
                        read_bit!(base, at, block.$isr(), $te),
                        regs::stream::TEIF,
                        sim::stream::TEIF,
                        "TEIF",
                    ),
                    (
                        read_bit!(base, at, block.$isr(), $ht),
                        regs::stream::HTIF,
                        sim::stream::HTIF,
                        "HTIF",
                    ),
                    (
                        read_bit!(base, at, block.$isr(), $tc),
                        regs::stream::TCIF,
                        sim::stream::TCIF,
                        "TCIF",
                    ),
                ] {
                    assert_eq!(pac_bit, group + bit(ours), "{name}{}", $x);
                    assert_eq!(pac_bit, sim_group + bit(theirs), "simulated {name}{}", $x);
                }
                let all = regs::stream::FEIF
                    | regs::stream::DMEIF
                    | regs::stream::TEIF
                    | regs::stream::HTIF
                    | regs::stream::TCIF;
                let clear = value!(
                    block.$ifcr(),
                    $cfe()
                        .set_bit()
                        .$cdme()
                        .set_bit()
                        .$cte()
                        .set_bit()
                        .$cht()
                        .set_bit()
                        .$ctc()
                        .set_bit()
                );
                assert_eq!(clear, all << group, "clear flags of stream {}", $x);
            }};
        }
        flags!(
            lisr, lifcr, 0, feif0, dmeif0, teif0, htif0, tcif0, cfeif0, cdmeif0, cteif0, chtif0,
            ctcif0
        );
        flags!(
            lisr, lifcr, 1, feif1, dmeif1, teif1, htif1, tcif1, cfeif1, cdmeif1, cteif1, chtif1,
            ctcif1
        );
        flags!(
            lisr, lifcr, 2, feif2, dmeif2, teif2, htif2, tcif2, cfeif2, cdmeif2, cteif2, chtif2,
            ctcif2
        );
        flags!(
            lisr, lifcr, 3, feif3, dmeif3, teif3, htif3, tcif3, cfeif3, cdmeif3, cteif3, chtif3,
            ctcif3
        );
        flags!(
            hisr, hifcr, 4, feif4, dmeif4, teif4, htif4, tcif4, cfeif4, cdmeif4, cteif4, chtif4,
            ctcif4
        );
        flags!(
            hisr, hifcr, 5, feif5, dmeif5, teif5, htif5, tcif5, cfeif5, cdmeif5, cteif5, chtif5,
            ctcif5
        );
        flags!(
            hisr, hifcr, 6, feif6, dmeif6, teif6, htif6, tcif6, cfeif6, cdmeif6, cteif6, chtif6,
            ctcif6
        );
        flags!(
            hisr, hifcr, 7, feif7, dmeif7, teif7, htif7, tcif7, cfeif7, cdmeif7, cteif7, chtif7,
            ctcif7
        );
        // SxCR fields (RM0090 §10.5.5).
        let cr = block.st(0).cr();
        assert_eq!(field!(cr, en), (bit(regs::stream::EN), 1));
        assert_eq!(field!(cr, dir), (regs::stream::DIR_SHIFT, 2));
        assert_eq!(field!(cr, circ), (bit(regs::stream::CIRC), 1));
        assert_eq!(field!(cr, pinc), (bit(regs::stream::PINC), 1));
        assert_eq!(field!(cr, minc), (bit(regs::stream::MINC), 1));
        assert_eq!(field!(cr, psize), (regs::stream::PSIZE_SHIFT, 2));
        assert_eq!(field!(cr, msize), (regs::stream::MSIZE_SHIFT, 2));
        assert_eq!(field!(cr, pl), (regs::stream::PL_SHIFT, 2));
        assert_eq!(field!(cr, dbm), (bit(regs::stream::DBM), 1));
        assert_eq!(field!(cr, ct), (bit(regs::stream::CT), 1));
        assert_eq!(field!(cr, chsel), (regs::stream::CHSEL_SHIFT, $chsel));
        // The interrupt enables `Stream::interrupt` turns on and masks.
        assert_eq!(field!(cr, dmeie), (bit(regs::stream::DMEIE), 1));
        assert_eq!(field!(cr, teie), (bit(regs::stream::TEIE), 1));
        assert_eq!(field!(cr, htie), (bit(regs::stream::HTIE), 1));
        assert_eq!(field!(cr, tcie), (bit(regs::stream::TCIE), 1));
        assert_eq!(field!(cr, en), (sim::stream::EN, 1));
        assert_eq!(field!(cr, dir), (sim::stream::DIR, 2));
        assert_eq!(field!(cr, circ), (sim::stream::CIRC, 1));
        assert_eq!(field!(cr, pinc), (sim::stream::PINC, 1));
        assert_eq!(field!(cr, minc), (sim::stream::MINC, 1));
        assert_eq!(field!(cr, psize), (sim::stream::PSIZE, 2));
        assert_eq!(field!(cr, msize), (sim::stream::MSIZE, 2));
        assert_eq!(field!(cr, dbm), (sim::stream::DBM, 1));
        assert_eq!(field!(cr, ct), (sim::stream::CT, 1));
        assert_eq!(field!(cr, chsel).0, sim::stream::CHSEL);
        // Enumerated values.
        let dir = |v: u32| v << regs::stream::DIR_SHIFT;
        assert_eq!(value!(cr, dir().peripheral_to_memory()), dir(regs::stream::DIR_P2M));
        assert_eq!(value!(cr, dir().memory_to_peripheral()), dir(regs::stream::DIR_M2P));
        assert_eq!(value!(cr, dir().memory_to_memory()), dir(regs::stream::DIR_M2M));
        assert_eq!(value!(cr, psize().bits8()), regs::SIZE_8 << regs::stream::PSIZE_SHIFT);
        assert_eq!(value!(cr, psize().bits16()), regs::SIZE_16 << regs::stream::PSIZE_SHIFT);
        assert_eq!(value!(cr, psize().bits32()), regs::SIZE_32 << regs::stream::PSIZE_SHIFT);
        assert_eq!(value!(cr, msize().bits32()), regs::SIZE_32 << regs::stream::MSIZE_SHIFT);
        for (variant, priority) in [
            (value!(cr, pl().low()), Priority::Low),
            (value!(cr, pl().medium()), Priority::Medium),
            (value!(cr, pl().high()), Priority::High),
            (value!(cr, pl().very_high()), Priority::VeryHigh),
        ] {
            assert_eq!(variant, priority.bits() << regs::stream::PL_SHIFT, "{priority:?}");
        }
        // SxFCR (RM0090 §10.5.10): FIFO mode with a full-FIFO threshold.
        let fcr = block.st(0).fcr();
        assert_eq!(field!(fcr, dmdis), (bit(regs::stream::DMDIS), 1));
        assert_eq!(field!(fcr, dmdis), (sim::stream::DMDIS, 1));
        assert_eq!(field!(fcr, fth), (regs::stream::FTH_SHIFT, 2));
        assert_eq!(value!(fcr, fth().full()), regs::stream::FTH_FULL << regs::stream::FTH_SHIFT);
        assert_eq!(value!(fcr, dmdis().disabled()), regs::stream::DMDIS, "DMDIS = 1: FIFO mode");
    }};
}

// ---------------------------------------------------------------------------
// SPI1 (F1, F4): `CR1`, `CR2`, `SR`, `DR`; RM0008 §25.5, RM0090 §28.5.

/// Everything the driver (`regs::spi`) and the simulator
/// (`dma_impl_mock::sim::stm32::spi`) use of SPI1, on the PAC module `$spi`.
macro_rules! check_spi {
    ($spi:path) => {{
        use dma_impl_mock::sim::stm32::spi as sim_spi;
        use $spi as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        assert_eq!(offset(block, block.cr1()), regs::spi::CR1);
        assert_eq!(offset(block, block.cr2()), regs::spi::CR2);
        assert_eq!(offset(block, block.sr()), regs::spi::SR);
        assert_eq!(offset(block, block.dr()), regs::spi::DR);
        assert_eq!(offset(block, block.cr1()), sim_spi::CR1);
        assert_eq!(offset(block, block.cr2()), sim_spi::CR2);
        assert_eq!(offset(block, block.sr()), sim_spi::SR);
        assert_eq!(offset(block, block.dr()), sim_spi::DR);
        assert_eq!(field!(block.cr1(), mstr), (bit(regs::spi::MSTR), 1));
        assert_eq!(field!(block.cr1(), spe), (bit(regs::spi::SPE), 1));
        assert_eq!(field!(block.cr1(), ssi), (bit(regs::spi::SSI), 1));
        assert_eq!(field!(block.cr1(), ssm), (bit(regs::spi::SSM), 1));
        assert_eq!(field!(block.cr1(), br), (regs::spi::BR_SHIFT, 3));
        assert_eq!(field!(block.cr1(), mstr), (bit(sim_spi::MSTR), 1));
        assert_eq!(field!(block.cr1(), spe), (bit(sim_spi::SPE), 1));
        assert_eq!(field!(block.cr2(), txdmaen), (bit(regs::spi::TXDMAEN), 1));
        assert_eq!(field!(block.cr2(), rxdmaen), (bit(regs::spi::RXDMAEN), 1));
        assert_eq!(field!(block.cr2(), txdmaen), (bit(sim_spi::TXDMAEN), 1));
        assert_eq!(field!(block.cr2(), rxdmaen), (bit(sim_spi::RXDMAEN), 1));
        let sr = offset(block, block.sr());
        assert_eq!(read_bit!(base, sr, block.sr(), txe), bit(regs::spi::TXE));
        assert_eq!(read_bit!(base, sr, block.sr(), rxne), bit(regs::spi::RXNE));
        assert_eq!(read_bit!(base, sr, block.sr(), bsy), bit(regs::spi::BSY));
        assert_eq!(read_bit!(base, sr, block.sr(), ovr), bit(regs::spi::OVR));
        assert_eq!(read_bit!(base, sr, block.sr(), txe), bit(sim_spi::TXE));
        assert_eq!(read_bit!(base, sr, block.sr(), rxne), bit(sim_spi::RXNE));
        assert_eq!(read_bit!(base, sr, block.sr(), bsy), bit(sim_spi::BSY));
        assert_eq!(read_bit!(base, sr, block.sr(), ovr), bit(sim_spi::OVR));
    }};
}

/// The FIFO SPI's (F0, F3, F7, L4; RM0316 §30.9.2, §30.9.3) extra facts
/// the driver uses, `CR2.FRXTH` (bit 12) and `SR.FTLVL` (bits 12:11), and
/// the simulator (`SpiSim::with_fifos`), which also models `SR.FRLVL`
/// (bits 10:9).
macro_rules! check_fifo_spi {
    ($spi:path) => {{
        use dma_impl_mock::sim::stm32::spi as sim_spi;
        use $spi as pac;
        let (block, base) = host_block::<pac::RegisterBlock>();
        assert_eq!(field!(block.cr2(), frxth), (bit(regs::spi::FRXTH), 1));
        assert_eq!(field!(block.cr2(), frxth), (bit(sim_spi::FRXTH), 1));
        let sr = offset(block, block.sr());
        let (mut ftlvl, mut frlvl) = (0u32, 0u32);
        for b in 0..32u32 {
            poke(base, sr, 1 << b);
            if block.sr().read().ftlvl().bits() != 0 {
                ftlvl |= 1 << b;
            }
            if block.sr().read().frlvl().bits() != 0 {
                frlvl |= 1 << b;
            }
        }
        poke(base, sr, 0);
        assert_eq!(ftlvl, regs::spi::FTLVL);
        assert_eq!((ftlvl, frlvl), (sim_spi::FTLVL, sim_spi::FRLVL));
    }};
}
