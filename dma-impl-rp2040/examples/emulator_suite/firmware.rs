//! The firmware: raw registers for UART0 output and SPI0 setup, the HAL for
//! every DMA transfer. First the no_std conformance suite
//! (`dma_conformance_core`, through `harness.rs`) on a copy channel and on
//! SPI0, then the RP2040-specific checks (channels taken once, copies, SPI
//! stop and drop mid-flight, which the deliberate defect
//! `rp2040_mutant_drop_no_abort` fails), then drivers of `dma-drivers` over
//! SPI0 (`drivers.rs`: the WS2812 strip, the async writer); the core suite's checks rp2040js cannot set up are printed `N/A ... not
//! applicable on this emulator: why` and not counted. The last line sums
//! both: `N passed, N failed`.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use core::fmt::Write;

use cortex_m_rt::entry;
use dma_conformance_core::{
    check_copy, check_read, check_write, CheckResult, Config, Memory, Sink, Tally, Verdict,
};
use dma_impl_rp2040::{regs, Channel, Dma, Error, Spi, Spi0};
use dma_traits::{DmaCopy, DmaFullDuplex, DmaRead, DmaReadBuffer, DmaWrite, Transfer, WordWidth};

/// A volatile register by address.
fn reg(addr: usize) -> *mut u32 {
    addr as *mut u32
}

fn write_reg(addr: usize, value: u32) {
    // SAFETY: one of the RP2040's peripheral registers (datasheet §2.2.2,
    // §4.2.8, §4.4.4) that this program alone uses.
    unsafe { reg(addr).write_volatile(value) }
}

fn read_reg(addr: usize) -> u32 {
    // SAFETY: as in `write_reg`.
    unsafe { reg(addr).read_volatile() }
}

/// UART0, polled (`UARTFR.TXFF`, bit 5).
struct Uart0Out;

impl Write for Uart0Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            while read_reg(regs::UART0_BASE + 0x18) & (1 << 5) != 0 {}
            write_reg(regs::UART0_BASE + regs::UARTDR, u32::from(b));
        }
        Ok(())
    }
}

macro_rules! say {
    ($($t:tt)*) => {{ let _ = writeln!(Uart0Out, $($t)*); }};
}

#[path = "harness.rs"]
mod harness;

#[path = "drivers.rs"]
mod drivers;

#[derive(Default)]
struct Suite {
    passed: u32,
    failed: u32,
    na: u32,
}

impl Suite {
    fn check(&mut self, name: &str, result: Result<(), &'static str>) {
        match result {
            Ok(()) => {
                self.passed += 1;
                say!("PASS {name}");
            }
            Err(why) => {
                self.failed += 1;
                say!("FAIL {name}: {why}");
            }
        }
    }

    fn not_applicable(&mut self, name: &str, reason: &str) {
        self.na += 1;
        say!("N/A {name}: not applicable on this emulator: {reason}");
    }
}

fn ensure(ok: bool, why: &'static str) -> Result<(), &'static str> {
    if ok {
        Ok(())
    } else {
        Err(why)
    }
}

/// A buffer naming any address: refused by the HAL before any access.
struct Fake(usize, usize);

// SAFETY: never dereferenced: the HAL refuses it (misaligned) first.
unsafe impl DmaReadBuffer for Fake {
    type Word = u32;
    fn dma_read_buffer(&self) -> (*const u32, usize) {
        (self.0 as *const u32, self.1)
    }
}

fn spin(n: u32) {
    for _ in 0..n {
        cortex_m::asm::nop();
    }
}

/// SPI0: 8-bit Motorola frames (`SSPCR0.DSS` = 7), prescaler 2, enabled
/// (`SSPCR1.SSE`), §4.4.4.
fn spi0_setup() {
    write_reg(regs::SPI0_BASE, 7);
    write_reg(regs::SPI0_BASE + 0x10, 2);
    write_reg(regs::SPI0_BASE + 0x04, 1 << 1);
}

fn copies(t: &mut Suite, ch: Channel) -> Channel {
    let mut src = [0u32; 64];
    for (i, w) in src.iter_mut().enumerate() {
        *w = 0x0101_0101 * (i as u32 + 1);
    }
    let mut dst = [0u32; 64];
    let mut ch = ch;
    let mut ok = Ok(());
    // Borrowed (stack) buffers: the scoped API, which cannot leak the copy.
    for n in [1usize, 2, 3, 7, 16, 63, 64] {
        dst.fill(0);
        let (_, outcome) = ch.copy_scoped(&src[..n], &mut dst[..n], |_| ());
        let Ok(done) = outcome else { panic!("copy failed") };
        ch = done.resources;
        if done.transferred != n || done.buffer.1 != &src[..n] {
            ok = Err("a copy of 32-bit words is wrong");
        }
    }
    t.check("copy u32, lengths 1..64, data intact and counted", ok);
    let mut bytes = [0u8; 40];
    let from: &'static [u8] = b"the quick brown fox jumps over a lazy dog";
    let (_, outcome) = ch.copy_scoped(&from[..40], &mut bytes[..], |_| ());
    let done = outcome.ok().unwrap();
    t.check(
        "copy u8",
        ensure(done.buffer.1 == &from[..40] && done.transferred == 40, "bytes differ"),
    );
    let ch = done.resources;
    let mut halves = [0u16; 9];
    let from16: &'static [u16] = &[1, 0xFFFF, 3, 0x8000, 5, 6, 7, 8, 9];
    let (_, outcome) = ch.copy_scoped(from16, &mut halves[..], |_| ());
    let done = outcome.ok().unwrap();
    t.check("copy u16", ensure(done.buffer.1 == from16, "halfwords differ"));
    let ch = done.resources;
    // Refusals give everything back.
    let (_, o) = ch.copy_scoped(&src[..0], &mut dst[..0], |_| ());
    let e = o.err().unwrap();
    let mut ok = ensure(e.error == Error::Empty, "empty not refused");
    let (_, o) = e.resources.copy_scoped(&src[..3], &mut dst[..4], |_| ());
    let e = o.err().unwrap();
    ok = ok.and(ensure(
        e.error == Error::LengthMismatch { source: 3, destination: 4 },
        "mismatch not refused",
    ));
    let (_, o) = e.resources.copy_scoped(Fake(0x2000_0002, 2), &mut dst[..2], |_| ());
    let e = o.err().unwrap();
    ok = ok.and(ensure(e.error == Error::Misaligned { address: 0x2000_0002 }, "misaligned"));
    let mut wide = [0u64; 1];
    let (_, o) = e.resources.copy_scoped(&[1u64][..], &mut wide[..], |_| ());
    let e = o.err().unwrap();
    ok = ok.and(ensure(e.error == Error::UnsupportedWidth(WordWidth::Bits64), "u64"));
    t.check("bad input refused, everything given back", ok);
    e.resources
}

pub(crate) type Spi0Dma = Spi<Spi0>;

fn spi(t: &mut Suite, spi: Spi0Dma) -> Spi0Dma {
    // The harness answers each frame with its complement.
    let tx: &'static mut [u8; 200] = cortex_m::singleton!(: [u8; 200] = [0; 200]).unwrap();
    for (i, b) in tx.iter_mut().enumerate() {
        *b = i as u8;
    }
    let tx: &'static [u8; 200] = tx;
    let rx: &'static mut [u8; 200] = cortex_m::singleton!(: [u8; 200] = [0; 200]).unwrap();
    let rx_ptr = rx.as_mut_ptr();
    let done = spi.transfer(&tx[..64], &mut rx[..64]).ok().unwrap().wait().ok().unwrap();
    let want = done.buffer.0.iter().zip(done.buffer.1.iter()).all(|(a, b)| *b == !*a);
    t.check(
        "SPI full duplex (two channels, DREQ_SPI0_TX/RX)",
        ensure(want && done.transferred == 64, "received != complement of sent"),
    );
    let spi = done.resources;
    let done = DmaWrite::write_all(spi, &tx[..32]).ok().unwrap().wait().ok().unwrap();
    t.check("SPI write", ensure(done.transferred == 32, "count"));
    let spi = done.resources;
    spin(20_000); // let the last frames shift out
                  // SAFETY: the transfers above ended; `rx` is no longer lent.
    let rx: &'static mut [u8] = unsafe { core::slice::from_raw_parts_mut(rx_ptr, 200) };
    rx.fill(0x11);
    let done = DmaRead::read_exact(spi, &mut rx[..16]).ok().unwrap().wait().ok().unwrap();
    t.check(
        "SPI read (dummy 0 sent)",
        ensure(done.buffer.iter().all(|b| *b == 0xFF), "expected 0xFF (complement of the dummy 0)"),
    );
    let spi = done.resources;
    // Stop mid-flight: the emulated SPI takes a bit time per bit.
    // SAFETY: as above.
    let rx: &'static mut [u8] = unsafe { core::slice::from_raw_parts_mut(rx_ptr, 200) };
    rx.fill(0xEE);
    let running = spi.transfer(&tx[..], &mut rx[..]).ok().unwrap();
    spin(200);
    let was_running = !running.is_done();
    let done = running.stop().ok().unwrap();
    let k = done.transferred;
    let spi = done.resources;
    // SAFETY: stopped; the memory is the static buffer's.
    let rx: &'static [u8] = unsafe { core::slice::from_raw_parts(rx_ptr, 200) };
    let prefix = (0..k).all(|i| rx[i] == !tx[i]) && rx[k..].iter().all(|b| *b == 0xEE);
    spin(50_000);
    let still = rx[k..].iter().all(|b| *b == 0xEE);
    t.check(
        "SPI stop mid-flight: count = prefix received, nothing after stop",
        ensure(was_running, "the transfer was not in flight")
            .and(ensure(k < 200, "ran to the end"))
            .and(ensure(prefix, "received is not the counted prefix"))
            .and(ensure(still, "the DMA wrote after stop returned")),
    );
    // Drop mid-flight.
    // SAFETY: as above.
    let rx: &'static mut [u8] = unsafe { core::slice::from_raw_parts_mut(rx_ptr, 200) };
    rx.fill(0xEE);
    let running = spi.transfer(&tx[..], rx).ok().unwrap();
    spin(200);
    drop(running);
    // SAFETY: dropped (stopped); the memory is the static buffer's.
    let rx: &'static [u8] = unsafe { core::slice::from_raw_parts(rx_ptr, 200) };
    let mut snapshot = [0u8; 200];
    snapshot.copy_from_slice(rx);
    spin(50_000);
    t.check(
        "SPI drop mid-flight stops the DMA",
        ensure(rx == &snapshot[..], "the DMA wrote after drop returned"),
    );
    // SAFETY: the dropped transfer's resources went with it; the channels
    // are free again only through a fresh take, which `Dma` refuses, so
    // steal channels 10 and 11 (unused) for the rest.
    let [.., c10, c11] = unsafe { Dma::steal(regs::DMA_BASE as *mut u32) };
    // SAFETY: SPI0's block, used by nothing else now.
    unsafe { Spi::new(regs::SPI0_BASE as *mut u32, c10, c11) }
}

#[entry]
fn main() -> ! {
    say!("dma-impl-rp2040 emulator suite");
    let mut t = Suite::default();
    spi0_setup();
    // The core suite first: a deliberate defect that makes an RP2040 check
    // panic (`ci.sh`'s mutants) cannot hide its verdicts.
    let core = core_suite();
    let [c0, c1, c2, ..] = Dma::take().unwrap();
    t.check("channels taken once", ensure(Dma::take().is_none(), "taken twice"));
    let _c0 = copies(&mut t, c0);
    // SAFETY: SPI0's block (§2.2.2), used by nothing else.
    let s = unsafe { Spi::<Spi0>::new(regs::SPI0_BASE as *mut u32, c1, c2) };
    let s = spi(&mut t, s);
    let s = {
        let done = s
            .transfer(&b"again"[..], cortex_m::singleton!(: [u8; 5] = [0; 5]).unwrap())
            .ok()
            .unwrap()
            .wait()
            .ok()
            .unwrap();
        t.check(
            "SPI works after a dropped transfer",
            ensure(done.buffer.1[0] == !b'a', "wrong data"),
        );
        done.resources
    };
    let s = drivers::ws2812(&mut t, s);
    let s = drivers::writer(&mut t, s);
    let _ = s;
    t.not_applicable(
        "UART DMA TX paced by DREQ_UART0_TX",
        "UARTDMACR is not implemented, the TX request stays high",
    );
    t.not_applicable("UART DMA RX paced by DREQ_UART0_RX", "the RX request is never raised");
    t.not_applicable(
        "READ_ERROR / WRITE_ERROR give everything back",
        "bus errors are never raised",
    );
    t.not_applicable(
        "abort with a write in flight (RP2040-E13)",
        "transfers are atomic, CHAN_ABORT reads 0xFFFF_FFFF",
    );
    say!("{} not applicable on this emulator", t.na + core.not_applicable);
    say!(
        "core suite: {} passed, {} failed, {} not applicable",
        core.passed,
        core.failed,
        core.not_applicable
    );
    say!("{} passed, {} failed", t.passed + core.passed, t.failed + core.failed);
    loop {
        cortex_m::asm::bkpt();
    }
}

/// Prints each result of the core suite as `PASS subject / check`, `FAIL
/// subject / check: why`, or `N/A subject / check: not applicable on this
/// emulator: why`.
struct EmulatorSink;

impl Sink for EmulatorSink {
    fn result(&mut self, r: &CheckResult<'_>) {
        match r.verdict {
            Verdict::Pass => say!("PASS {} / {}", r.subject, r.check),
            Verdict::Fail(why) => say!("FAIL {} / {}: {}", r.subject, r.check, why),
            Verdict::NotApplicable(why) => {
                say!("N/A {} / {}: not applicable on this emulator: {}", r.subject, r.check, why)
            }
        }
    }
}

/// The no_std conformance suite: DmaCopy on channel 4 (u8..u64), SPI0 on
/// channels 5 and 6 (`DmaWrite` / `DmaRead`, u8 frames; u16 and u32 checked
/// for their refusal or not applicable); the UART has no DMA pacing on
/// rp2040js.
fn core_suite() -> Tally<EmulatorSink> {
    static mut SOURCE: harness::Region = harness::Region([0; harness::BYTES]);
    static mut DESTINATION: harness::Region = harness::Region([0; harness::BYTES]);
    let memory = Memory::new(
        core::ptr::addr_of_mut!(SOURCE).cast(),
        core::ptr::addr_of_mut!(DESTINATION).cast(),
        harness::BYTES,
    );
    // SAFETY: the two statics are used by the suite only (this function runs
    // once, and nothing else names them); channels 4, 5, 6 and SPI0 are
    // used by nothing else from here on (the earlier checks used 0..2 and
    // 10, 11, and are over); the mailbox is the emulator's.
    let mut h = unsafe { harness::Rp2040Harness::new(memory, 4, (5, 6)) };
    let config = Config::default();
    let mut tally = Tally::new(EmulatorSink);
    check_copy::<u8, _>("rp2040 copy u8", &mut h, &config, &mut tally);
    check_copy::<u16, _>("rp2040 copy u16", &mut h, &config, &mut tally);
    check_copy::<u32, _>("rp2040 copy u32", &mut h, &config, &mut tally);
    check_copy::<u64, _>("rp2040 copy u64", &mut h, &config, &mut tally);
    check_write::<u8, _>("rp2040 SPI0 write u8", &mut h, &config, &mut tally);
    check_write::<u32, _>("rp2040 SPI0 write u32", &mut h, &config, &mut tally);
    check_read::<u8, _>("rp2040 SPI0 read u8", &mut h, &config, &mut tally);
    check_read::<u32, _>("rp2040 SPI0 read u32", &mut h, &config, &mut tally);
    for subject in ["rp2040 UART0 write u8", "rp2040 UART0 read u8"] {
        tally.result(&CheckResult {
            check: "every check",
            subject,
            verdict: Verdict::NotApplicable(
                "rp2040js implements no UARTDMACR: its DREQs are not those of the datasheet",
            ),
        });
    }
    h.finish();
    tally
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    say!("FAIL panic: {}", info);
    say!("0 passed, 1 failed");
    loop {
        cortex_m::asm::bkpt();
    }
}
