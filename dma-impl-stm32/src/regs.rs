//! The register map this crate programs: every offset, bit position and
//! field value the drivers use, in one place, so that `dma-pac-oracle`
//! checks these very constants against the vendors' svd2rust PACs.
//!
//! Offsets are in bytes from the block's base; bit positions (`*_SHIFT`) and
//! masks are for the 32-bit register. Sources: RM0008 §13.4 (F1 channel
//! DMA), RM0360 §10.4 (F0), RM0316 §13.6 (F3), RM0351 §11.6 (L4, with
//! `CSELR`), RM0090 §10.5 (F2/F4 stream DMA), RM0385 §8.5 (F7), and the
//! USART chapters (RM0008 §27.6, RM0090 §30.6; RM0316 §29.8, RM0385 §34.8).

/// `PSIZE`/`MSIZE` value for 8-bit items (both controllers).
pub const SIZE_8: u32 = 0b00;
/// `PSIZE`/`MSIZE` value for 16-bit items.
pub const SIZE_16: u32 = 0b01;
/// `PSIZE`/`MSIZE` value for 32-bit items (`0b11` is reserved).
pub const SIZE_32: u32 = 0b10;

/// The channel-based controller (F0/F1/F3/L4): `ISR`, `IFCR`, then one
/// block of four registers per channel (RM0008 §13.4.7 register map).
pub mod channel {
    /// `DMA_ISR`: four flags per channel.
    pub const ISR: usize = 0x00;
    /// `DMA_IFCR`: write 1 to clear.
    pub const IFCR: usize = 0x04;
    /// `DMA_CSELR` (STM32L4 only, RM0351 §11.6.7): 4 bits per channel.
    pub const CSELR: usize = 0xA8;
    /// Width of a channel's `CxS` field in `CSELR`.
    pub const CSELR_BITS: u32 = 4;
    /// Distance between the register blocks of channel x and x + 1.
    pub const STRIDE: usize = 0x14;
    /// `DMA_CCR1`; channel x (1-based) at `CCR + STRIDE·(x − 1)`.
    pub const CCR: usize = 0x08;
    /// `DMA_CNDTR1`.
    pub const CNDTR: usize = 0x0C;
    /// `DMA_CPAR1`.
    pub const CPAR: usize = 0x10;
    /// `DMA_CMAR1`.
    pub const CMAR: usize = 0x14;
    /// Bits per channel in `ISR`/`IFCR`: channel x's group starts at `FLAG_STRIDE·(x − 1)`.
    pub const FLAG_STRIDE: u32 = 4;

    /// `CCR.EN`.
    pub const EN: u32 = 1 << 0;
    /// `CCR.TCIE`: transfer-complete interrupt enable.
    pub const TCIE: u32 = 1 << 1;
    /// `CCR.HTIE`: half-transfer interrupt enable.
    pub const HTIE: u32 = 1 << 2;
    /// `CCR.TEIE`: transfer-error interrupt enable.
    pub const TEIE: u32 = 1 << 3;
    /// `CCR.DIR`: 1 = read from memory.
    pub const DIR: u32 = 1 << 4;
    /// `CCR.CIRC`.
    pub const CIRC: u32 = 1 << 5;
    /// `CCR.PINC`.
    pub const PINC: u32 = 1 << 6;
    /// `CCR.MINC`.
    pub const MINC: u32 = 1 << 7;
    /// `CCR.PSIZE` (2 bits).
    pub const PSIZE_SHIFT: u32 = 8;
    /// `CCR.MSIZE` (2 bits).
    pub const MSIZE_SHIFT: u32 = 10;
    /// `CCR.PL` (2 bits).
    pub const PL_SHIFT: u32 = 12;
    /// `CCR.MEM2MEM`.
    pub const MEM2MEM: u32 = 1 << 14;

    /// `GIFx` (in the channel's group).
    pub const GIF: u32 = 1 << 0;
    /// `TCIFx`.
    pub const TCIF: u32 = 1 << 1;
    /// `HTIFx`.
    pub const HTIF: u32 = 1 << 2;
    /// `TEIFx`.
    pub const TEIF: u32 = 1 << 3;
}

/// The stream-based controller (F2/F4/F7): `LISR`/`HISR`, `LIFCR`/`HIFCR`,
/// then six registers per stream (RM0090 §10.5.11 register map).
pub mod stream {
    /// `DMA_LISR` (streams 0–3).
    pub const LISR: usize = 0x00;
    /// `DMA_HISR` (streams 4–7).
    pub const HISR: usize = 0x04;
    /// `DMA_LIFCR`.
    pub const LIFCR: usize = 0x08;
    /// `DMA_HIFCR`.
    pub const HIFCR: usize = 0x0C;
    /// Distance between the register blocks of stream x and x + 1.
    pub const STRIDE: usize = 0x18;
    /// `DMA_S0CR`; stream x at `CR + STRIDE·x`.
    pub const CR: usize = 0x10;
    /// `DMA_S0NDTR`.
    pub const NDTR: usize = 0x14;
    /// `DMA_S0PAR`.
    pub const PAR: usize = 0x18;
    /// `DMA_S0M0AR`.
    pub const M0AR: usize = 0x1C;
    /// `DMA_S0M1AR`.
    pub const M1AR: usize = 0x20;
    /// `DMA_S0FCR`.
    pub const FCR: usize = 0x24;
    /// Where the flag group of stream `x % 4` starts in its `LISR`/`HISR`.
    pub const FLAG_SHIFTS: [u32; 4] = [0, 6, 16, 22];

    /// `SxCR.EN`.
    pub const EN: u32 = 1 << 0;
    /// `SxCR.DMEIE`: direct-mode-error interrupt enable.
    pub const DMEIE: u32 = 1 << 1;
    /// `SxCR.TEIE`: transfer-error interrupt enable.
    pub const TEIE: u32 = 1 << 2;
    /// `SxCR.HTIE`: half-transfer interrupt enable.
    pub const HTIE: u32 = 1 << 3;
    /// `SxCR.TCIE`: transfer-complete interrupt enable.
    pub const TCIE: u32 = 1 << 4;
    /// `SxCR.DIR` (2 bits): 00 peripheral to memory, 01 memory to
    /// peripheral, 10 memory to memory.
    pub const DIR_SHIFT: u32 = 6;
    /// `DIR` value: peripheral to memory.
    pub const DIR_P2M: u32 = 0b00;
    /// `DIR` value: memory to peripheral.
    pub const DIR_M2P: u32 = 0b01;
    /// `DIR` value: memory to memory.
    pub const DIR_M2M: u32 = 0b10;
    /// `SxCR.CIRC`.
    pub const CIRC: u32 = 1 << 8;
    /// `SxCR.PINC`.
    pub const PINC: u32 = 1 << 9;
    /// `SxCR.MINC`.
    pub const MINC: u32 = 1 << 10;
    /// `SxCR.PSIZE` (2 bits).
    pub const PSIZE_SHIFT: u32 = 11;
    /// `SxCR.MSIZE` (2 bits).
    pub const MSIZE_SHIFT: u32 = 13;
    /// `SxCR.PL` (2 bits).
    pub const PL_SHIFT: u32 = 16;
    /// `SxCR.DBM`.
    pub const DBM: u32 = 1 << 18;
    /// `SxCR.CT`.
    pub const CT: u32 = 1 << 19;
    /// `SxCR.CHSEL`: 3 bits (25:27) on F2/F4/F74x/F75x, 4 bits (25:28) on
    /// F76x/F77x (RM0090 §10.5.5, RM0410 §8.5.5).
    pub const CHSEL_SHIFT: u32 = 25;

    /// `SxFCR.FTH` (2 bits): FIFO threshold; `0b11` = full FIFO.
    pub const FTH_SHIFT: u32 = 0;
    /// `FTH` value: full FIFO.
    pub const FTH_FULL: u32 = 0b11;
    /// `SxFCR.DMDIS`: 1 = FIFO mode, 0 = direct mode.
    pub const DMDIS: u32 = 1 << 2;

    /// `FEIFx` (in the stream's group).
    pub const FEIF: u32 = 1 << 0;
    /// `DMEIFx`.
    pub const DMEIF: u32 = 1 << 2;
    /// `TEIFx`.
    pub const TEIF: u32 = 1 << 3;
    /// `HTIFx`.
    pub const HTIF: u32 = 1 << 4;
    /// `TCIFx`.
    pub const TCIF: u32 = 1 << 5;
}

/// USART bits both register maps share (the offsets are the
/// [`Layout`](crate::usart::Layout) constants of each map).
pub mod usart {
    /// `CR1.TE` (both maps).
    pub const TE: u32 = 1 << 3;
    /// `CR1.RE` (both maps).
    pub const RE: u32 = 1 << 2;
    /// `CR1.UE` in the `SR`/`DR` map (F1/F2/F4).
    pub const UE_SR_MAP: u32 = 1 << 13;
    /// `CR1.UE` in the `ISR`/`TDR` map (F0/F3/F7/L4).
    pub const UE_ISR_MAP: u32 = 1 << 0;
    /// `CR3.DMAT`.
    pub const DMAT: u32 = 1 << 7;
    /// `CR3.DMAR`.
    pub const DMAR: u32 = 1 << 6;
    /// `SR.TC` / `ISR.TC`, and `ICR.TCCF`.
    pub const TC: u32 = 1 << 6;
    /// `ICR` offset in the `ISR`/`TDR` map.
    pub const ICR: usize = 0x20;
}

/// SPI1 (RM0008 §25.5, RM0090 §28.5: the same map on F1 and F4; the FIFO
/// SPIs of F0/F3/F7/L4 add `FRXTH` and `FTLVL`, RM0316 §30.9).
pub mod spi {
    /// `SPI_CR1`.
    pub const CR1: usize = 0x00;
    /// `SPI_CR2`.
    pub const CR2: usize = 0x04;
    /// `SPI_SR`.
    pub const SR: usize = 0x08;
    /// `SPI_DR`.
    pub const DR: usize = 0x0C;
    /// `CR1.MSTR`: master.
    pub const MSTR: u32 = 1 << 2;
    /// `CR1.BR` (3 bits): f_PCLK / 2^(BR + 1).
    pub const BR_SHIFT: u32 = 3;
    /// `CR1.SPE`: SPI enable.
    pub const SPE: u32 = 1 << 6;
    /// `CR1.SSI`: internal slave select (with `SSM`).
    pub const SSI: u32 = 1 << 8;
    /// `CR1.SSM`: software slave management.
    pub const SSM: u32 = 1 << 9;
    /// `CR2.RXDMAEN`.
    pub const RXDMAEN: u32 = 1 << 0;
    /// `CR2.TXDMAEN`.
    pub const TXDMAEN: u32 = 1 << 1;
    /// `SR.RXNE`.
    pub const RXNE: u32 = 1 << 0;
    /// `SR.TXE`.
    pub const TXE: u32 = 1 << 1;
    /// `SR.OVR`.
    pub const OVR: u32 = 1 << 6;
    /// `SR.BSY`.
    pub const BSY: u32 = 1 << 7;
    /// `CR2.FRXTH` (FIFO SPIs only: F0, F3, F7, L4; RM0316 §30.9.2): `RXNE`
    /// when the receive FIFO holds one byte (reserved on the F1/F4 SPI).
    pub const FRXTH: u32 = 1 << 12;
    /// `SR.FTLVL` (2 bits at 11, FIFO SPIs only; RM0316 §30.9.3): transmit
    /// FIFO level, 0 when empty (reserved, reading 0, on the F1/F4 SPI).
    pub const FTLVL: u32 = 0b11 << 11;
}
