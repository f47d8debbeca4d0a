//! SPI1 as a DMA channel sees it: a master with 8-bit frames, a transmit
//! buffer, a shift register and a receive buffer (RM0008 §25.3, RM0090
//! §28.3); or, with [`SpiSim::with_fifos`], the SPI of the F0, F3, F7 and
//! L4, whose buffers are 32-bit FIFOs (RM0091 §26.3.7).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dma_mmio::host::{map, Device, Mapping};

use super::{DmaRequest, Line};

/// `SPI_CR1` offset.
pub const CR1: usize = 0x00;
/// `SPI_CR2` offset.
pub const CR2: usize = 0x04;
/// `SPI_SR` offset.
pub const SR: usize = 0x08;
/// `SPI_DR` offset.
pub const DR: usize = 0x0C;
/// `CR1.MSTR`.
pub const MSTR: u32 = 1 << 2;
/// `CR1.SPE`.
pub const SPE: u32 = 1 << 6;
/// `CR2.RXDMAEN`.
pub const RXDMAEN: u32 = 1 << 0;
/// `CR2.TXDMAEN`.
pub const TXDMAEN: u32 = 1 << 1;
/// `CR2.FRXTH` of a FIFO SPI: `RXNE` at one byte in the receive FIFO
/// instead of two (RM0091 §26.3.8).
pub const FRXTH: u32 = 1 << 12;
/// `SR.RXNE`.
pub const RXNE: u32 = 1 << 0;
/// `SR.TXE`.
pub const TXE: u32 = 1 << 1;
/// `SR.OVR`.
pub const OVR: u32 = 1 << 6;
/// `SR.BSY`.
pub const BSY: u32 = 1 << 7;
/// `SR.FRLVL` of a FIFO SPI: the receive FIFO's level (0 empty, 1 a
/// quarter, 2 a half, 3 full; RM0091 §26.5.3).
pub const FRLVL: u32 = 0b11 << 9;
/// `SR.FTLVL` of a FIFO SPI: the transmit FIFO's level, as `FRLVL`.
pub const FTLVL: u32 = 0b11 << 11;

/// Bytes a FIFO SPI's FIFOs hold (RM0091 §26.3.7: 32 bits each way).
const FIFO_BYTES: usize = 4;

/// Ticks one byte takes in the shift register by default (see
/// [`SpiSim::set_byte_ticks`]).
pub const BYTE_TICKS: u32 = 4;

struct Lines {
    /// Every byte written into `DR` (the transmit buffer), in order.
    sent: Vec<u8>,
    /// Every byte whose eight clocks have gone out of the shift register.
    transmitted: Vec<u8>,
    /// What the slave answers, one byte per frame (0xFF once empty: MISO
    /// pulled high).
    to_receive: VecDeque<u8>,
    /// Every byte the master clocked in, whether or not it was read.
    clocked_in: Vec<u8>,
    /// Whether the buffers are the 32-bit FIFOs (F0, F3, F7, L4).
    fifos: bool,
    /// The transmit buffer (one byte) or FIFO.
    tx: VecDeque<u8>,
    /// A byte written into a full transmit FIFO, which RM0091 does not
    /// define (the DMA writes only on `TXE`): see [`SpiSim::tx_overflowed`].
    tx_overflow: bool,
    /// The byte shifting out and the ticks it still takes.
    shift: Option<(u8, u32)>,
    /// The receive buffer (one byte) or FIFO.
    rx: VecDeque<u8>,
    /// `OVR`: a frame completed with `RXNE` still set.
    overrun: bool,
    /// `DR` was read since `OVR` was set: the next `SR` read clears it.
    dr_read: bool,
    /// The byte in the receive buffer raised the RX DMA request: it landed
    /// while `RXDMAEN` was set (see [`Lines::tick`]).
    rx_requested: bool,
    /// Every value written to `CR2`, in order (the order of `RXDMAEN` and
    /// `TXDMAEN` is what RM0090 §28.3.9 prescribes).
    cr2_writes: Vec<u32>,
    /// See [`SpiSim::set_dma_keeps_up`].
    dma_keeps_up: bool,
    byte_ticks: u32,
}

impl Lines {
    /// A write to `DR`: the byte goes into the transmit buffer (`TXE`
    /// cleared) and from there into an idle shift register at once (RM0090
    /// §28.3.5 "the data byte is parallel-loaded into the shift register
    /// ... TXE is set when data is transferred from the Tx buffer to the
    /// shift register").
    ///
    /// Without FIFOs the buffer holds one byte, and one written while `TXE`
    /// is clear takes the place of the one waiting (the drivers never do
    /// this); a FIFO takes up to [`FIFO_BYTES`] (RM0091 §26.3.7).
    fn write_dr(&mut self, byte: u8, enabled: bool) {
        self.sent.push(byte);
        if !self.fifos {
            self.tx.clear();
        }
        if self.tx.len() < self.capacity() {
            self.tx.push_back(byte);
        } else {
            self.tx_overflow = true;
        }
        if enabled {
            self.load();
        }
    }

    fn capacity(&self) -> usize {
        if self.fifos {
            FIFO_BYTES
        } else {
            1
        }
    }

    fn load(&mut self) {
        if self.shift.is_none() {
            if let Some(byte) = self.tx.pop_front() {
                self.shift = Some((byte, self.byte_ticks));
            }
        }
    }

    /// `TXE`: the buffer empty, or a FIFO at most half full (RM0091
    /// §26.3.7: "triggered when the TXFIFO level is less than or equal to
    /// half of its capacity").
    fn txe(&self) -> bool {
        if self.fifos {
            self.tx.len() <= FIFO_BYTES / 2
        } else {
            self.tx.is_empty()
        }
    }

    /// `RXNE`: a byte in the buffer; in a FIFO a quarter (one byte, with
    /// `FRXTH`) or a half (two bytes) of it (RM0091 §26.3.8).
    fn rxne(&self, frxth: bool) -> bool {
        if self.fifos && !frxth {
            self.rx.len() >= FIFO_BYTES / 2
        } else {
            !self.rx.is_empty()
        }
    }

    /// One tick of the SPI clock: the frame goes on; when its eighth clock
    /// has gone, the received byte lands in the receive buffer (`RXNE`) and
    /// the next byte of the transmit buffer moves in. With `RXNE` already
    /// set, or `OVR` not yet cleared, the byte is lost and `OVR` set
    /// (RM0090 §28.3.10 "Overrun condition": "the newly received value is
    /// discarded and all data transmitted subsequently is lost" until the
    /// clearing sequence). The RX DMA request is raised only for a byte that
    /// lands while `RXDMAEN` is set (RM0090 §28.3.9: "a DMA request is
    /// issued each time RXNE is set to 1"): a byte already waiting when
    /// `RXDMAEN` is set raises none, which is why the RX side must be
    /// enabled before anything is clocked.
    ///
    /// `cpu`: the tick is a CPU register access (else a DMA poll); see
    /// [`SpiSim::set_dma_keeps_up`].
    fn tick(&mut self, enabled: bool, cr2: u32, cpu: bool) {
        let rxdmaen = cr2 & RXDMAEN != 0;
        if !enabled {
            return;
        }
        let Some((byte, left)) = self.shift else {
            self.load();
            return;
        };
        if left > 1 {
            self.shift = Some((byte, left - 1));
            return;
        }
        if cpu && self.dma_keeps_up && rxdmaen && self.rxne(cr2 & FRXTH != 0) && self.rx_requested {
            // The frame waits at its last clock for the DMA to take the
            // byte before it (see `set_dma_keeps_up`).
            return;
        }
        self.transmitted.push(byte);
        self.shift = None;
        let answer = self.to_receive.pop_front().unwrap_or(0xFF);
        self.clocked_in.push(answer);
        // A full buffer (or FIFO: RM0091 §26.3.10, "the RXFIFO has not
        // enough space") loses the byte.
        if self.rx.len() == self.capacity() {
            self.overrun = true;
            self.dr_read = false;
        } else if !self.overrun {
            self.rx.push_back(answer);
            self.rx_requested |= rxdmaen;
        }
        self.load();
    }

    /// `SR` per RM0090 §28.5.3: `TXE` and `RXNE` (see [`Lines::txe`],
    /// [`Lines::rxne`]), `BSY` while a frame is shifting or waiting ("BSY is
    /// set ... when a data transfer is ongoing", §28.3.7); with FIFOs also
    /// their levels `FTLVL`, `FRLVL` (RM0091 §26.5.3: 3 is "full", which a
    /// FIFO of more than half its bytes reads as).
    fn sr(&self, cr2: u32) -> u32 {
        let mut sr = 0;
        if self.txe() {
            sr |= TXE;
        }
        if self.rxne(cr2 & FRXTH != 0) {
            sr |= RXNE;
        }
        if self.overrun {
            sr |= OVR;
        }
        if self.shift.is_some() || !self.tx.is_empty() {
            sr |= BSY;
        }
        if self.fifos {
            // At most `FIFO_BYTES` (4): the level fits two bits.
            #[allow(clippy::cast_possible_truncation)]
            let level = |n: usize| n.min(3) as u32;
            sr |= level(self.tx.len()) << FTLVL.trailing_zeros();
            sr |= level(self.rx.len()) << FRLVL.trailing_zeros();
        }
        sr
    }
}

struct Shared {
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
    fn reg(&self, offset: usize) -> u32 {
        self.regs.get(offset / 4).map_or(0, |r| r.load(Ordering::SeqCst))
    }
    /// A master with `SPE` set clocks (RM0090 §28.3.5: "the transmit
    /// sequence begins when a byte is written in the Tx buffer").
    fn enabled(&self) -> bool {
        let cr1 = self.reg(CR1);
        cr1 & SPE != 0 && cr1 & MSTR != 0
    }
    fn tick(&self) {
        let (enabled, cr2) = (self.enabled(), self.reg(CR2));
        self.lines().tick(enabled, cr2, true);
    }
    /// A byte read of `DR`: the oldest byte of the buffer or FIFO (RM0091
    /// §26.3.7: "returns the oldest value stored in RXFIFO").
    fn read_dr(&self) -> u8 {
        let mut lines = self.lines();
        if lines.overrun {
            lines.dr_read = true;
        }
        let byte = lines.rx.pop_front().unwrap_or(0);
        if lines.rx.is_empty() {
            lines.rx_requested = false;
        }
        byte
    }
}

impl Device for Shared {
    fn read(&self, offset: usize) -> u32 {
        self.tick();
        match offset {
            SR => {
                let cr2 = self.reg(CR2);
                let mut lines = self.lines();
                let sr = lines.sr(cr2);
                // OVR is cleared by a read of DR followed by a read of SR
                // (RM0090 §28.3.10).
                if lines.overrun && lines.dr_read {
                    lines.overrun = false;
                    lines.dr_read = false;
                }
                sr
            }
            DR => u32::from(self.read_dr()),
            _ => self.reg(offset),
        }
    }

    #[allow(clippy::cast_possible_truncation)]
    fn write(&self, offset: usize, value: u32) {
        self.tick();
        let enabled = self.enabled();
        match offset {
            DR => self.lines().write_dr(value as u8, enabled),
            SR => {}
            CR2 => {
                self.lines().cr2_writes.push(value);
                if let Some(r) = self.regs.get(offset / 4) {
                    r.store(value, Ordering::SeqCst);
                }
            }
            _ => {
                if let Some(r) = self.regs.get(offset / 4) {
                    r.store(value, Ordering::SeqCst);
                }
            }
        }
    }
}

impl DmaRequest for Shared {
    /// The transmit request is `TXE` with `TXDMAEN`, the receive request
    /// `RXNE` with `RXDMAEN` (RM0090 §28.3.9 "SPI communication using
    /// DMA": "a DMA request is issued each time TXE or RXNE is set to 1").
    /// A poll of either request is a tick of the SPI clock.
    fn requesting(&self, line: Line) -> bool {
        let enabled = self.enabled();
        let cr2 = self.reg(CR2);
        let mut lines = self.lines();
        let rx_asserted =
            |l: &Lines| cr2 & RXDMAEN != 0 && l.rxne(cr2 & FRXTH != 0) && l.rx_requested;
        // A poll that finds the RX request asserted is served before time
        // passes (the DMA reads `DR` within bus cycles, far less than a
        // frame); otherwise the clock runs on, also while the RX channel
        // waits for the last byte (the TX channel, done, polls no more).
        if line == Line::Rx && rx_asserted(&lines) {
            return true;
        }
        lines.tick(enabled, cr2, false);
        match line {
            Line::Tx => enabled && cr2 & TXDMAEN != 0 && lines.txe(),
            Line::Rx => rx_asserted(&lines),
        }
    }

    /// A frame still shifting will set `TXE` (and `RXNE`) by itself.
    fn busy(&self, _line: Line) -> bool {
        let lines = self.lines();
        self.enabled() && (lines.shift.is_some() || !lines.tx.is_empty())
    }

    fn dma_read(&self, addr: usize) -> Option<u32> {
        (addr == self.base() + DR).then(|| u32::from(self.read_dr()))
    }

    #[allow(clippy::cast_possible_truncation)]
    fn dma_write(&self, addr: usize, value: u32) -> bool {
        let ours = addr == self.base() + DR;
        if ours {
            let enabled = self.enabled();
            self.lines().write_dr(value as u8, enabled);
        }
        ours
    }
}

/// A simulated SPI1 master (8-bit frames): what the DMA (or the CPU)
/// writes into `DR` is captured ([`sent`](Self::sent)), shifted out at
/// [`BYTE_TICKS`] ticks a byte ([`transmitted`](Self::transmitted)), and
/// each frame clocks in the next byte a test [`feed`](Self::feed)s (0xFF
/// once none is left). A tick is a CPU access to the SPI's registers or a
/// DMA poll of one of its requests. DMA requests need `SPE` and `MSTR`
/// in `CR1` and `TXDMAEN` / `RXDMAEN` in `CR2`; the RX request is raised
/// by a byte that lands with `RXDMAEN` set, and a byte that lands while
/// `OVR` is set is lost (both RM0090 §28.3.9, §28.3.10). `CR2` writes are
/// kept in order ([`cr2_writes`](Self::cr2_writes)).
///
/// ```
/// use dma_impl_mock::sim::stm32::SpiSim;
/// let spi = SpiSim::new();
/// spi.feed(b"hi");
/// assert!(spi.sent().is_empty());
/// ```
pub struct SpiSim {
    shared: Arc<Shared>,
    mapping: Mapping,
}

impl core::fmt::Debug for SpiSim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SpiSim").field("base", &self.mapping.base()).finish()
    }
}

impl Default for SpiSim {
    fn default() -> Self {
        Self::new()
    }
}

impl SpiSim {
    /// An SPI without FIFOs (F1, F2, F4) at reset: `SR` = 0x0002 (`TXE`),
    /// RM0090 §28.5.3.
    pub fn new() -> Self {
        Self::build(false)
    }

    /// The SPI of the F0, F3, F7 and L4, with 32-bit transmit and receive
    /// FIFOs (RM0091 §26.3.7), at reset: `SR` = 0x0002 (RM0091 §26.5.3).
    /// `TXE` while the transmit FIFO is at most half full, so the DMA
    /// keeps up to three bytes in it; `RXNE` at one byte with `CR2.FRXTH`
    /// and at two without (§26.3.8), and the RX DMA request with it; a
    /// frame that finds the receive FIFO full is lost and sets `OVR`
    /// (§26.3.10); `SR.FTLVL`/`FRLVL` give the levels.
    ///
    /// ```
    /// use dma_impl_mock::sim::stm32::{spi, SpiSim};
    /// let fifo = SpiSim::with_fifos();
    /// assert_eq!(fifo.status(), spi::TXE, "SR at reset");
    /// assert!(!fifo.tx_overflowed());
    /// ```
    pub fn with_fifos() -> Self {
        Self::build(true)
    }

    fn build(fifos: bool) -> Self {
        let lines = Lines {
            sent: Vec::new(),
            transmitted: Vec::new(),
            to_receive: VecDeque::new(),
            clocked_in: Vec::new(),
            fifos,
            tx: VecDeque::new(),
            tx_overflow: false,
            shift: None,
            rx: VecDeque::new(),
            overrun: false,
            dr_read: false,
            rx_requested: false,
            cr2_writes: Vec::new(),
            dma_keeps_up: false,
            byte_ticks: BYTE_TICKS,
        };
        let shared = Arc::new(Shared {
            regs: (0..8).map(|_| AtomicU32::new(0)).collect(),
            lines: Mutex::new(lines),
        });
        let mapping = map(&shared.regs, Arc::clone(&shared) as Arc<dyn Device>);
        SpiSim { shared, mapping }
    }

    /// The register block's base address, for the driver's `unsafe` constructor.
    pub fn base(&self) -> *mut u32 {
        self.mapping.base()
    }

    /// The request side, to [wire](super::ChannelDma::wire) to a DMA channel.
    pub fn requests(&self) -> Arc<dyn DmaRequest> {
        Arc::clone(&self.shared) as Arc<dyn DmaRequest>
    }

    /// Every byte written into `DR` so far.
    pub fn sent(&self) -> Vec<u8> {
        self.shared.lines().sent.clone()
    }

    /// Every byte whose frame has left the shift register.
    pub fn transmitted(&self) -> Vec<u8> {
        self.shared.lines().transmitted.clone()
    }

    /// Every byte clocked in from the slave (read or not).
    pub fn clocked_in(&self) -> Vec<u8> {
        self.shared.lines().clocked_in.clone()
    }

    /// Everything written into `DR` since the last call (or since creation).
    pub fn take_sent(&self) -> Vec<u8> {
        core::mem::take(&mut self.shared.lines().sent)
    }

    /// Queues the slave's answers, one per frame.
    pub fn feed(&self, bytes: &[u8]) {
        self.shared.lines().to_receive.extend(bytes.iter().copied());
    }

    /// With a DMA on its own thread ([`ChannelDma::threaded`](super::ChannelDma::threaded)):
    /// ticks from CPU accesses do not complete a frame while the receive
    /// buffer holds a byte whose RX DMA request is pending. On the chip the
    /// DMA serves a request within bus cycles, far less than a frame
    /// (RM0090 §28.3.9, §10.3.3), so a CPU polling `SR` never outruns it;
    /// here the CPU's polls tick the clock while the worker thread may be
    /// descheduled, which would overrun a DMA that is not behind at all. A
    /// DMA that does not serve (a stalled channel) still overruns: its
    /// engine's polls of the other requests tick on. Off by default; on a
    /// DMA stepped by the test's own thread it would stop the clock while
    /// the CPU waits for the SPI to finish.
    pub fn set_dma_keeps_up(&self, on: bool) {
        self.shared.lines().dma_keeps_up = on;
    }

    /// Sets how many ticks a byte takes in the shift register (at least 1).
    pub fn set_byte_ticks(&self, ticks: u32) {
        self.shared.lines().byte_ticks = ticks.max(1);
    }

    /// `SR` as the CPU would read it, without ticking or clearing anything.
    pub fn status(&self) -> u32 {
        self.shared.lines().sr(self.shared.reg(CR2))
    }

    /// Whether a byte was ever written into a full transmit FIFO (which
    /// the manual leaves undefined; the byte is dropped here). A driver
    /// whose DMA writes only on `TXE` never does.
    pub fn tx_overflowed(&self) -> bool {
        self.shared.lines().tx_overflow
    }

    /// The raw `CR1`.
    pub fn cr1(&self) -> u32 {
        self.shared.reg(CR1)
    }

    /// The raw `CR2` (to check `TXDMAEN`/`RXDMAEN`).
    pub fn cr2(&self) -> u32 {
        self.shared.reg(CR2)
    }

    /// Every value the CPU wrote to `CR2` so far, in order.
    pub fn cr2_writes(&self) -> Vec<u32> {
        self.shared.lines().cr2_writes.clone()
    }
}
