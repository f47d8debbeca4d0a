//! The register map the STM32 simulators decode: every offset, bit and
//! field they model, public so that `dma-pac-oracle` checks these very
//! values against the vendors' svd2rust PACs (the driver in
//! `dma-impl-stm32` has its own copy, checked the same way).

/// Channel DMA (RM0008 §13.4, RM0360 §10.4, RM0316 §13.6, RM0351 §11.6).
pub mod channel {
    /// `DMA_ISR`.
    pub const ISR: usize = 0x00;
    /// `DMA_IFCR`.
    pub const IFCR: usize = 0x04;
    /// `DMA_CSELR` (L4, RM0351 §11.6.7).
    pub const CSELR: usize = 0xA8;
    /// Bits per channel in `CSELR`.
    pub const CSELR_BITS: u32 = 4;
    /// `DMA_CCR1`; channel index i (0-based) at `CCR + STRIDE·i`.
    pub const CCR: usize = 0x08;
    /// `DMA_CNDTR1`.
    pub const CNDTR: usize = 0x0C;
    /// `DMA_CPAR1`.
    pub const CPAR: usize = 0x10;
    /// `DMA_CMAR1`.
    pub const CMAR: usize = 0x14;
    /// Distance between consecutive channels' registers.
    pub const STRIDE: usize = 0x14;
    /// Bits per channel in `ISR`/`IFCR`.
    pub const FLAG_STRIDE: u32 = 4;
    /// Number of channels modelled.
    pub const CHANNELS: usize = 7;

    /// `CCR.EN`.
    pub const EN: u32 = 0;
    /// `CCR.DIR` bit.
    pub const DIR: u32 = 4;
    /// `CCR.CIRC` bit.
    pub const CIRC: u32 = 5;
    /// `CCR.PINC` bit.
    pub const PINC: u32 = 6;
    /// `CCR.MINC` bit.
    pub const MINC: u32 = 7;
    /// `CCR.PSIZE` (2 bits) position.
    pub const PSIZE: u32 = 8;
    /// `CCR.MSIZE` (2 bits) position.
    pub const MSIZE: u32 = 10;
    /// `CCR.MEM2MEM` bit.
    pub const MEM2MEM: u32 = 14;

    /// `GIF` in a channel's flag group.
    pub const GIF: u32 = 1 << 0;
    /// `TCIF`.
    pub const TCIF: u32 = 1 << 1;
    /// `HTIF`.
    pub const HTIF: u32 = 1 << 2;
    /// `TEIF`.
    pub const TEIF: u32 = 1 << 3;
}

/// Stream DMA (RM0090 §10.5, RM0385 §8.5, RM0410 §8.5).
pub mod stream {
    /// `DMA_LISR`.
    pub const LISR: usize = 0x00;
    /// `DMA_HISR`.
    pub const HISR: usize = 0x04;
    /// `DMA_LIFCR`.
    pub const LIFCR: usize = 0x08;
    /// `DMA_HIFCR`.
    pub const HIFCR: usize = 0x0C;
    /// `DMA_S0CR`; stream x at `CR + STRIDE·x`.
    pub const CR: usize = 0x10;
    /// `DMA_S0NDTR`.
    pub const NDTR: usize = 0x14;
    /// `DMA_S0PAR`.
    pub const PAR: usize = 0x18;
    /// `DMA_S0M0AR` (`M1AR` follows at +4).
    pub const M0AR: usize = 0x1C;
    /// `DMA_S0M1AR`.
    pub const M1AR: usize = 0x20;
    /// `DMA_S0FCR`.
    pub const FCR: usize = 0x24;
    /// Distance between consecutive streams' registers.
    pub const STRIDE: usize = 0x18;
    /// Start of stream `x % 4`'s flag group in `LISR`/`HISR`.
    pub const FLAG_SHIFTS: [u32; 4] = [0, 6, 16, 22];
    /// Number of streams.
    pub const STREAMS: usize = 8;

    /// `SxCR.EN` bit.
    pub const EN: u32 = 0;
    /// `SxCR.DIR` (2 bits) position.
    pub const DIR: u32 = 6;
    /// `SxCR.CIRC` bit.
    pub const CIRC: u32 = 8;
    /// `SxCR.PINC` bit.
    pub const PINC: u32 = 9;
    /// `SxCR.MINC` bit.
    pub const MINC: u32 = 10;
    /// `SxCR.PSIZE` (2 bits) position.
    pub const PSIZE: u32 = 11;
    /// `SxCR.MSIZE` (2 bits) position.
    pub const MSIZE: u32 = 13;
    /// `SxCR.DBM` bit.
    pub const DBM: u32 = 18;
    /// `SxCR.CT` bit.
    pub const CT: u32 = 19;
    /// `SxCR.CHSEL` position (3 bits on F2/F4/F74x, 4 on F76x/F77x).
    pub const CHSEL: u32 = 25;
    /// `SxFCR.DMDIS` bit.
    pub const DMDIS: u32 = 2;

    /// `FEIF` in a stream's flag group.
    pub const FEIF: u32 = 1 << 0;
    /// `DMEIF`.
    pub const DMEIF: u32 = 1 << 2;
    /// `TEIF`.
    pub const TEIF: u32 = 1 << 3;
    /// `HTIF`.
    pub const HTIF: u32 = 1 << 4;
    /// `TCIF`.
    pub const TCIF: u32 = 1 << 5;
}

/// USART (RM0008 §27.6 `SR`/`DR` map; RM0316 §29.8 `ISR`/`TDR` map).
pub mod usart {
    /// `SR` map: `SR`.
    pub const SR_MAP_SR: usize = 0x00;
    /// `SR` map: `DR` (transmit and receive).
    pub const SR_MAP_DR: usize = 0x04;
    /// `SR` map: `CR1`.
    pub const SR_MAP_CR1: usize = 0x0C;
    /// `SR` map: `CR3`.
    pub const SR_MAP_CR3: usize = 0x14;
    /// `SR` map: `CR1.UE`.
    pub const SR_MAP_UE: u32 = 1 << 13;
    /// `ISR` map: `CR1`.
    pub const ISR_MAP_CR1: usize = 0x00;
    /// `ISR` map: `CR3`.
    pub const ISR_MAP_CR3: usize = 0x08;
    /// `ISR` map: `ISR`.
    pub const ISR_MAP_ISR: usize = 0x1C;
    /// `ISR` map: `ICR`.
    pub const ISR_MAP_ICR: usize = 0x20;
    /// `ISR` map: `RDR`.
    pub const ISR_MAP_RDR: usize = 0x24;
    /// `ISR` map: `TDR`.
    pub const ISR_MAP_TDR: usize = 0x28;
    /// `ISR` map: `CR1.UE`.
    pub const ISR_MAP_UE: u32 = 1 << 0;
    /// `CR1.TE` (both maps).
    pub const TE: u32 = 1 << 3;
    /// `CR1.RE` (both maps).
    pub const RE: u32 = 1 << 2;
    /// `TXE` (`SR` and `ISR`).
    pub const TXE: u32 = 1 << 7;
    /// `TC` (`SR` and `ISR`), `TCCF` in `ICR`.
    pub const TC: u32 = 1 << 6;
    /// `RXNE` (`SR` and `ISR`).
    pub const RXNE: u32 = 1 << 5;
    /// `CR3.DMAT`.
    pub const DMAT: u32 = 1 << 7;
    /// `CR3.DMAR`.
    pub const DMAR: u32 = 1 << 6;
}
