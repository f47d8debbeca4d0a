//! `dma_impl_rp2040::regs` (the constants the HAL uses) against `rp2040-pac`
//! 0.6 (svd2rust from Raspberry Pi's `rp2040.svd`): base addresses, every
//! channel's register offsets, the shared DMA registers, the CTRL fields,
//! the DREQ numbers, and the SPI / UART registers the DMA paces on.
//!
//! Offsets are taken from the PAC's register blocks laid over a host buffer
//! (no device memory is touched), field positions by writing each field
//! through the PAC's writer and reading the raw word back.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_impl_rp2040::regs;
use pac::dma::ch::ch_ctrl_trig::{DATA_SIZE_A, TREQ_SEL_A};
use rp2040_pac as pac;

/// A zeroed, aligned host buffer as big as a peripheral's 4 KiB window.
fn window() -> Vec<u32> {
    vec![0u32; 0x1000 / 4]
}

/// `rb`'s register `reg` as an offset from the block.
fn offset<B, R>(rb: &B, reg: &R) -> usize {
    (reg as *const R as usize) - (rb as *const B as usize)
}

/// Stores `value` at byte `off` of the block behind `rb` (for read-only
/// registers, which the PAC has no writer for).
fn poke<B>(rb: &B, off: usize, value: u32) {
    let word = (rb as *const B).cast::<u8>().cast_mut().wrapping_add(off).cast::<u32>();
    // SAFETY: inside the host buffer behind `rb` (its registers are
    // `VolatileCell`s, i.e. `UnsafeCell`s, so a write beside the shared
    // reference is allowed), aligned.
    unsafe { word.write_volatile(value) }
}

fn dma(mem: &mut [u32]) -> &pac::dma::RegisterBlock {
    assert!(core::mem::size_of::<pac::dma::RegisterBlock>() <= mem.len() * 4);
    // SAFETY: the buffer is 4-aligned, big enough, zeroed, and only accessed
    // through this reference (whose registers are `VolatileCell`s) while it lives.
    unsafe { &*mem.as_mut_ptr().cast::<pac::dma::RegisterBlock>() }
}

#[test]
fn base_addresses() {
    assert_eq!(pac::DMA::PTR as usize, regs::DMA_BASE);
    assert_eq!(pac::SPI0::PTR as usize, regs::SPI0_BASE);
    assert_eq!(pac::SPI1::PTR as usize, regs::SPI1_BASE);
    assert_eq!(pac::UART0::PTR as usize, regs::UART0_BASE);
    assert_eq!(pac::UART1::PTR as usize, regs::UART1_BASE);
}

#[test]
fn channel_register_offsets() {
    let mut mem = window();
    let rb = dma(&mut mem);
    for n in 0..regs::CHANNELS {
        let ch = rb.ch(n);
        let at = |r: usize| regs::channel(n) + r;
        assert_eq!(offset(rb, ch.ch_read_addr()), at(regs::READ_ADDR), "ch{n} READ_ADDR");
        assert_eq!(offset(rb, ch.ch_write_addr()), at(regs::WRITE_ADDR), "ch{n} WRITE_ADDR");
        assert_eq!(offset(rb, ch.ch_trans_count()), at(regs::TRANS_COUNT), "ch{n} TRANS_COUNT");
        assert_eq!(offset(rb, ch.ch_ctrl_trig()), at(regs::CTRL_TRIG), "ch{n} CTRL_TRIG");
        assert_eq!(offset(rb, ch.ch_al1_ctrl()), at(regs::AL1_CTRL), "ch{n} AL1_CTRL");
        assert_eq!(
            offset(rb, ch.ch_al1_trans_count_trig()),
            at(regs::AL1_TRANS_COUNT_TRIG),
            "ch{n} AL1_TRANS_COUNT_TRIG"
        );
        assert_eq!(offset(rb, ch.ch_al2_write_addr_trig()), at(regs::AL2_WRITE_ADDR_TRIG), "ch{n}");
        assert_eq!(offset(rb, ch.ch_al3_read_addr_trig()), at(regs::AL3_READ_ADDR_TRIG), "ch{n}");
    }
    assert_eq!(rb.ch_iter().count(), regs::CHANNELS);
    // The debug registers of channels 0 and 11.
    assert_eq!(offset(rb, rb.ch0_dbg_ctdreq()), regs::DBG_CTDREQ);
    assert_eq!(offset(rb, rb.ch0_dbg_tcr()), regs::DBG_TCR);
    assert_eq!(offset(rb, rb.ch11_dbg_tcr()), regs::DBG_TCR + regs::channel(11));
}

#[test]
fn shared_register_offsets() {
    let mut mem = window();
    let rb = dma(&mut mem);
    assert_eq!(offset(rb, rb.intr()), regs::INTR);
    assert_eq!(offset(rb, rb.inte0()), regs::INTE0);
    assert_eq!(offset(rb, rb.intf0()), regs::INTF0);
    assert_eq!(offset(rb, rb.ints0()), regs::INTS0);
    assert_eq!(offset(rb, rb.inte1()), regs::INTE1);
    assert_eq!(offset(rb, rb.intf1()), regs::INTF1);
    assert_eq!(offset(rb, rb.ints1()), regs::INTS1);
    assert_eq!(offset(rb, rb.multi_chan_trigger()), regs::MULTI_CHAN_TRIGGER);
    assert_eq!(offset(rb, rb.fifo_levels()), regs::FIFO_LEVELS);
    assert_eq!(offset(rb, rb.chan_abort()), regs::CHAN_ABORT);
    assert_eq!(offset(rb, rb.n_channels()), regs::N_CHANNELS);
    // CHAN_ABORT's field is 16 bits; FIFO_LEVELS' WAF and TDF fields.
    // SAFETY: a raw value into the host buffer.
    rb.chan_abort().write(|w| unsafe { w.bits(u32::MAX) });
    assert_eq!(rb.chan_abort().read().chan_abort().bits() as u32, regs::CHAN_ABORT_FIELD);
    poke(rb, regs::FIFO_LEVELS, 0x00AB_CD12);
    let levels = rb.fifo_levels().read();
    assert_eq!(u32::from(levels.tdf_lvl().bits()), 0x00AB_CD12 & regs::FIFO_LEVELS_TDF_MASK);
    assert_eq!(
        u32::from(levels.waf_lvl().bits()),
        (0x00AB_CD12 >> regs::FIFO_LEVELS_WAF_SHIFT) & 0xFF
    );
}

#[test]
fn ctrl_fields() {
    let mut mem = window();
    let rb = dma(&mut mem);
    let ctrl = rb.ch(0).ch_ctrl_trig();
    let raw = |f: &dyn Fn(&mut pac::dma::ch::ch_ctrl_trig::W)| {
        ctrl.write(|w| {
            f(w);
            w
        });
        ctrl.read().bits()
    };
    assert_eq!(
        raw(&|w| {
            w.en().set_bit();
        }),
        regs::CTRL_EN
    );
    assert_eq!(
        raw(&|w| {
            w.high_priority().set_bit();
        }),
        regs::CTRL_HIGH_PRIORITY
    );
    assert_eq!(
        raw(&|w| {
            w.incr_read().set_bit();
        }),
        regs::CTRL_INCR_READ
    );
    assert_eq!(
        raw(&|w| {
            w.incr_write().set_bit();
        }),
        regs::CTRL_INCR_WRITE
    );
    assert_eq!(
        raw(&|w| {
            w.ring_sel().set_bit();
        }),
        regs::CTRL_RING_SEL
    );
    assert_eq!(
        raw(&|w| {
            w.irq_quiet().set_bit();
        }),
        regs::CTRL_IRQ_QUIET
    );
    assert_eq!(
        raw(&|w| {
            w.bswap().set_bit();
        }),
        regs::CTRL_BSWAP
    );
    assert_eq!(
        raw(&|w| {
            w.sniff_en().set_bit();
        }),
        regs::CTRL_SNIFF_EN
    );
    assert_eq!(
        raw(&|w| {
            w.write_error().clear_bit_by_one();
        }),
        regs::CTRL_WRITE_ERROR
    );
    assert_eq!(
        raw(&|w| {
            w.read_error().clear_bit_by_one();
        }),
        regs::CTRL_READ_ERROR
    );
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.chain_to().bits(0xF) };
        }),
        regs::CTRL_CHAIN_TO_MASK
    );
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.chain_to().bits(1) };
        }),
        1 << regs::CTRL_CHAIN_TO_SHIFT
    );
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.treq_sel().bits(0x3F) };
        }),
        regs::CTRL_TREQ_SEL_MASK
    );
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.treq_sel().bits(1) };
        }),
        1 << regs::CTRL_TREQ_SEL_SHIFT
    );
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.ring_size().bits(1) };
        }),
        1 << regs::CTRL_RING_SIZE_SHIFT
    );
    for (variant, code) in [
        (DATA_SIZE_A::SIZE_BYTE, regs::DATA_SIZE_BYTE),
        (DATA_SIZE_A::SIZE_HALFWORD, regs::DATA_SIZE_HALFWORD),
        (DATA_SIZE_A::SIZE_WORD, regs::DATA_SIZE_WORD),
    ] {
        assert_eq!(
            raw(&|w| {
                w.data_size().variant(variant);
            }),
            code << regs::CTRL_DATA_SIZE_SHIFT
        );
    }
    assert_eq!(
        raw(&|w| {
            // SAFETY: a raw field value into the host buffer.
            unsafe { w.data_size().bits(3) };
        }),
        regs::CTRL_DATA_SIZE_MASK
    );
    // The read-only flags, by the reader.
    // SAFETY: raw values into a host buffer.
    ctrl.write(|w| unsafe { w.bits(regs::CTRL_BUSY | regs::CTRL_AHB_ERROR) });
    let r = ctrl.read();
    assert!(r.busy().bit_is_set() && r.ahb_error().bit_is_set());
    assert!(r.en().bit_is_clear() && r.read_error().bit_is_clear());
}

#[test]
fn dreq_numbers() {
    for (variant, ours) in [
        (TREQ_SEL_A::SPI0_TX, regs::DREQ_SPI0_TX),
        (TREQ_SEL_A::SPI0_RX, regs::DREQ_SPI0_RX),
        (TREQ_SEL_A::SPI1_TX, regs::DREQ_SPI1_TX),
        (TREQ_SEL_A::SPI1_RX, regs::DREQ_SPI1_RX),
        (TREQ_SEL_A::UART0_TX, regs::DREQ_UART0_TX),
        (TREQ_SEL_A::UART0_RX, regs::DREQ_UART0_RX),
        (TREQ_SEL_A::UART1_TX, regs::DREQ_UART1_TX),
        (TREQ_SEL_A::UART1_RX, regs::DREQ_UART1_RX),
        (TREQ_SEL_A::XIP_SSIRX, regs::DREQ_LAST),
        (TREQ_SEL_A::TIMER0, regs::TREQ_TIMER0),
        (TREQ_SEL_A::PERMANENT, regs::TREQ_PERMANENT),
    ] {
        assert_eq!(variant as u8, ours, "{variant:?}");
    }
    // The instance types carry the right ones.
    use dma_impl_rp2040::{Spi0, Spi1, SpiInstance, Uart0, Uart1, UartInstance};
    assert_eq!(
        (Spi0::TX_DREQ, Spi0::RX_DREQ),
        (TREQ_SEL_A::SPI0_TX as u8, TREQ_SEL_A::SPI0_RX as u8)
    );
    assert_eq!(
        (Spi1::TX_DREQ, Spi1::RX_DREQ),
        (TREQ_SEL_A::SPI1_TX as u8, TREQ_SEL_A::SPI1_RX as u8)
    );
    assert_eq!(
        (Uart0::TX_DREQ, Uart0::RX_DREQ),
        (TREQ_SEL_A::UART0_TX as u8, TREQ_SEL_A::UART0_RX as u8)
    );
    assert_eq!(
        (Uart1::TX_DREQ, Uart1::RX_DREQ),
        (TREQ_SEL_A::UART1_TX as u8, TREQ_SEL_A::UART1_RX as u8)
    );
    assert_eq!((Spi0::BASE, Spi1::BASE), (pac::SPI0::PTR as usize, pac::SPI1::PTR as usize));
    assert_eq!((Uart0::BASE, Uart1::BASE), (pac::UART0::PTR as usize, pac::UART1::PTR as usize));
}

#[test]
fn spi_and_uart_registers() {
    let mut mem = window();
    // SAFETY: as in `dma`, for the SPI block.
    let spi = unsafe { &*mem.as_mut_ptr().cast::<pac::spi0::RegisterBlock>() };
    assert_eq!(offset(spi, spi.sspdr()), regs::SSPDR);
    assert_eq!(offset(spi, spi.sspsr()), regs::SSPSR);
    assert_eq!(offset(spi, spi.sspdmacr()), regs::SSPDMACR);
    spi.sspdmacr().write(|w| w.txdmae().set_bit());
    assert_eq!(spi.sspdmacr().read().bits(), regs::SSPDMACR_TXDMAE);
    spi.sspdmacr().write(|w| w.rxdmae().set_bit());
    assert_eq!(spi.sspdmacr().read().bits(), regs::SSPDMACR_RXDMAE);
    poke(spi, regs::SSPSR, regs::SSPSR_RNE);
    let r = spi.sspsr().read();
    assert!(r.rne().bit_is_set() && r.bsy().bit_is_clear());
    poke(spi, regs::SSPSR, regs::SSPSR_BSY);
    assert!(spi.sspsr().read().bsy().bit_is_set());
    let mut mem = window();
    // SAFETY: as in `dma`, for the UART block.
    let uart = unsafe { &*mem.as_mut_ptr().cast::<pac::uart0::RegisterBlock>() };
    assert_eq!(offset(uart, uart.uartdr()), regs::UARTDR);
    assert_eq!(offset(uart, uart.uartdmacr()), regs::UARTDMACR);
    uart.uartdmacr().write(|w| w.txdmae().set_bit());
    assert_eq!(uart.uartdmacr().read().bits(), regs::UARTDMACR_TXDMAE);
    uart.uartdmacr().write(|w| w.rxdmae().set_bit());
    assert_eq!(uart.uartdmacr().read().bits(), regs::UARTDMACR_RXDMAE);
}
