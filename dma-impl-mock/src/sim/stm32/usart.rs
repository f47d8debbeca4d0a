//! A USART's data and status registers, as a DMA channel sees them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dma_mmio::host::{map, Device, Mapping};

use super::{DmaRequest, Line};

/// Which USART register map the simulated peripheral has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsartLayout {
    /// `SR`/`DR` at 0x00/0x04, `CR1` 0x0C, `CR3` 0x14 (F1, F2, F4; RM0008 §27.6).
    StatusData,
    /// `CR1` 0x00, `CR3` 0x08, `ISR` 0x1C, `ICR` 0x20, `RDR` 0x24, `TDR` 0x28
    /// (F0, F3, F7, L4, G0, G4, H7; RM0316 §29.8).
    InterruptStatus,
}

use super::regs::usart::{
    DMAR, DMAT, ISR_MAP_CR1, ISR_MAP_CR3, ISR_MAP_ICR, ISR_MAP_ISR, ISR_MAP_RDR, ISR_MAP_TDR,
    ISR_MAP_UE, RE, RXNE, SR_MAP_CR1, SR_MAP_CR3, SR_MAP_DR, SR_MAP_SR, SR_MAP_UE, TC, TE, TXE,
};

impl UsartLayout {
    fn status(self) -> usize {
        match self {
            UsartLayout::StatusData => SR_MAP_SR,
            UsartLayout::InterruptStatus => ISR_MAP_ISR,
        }
    }
    fn tx_data(self) -> usize {
        match self {
            UsartLayout::StatusData => SR_MAP_DR,
            UsartLayout::InterruptStatus => ISR_MAP_TDR,
        }
    }
    fn rx_data(self) -> usize {
        match self {
            UsartLayout::StatusData => SR_MAP_DR,
            UsartLayout::InterruptStatus => ISR_MAP_RDR,
        }
    }
    fn cr1(self) -> usize {
        match self {
            UsartLayout::StatusData => SR_MAP_CR1,
            UsartLayout::InterruptStatus => ISR_MAP_CR1,
        }
    }
    fn ue(self) -> u32 {
        match self {
            UsartLayout::StatusData => SR_MAP_UE,
            UsartLayout::InterruptStatus => ISR_MAP_UE,
        }
    }
    fn cr3(self) -> usize {
        match self {
            UsartLayout::StatusData => SR_MAP_CR3,
            UsartLayout::InterruptStatus => ISR_MAP_CR3,
        }
    }
}

/// Ticks one frame takes in the shift register by default (see
/// [`UsartSim::set_frame_ticks`]).
pub const FRAME_TICKS: u32 = 8;

struct Lines {
    /// Every byte written into the transmit data register, in order.
    sent: Vec<u8>,
    /// Every byte whose frame has left the shift register (stop bit sent).
    transmitted: Vec<u8>,
    to_receive: VecDeque<u8>,
    /// The transmit data register: `TXE` is set while it is empty.
    tdr: Option<u8>,
    /// The byte being shifted out and the ticks its frame still takes.
    shift: Option<(u8, u32)>,
    /// `TC`: set when a frame has left and `TDR` is empty, cleared by software.
    complete: bool,
    frame_ticks: u32,
}

impl Default for Lines {
    fn default() -> Self {
        Lines {
            sent: Vec::new(),
            transmitted: Vec::new(),
            to_receive: VecDeque::new(),
            tdr: None,
            shift: None,
            // `TXE` and `TC` are set at reset: `SR` resets to 0x00C0
            // (RM0008 §27.6.1), `ISR` to 0x0000_00C0 (F0, F3, F7) or
            // 0x0200_00C0 (L4, `TCBGT`): the stm32 PACs' reset values, which
            // `pac-oracle` checks against this.
            complete: true,
            frame_ticks: FRAME_TICKS,
        }
    }
}

impl Lines {
    /// A write to the transmit data register (by the CPU or the DMA). An
    /// empty shift register takes the byte at once and `TXE` stays set;
    /// otherwise it waits in `TDR` with `TXE` clear (RM0008 §27.3.2
    /// "Character transmission": "the TXE bit is always cleared by a write
    /// to the data register ... set by hardware ... when the data has been
    /// transferred to the shift register").
    fn write_tdr(&mut self, byte: u8, clears_tc: bool) {
        self.sent.push(byte);
        if clears_tc {
            // RM0316 §29.8.8: `TC` "is cleared ... by a write to the
            // USART_TDR register".
            self.complete = false;
        }
        if self.shift.is_none() {
            self.shift = Some((byte, self.frame_ticks));
        } else {
            // A write with `TXE` clear overwrites `TDR` (the byte before is
            // lost, as on the chip); the DMA never does it, its request
            // being `TXE`.
            self.tdr = Some(byte);
        }
    }

    /// One tick of the transmitter's clock: the frame in the shift register
    /// goes on; when its stop bit has gone, the byte in `TDR` (if any) moves
    /// in and `TXE` is set again, else `TC` is set (RM0008 §27.3.2 / RM0090
    /// §30.3.2: "If a frame is transmitted (after the stop bit) and the TXE
    /// bit is set, the TC bit goes high").
    fn tick(&mut self) {
        let Some((byte, left)) = self.shift else { return };
        if left > 1 {
            self.shift = Some((byte, left - 1));
            return;
        }
        self.transmitted.push(byte);
        self.shift = None;
        match self.tdr.take() {
            Some(next) => self.shift = Some((next, self.frame_ticks)),
            None => self.complete = true,
        }
    }
}

struct Shared {
    layout: UsartLayout,
    regs: Box<[AtomicU32]>,
    lines: Mutex<Lines>,
}

impl Shared {
    fn lines(&self) -> std::sync::MutexGuard<'_, Lines> {
        self.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn base(&self) -> usize {
        self.regs.as_ptr() as usize
    }
    fn cr3(&self) -> u32 {
        self.regs.get(self.layout.cr3() / 4).map_or(0, |r| r.load(Ordering::SeqCst))
    }
    fn cr1(&self) -> u32 {
        self.regs.get(self.layout.cr1() / 4).map_or(0, |r| r.load(Ordering::SeqCst))
    }
    fn send(&self, byte: u8) {
        let clears_tc = self.layout == UsartLayout::InterruptStatus;
        self.lines().write_tdr(byte, clears_tc);
    }
    fn receive(&self) -> u8 {
        self.lines().to_receive.pop_front().unwrap_or(0)
    }
}

impl Device for Shared {
    fn read(&self, offset: usize) -> u32 {
        let l = self.layout;
        // Every CPU access to the USART is a tick of its clock: a frame
        // takes `frame_ticks` of them (with the DMA's request polls, see
        // `requesting`), so the tail of a transmission is deterministic.
        self.lines().tick();
        if offset == l.status() {
            let lines = self.lines();
            let mut sr = if lines.tdr.is_none() { TXE } else { 0 };
            if lines.complete {
                sr |= TC;
            }
            if !lines.to_receive.is_empty() {
                sr |= RXNE;
            }
            sr
        } else if offset == l.rx_data() {
            u32::from(self.receive())
        } else {
            self.regs.get(offset / 4).map_or(0, |r| r.load(Ordering::SeqCst))
        }
    }

    #[allow(clippy::cast_possible_truncation)]
    fn write(&self, offset: usize, value: u32) {
        let l = self.layout;
        self.lines().tick();
        if offset == l.tx_data() {
            self.send(value as u8);
        } else if l == UsartLayout::StatusData && offset == l.status() {
            // `TC` is cleared by writing 0 to it (rc_w0).
            if value & TC == 0 {
                self.lines().complete = false;
            }
        } else if l == UsartLayout::InterruptStatus && offset == ISR_MAP_ICR {
            // `ICR.TCCF` (bit 6) clears `TC`.
            if value & TC != 0 {
                self.lines().complete = false;
            }
        } else if let Some(r) = self.regs.get(offset / 4) {
            r.store(value, Ordering::SeqCst);
        }
    }
}

impl DmaRequest for Shared {
    /// The transmit request is `TXE` with `DMAT`, the receive request
    /// `RXNE` with `DMAR` (RM0008 §27.3.13, RM0090 §30.3.13 "Continuous
    /// communication using DMA"), and neither is raised unless the USART is
    /// enabled (`UE`) with its transmitter (`TE`) / receiver (`RE`) on: a
    /// disabled transmitter sends nothing, so `TXE`-driven requests never
    /// come (RM0008 §27.3.2 "Character transmission", §27.6.4 `CR1`).
    fn requesting(&self, line: Line) -> bool {
        let (cr1, cr3) = (self.cr1(), self.cr3());
        let on = |bit: u32| cr1 & self.layout.ue() != 0 && cr1 & bit != 0;
        match line {
            Line::Tx => {
                // The DMA polls its request once per beat: a tick of the
                // transmitter's clock. The request is `TXE` (RM0008
                // §27.3.13: "the DMA ... writes data into the USART_DR
                // register whenever the TXE bit is set").
                let mut lines = self.lines();
                lines.tick();
                on(TE) && cr3 & DMAT != 0 && lines.tdr.is_none()
            }
            Line::Rx => on(RE) && cr3 & DMAR != 0 && !self.lines().to_receive.is_empty(),
        }
    }

    fn busy(&self, line: Line) -> bool {
        // A frame still shifting out will set `TXE` again by itself.
        line == Line::Tx && self.lines().tdr.is_some()
    }

    fn dma_read(&self, addr: usize) -> Option<u32> {
        (addr == self.base() + self.layout.rx_data()).then(|| u32::from(self.receive()))
    }

    #[allow(clippy::cast_possible_truncation)]
    fn dma_write(&self, addr: usize, value: u32) -> bool {
        let ours = addr == self.base() + self.layout.tx_data();
        if ours {
            self.send(value as u8);
        }
        ours
    }
}

/// A simulated USART: what the DMA (or the CPU) writes to the transmit data
/// register is captured, and bytes a test [`feed`](Self::feed)s arrive in the
/// receive data register, one per read. DMA requests need `UE` and `TE` /
/// `RE` in `CR1` (the driver's `Usart::enable`).
///
/// The transmitter has a data register and a shift register: a byte written
/// while a frame is shifting out waits in `TDR` (`TXE` clear, no DMA
/// request), and a frame takes [`FRAME_TICKS`] ticks of the USART's clock
/// ([`set_frame_ticks`](Self::set_frame_ticks)). A tick is a CPU access to
/// the USART's registers or a DMA poll of its transmit request, so the tail
/// is deterministic: when the DMA has written the last byte, `TC` is set
/// only a frame (or two) of ticks later (RM0008 §27.3.2, RM0090 §30.3.2).
/// [`sent`](Self::sent) is what was written into `TDR`,
/// [`transmitted`](Self::transmitted) what has left the shift register.
///
/// ```
/// use dma_impl_mock::sim::stm32::{UsartLayout, UsartSim};
/// let usart = UsartSim::new(UsartLayout::StatusData);
/// usart.feed(b"hi");
/// assert!(usart.sent().is_empty());
/// ```
pub struct UsartSim {
    shared: Arc<Shared>,
    mapping: Mapping,
}

impl core::fmt::Debug for UsartSim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UsartSim")
            .field("layout", &self.shared.layout)
            .field("base", &self.mapping.base())
            .finish()
    }
}

impl UsartSim {
    /// A USART with register map `layout`.
    pub fn new(layout: UsartLayout) -> Self {
        let shared = Arc::new(Shared {
            layout,
            regs: (0..12).map(|_| AtomicU32::new(0)).collect(),
            lines: Mutex::new(Lines::default()),
        });
        let mapping = map(&shared.regs, Arc::clone(&shared) as Arc<dyn Device>);
        UsartSim { shared, mapping }
    }

    /// The register block's base address, for the driver's `unsafe` constructor.
    pub fn base(&self) -> *mut u32 {
        self.mapping.base()
    }

    /// The request side, to [wire](super::ChannelDma::wire) to a DMA channel.
    pub fn requests(&self) -> Arc<dyn DmaRequest> {
        Arc::clone(&self.shared) as Arc<dyn DmaRequest>
    }

    /// Every byte written into the transmit data register so far (by the DMA
    /// or the CPU), whether or not its frame has left yet
    /// ([`transmitted`](Self::transmitted)).
    pub fn sent(&self) -> Vec<u8> {
        self.shared.lines().sent.clone()
    }

    /// Every byte whose frame has left the shift register (stop bit sent):
    /// [`sent`](Self::sent) but the frames still in `TDR` or shifting out.
    pub fn transmitted(&self) -> Vec<u8> {
        self.shared.lines().transmitted.clone()
    }

    /// Sets how many ticks a frame takes in the shift register (at least 1;
    /// [`FRAME_TICKS`] by default).
    pub fn set_frame_ticks(&self, ticks: u32) {
        self.shared.lines().frame_ticks = ticks.max(1);
    }

    /// Everything written into `TDR` since the last call (or since creation).
    pub fn take_sent(&self) -> Vec<u8> {
        core::mem::take(&mut self.shared.lines().sent)
    }

    /// Queues bytes to be received.
    pub fn feed(&self, bytes: &[u8]) {
        self.shared.lines().to_receive.extend(bytes.iter().copied());
    }

    /// Bytes fed but not yet read.
    pub fn pending(&self) -> usize {
        self.shared.lines().to_receive.len()
    }

    /// The raw `CR1` (`UE`, `TE`, `RE`).
    pub fn cr1(&self) -> u32 {
        self.shared.cr1()
    }

    /// The raw `CR3` (to check `DMAT`/`DMAR`).
    pub fn cr3(&self) -> u32 {
        self.shared.cr3()
    }
}
