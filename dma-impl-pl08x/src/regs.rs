//! Register map of the PL080/PL081.
//!
//! Sources: ARM DDI 0196 (PL080 TRM) §3.3 "Summary of registers" and §3.4
//! "Register descriptions"; ARM DDI 0218 (PL081 TRM), the same map with two
//! channels. Every offset and bit below is also what QEMU's `hw/dma/pl080.c`
//! decodes (`pl080_read`/`pl080_write`, `PL080_CCONF_*`, `PL080_CCTRL_*`) and
//! what Linux's `include/linux/amba/pl080.h` names (`PL080_*`).

/// `DMACIntTCStatus`, read-only: terminal-count status after masking by
/// `ITC` (DDI 0196 §3.4.2).
pub(crate) const INT_TC_STATUS: usize = 0x004;
/// `DMACIntErrorStatus`, read-only: error status after masking by `IE` (§3.4.4).
pub(crate) const INT_ERROR_STATUS: usize = 0x00C;
/// `DMACIntTCClear`, write-only, write 1 to clear a channel's terminal-count
/// status (DDI 0196 §3.4.3).
pub(crate) const INT_TC_CLEAR: usize = 0x008;
/// `DMACIntErrClr`, write-only, write 1 to clear a channel's error status (§3.4.5).
pub(crate) const INT_ERR_CLEAR: usize = 0x010;
/// `DMACRawIntTCStatus`, read-only: terminal-count status before masking by
/// `ITC` (§3.4.6): bit n is set when an LLI of channel n with `I` set
/// completes, and stays set until written 1 in `DMACIntTCClear`.
pub(crate) const RAW_INT_TC_STATUS: usize = 0x014;
/// `DMACRawIntErrorStatus`, read-only: error status before masking (§3.4.7).
pub(crate) const RAW_INT_ERROR_STATUS: usize = 0x018;
/// `DMACEnbldChns`, read-only: bit n is channel n's enable bit (§3.4.8).
pub(crate) const ENABLED_CHANNELS: usize = 0x01C;
/// `DMACConfiguration` (§3.4.13).
pub(crate) const CONFIGURATION: usize = 0x030;
/// `DMACConfiguration.E`: the controller is enabled (bit 0; QEMU `PL080_CONF_E`).
pub(crate) const CONFIGURATION_E: u32 = 1 << 0;

/// Offset of channel `n`'s register group: `0x100 + 0x20 * n` (§3.3, Table 3-1;
/// QEMU decodes `(offset & 0xe0) >> 5` as the channel in `0x100..0x200`).
pub(crate) const fn channel(n: usize) -> usize {
    0x100 + 0x20 * n
}
/// `DMACCxSrcAddr`, channel-relative (§3.4.15).
pub(crate) const SRC_ADDR: usize = 0x00;
/// `DMACCxDestAddr` (§3.4.16).
pub(crate) const DEST_ADDR: usize = 0x04;
/// `DMACCxLLI` (§3.4.17): bits [31:2] the next LLI's address, bit 0 `LM`
/// (the AHB master that loads it, PL080 only), bit 1 reserved (0).
pub(crate) const LLI: usize = 0x08;
/// `DMACCxControl` (§3.4.18).
pub(crate) const CONTROL: usize = 0x0C;
/// `DMACCxConfiguration` (§3.4.19).
pub(crate) const CONFIG: usize = 0x10;

/// `DMACCxControl.TransferSize`, bits [11:0]: 12 bits, so at most 4095
/// transfers per LLI (§3.4.18; QEMU `ctrl & 0xfff`; Linux
/// `PL080_CONTROL_TRANSFER_SIZE_MASK`).
pub(crate) const TRANSFER_SIZE_MASK: u32 = 0xFFF;
/// The largest `TransferSize`.
pub const MAX_TRANSFER_SIZE: usize = 0xFFF;
/// [`MAX_TRANSFER_SIZE`] as a segment length (never zero).
pub(crate) const MAX_SEGMENT: core::num::NonZeroUsize =
    match core::num::NonZeroUsize::new(MAX_TRANSFER_SIZE) {
        Some(n) => n,
        None => panic!("TransferSize is 12 bits"),
    };
/// `SWidth`, bits [20:18]: 0 = 8, 1 = 16, 2 = 32 bits (§3.4.18; Linux
/// `PL080_CONTROL_SWIDTH_SHIFT`, `PL080_WIDTH_*`).
pub(crate) const SWIDTH_SHIFT: u32 = 18;
/// `DWidth`, bits [23:21].
pub(crate) const DWIDTH_SHIFT: u32 = 21;
/// `SI`, bit 26: the source address increments after each transfer.
pub(crate) const SI: u32 = 1 << 26;
/// `DI`, bit 27: the destination address increments.
pub(crate) const DI: u32 = 1 << 27;
/// `I`, bit 31: terminal-count interrupt enable for this LLI.
pub(crate) const I: u32 = 1 << 31;
// SBSize [14:12] and DBSize [17:15] stay 0 (bursts of 1), `S`/`D` (bits 24,
// 25: AHB master) stay 0 (master 1; the PL081 has one), `Prot` [30:28] stays 0.

/// `DMACCxConfiguration.E`, bit 0: channel enable. Cleared by the hardware
/// when the last LLI completes or on an error (§3.4.19).
pub(crate) const CONFIG_E: u32 = 1 << 0;
/// `SrcPeripheral`, bits [4:1].
pub(crate) const SRC_PERIPHERAL_SHIFT: u32 = 1;
/// `DestPeripheral`, bits [9:6].
pub(crate) const DEST_PERIPHERAL_SHIFT: u32 = 6;
/// `FlowCntrl`, bits [13:11]: 0 memory-to-memory, 1 memory-to-peripheral,
/// 2 peripheral-to-memory, DMAC the flow controller (§3.4.19, Table 3-20;
/// Linux `PL080_FLOW_*`).
pub(crate) const FLOW_SHIFT: u32 = 11;
/// `FlowCntrl` = 2: peripheral-to-memory, the DMAC the flow controller
/// (§3.4.19, Table 3-20).
pub(crate) const FLOW_PERIPHERAL_TO_MEMORY: u32 = 2;
/// `IE`, bit 14: error interrupt mask (1 = not masked).
pub(crate) const CONFIG_IE: u32 = 1 << 14;
/// `ITC`, bit 15: terminal-count interrupt mask (1 = not masked).
pub(crate) const CONFIG_ITC: u32 = 1 << 15;
/// `A`, bit 17, read-only: the channel's FIFO holds data.
pub(crate) const CONFIG_A: u32 = 1 << 17;
/// `H`, bit 18: halt, later DMA requests are ignored and the FIFO drains.
pub(crate) const CONFIG_H: u32 = 1 << 18;

/// The number of DMA request lines of either controller (§2.1: 16 request
/// signal pairs; `SrcPeripheral`/`DestPeripheral` are 4 bits).
pub const REQUEST_LINES: u8 = 16;
