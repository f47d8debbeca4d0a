//! The RP2040's DMA register map, and the SPI and UART registers the DMA
//! paces on. Public so that the PAC oracle (`pac-oracle/tests/rp2040.rs`,
//! against `rp2040-pac` 0.6) and the simulator
//! (`dma_impl_mock::sim::rp2040`) read the very constants this crate uses.
//!
//! Sources: *RP2040 Datasheet* (Raspberry Pi Ltd, build 2023-06 and later),
//! §2.2.2 "Address map", §2.5 "DMA" (§2.5.7 "List of Registers"), §4.2.3
//! (UART `UARTDR`, `UARTDMACR`), §4.4.4 (SPI `SSPDR`, `SSPSR`,
//! `SSPDMACR`), and the errata RP2040-E12 / RP2040-E13 (appendix "Errata").

// ---- Base addresses (§2.2.2 "Address map"; rp2040-pac `DMA::PTR` etc.) ----

/// The DMA's register block (APB/AHB-Lite peripherals: `DMA_BASE`, §2.2.2).
pub const DMA_BASE: usize = 0x5000_0000;
/// `SPI0_BASE` (§2.2.2).
pub const SPI0_BASE: usize = 0x4003_C000;
/// `SPI1_BASE` (§2.2.2).
pub const SPI1_BASE: usize = 0x4004_0000;
/// `UART0_BASE` (§2.2.2).
pub const UART0_BASE: usize = 0x4003_4000;
/// `UART1_BASE` (§2.2.2).
pub const UART1_BASE: usize = 0x4003_8000;

// ---- DMA channels (§2.5.7, Table 128: channel n at n * 0x40) ----

/// The number of channels (§2.5: "12 independent channels"; `N_CHANNELS`
/// reads 12).
pub const CHANNELS: usize = 12;
/// Bytes between two channels' register groups (§2.5.7).
pub const CHANNEL_STRIDE: usize = 0x40;

/// Offset of channel `n`'s register group.
pub const fn channel(n: usize) -> usize {
    n * CHANNEL_STRIDE
}

/// `CHx_READ_ADDR`: the read address; live while the channel runs (§2.5.7).
pub const READ_ADDR: usize = 0x00;
/// `CHx_WRITE_ADDR` (§2.5.7).
pub const WRITE_ADDR: usize = 0x04;
/// `CHx_TRANS_COUNT`: writing sets the count loaded at the next trigger;
/// reading gives the transfers still to issue (§2.5.2.2, §2.5.7).
pub const TRANS_COUNT: usize = 0x08;
/// `CHx_CTRL_TRIG`: control and status; a write is a trigger (§2.5.2.1).
pub const CTRL_TRIG: usize = 0x0C;
/// `CHx_AL1_CTRL`: the same control register, without a trigger (§2.5.2.1,
/// Table 125 "Control register aliases").
pub const AL1_CTRL: usize = 0x10;
/// `CHx_AL1_TRANS_COUNT_TRIG`: `TRANS_COUNT`, and a trigger (§2.5.2.1).
pub const AL1_TRANS_COUNT_TRIG: usize = 0x1C;
/// `CHx_AL2_WRITE_ADDR_TRIG`: `WRITE_ADDR`, and a trigger.
pub const AL2_WRITE_ADDR_TRIG: usize = 0x2C;
/// `CHx_AL3_READ_ADDR_TRIG`: `READ_ADDR`, and a trigger.
pub const AL3_READ_ADDR_TRIG: usize = 0x3C;

// ---- CTRL fields (§2.5.7, `CH0_CTRL_TRIG`, Table 132) ----

/// `EN`: the channel responds to triggers; cleared while `BUSY`, it pauses
/// the sequence (BUSY stays high).
pub const CTRL_EN: u32 = 1 << 0;
/// `HIGH_PRIORITY` (scheduling only).
pub const CTRL_HIGH_PRIORITY: u32 = 1 << 1;
/// `DATA_SIZE`, bits 3:2: 0 byte, 1 halfword, 2 word; 3 is not a size.
pub const CTRL_DATA_SIZE_SHIFT: u32 = 2;
/// The `DATA_SIZE` field's mask, in place.
pub const CTRL_DATA_SIZE_MASK: u32 = 0b11 << CTRL_DATA_SIZE_SHIFT;
/// `INCR_READ`: the read address increments by the data size.
pub const CTRL_INCR_READ: u32 = 1 << 4;
/// `INCR_WRITE`: the write address increments by the data size.
pub const CTRL_INCR_WRITE: u32 = 1 << 5;
/// `RING_SIZE`, bits 9:6 (0: no ring).
pub const CTRL_RING_SIZE_SHIFT: u32 = 6;
/// `RING_SEL`: the ring wraps the write address (else the read address).
pub const CTRL_RING_SEL: u32 = 1 << 10;
/// `CHAIN_TO`, bits 14:11: the channel triggered on completion; the
/// channel's own number disables chaining.
pub const CTRL_CHAIN_TO_SHIFT: u32 = 11;
/// The `CHAIN_TO` field's mask, in place.
pub const CTRL_CHAIN_TO_MASK: u32 = 0xF << CTRL_CHAIN_TO_SHIFT;
/// `TREQ_SEL`, bits 20:15: the transfer request (a DREQ number, a pacing
/// timer, or [`TREQ_PERMANENT`]).
pub const CTRL_TREQ_SEL_SHIFT: u32 = 15;
/// The `TREQ_SEL` field's mask, in place.
pub const CTRL_TREQ_SEL_MASK: u32 = 0x3F << CTRL_TREQ_SEL_SHIFT;
/// `IRQ_QUIET`: no interrupt at the end of the sequence.
pub const CTRL_IRQ_QUIET: u32 = 1 << 21;
/// `BSWAP`: byte-swap each word.
pub const CTRL_BSWAP: u32 = 1 << 22;
/// `SNIFF_EN`.
pub const CTRL_SNIFF_EN: u32 = 1 << 23;
/// `BUSY`, read-only: high from the start of a sequence until its last
/// transfer completes; stays high while paused (EN = 0); cleared by
/// `CHAN_ABORT`.
pub const CTRL_BUSY: u32 = 1 << 24;
/// `WRITE_ERROR`, write 1 to clear: the channel got a write bus error.
pub const CTRL_WRITE_ERROR: u32 = 1 << 29;
/// `READ_ERROR`, write 1 to clear: the channel got a read bus error.
pub const CTRL_READ_ERROR: u32 = 1 << 30;
/// `AHB_ERROR`, read-only: `READ_ERROR | WRITE_ERROR`; the channel halts on
/// any bus error and raises its IRQ flag.
pub const CTRL_AHB_ERROR: u32 = 1 << 31;

/// `DATA_SIZE` codes (`SIZE_BYTE`, `SIZE_HALFWORD`, `SIZE_WORD`).
pub const DATA_SIZE_BYTE: u32 = 0;
/// `SIZE_HALFWORD`.
pub const DATA_SIZE_HALFWORD: u32 = 1;
/// `SIZE_WORD`.
pub const DATA_SIZE_WORD: u32 = 2;

/// `TREQ_SEL` 0x3B..=0x3E: pacing timers 0..3 (§2.5.3.3).
pub const TREQ_TIMER0: u8 = 0x3B;
/// `TREQ_SEL` 0x3F: "Permanent request, for unpaced transfers" (§2.5.3).
pub const TREQ_PERMANENT: u8 = 0x3F;
/// The DREQ numbers end at 39 (`XIP_SSIRX`); 40..=0x3A are not assigned
/// (§2.5.3.1, Table 120).
pub const DREQ_LAST: u8 = 39;

/// `TRANS_COUNT` is a 32-bit count of transfers (§2.5.7 `CH0_TRANS_COUNT`,
/// bits 31:0): the most items one sequence moves.
pub const MAX_TRANS_COUNT: u32 = u32::MAX;

// ---- DMA global registers (§2.5.7) ----

/// The atomic bitmask-set alias of a register: its address + 0x2000
/// (§2.1.2 "Atomic register access": a write sets the bits written to 1).
pub const ATOMIC_SET: usize = 0x2000;
/// The atomic bitmask-clear alias: + 0x3000 (§2.1.2: a write clears the
/// bits written to 1).
pub const ATOMIC_CLR: usize = 0x3000;

/// `INTR`: raw interrupt status, one bit per channel; write 1 to clear.
pub const INTR: usize = 0x400;
/// `INTE0`: interrupt enables for `DMA_IRQ_0`.
pub const INTE0: usize = 0x404;
/// `INTF0`: force interrupts on `DMA_IRQ_0`.
pub const INTF0: usize = 0x408;
/// `INTS0`: `(INTR | INTF0) & INTE0`; write 1 to clear the `INTR` bit.
pub const INTS0: usize = 0x40C;
/// `INTE1`: interrupt enables for `DMA_IRQ_1`.
pub const INTE1: usize = 0x414;
/// `INTF1`.
pub const INTF1: usize = 0x418;
/// `INTS1`.
pub const INTS1: usize = 0x41C;
/// `MULTI_CHAN_TRIGGER`: writing a bitmap triggers those channels at once.
pub const MULTI_CHAN_TRIGGER: usize = 0x430;
/// `FIFO_LEVELS`: debug levels of the read-address (23:16), write-address
/// (15:8) and transfer-data (7:0) FIFOs.
pub const FIFO_LEVELS: usize = 0x440;
/// `FIFO_LEVELS.WAF_LVL`, bits 15:8: write addresses not yet issued.
pub const FIFO_LEVELS_WAF_SHIFT: u32 = 8;
/// `FIFO_LEVELS.TDF_LVL`, bits 7:0: data read and not yet written.
pub const FIFO_LEVELS_TDF_MASK: u32 = 0xFF;
/// `FIFO_LEVELS` bits 31:24 are reserved (read 0).
pub const FIFO_LEVELS_RESERVED: u32 = 0xFF00_0000;
/// `CHAN_ABORT`: writing 1 aborts a channel's sequence; the bit reads 1
/// until its in-flight transfers are flushed, and the channel must not be
/// restarted before it reads 0 again (§2.5.5.3). Bits 15:0 (RP2040 has 12
/// channels: bits 31:16 are reserved and read 0).
pub const CHAN_ABORT: usize = 0x444;
/// The bits of `CHAN_ABORT` the datasheet defines (15:0).
pub const CHAN_ABORT_FIELD: u32 = 0xFFFF;
/// `N_CHANNELS` (reads 12).
pub const N_CHANNELS: usize = 0x448;
/// `CHx_DBG_CTDREQ`: channel n's DREQ counter, at 0x800 + n * 0x40.
pub const DBG_CTDREQ: usize = 0x800;
/// `CHx_DBG_TCR`: the `TRANS_COUNT` reload value, at 0x804 + n * 0x40.
pub const DBG_TCR: usize = 0x804;

// ---- DREQ numbers (§2.5.3.1, Table 120 "DREQs") ----

/// `DREQ_SPI0_TX`.
pub const DREQ_SPI0_TX: u8 = 16;
/// `DREQ_SPI0_RX`.
pub const DREQ_SPI0_RX: u8 = 17;
/// `DREQ_SPI1_TX`.
pub const DREQ_SPI1_TX: u8 = 18;
/// `DREQ_SPI1_RX`.
pub const DREQ_SPI1_RX: u8 = 19;
/// `DREQ_UART0_TX`.
pub const DREQ_UART0_TX: u8 = 20;
/// `DREQ_UART0_RX`.
pub const DREQ_UART0_RX: u8 = 21;
/// `DREQ_UART1_TX`.
pub const DREQ_UART1_TX: u8 = 22;
/// `DREQ_UART1_RX`.
pub const DREQ_UART1_RX: u8 = 23;

// ---- SPI (ARM PL022, §4.4.4) ----

/// `SSPDR`: the data register (TX FIFO on write, RX FIFO on read); frames
/// of 4..16 bits, right-justified.
pub const SSPDR: usize = 0x008;
/// `SSPSR`: status.
pub const SSPSR: usize = 0x00C;
/// `SSPSR.TFE`, bit 0: the transmit FIFO is empty.
pub const SSPSR_TFE: u32 = 1 << 0;
/// `SSPSR.RNE`, bit 2: the receive FIFO is not empty.
pub const SSPSR_RNE: u32 = 1 << 2;
/// `SSPSR.BSY`, bit 4: the SPI is sending or receiving a frame, or the
/// transmit FIFO is not empty.
pub const SSPSR_BSY: u32 = 1 << 4;
/// `SSPDMACR`: DMA control.
pub const SSPDMACR: usize = 0x024;
/// `SSPDMACR.RXDMAE`, bit 0.
pub const SSPDMACR_RXDMAE: u32 = 1 << 0;
/// `SSPDMACR.TXDMAE`, bit 1.
pub const SSPDMACR_TXDMAE: u32 = 1 << 1;

// ---- UART (ARM PL011, §4.2.8) ----

/// `UARTDR`: the data register; bits 7:0 data, 11:8 receive error flags.
pub const UARTDR: usize = 0x000;
/// `UARTFR`: flags.
pub const UARTFR: usize = 0x018;
/// `UARTFR.BUSY`, bit 3: the UART is transmitting (set while the transmit
/// FIFO is not empty, until the last stop bit has left the shift register).
pub const UARTFR_BUSY: u32 = 1 << 3;
/// `UARTDMACR`: DMA control.
pub const UARTDMACR: usize = 0x048;
/// `UARTDMACR.RXDMAE`, bit 0.
pub const UARTDMACR_RXDMAE: u32 = 1 << 0;
/// `UARTDMACR.TXDMAE`, bit 1.
pub const UARTDMACR_TXDMAE: u32 = 1 << 1;
