//! The ARM MPS2 FPGA images for the Cortex-M33 (AN505 with the IoTKit, AN521
//! with the SSE-200), as QEMU's `mps2-an505` / `mps2-an521` model them.
//!
//! Sources: QEMU `hw/arm/mps2-tz.c` (`ahb_ppcexp1` ports `dma0`..`dma3` at
//! 0x4011_0000..0x4011_3000, each a `TYPE_PL081` behind a Master Security
//! Controller; SSRAM1 at 0x0000_0000 (4 MiB), SSRAM2+3 at 0x2800_0000
//! (4 MiB); `mps2_tz_idau_check`: address bit 28 set = secure region), ARM
//! AN505 / AN521 memory maps (secure aliases at address | 0x1000_0000).

use core::ops::Range;

/// The four PL081s, non-secure aliases (`mps2-tz.c`, `ahb_ppcexp1`).
pub const DMA_NONSECURE: [usize; 4] = [0x4011_0000, 0x4011_1000, 0x4011_2000, 0x4011_3000];
/// The four PL081s, secure aliases (the IDAU's secure half: | 0x1000_0000).
/// After reset their PPC ports are secure-only, so secure code uses these.
pub const DMA_SECURE: [usize; 4] = [0x5011_0000, 0x5011_1000, 0x5011_2000, 0x5011_3000];

/// What the DMA reaches after reset: SSRAM through its secure aliases only
/// (SSRAM1 0x1000_0000, SSRAM2+3 0x3800_0000). The DMA is a secure master
/// (its MSC's `cfg_nonsec` is 0 after reset) and the SSRAM MPCs make every
/// block secure; through a non-secure alias (0x0xxx_xxxx, 0x2xxx_xxxx) its
/// writes are ignored and reads return 0, with no error.
pub const SECURE_SSRAM: &[Range<u32>] = &[SSRAM1_SECURE, SSRAM23_SECURE];

/// SSRAM1 (4 MiB) through its secure alias.
const SSRAM1_SECURE: Range<u32> = 0x1000_0000..0x1040_0000;
/// SSRAM2+3 (4 MiB) through its secure alias.
const SSRAM23_SECURE: Range<u32> = 0x3800_0000..0x3840_0000;

/// [`SECURE_SSRAM`] as a type, for [`crate::Dmac::new`]: the check is two
/// window compares of constants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecureSsram;

impl crate::Reach for SecureSsram {
    #[inline(always)]
    fn reaches(&self, address: *const u8, bytes: usize) -> bool {
        dma_mmio::in_window(address, bytes, SSRAM1_SECURE)
            || dma_mmio::in_window(address, bytes, SSRAM23_SECURE)
    }
}

/// The four DMA controllers of the board.
#[derive(Debug)]
pub struct Dmas {
    /// DMA0.
    pub dma0: crate::Pl081<SecureSsram>,
    /// DMA1.
    pub dma1: crate::Pl081<SecureSsram>,
    /// DMA2.
    pub dma2: crate::Pl081<SecureSsram>,
    /// DMA3.
    pub dma3: crate::Pl081<SecureSsram>,
}

/// The board's PL081s at their secure addresses, reaching [`SecureSsram`];
/// once (`None` after the first call).
#[cfg(target_os = "none")]
pub fn take() -> Option<Dmas> {
    use core::sync::atomic::{AtomicBool, Ordering};
    static TAKEN: AtomicBool = AtomicBool::new(false);
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    let [a, b, c, d] = DMA_SECURE;
    // SAFETY (each): the PL081 register blocks of the board (mps2-tz.c),
    // handed out once thanks to `TAKEN`; the windows are the secure SSRAM
    // aliases the secure DMA master reaches.
    // SAFETY: see above.
    let new = |base: usize| unsafe { crate::Pl081::new(base as *mut u32, SecureSsram) };
    Some(Dmas { dma0: new(a), dma1: new(b), dma2: new(c), dma3: new(d) })
}
