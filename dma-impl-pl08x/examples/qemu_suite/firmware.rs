//! On-target checks of the PL081 HAL on QEMU's `mps2-an505` / `mps2-an521`
//! (Cortex-M33, secure state): the conformance suite's `no_std` core
//! (`dma_conformance_core`, through `harness.rs`, on DMA2) for every
//! direction and width, then the PL08x-specific checks (linked lists, the
//! MPS2 security facts, scoped and scatter-gather transfers). One line per
//! check, `PASS name` or `FAIL name: why` (`N/A` lines are not counted),
//! then `N passed, N failed`; the exit status (through semihosting) is
//! nonzero if any check failed.
//!
//! QEMU runs a whole transfer inside the register write that enables the
//! channel, so to hold a transfer in flight a check clears
//! `DMACConfiguration.E` first ([`Dmac::disable`]): the channel is accepted
//! and nothing moves until `E` is set again.
//!
//! ```text
//! cargo build -p dma-impl-pl08x --release --example qemu_suite --features rt --target thumbv8m.main-none-eabi
//! qemu-system-arm -M mps2-an505 -nographic -semihosting-config enable=on,target=native -kernel target/thumbv8m.main-none-eabi/release/examples/qemu_suite
//! ```

use core::fmt;
use core::ptr::addr_of_mut;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprint, hprintln};
use dma_conformance_core::{check_copy, check_read, check_write, Config, FmtSink, Memory, Tally};
use dma_drivers::io::DmaWriter;
use dma_impl_pl08x::{
    mps2, Dmac, DmbFence, Error, FixedAddress, Lli, Pacing, Pl081, MAX_TRANSFER_SIZE,
};
use embedded_io_async::Write as _;

#[path = "harness.rs"]
mod harness;
use dma_traits::{
    DmaCopy, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Finished, Outcome, Sent, Started,
    Transfer, TransferError, Word,
};
use harness::Pl08xHarness;

/// Why a check failed.
enum Fail {
    Msg(&'static str),
    Count { what: &'static str, got: usize, want: usize },
    Refused(Error),
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Msg(m) => f.write_str(m),
            Fail::Count { what, got, want } => write!(f, "{what}: got {got}, want {want}"),
            Fail::Refused(e) => write!(f, "unexpected error: {e}"),
        }
    }
}

type Check = Result<(), Fail>;

fn ensure(ok: bool, why: &'static str) -> Check {
    if ok {
        Ok(())
    } else {
        Err(Fail::Msg(why))
    }
}

fn count(what: &'static str, got: usize, want: usize) -> Check {
    if got == want {
        Ok(())
    } else {
        Err(Fail::Count { what, got, want })
    }
}

/// A `&'static mut` to a fresh static, once per expansion (`None` after).
macro_rules! once {
    ($t:ty = $init:expr) => {{
        static TAKEN: AtomicBool = AtomicBool::new(false);
        static mut BUFFER: $t = $init;
        if TAKEN.swap(true, Ordering::AcqRel) {
            None
        } else {
            // SAFETY: `TAKEN` lets this reference be made once, so it is the
            // only one to `BUFFER` for the rest of the program.
            Some(unsafe { &mut *addr_of_mut!(BUFFER) })
        }
    }};
}

/// A buffer at an address of our choosing, for refusals and for the fact
/// checks on the non-secure alias.
struct Raw<W> {
    addr: usize,
    len: usize,
    _w: core::marker::PhantomData<W>,
}

impl<W> Raw<W> {
    fn new(addr: usize, len: usize) -> Self {
        Raw { addr, len, _w: core::marker::PhantomData }
    }
}

// SAFETY: the addresses are SSRAM aliases (mps2-tz.c) or refused before any
// access; where the DMA uses one (the fact checks) it is memory of this
// program that no Rust reference covers while the transfer runs.
unsafe impl<W: Word> DmaReadBuffer for Raw<W> {
    type Word = W;
    fn dma_read_buffer(&self) -> (*const W, usize) {
        (self.addr as *const W, self.len)
    }
}

// SAFETY: as above.
unsafe impl<W: Word> DmaWriteBuffer for Raw<W> {
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (self.addr as *mut W, self.len)
    }
}

/// Reads `len` words at `p` (memory a finished or forgotten transfer wrote).
fn peek<W: Copy>(p: *const W, i: usize) -> W {
    // SAFETY: callers pass a static buffer's pointer and an index inside it;
    // no DMA writes it any more (the transfer ended or completed) and no
    // `&mut` to it is used meanwhile.
    unsafe { p.wrapping_add(i).read_volatile() }
}

struct Suite {
    passed: u32,
    failed: u32,
}

impl Suite {
    fn run(&mut self, name: &str, check: impl FnOnce() -> Check) {
        match check() {
            Ok(()) => {
                self.passed += 1;
                hprintln!("PASS {}", name);
            }
            Err(why) => {
                self.failed += 1;
                hprintln!("FAIL {}: {}", name, why);
            }
        }
    }
}

fn ramp<W: Word + TryFrom<u32>>(out: &mut [W]) {
    for (i, w) in out.iter_mut().enumerate() {
        let v = u32::try_from(i).unwrap_or(0).wrapping_mul(2_654_435_761) >> 8;
        if let Ok(x) = W::try_from(v & 0x7F) {
            *w = x;
        }
    }
}

/// Copies `src` into `dst` on `ch`, checks every item and the count.
fn copy_check<W, const N: usize, P: dma_impl_pl08x::MaybeLliPool, A: dma_impl_pl08x::Reach>(
    ch: dma_impl_pl08x::Channel<N, DmbFence, P, A>,
    src: &'static mut [W],
    dst: &'static mut [W],
) -> (Option<dma_impl_pl08x::Channel<N, DmbFence, P, A>>, Check)
where
    W: Word + TryFrom<u32> + PartialEq,
{
    ramp(src);
    let n = src.len();
    match ch.copy(&*src, dst) {
        Err(e) => (Some(e.resources), Err(Fail::Refused(e.error))),
        Ok(t) => match t.wait() {
            Err(e) => (Some(e.resources), Err(Fail::Refused(e.error))),
            Ok(done) => {
                let intact = done.buffer.0 == &*done.buffer.1;
                let check = count("transferred", done.transferred, n)
                    .and_then(|()| ensure(intact, "destination differs from the source"));
                (Some(done.resources), check)
            }
        },
    }
}

#[entry]
fn main() -> ! {
    let mut suite = Suite { passed: 0, failed: 0 };
    let Some(boards) = mps2::take() else {
        hprintln!("FAIL take: DMAs already taken");
        debug::exit(debug::EXIT_FAILURE);
        loop {
            cortex_m::asm::wfi();
        }
    };
    // DMA3 is left unbound: never used through `boards`.
    let mps2::Dmas { mut dma0, mut dma1, dma2, .. } = boards;
    // DMA3 without the reachability check, for the fact checks only.
    // SAFETY: the only value used for DMA3's block (`boards.dma3` is never
    // used: the pattern above leaves it unbound). `Anywhere` breaks `new`'s
    // reach promise on purpose, and only for the two fact checks below:
    // their DMA accesses go through the non-secure alias of a static atomic
    // and the secure alias of a one-word static, so a write that vanishes
    // (what the check shows) leaves the atomic as it was, and a read that
    // returns 0 fills a buffer the DMA owns; no memory Rust relies on
    // changes behind its back.
    let mut raw_dma: Pl081 =
        unsafe { Dmac::new(mps2::DMA_SECURE[3] as *mut u32, dma_impl_pl08x::Anywhere) };

    let mut ch0 = dma0.channel(0);
    suite.run("take_once", || ensure(mps2::take().is_none(), "take() twice"));

    const LONG: usize = 2 * MAX_TRANSFER_SIZE + 1810; // 10000: three LLI segments
    suite.run("copy_long_refused_without_enough_llis", || {
        let Some(ch) = ch0.take() else { return Err(Fail::Msg("channel")) };
        let Some(pool) = once!([Lli; 1] = [Lli::EMPTY; 1]) else { return Err(Fail::Msg("pool")) };
        let ch = ch.with_lli_pool(pool);
        let (Some(s), Some(d)) = (once!([u32; 9000] = [0; 9000]), once!([u32; 9000] = [7; 9000]))
        else {
            return Err(Fail::Msg("buffers"));
        };
        let result = match ch.copy(&*s, d) {
            Ok(t) => {
                ch0 = t.stop().ok().map(|done| done.resources.take_lli_pool().0);
                Err(Fail::Msg("accepted 9000 items with one LLI"))
            }
            Err(e) => {
                let untouched = e.buffer.1.iter().all(|&w| w == 7);
                let r = ensure(e.error == Error::TooLong { items: 9000, max: 8190 }, "wrong error")
                    .and_then(|()| ensure(untouched, "destination touched"));
                ch0 = Some(e.resources.take_lli_pool().0);
                r
            }
        };
        result
    });
    suite.run("copy_u32_longer_than_4095_via_llis", || {
        let Some(ch) = ch0.take() else { return Err(Fail::Msg("channel")) };
        let Some(pool) = once!([Lli; 2] = [Lli::EMPTY; 2]) else { return Err(Fail::Msg("pool")) };
        let (Some(s), Some(d)) =
            (once!([u32; LONG] = [0; LONG]), once!([u32; LONG] = [0xEE; LONG]))
        else {
            return Err(Fail::Msg("buffers"));
        };
        let (back, check) = copy_check(ch.with_lli_pool(pool), s, d);
        ch0 = back.map(|ch| ch.take_lli_pool().0);
        check
    });
    suite.run("copy_u8_longer_than_4095_via_llis", || {
        let Some(ch) = ch0.take() else { return Err(Fail::Msg("channel")) };
        let Some(pool) = once!([Lli; 1] = [Lli::EMPTY; 1]) else { return Err(Fail::Msg("pool")) };
        let (Some(s), Some(d)) = (once!([u8; 5000] = [0; 5000]), once!([u8; 5000] = [0xEE; 5000]))
        else {
            return Err(Fail::Msg("buffers"));
        };
        let (back, check) = copy_check(ch.with_lli_pool(pool), s, d);
        ch0 = back.map(|ch| ch.take_lli_pool().0);
        check
    });

    // DMA0 channel 1 for the refusal, scoped and list checks.
    let mut ch = dma0.channel(1);
    static NS_TARGET: AtomicU32 = AtomicU32::new(0xEE);
    let secure = NS_TARGET.as_ptr() as usize;
    let nonsecure = secure & !0x1000_0000;
    suite.run("refuse_nonsecure_alias", || {
        let Some(c) = ch.take() else { return Err(Fail::Msg("channel")) };
        match c.copy(&[1u32][..], Raw::<u32>::new(nonsecure, 1)) {
            Ok(_) => Err(Fail::Msg("accepted")),
            Err(e) => {
                ch = Some(e.resources);
                ensure(
                    e.error == Error::Unreachable { address: nonsecure, bytes: 4 },
                    "wrong error",
                )
            }
        }
    });
    // The fact behind that refusal, on the unchecked DMA3: the DMA's writes
    // through the non-secure alias vanish, with no error.
    suite.run("fact_nonsecure_alias_writes_vanish", || {
        let Some(c) = raw_dma.channel(0) else { return Err(Fail::Msg("channel")) };
        match c.copy(&[0x1234_5678u32][..], Raw::<u32>::new(nonsecure, 1)) {
            Err(e) => Err(Fail::Refused(e.error)),
            Ok(t) => match t.wait() {
                Err(e) => Err(Fail::Refused(e.error)),
                Ok(done) => count("transferred", done.transferred, 1).and_then(|()| {
                    ensure(NS_TARGET.load(Ordering::SeqCst) == 0xEE, "the write arrived")
                }),
            },
        }
    });

    static NS_SOURCE: AtomicU32 = AtomicU32::new(0x5A5A_5A5A);
    suite.run("fact_nonsecure_alias_reads_zero", || {
        let Some(c) = raw_dma.channel(1) else { return Err(Fail::Msg("channel")) };
        let Some(d) = once!([u32; 1] = [0xEE; 1]) else { return Err(Fail::Msg("buffers")) };
        let from = Raw::<u32>::new(NS_SOURCE.as_ptr() as usize & !0x1000_0000, 1);
        match c.copy(from, d) {
            Err(e) => Err(Fail::Refused(e.error)),
            Ok(t) => match t.wait() {
                Err(e) => Err(Fail::Refused(e.error)),
                Ok(done) => ensure(done.buffer.1 == &[0], "read something other than 0"),
            },
        }
    });
    suite.run("fact_pl081_at_secure_alias", || {
        // PeriphID0 (0xFE0) of DMA0 reads 0x81: a PL081 (QEMU `pl081_id`).
        let id = (mps2::DMA_SECURE[0] + 0xFE0) as *const u32;
        // SAFETY: a read-only ID register of DMA0, a 32-bit device register.
        count("PeriphID0", unsafe { id.read_volatile() } as usize, 0x81)
    });

    suite.run("forget_static_is_harmless", || {
        let Some(c) = dma1.channel(0) else { return Err(Fail::Msg("channel")) };
        let Some(pool) = once!([Lli; 1] = [Lli::EMPTY; 1]) else { return Err(Fail::Msg("pool")) };
        let c = c.with_lli_pool(pool);
        let (Some(s), Some(d)) = (once!([u32; 5000] = [3; 5000]), once!([u32; 5000] = [0; 5000]))
        else {
            return Err(Fail::Msg("buffers"));
        };
        let at = d.as_ptr();
        match c.copy(&*s, d) {
            Ok(t) => core::mem::forget(t),
            Err(e) => return Err(Fail::Refused(e.error)),
        }
        let arrived = (0..5000).all(|i| peek(at, i) == 3);
        ensure(arrived, "the forgotten copy did not complete")
    });

    static DEVICE: AtomicU32 = AtomicU32::new(0);
    suite.run("fixed_address_tx_u32", || {
        let Some(c) = dma1.channel(1) else { return Err(Fail::Msg("channel")) };
        // SAFETY: `DEVICE` is a static atomic standing in for a data register:
        // valid forever, accessed by the CPU only atomically.
        let port = match unsafe { FixedAddress::new(c, DEVICE.as_ptr().cast(), Pacing::Unpaced) } {
            Ok(p) => p,
            Err((e, _)) => return Err(Fail::Refused(e)),
        };
        let words: &'static [u32] = &[11, 22, 33, 44];
        let tx = match port.write_all(words) {
            Ok(t) => t,
            Err(e) => return Err(Fail::Refused(e.error)),
        };
        let done = match tx.wait() {
            Ok(done) => done,
            Err(e) => return Err(Fail::Refused(e.error)),
        };
        let r = count("transferred", done.transferred, 4)
            .and_then(|()| count("register", DEVICE.load(Ordering::SeqCst) as usize, 44));
        // Then read the register back into memory.
        DEVICE.store(0xAB, Ordering::SeqCst);
        let Some(d) = once!([u16; 6] = [0xEE; 6]) else { return Err(Fail::Msg("buffers")) };
        match done.resources.read_exact(d) {
            Err(e) => Err(Fail::Refused(e.error)),
            Ok(rx) => match rx.wait() {
                Err(e) => Err(Fail::Refused(e.error)),
                Ok(done) => r
                    .and_then(|()| count("received", done.transferred, 6))
                    .and_then(|()| ensure(done.buffer == &[0xAB; 6], "fixed_address_rx data")),
            },
        }
    });

    suite.run("scoped_copy_of_stack_buffers", || {
        let Some(c) = ch.take() else { return Err(Fail::Msg("channel")) };
        let from = [9u16, 8, 7, 6, 5];
        let mut to = [0u16; 5];
        let (_, outcome) = c.copy_scoped(&from, &mut to, |t| t.is_done());
        match outcome {
            Ok(done) => {
                ch = Some(done.resources);
                count("transferred", done.transferred, 5).and_then(|()| ensure(to == from, "data"))
            }
            Err(e) => Err(Fail::Refused(e.error)),
        }
    });

    static LIST_DEVICE: AtomicU32 = AtomicU32::new(0);
    suite.run("gather_write_and_scatter_read", || {
        let Some(c) = ch.take() else { return Err(Fail::Msg("channel")) };
        let Some(pool) = once!([Lli; 2] = [Lli::EMPTY; 2]) else { return Err(Fail::Msg("pool")) };
        let c = c.with_lli_pool(pool);
        // SAFETY: a static atomic standing in for a data register, as above.
        let port =
            match unsafe { FixedAddress::new(c, LIST_DEVICE.as_ptr().cast(), Pacing::Unpaced) } {
                Ok(p) => p,
                Err((e, _)) => return Err(Fail::Refused(e)),
            };
        let header: &'static [u32] = &[0xA0, 0xA1];
        let payload: &'static [u32] = &[1, 2, 3];
        let trailer: &'static [u32] = &[0xCC];
        let done = match port.write_gather([header, payload, trailer]).map(|t| t.wait()) {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => return Err(Fail::Refused(e.error)),
            Err(e) => return Err(Fail::Refused(e.error)),
        };
        let r = count("gathered", done.transferred, 6)
            .and_then(|()| count("register", LIST_DEVICE.load(Ordering::SeqCst) as usize, 0xCC));
        LIST_DEVICE.store(0x42, Ordering::SeqCst);
        let (Some(a), Some(b)) = (once!([u32; 2] = [0; 2]), once!([u32; 3] = [0; 3])) else {
            return Err(Fail::Msg("buffers"));
        };
        match done.resources.read_scatter([&mut a[..], &mut b[..]]).map(|t| t.wait()) {
            Ok(Ok(done)) => {
                let filled = done.buffer.iter().all(|part| part.iter().all(|&w| w == 0x42));
                r.and_then(|()| count("scattered", done.transferred, 5))
                    .and_then(|()| ensure(filled, "scatter data"))
            }
            Ok(Err(e)) => Err(Fail::Refused(e.error)),
            Err(e) => Err(Fail::Refused(e.error)),
        }
    });

    suite.run("async_dma_writer_bytes_arrive_and_a_leaked_future_is_harmless", || {
        async_writer(&mut dma1)
    });

    // The conformance suite's no_std core, on DMA2 channel 0.
    let core = core_suite(dma2);
    suite.passed += core.passed;
    suite.failed += core.failed;

    hprintln!("{} passed, {} failed", suite.passed, suite.failed);
    debug::exit(if suite.failed == 0 { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

/// The suite's memory: two regions in SSRAM (secure alias, reachable).
#[repr(align(8))]
#[allow(dead_code)] // used through its address only
struct Region([u8; CORE_BYTES]);
const CORE_BYTES: usize = 256;
static mut CORE_SRC: Region = Region([0; CORE_BYTES]);
static mut CORE_DST: Region = Region([0; CORE_BYTES]);
/// The "device data register" of the fixed-address directions.
static CORE_DEVICE: AtomicU32 = AtomicU32::new(0);

/// `core::fmt::Write` over the semihosting console: the suite's sink.
struct Semihosting;

impl fmt::Write for Semihosting {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        hprint!("{}", s);
        Ok(())
    }
}

/// Runs `dma_conformance_core` (every direction and width the PL081 has)
/// on channel 0 of `dmac`, printing one line per check.
fn core_suite(dmac: Pl081<mps2::SecureSsram>) -> Tally<FmtSink<Semihosting>> {
    let memory =
        Memory::new(addr_of_mut!(CORE_SRC).cast(), addr_of_mut!(CORE_DST).cast(), CORE_BYTES);
    // The destination through its non-secure alias: the DMA cannot reach
    // it (its writes vanish, its reads return 0), so it must be refused.
    let unreachable = (memory.destination as usize) & !0x1000_0000;
    // SAFETY: the two regions and the device word are statics used only
    // here, in the secure SSRAM alias the DMA reaches; the non-secure alias
    // is refused by the reachability check (and harmless if a broken HAL
    // accepted it: see the fact checks); channel 0 of DMA2 was never taken;
    // the harness goes to the suite's check functions only.
    let mut h = unsafe {
        Pl08xHarness::new(
            dmac,
            0,
            memory,
            CORE_DEVICE.as_ptr(),
            Some(unreachable),
            DmbFence,
            |_, _| false,
        )
    };
    let config = Config::default();
    let mut tally = Tally::new(FmtSink(Semihosting));
    check_copy::<u8, _>("pl081 copy u8", &mut h, &config, &mut tally);
    check_copy::<u16, _>("pl081 copy u16", &mut h, &config, &mut tally);
    check_copy::<u32, _>("pl081 copy u32", &mut h, &config, &mut tally);
    check_copy::<u64, _>("pl081 copy u64", &mut h, &config, &mut tally);
    check_write::<u8, _>("pl081 write u8", &mut h, &config, &mut tally);
    check_write::<u16, _>("pl081 write u16", &mut h, &config, &mut tally);
    check_write::<u32, _>("pl081 write u32", &mut h, &config, &mut tally);
    check_read::<u8, _>("pl081 read u8", &mut h, &config, &mut tally);
    check_read::<u16, _>("pl081 read u16", &mut h, &config, &mut tally);
    check_read::<u32, _>("pl081 read u32", &mut h, &config, &mut tally);
    tally
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("FAIL panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Polls `future` with a waker that does nothing until it is ready (QEMU
/// runs a transfer inside the write that enables it, so a few polls do);
/// `None` after `limit` polls.
fn block_on<F: Future>(future: F, limit: u32) -> Option<F::Output> {
    let mut future = core::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..limit {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

/// Moves `future` into a static arena (once per program run) that is never
/// freed, moved or reused: pinned there for good, it is leaked when its
/// `Pin` goes (`mem::forget` of a boxed future, without a heap).
fn leak_pinned<'a, F: Future + 'a>(future: F) -> Option<Pin<&'a mut F>> {
    #[repr(C, align(16))]
    struct Arena([u8; 512]);
    static TAKEN: AtomicBool = AtomicBool::new(false);
    static mut ARENA: Arena = Arena([0; 512]);
    let fits = core::mem::size_of::<F>() <= 512 && core::mem::align_of::<F>() <= 16;
    if !fits || TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    let at = addr_of_mut!(ARENA).cast::<F>();
    // SAFETY: `at` is the arena's start, aligned and large enough for `F`
    // (checked), used by this call only (`TAKEN`).
    unsafe { at.write(future) };
    // SAFETY: the arena is a static never used again: the `F` in it is
    // never moved, freed or overwritten; the reference is the only one to
    // it and lives no longer than `F`'s borrows (`'a`).
    let future = unsafe { &mut *at };
    // SAFETY: as above: pinned there for good.
    Some(unsafe { Pin::new_unchecked(future) })
}

/// `dma_drivers::io::DmaWriter` (feature `async`, through a 1-byte chunk)
/// over a `FixedAddress` on DMA1 channel 1 to a RAM word standing in for a
/// data register, polled with a noop waker: every byte arrives in order;
/// a write future polled once while the DMA is held (`DMACConfiguration.E`
/// clear, the transfer accepted but not moving), then leaked, after which
/// the caller overwrites its slice: the held transfer, once released, sends
/// the driver's copy, and the writer goes on.
fn async_writer(dma1: &mut Pl081<mps2::SecureSsram>) -> Check {
    static REGISTER: AtomicU32 = AtomicU32::new(0);
    let low = || REGISTER.load(Ordering::SeqCst) & 0xFF;
    // SAFETY: DMA1 channel 1's last value (`fixed_address_tx_u32`'s port)
    // was dropped with that check, which stopped it.
    let Some(c) = (unsafe { dma1.steal_channel(1) }) else { return Err(Fail::Msg("channel")) };
    // SAFETY: `REGISTER` is a static atomic standing in for a data register:
    // valid forever, accessed by the CPU only atomically.
    let port = match unsafe { FixedAddress::new(c, REGISTER.as_ptr().cast(), Pacing::Unpaced) } {
        Ok(p) => p,
        Err((e, _)) => return Err(Fail::Refused(e)),
    };
    let Some(chunk) = once!([u8; 1] = [0; 1]) else { return Err(Fail::Msg("buffers")) };
    let mut writer = DmaWriter::new(RamRegister(port), chunk);
    let data = b"async DmaWriter on QEMU";
    for (i, &byte) in data.iter().enumerate() {
        REGISTER.store(0, Ordering::SeqCst);
        match block_on(writer.write(data.get(i..).unwrap_or_default()), 1000) {
            Some(Ok(1)) => {}
            Some(Ok(n)) => return count("bytes per chunk", n, 1),
            Some(Err(_)) => return Err(Fail::Msg("a write failed")),
            None => return Err(Fail::Msg("a write never finished")),
        }
        count("byte in the register", low() as usize, usize::from(byte))?;
    }
    // The leaked future.
    let mut caller = *b"Leaked";
    REGISTER.store(0, Ordering::SeqCst);
    dma1.disable();
    {
        let Some(mut future) = leak_pinned(writer.write(&caller)) else {
            dma1.enable();
            return Err(Fail::Msg("arena"));
        };
        let mut cx = Context::from_waker(Waker::noop());
        let pending = future.as_mut().poll(&mut cx).is_pending();
        if !pending {
            dma1.enable();
            return Err(Fail::Msg("the held write finished"));
        }
    }
    caller.fill(b'!'); // the caller reuses its slice at once
    let held = low();
    dma1.enable();
    ensure(held == 0, "the held transfer moved data")?;
    // Released, the held transfer sends the driver's copy of the slice.
    let sent = match block_on(writer.flush(), 1000) {
        Some(Ok(())) => low(),
        _ => return Err(Fail::Msg("the flush after the leak failed")),
    };
    count("byte the leaked write sent", sent as usize, usize::from(b'L'))?;
    match block_on(writer.write(b"Z"), 1000) {
        Some(Ok(1)) => {}
        _ => return Err(Fail::Msg("the write after the leak failed")),
    }
    ensure(low() == u32::from(b'Z'), "the write after the leak did not arrive")?;
    ensure(writer.release().is_some(), "the port and the buffer did not come back")
}

/// A RAM word as a device data register: a `FixedAddress` that is also
/// [`Sent`] (`DmaWriter`'s `flush` needs it): RAM has no shift register, so
/// a byte the DMA wrote has left the "device" once the transfer ended.
/// The DMA1 channel bound to the RAM word.
type Port = FixedAddress<2, DmbFence, dma_impl_pl08x::NoLliPool, mps2::SecureSsram>;

struct RamRegister(Port);

/// A transfer of [`RamRegister`]: `FixedAddress`'s, the port rewrapped.
struct RamTransfer<B: DmaReadBuffer<Word = u8>>(<Port as DmaWrite<u8>>::Transfer<B>);

fn rewrap<B>(e: TransferError<Error, B, Port>) -> TransferError<Error, B, RamRegister> {
    TransferError {
        error: e.error,
        buffer: e.buffer,
        resources: RamRegister(e.resources),
        transferred: e.transferred,
    }
}

// SAFETY: forwards to `FixedAddress`'s transfer, which meets the contract;
// only the port is rewrapped, after that transfer ended.
unsafe impl<B: DmaReadBuffer<Word = u8>> Transfer for RamTransfer<B> {
    type Buffer = B;
    type Resources = RamRegister;
    type Error = Error;

    fn is_done(&self) -> bool {
        // The mutant (`ci.sh`): done before the hardware is.
        cfg!(pl08x_mutant_async_done_early) || self.0.is_done()
    }

    fn stop(self) -> Outcome<Self> {
        match self.0.stop() {
            Ok(done) => Ok(Finished {
                buffer: done.buffer,
                resources: RamRegister(done.resources),
                transferred: done.transferred,
            }),
            Err(e) => Err(rewrap(e)),
        }
    }
}

// SAFETY: forwards to `FixedAddress`'s `DmaWrite`, which meets the contract.
unsafe impl DmaWrite<u8> for RamRegister {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = RamTransfer<B>;

    fn max_len(&self) -> usize {
        DmaWrite::<u8>::max_len(&self.0)
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        // SAFETY: the caller's contract, passed on.
        match unsafe { self.0.write_all_unchecked(buffer) } {
            Ok(t) => Ok(RamTransfer(t)),
            Err(e) => Err(rewrap(e)),
        }
    }
}

impl Sent for RamRegister {
    fn is_sent(&self) -> bool {
        true
    }
}
