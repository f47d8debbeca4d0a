//! The checks, written once for every direction through a private [`Lane`].

use core::mem::size_of;
use core::sync::atomic::{compiler_fence, Ordering};

use dma_traits::{
    Access, DmaCopy, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Error as _, ErrorKind,
    Finished, Transfer, TransferError, Word,
};

use crate::bits::{pattern, to_bits};
use crate::fence::{self, Entry, Mark};
use crate::harness::{Config, CopyHarness, Harness, Memory, ReadHarness, WriteHarness};
use crate::names::*;
use crate::sink::{CheckResult, Sink, Verdict, Why};

/// A buffer in the suite's memory: a pointer and a length, nothing owned.
///
/// The suite builds it from [`Harness::memory`] (or, for the refusal
/// checks, breaks requirement 4 of the buffer contract on purpose: a
/// misaligned start, a length past the limit, an unreachable address, which
/// a conforming HAL refuses before any access).
#[derive(Debug)]
pub(crate) struct Raw<W> {
    ptr: *mut W,
    len: usize,
}

impl<W> Raw<W> {
    fn id(&self) -> (usize, usize) {
        (self.ptr as usize, self.len)
    }
}

// SAFETY: the memory is the harness's `'static`, exclusively-owned regions
// (`Harness`'s contract): valid, stable, initialized words for as long as any
// transfer may hold the value, and the suite does not touch it while a
// transfer runs. The deliberately broken buffers (see the type's doc) are
// refused by a conforming HAL before any access, and where a broken HAL
// accepts them the access stays inside the regions or at the harness's
// harmless unreachable address.
unsafe impl<W: Word> DmaReadBuffer for Raw<W> {
    type Word = W;
    fn dma_read_buffer(&self) -> (*const W, usize) {
        (self.ptr.cast_const(), self.len)
    }
}

// SAFETY: as for reads; every bit pattern is a valid `W` (`Word`).
unsafe impl<W: Word> DmaWriteBuffer for Raw<W> {
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (self.ptr, self.len)
    }
}

/// The buffers a transfer gave back.
pub(crate) struct Bufs<W> {
    src: Option<Raw<W>>,
    dst: Option<Raw<W>>,
}

/// Which buffers a direction lends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Copy,
    Write,
    Read,
}

impl Kind {
    fn lends_src(self) -> bool {
        self != Kind::Read
    }
    fn lends_dst(self) -> bool {
        self != Kind::Write
    }
}

/// One direction, seen uniformly: copy (source and destination lent),
/// write (source lent, the endpoint receives), read (destination lent, the
/// endpoint feeds).
pub(crate) trait Lane<W: Word> {
    type Res;
    type T: Transfer<Resources = Self::Res>;
    const KIND: Kind;
    fn harness(&mut self) -> &mut dyn Harness;
    fn take(&mut self) -> Option<Self::Res>;
    fn recycle(&mut self, res: Self::Res);
    #[allow(clippy::type_complexity)]
    fn start(
        &mut self,
        res: Self::Res,
        src: Raw<W>,
        dst: Raw<W>,
    ) -> Result<Self::T, (Self::Res, Bufs<W>, ErrorKind)>;
    /// The peripheral's own `max_len()`.
    fn port_max_len(res: &Self::Res) -> usize;
    fn split(buffer: <Self::T as Transfer>::Buffer) -> Bufs<W>;
    fn fail_next(&mut self, items: usize) -> bool;
    fn max_len(&self) -> Option<usize>;
    fn supports_width(&self) -> bool;
    /// Read lane: feeds the endpoint; whether in order.
    fn feed(&mut self, _len: usize, _seed: u8) -> bool {
        true
    }
    /// Write lane: what the endpoint received.
    fn received(&mut self, _out: &mut [W]) -> usize {
        0
    }
}

pub(crate) struct CopyLane<'h, H>(&'h mut H);
pub(crate) struct WriteLane<'h, H>(&'h mut H);
pub(crate) struct ReadLane<'h, H>(&'h mut H);

impl<W: Word, H: CopyHarness<W>> Lane<W> for CopyLane<'_, H> {
    type Res = H::Channel;
    type T = <H::Channel as DmaCopy<W>>::Transfer<Raw<W>, Raw<W>>;
    const KIND: Kind = Kind::Copy;
    fn harness(&mut self) -> &mut dyn Harness {
        self.0
    }
    fn take(&mut self) -> Option<Self::Res> {
        self.0.channel()
    }
    fn recycle(&mut self, res: Self::Res) {
        self.0.recycle(res);
    }
    fn start(
        &mut self,
        res: Self::Res,
        src: Raw<W>,
        dst: Raw<W>,
    ) -> Result<Self::T, (Self::Res, Bufs<W>, ErrorKind)> {
        res.copy(src, dst).map_err(|e| {
            let (s, d) = e.buffer;
            (e.resources, Bufs { src: Some(s), dst: Some(d) }, e.error.kind())
        })
    }
    fn port_max_len(res: &Self::Res) -> usize {
        DmaCopy::<W>::max_len(res)
    }
    fn split((s, d): (Raw<W>, Raw<W>)) -> Bufs<W> {
        Bufs { src: Some(s), dst: Some(d) }
    }
    fn fail_next(&mut self, items: usize) -> bool {
        self.0.fail_next(items)
    }
    fn max_len(&self) -> Option<usize> {
        self.0.max_len()
    }
    fn supports_width(&self) -> bool {
        self.0.supports_width()
    }
}

impl<W: Word, H: WriteHarness<W>> Lane<W> for WriteLane<'_, H> {
    type Res = H::Peripheral;
    type T = <H::Peripheral as DmaWrite<W>>::Transfer<Raw<W>>;
    const KIND: Kind = Kind::Write;
    fn harness(&mut self) -> &mut dyn Harness {
        self.0
    }
    fn take(&mut self) -> Option<Self::Res> {
        self.0.peripheral()
    }
    fn recycle(&mut self, res: Self::Res) {
        self.0.recycle(res);
    }
    fn start(
        &mut self,
        res: Self::Res,
        src: Raw<W>,
        _dst: Raw<W>,
    ) -> Result<Self::T, (Self::Res, Bufs<W>, ErrorKind)> {
        res.write_all(src).map_err(|e| {
            let kind = e.error.kind();
            (e.resources, Bufs { src: Some(e.buffer), dst: None }, kind)
        })
    }
    fn port_max_len(res: &Self::Res) -> usize {
        DmaWrite::<W>::max_len(res)
    }
    fn split(buffer: Raw<W>) -> Bufs<W> {
        Bufs { src: Some(buffer), dst: None }
    }
    fn fail_next(&mut self, items: usize) -> bool {
        self.0.fail_next(items)
    }
    fn max_len(&self) -> Option<usize> {
        self.0.max_len()
    }
    fn supports_width(&self) -> bool {
        self.0.supports_width()
    }
    fn received(&mut self, out: &mut [W]) -> usize {
        self.0.received(out)
    }
}

impl<W: Word, H: ReadHarness<W>> Lane<W> for ReadLane<'_, H> {
    type Res = H::Peripheral;
    type T = <H::Peripheral as DmaRead<W>>::Transfer<Raw<W>>;
    const KIND: Kind = Kind::Read;
    fn harness(&mut self) -> &mut dyn Harness {
        self.0
    }
    fn take(&mut self) -> Option<Self::Res> {
        self.0.peripheral()
    }
    fn recycle(&mut self, res: Self::Res) {
        self.0.recycle(res);
    }
    fn start(
        &mut self,
        res: Self::Res,
        _src: Raw<W>,
        dst: Raw<W>,
    ) -> Result<Self::T, (Self::Res, Bufs<W>, ErrorKind)> {
        res.read_exact(dst).map_err(|e| {
            let kind = e.error.kind();
            (e.resources, Bufs { src: None, dst: Some(e.buffer) }, kind)
        })
    }
    fn port_max_len(res: &Self::Res) -> usize {
        DmaRead::<W>::max_len(res)
    }
    fn split(buffer: Raw<W>) -> Bufs<W> {
        Bufs { src: None, dst: Some(buffer) }
    }
    fn fail_next(&mut self, items: usize) -> bool {
        self.0.fail_next(items)
    }
    fn max_len(&self) -> Option<usize> {
        self.0.max_len()
    }
    fn supports_width(&self) -> bool {
        self.0.supports_width()
    }
    fn feed(&mut self, len: usize, seed: u8) -> bool {
        self.0.feed(len, &|i| pattern::<W>(seed, i))
    }
}

/// Runs every check on a memory-to-memory channel and reports each result
/// to `sink`. Calls `harness.memory()` once; needs at most
/// `max(config sizes, max_len + 1) + 1` words of memory per region for the
/// full set (checks that do not fit are reported not applicable).
///
/// A transfer that never finishes hangs the suite (there is no clock on a
/// bare target): run it under a timeout (QEMU: `timeout 60`).
pub fn check_copy<W: Word, H: CopyHarness<W>>(
    subject: &str,
    harness: &mut H,
    config: &Config,
    sink: &mut dyn Sink,
) {
    Run::new(CopyLane(harness), subject, config, sink).all();
}

/// As [`check_copy`], for a peripheral that sends by DMA.
pub fn check_write<W: Word, H: WriteHarness<W>>(
    subject: &str,
    harness: &mut H,
    config: &Config,
    sink: &mut dyn Sink,
) {
    Run::new(WriteLane(harness), subject, config, sink).all();
}

/// As [`check_copy`], for a peripheral that receives by DMA.
pub fn check_read<W: Word, H: ReadHarness<W>>(
    subject: &str,
    harness: &mut H,
    config: &Config,
    sink: &mut dyn Sink,
) {
    Run::new(ReadLane(harness), subject, config, sink).all();
}

type Step = Result<(), Verdict>;

/// Every source byte before a refusal: non-zero, as every pattern byte is.
const REFUSAL_FILL: u8 = 0x5A;

impl From<Why> for Verdict {
    fn from(why: Why) -> Self {
        Verdict::Fail(why)
    }
}

fn ensure(ok: bool, what: &'static str) -> Result<(), Why> {
    if ok {
        Ok(())
    } else {
        Err(Why::new(what))
    }
}

fn count(what: &'static str, got: usize, want: usize) -> Result<(), Why> {
    if got == want {
        Ok(())
    } else {
        Err(Why::count(what, got, want))
    }
}

/// How a transfer ended.
struct Ended<R, W> {
    res: R,
    bufs: Bufs<W>,
    transferred: usize,
    failed: bool,
}

#[derive(Clone, Copy)]
enum End {
    Wait,
    Stop,
}

struct Run<'s, W: Word, L: Lane<W>> {
    lane: L,
    mem: Memory,
    /// Words per region the checks may use (one more stays free past them).
    cap: usize,
    subject: &'s str,
    config: Config,
    sink: &'s mut dyn Sink,
    _w: core::marker::PhantomData<W>,
}

impl<'s, W: Word, L: Lane<W>> Run<'s, W, L> {
    fn new(mut lane: L, subject: &'s str, config: &Config, sink: &'s mut dyn Sink) -> Self {
        let mem = lane.harness().memory();
        let cap = (mem.bytes / size_of::<W>()).saturating_sub(1);
        Run { lane, mem, cap, subject, config: *config, sink, _w: core::marker::PhantomData }
    }

    fn report(&mut self, check: &'static str, step: Step) {
        let verdict = match step {
            Ok(()) => Verdict::Pass,
            Err(v) => v,
        };
        self.sink.result(&CheckResult { check, subject: self.subject, verdict });
    }

    fn all(mut self) {
        if !self.lane.supports_width() {
            let r = self.refused(2, 0, 2, "a transfer of a width the harness says is unsupported");
            self.report(WIDTH_REFUSED, r);
            return;
        }
        let r = self.data_intact();
        self.report(DATA_INTACT, r);
        let r = self.back_on_completion();
        self.report(BACK_ON_COMPLETION, r);
        let r = self.back_on_error();
        self.report(BACK_ON_ERROR, r);
        let r = self.held_end(false);
        self.report(STOP_STOPS, r);
        let r = self.held_end(true);
        self.report(DROP_STOPS, r);
        let r = self.forget();
        self.report(FORGET_HARMLESS, r);
        let r = self.fences();
        self.report(FENCES_BRACKET, r);
        let r = self.refused(0, 0, 0, "a zero-length buffer");
        self.report(ZERO_LEN_REFUSED, r);
        let r = self.overlong();
        self.report(OVERLONG_REFUSED, r);
        let r = if size_of::<W>() == 1 {
            Err(Verdict::NotApplicable("byte words are always aligned"))
        } else {
            self.refused(2, 1, 2, "a misaligned buffer")
        };
        self.report(MISALIGNED_REFUSED, r);
        let r = self.unreachable();
        self.report(UNREACHABLE_REFUSED, r);
        if L::KIND == Kind::Copy {
            let r = self.refused(2, 0, 3, "source and destination of different lengths");
            self.report(LENGTH_MISMATCH_REFUSED, r);
        }
    }

    // ---- memory -------------------------------------------------------

    fn src_word(&self, i: usize) -> *mut W {
        self.mem.source.cast::<W>().wrapping_add(i)
    }

    fn dst_word(&self, i: usize) -> *mut W {
        self.mem.destination.cast::<W>().wrapping_add(i)
    }

    /// Fills the source with the pattern of `seed`, clears the destination
    /// (one word past `len` too) and drains / feeds the endpoint. Whether
    /// the endpoint produces the pattern in order (read lane).
    fn prepare(&mut self, seed: u8, len: usize) -> bool {
        let len = len.min(self.cap);
        for i in 0..len {
            // SAFETY: `i < cap`: inside the source region, which the suite
            // owns (`Harness`) and no transfer uses now; aligned (8-byte
            // aligned region, whole words).
            unsafe { self.src_word(i).write_volatile(pattern(seed, i)) };
        }
        self.clear(len + 1);
        self.endpoint(seed, len)
    }

    /// Before a transfer that must be refused: every source byte non-zero
    /// (the refusal checks ask only whether a destination word became
    /// non-zero, which any non-zero source shows as well as the pattern
    /// does), the whole destination cleared, the endpoint drained / fed
    /// `cap` words. Bulk writes (one step each under Miri, where a per-word
    /// pattern over `cap` words costs thousands).
    fn prepare_refusal(&mut self) {
        // SAFETY: `cap * size_of::<W>() <= mem.bytes` (`Run::new`): inside the source region, which the suite owns
        // (`Harness`) and no transfer uses now; any bytes make valid words.
        unsafe { self.mem.source.write_bytes(REFUSAL_FILL, self.cap * size_of::<W>()) };
        self.clear(self.cap + 1);
        let _ = self.endpoint(9, self.cap);
    }

    /// Zeroes the first `words` (at most `cap + 1`) words of the destination.
    fn clear(&mut self, words: usize) {
        let bytes = (words.min(self.cap + 1) * size_of::<W>()).min(self.mem.bytes);
        // SAFETY: `bytes <= mem.bytes`: inside the destination region, which
        // the suite owns (`Harness`) and no transfer uses now; any bytes
        // make valid words (`Word`).
        unsafe { self.mem.destination.write_bytes(0, bytes) };
        // The bulk write is not volatile: keep it before the HAL's accesses
        // (a start's MMIO writes), as the per-word volatile writes were.
        compiler_fence(Ordering::SeqCst);
    }

    /// Drains (write lane) or feeds (read lane) the endpoint for a transfer
    /// of `len` words of `seed`; whether it produces them in order.
    fn endpoint(&mut self, seed: u8, len: usize) -> bool {
        match L::KIND {
            Kind::Write => {
                let _ = self.drain();
                true
            }
            Kind::Read => self.lane.feed(len, seed),
            Kind::Copy => true,
        }
    }

    /// What the endpoint received, into the (unlent) destination region.
    fn drain(&mut self) -> usize {
        let cap = self.cap;
        // SAFETY: the write lane never lends the destination region, which
        // the suite owns; `cap` words are inside it; no other reference to
        // it exists while this one lives.
        let out = unsafe { core::slice::from_raw_parts_mut(self.dst_word(0), cap) };
        self.lane.received(out).min(cap)
    }

    fn dst(&self, i: usize) -> u64 {
        // SAFETY: callers pass `i <= cap`; no transfer of the region runs.
        to_bits(unsafe { self.dst_word(i).read_volatile() })
    }

    /// The transfer of `seed`, `len` words, arrived.
    fn arrived(&mut self, seed: u8, len: usize, in_order: bool) -> Result<(), Why> {
        let want = |i: usize| to_bits(pattern::<W>(seed, if in_order { i } else { 0 }));
        match L::KIND {
            Kind::Write => {
                let n = self.drain();
                ensure(n > 0, "nothing arrived at the endpoint")?;
                ensure(n <= len, "more words arrived than were sent")?;
                for k in 0..n {
                    if self.dst(k) != want(len - n + k) {
                        return Err(Why {
                            what: "the endpoint received a wrong word at",
                            got: Some(k),
                            want: None,
                        });
                    }
                }
                Ok(())
            }
            Kind::Copy | Kind::Read => {
                if let Some(i) = (0..len).find(|&i| self.dst(i) != want(i)) {
                    return Err(Why {
                        what: "destination differs at word",
                        got: Some(i),
                        want: None,
                    });
                }
                ensure(self.dst(len) == 0, "the DMA wrote past the end of the destination")
            }
        }
    }

    /// Nothing of a transfer of `len` words arrived.
    fn untouched(&mut self, len: usize) -> Result<(), Why> {
        match L::KIND {
            Kind::Write => count("words at the endpoint", self.drain(), 0),
            Kind::Copy | Kind::Read => {
                let words = len.min(self.cap) + 1;
                if self.dst_zero(words) {
                    return Ok(());
                }
                // Something was written: count the words, one by one.
                let written = (0..words).filter(|&i| self.dst(i) != 0).count();
                count("destination words written", written, 0)
            }
        }
    }

    /// Whether the first `words` (at most `cap + 1`) words of the
    /// destination are all zero bytes: compared 64 bytes at a time with
    /// zeros (a `memcmp`, one step under Miri), not word by word.
    fn dst_zero(&self, words: usize) -> bool {
        static ZEROS: [u8; 64] = [0; 64];
        // The transfer's accesses (if any) come before the comparison, as
        // they did before the per-word volatile reads.
        compiler_fence(Ordering::SeqCst);
        let bytes = (words.min(self.cap + 1) * size_of::<W>()).min(self.mem.bytes);
        // SAFETY: `bytes <= mem.bytes`: inside the destination region, which
        // the suite owns and no transfer uses now (the region's words are
        // initialized: `Harness`); no `&mut` to it lives while this one does.
        let dst = unsafe { core::slice::from_raw_parts(self.mem.destination.cast_const(), bytes) };
        dst.chunks(ZEROS.len()).all(|chunk| ZEROS.get(..chunk.len()) == Some(chunk))
    }

    // ---- transfers ----------------------------------------------------

    fn take(&mut self) -> Result<L::Res, Why> {
        self.lane.take().ok_or(Why::new("the harness has no channel / peripheral left"))
    }

    /// The buffers of `len` words at byte `offset` into each region.
    fn raw(&self, offset: usize, len: usize, len_dst: usize) -> (Raw<W>, Raw<W>) {
        let s = self.mem.source.wrapping_add(offset).cast::<W>();
        let d = self.mem.destination.wrapping_add(offset).cast::<W>();
        (Raw { ptr: s, len }, Raw { ptr: d, len: len_dst })
    }

    /// What the transfer must give back.
    fn ids(src: &Raw<W>, dst: &Raw<W>) -> [Option<(usize, usize)>; 2] {
        [L::KIND.lends_src().then(|| src.id()), L::KIND.lends_dst().then(|| dst.id())]
    }

    fn same(ids: [Option<(usize, usize)>; 2], bufs: &Bufs<W>) -> Result<(), Why> {
        let back = [bufs.src.as_ref().map(Raw::id), bufs.dst.as_ref().map(Raw::id)];
        ensure(back == ids, "a different buffer came back")
    }

    /// Starts a valid transfer of `len` words.
    #[allow(clippy::type_complexity)]
    fn begin(&mut self, len: usize) -> Result<(L::T, [Option<(usize, usize)>; 2]), Why> {
        let res = self.take()?;
        let (s, d) = self.raw(0, len, len);
        let ids = Self::ids(&s, &d);
        match self.lane.start(res, s, d) {
            Ok(t) => Ok((t, ids)),
            Err((res, _, _)) => {
                self.lane.recycle(res);
                Err(Why { what: "a valid transfer was refused; words", got: Some(len), want: None })
            }
        }
    }

    fn end(t: L::T, how: End) -> Ended<L::Res, W> {
        let outcome = match how {
            End::Wait => t.wait(),
            End::Stop => t.stop(),
        };
        match outcome {
            Ok(Finished { buffer, resources, transferred }) => {
                Ended { res: resources, bufs: L::split(buffer), transferred, failed: false }
            }
            Err(TransferError { buffer, resources, transferred, .. }) => {
                Ended { res: resources, bufs: L::split(buffer), transferred, failed: true }
            }
        }
    }

    /// One transfer of `len` words, waited for, data checked.
    fn transfer(&mut self, seed: u8, len: usize) -> Result<Ended<L::Res, W>, Why> {
        let in_order = self.prepare(seed, len);
        let (t, ids) = self.begin(len)?;
        let e = Self::end(t, End::Wait);
        let checked = ensure(!e.failed, "a valid transfer failed")
            .and_then(|()| count("transferred", e.transferred, len))
            .and_then(|()| Self::same(ids, &e.bufs))
            .and_then(|()| self.arrived(seed, len, in_order));
        match checked {
            Ok(()) => Ok(e),
            Err(why) => {
                self.lane.recycle(e.res);
                Err(why)
            }
        }
    }

    /// The resources work: a one-word transfer on them succeeds.
    fn works(&mut self, res: L::Res) -> Result<(), Why> {
        self.lane.recycle(res);
        let e = self
            .transfer(0x55, 1)
            .map_err(|w| Why { what: "given back, then: a one-word transfer failed", ..w })?;
        self.lane.recycle(e.res);
        Ok(())
    }

    fn long(&self) -> usize {
        let mut n = self.config.long_len.min(self.cap);
        if let Some(max) = self.lane.max_len() {
            n = n.min(max);
        }
        n.max(1)
    }

    // ---- checks -------------------------------------------------------

    fn data_intact(&mut self) -> Step {
        let mut n = self.config.max_data_len.min(self.cap);
        if let Some(max) = self.lane.max_len() {
            n = n.min(max);
        }
        for len in 1..=n {
            #[allow(clippy::cast_possible_truncation)] // any seed will do
            let e = self.transfer(len as u8, len)?;
            self.lane.recycle(e.res);
        }
        Ok(())
    }

    fn back_on_completion(&mut self) -> Step {
        let len = self.long();
        let e = self.transfer(3, len)?;
        self.works(e.res)?;
        Ok(())
    }

    fn back_on_error(&mut self) -> Step {
        let len = self.long();
        if !self.lane.fail_next(len / 2) {
            return Err(Verdict::NotApplicable("the harness cannot inject an error"));
        }
        self.prepare(4, len);
        let (t, ids) = self.begin(len)?;
        let e = Self::end(t, End::Wait);
        let checked = ensure(e.failed, "the armed error did not fail the transfer")
            .and_then(|()| ensure(e.transferred <= len, "more words transferred than lent"))
            .and_then(|()| Self::same(ids, &e.bufs));
        match checked {
            Ok(()) => Ok(self.works(e.res)?),
            Err(why) => {
                self.lane.recycle(e.res);
                Err(why.into())
            }
        }
    }

    /// Stop (or drop, if `drop`) a transfer held in flight; nothing may
    /// arrive after the hold ends.
    fn held_end(&mut self, drop: bool) -> Step {
        let len = self.long();
        if !self.lane.harness().hold() {
            return Err(Verdict::NotApplicable("the harness cannot hold a transfer in flight"));
        }
        self.prepare(5, len);
        let (t, ids) = match self.begin(len) {
            Ok(ok) => ok,
            Err(why) => {
                self.lane.harness().release();
                return Err(why.into());
            }
        };
        let in_flight = !t.is_done();
        let ended = if drop {
            core::mem::drop(t);
            None
        } else {
            Some(Self::end(t, End::Stop))
        };
        self.lane.harness().release();
        self.lane.harness().settle();
        let checked = ensure(in_flight, "the transfer was not in flight during the hold")
            .and_then(|()| self.untouched(len));
        match ended {
            None => Ok(checked?),
            Some(e) => {
                let checked = checked
                    .and_then(|()| count("transferred by a stop while held", e.transferred, 0))
                    .and_then(|()| Self::same(ids, &e.bufs));
                match checked {
                    Ok(()) => Ok(self.works(e.res)?),
                    Err(why) => {
                        self.lane.recycle(e.res);
                        Err(why.into())
                    }
                }
            }
        }
    }

    fn forget(&mut self) -> Step {
        let len = self.long();
        let in_order = self.prepare(6, len);
        let (t, _) = self.begin(len)?;
        core::mem::forget(t);
        self.lane.harness().settle();
        Ok(self.arrived(6, len, in_order)?)
    }

    /// The regions a transfer of `len` words must fence.
    fn regions(&self, len: usize) -> [Option<(usize, usize, Access)>; 2] {
        let bytes = len * size_of::<W>();
        [
            L::KIND.lends_src().then_some((self.mem.source as usize, bytes, Access::DmaReads)),
            L::KIND.lends_dst().then_some((
                self.mem.destination as usize,
                bytes,
                Access::DmaWrites,
            )),
        ]
    }

    fn fences(&mut self) -> Step {
        let len = self.long();
        // 1. completion: release, start, acquire, end.
        self.prepare(7, len);
        fence::clear();
        let (t, _) = self.begin(len)?;
        fence::mark(Mark::Started);
        let e = Self::end(t, End::Wait);
        fence::mark(Mark::Ended);
        self.lane.recycle(e.res);
        self.bracketed("on completion")?;
        // 2. and 3.: stop and drop of a held transfer.
        for drop in [false, true] {
            if !self.lane.harness().hold() {
                break;
            }
            self.prepare(8, len);
            fence::clear();
            let t = match self.begin(len) {
                Ok((t, _)) => t,
                Err(why) => {
                    self.lane.harness().release();
                    return Err(why.into());
                }
            };
            fence::mark(Mark::Started);
            if drop {
                core::mem::drop(t);
            } else {
                let e = Self::end(t, End::Stop);
                self.lane.recycle(e.res);
            }
            fence::mark(Mark::Ended);
            self.lane.harness().release();
            self.lane.harness().settle();
            self.bracketed(if drop { "on drop" } else { "on stop" })?;
        }
        Ok(())
    }

    /// Every lent region was released before the start returned and
    /// acquired after it, before the end returned.
    fn bracketed(&self, path: &'static str) -> Result<(), Why> {
        let log = fence::log();
        ensure(log.lost() == 0, "the fence log overflowed")?;
        let (Some(started), Some(ended)) = (log.mark(Mark::Started), log.mark(Mark::Ended)) else {
            return Err(Why::new("the fence log lost the suite's marks"));
        };
        let len = self.long();
        let covers = |a: usize, n: usize, r: (usize, usize, Access)| {
            a <= r.0 && a.saturating_add(n) >= r.0 + r.1
        };
        for r in self.regions(len).into_iter().flatten() {
            let released = log.entries().any(|(i, e)| {
                matches!(e, Entry::Release { addr, bytes, access, ok: true }
                    if i < started && access == r.2 && covers(addr, bytes, r))
            });
            let acquired = |from: usize, to: usize| {
                log.entries().any(|(i, e)| {
                    matches!(e, Entry::Acquire { addr, bytes, access }
                        if i > from && i < to && access == r.2 && covers(addr, bytes, r))
                })
            };
            let what = match (r.2, path) {
                (Access::DmaReads, _) => "source",
                (Access::DmaWrites, _) => "destination",
            };
            if !released {
                return Err(Why::new(match what {
                    "source" => "no release of the source before the start",
                    _ => "no release of the destination before the start",
                }));
            }
            if acquired(0, started) {
                return Err(Why::new("acquire ran before the transfer was started"));
            }
            if !acquired(started, ended) {
                return Err(Why::new(match (what, path) {
                    ("source", "on completion") => "no acquire of the source on completion",
                    ("source", "on stop") => "no acquire of the source on stop",
                    ("source", _) => "no acquire of the source on drop",
                    (_, "on completion") => "no acquire of the destination on completion",
                    (_, "on stop") => "no acquire of the destination on stop",
                    _ => "no acquire of the destination on drop",
                }));
            }
        }
        Ok(())
    }

    /// A transfer of (`len`, `len_dst`) words at byte `offset` must be
    /// refused with everything given back, the destination untouched.
    fn refused(&mut self, len: usize, offset: usize, len_dst: usize, what: &'static str) -> Step {
        let (s, d) = self.raw(offset, len, len_dst);
        self.refuse(s, d, what)
    }

    fn refuse(&mut self, s: Raw<W>, d: Raw<W>, what: &'static str) -> Step {
        self.prepare_refusal();
        let res = self.take()?;
        let ids = Self::ids(&s, &d);
        match self.lane.start(res, s, d) {
            Ok(t) => {
                let e = Self::end(t, End::Wait);
                self.lane.recycle(e.res);
                Err(Why::new(match what {
                    "a zero-length buffer" => "a zero-length buffer was accepted",
                    "a misaligned buffer" => "a misaligned buffer was accepted",
                    "an over-long buffer" => "an over-long buffer was accepted",
                    "an unreachable buffer" => "an unreachable buffer was accepted",
                    "source and destination of different lengths" => {
                        "buffers of different lengths were accepted"
                    }
                    _ => "a transfer of an unsupported width was accepted",
                })
                .into())
            }
            Err((res, bufs, kind)) => {
                let checked = Self::same(ids, &bufs)
                    .and_then(|()| self.untouched(self.cap))
                    .and_then(|()| Self::of_kind(what, kind, self.lane.max_len()));
                match checked {
                    // A width the channel lacks cannot show it still works.
                    Ok(()) if !self.lane.supports_width() => {
                        self.lane.recycle(res);
                        Ok(())
                    }
                    Ok(()) => Ok(self.works(res)?),
                    Err(why) => {
                        self.lane.recycle(res);
                        Err(why.into())
                    }
                }
            }
        }
    }

    /// The refusal's kind is the one a driver acts on for `what`.
    fn of_kind(what: &'static str, got: ErrorKind, max: Option<usize>) -> Result<(), Why> {
        let want = match what {
            "a zero-length buffer" => ErrorKind::Empty,
            "a misaligned buffer" => ErrorKind::Misaligned,
            "an over-long buffer" => ErrorKind::TooLong { max: max.unwrap_or(usize::MAX) },
            "an unreachable buffer" => ErrorKind::Unreachable,
            "source and destination of different lengths" => ErrorKind::LengthMismatch,
            _ => ErrorKind::UnsupportedWidth,
        };
        match (got, want) {
            _ if got == want => Ok(()),
            (ErrorKind::TooLong { max: got }, ErrorKind::TooLong { max: want }) => Err(Why::count(
                "an over-long refusal names a maximum other than max_len",
                got,
                want,
            )),
            _ => Err(Why::new(match what {
                "a zero-length buffer" => "a zero-length buffer was refused, not of kind Empty",
                "a misaligned buffer" => "a misaligned buffer was refused, not of kind Misaligned",
                "an over-long buffer" => "an over-long buffer was refused, not of kind TooLong",
                "an unreachable buffer" => {
                    "an unreachable buffer was refused, not of kind Unreachable"
                }
                "source and destination of different lengths" => {
                    "buffers of different lengths were refused, not of kind LengthMismatch"
                }
                _ => "an unsupported width was refused, not of kind UnsupportedWidth",
            })),
        }
    }

    fn overlong(&mut self) -> Step {
        let Some(max) = self.lane.max_len() else {
            return Err(Verdict::NotApplicable("the harness declares no length limit"));
        };
        if max >= self.cap {
            return Err(Verdict::NotApplicable("the memory is smaller than max_len + 2 words"));
        }
        let res = self.take()?;
        let said = L::port_max_len(&res);
        self.lane.recycle(res);
        if said != max {
            return Err(Why::count(
                "the port's max_len() is not the limit it refuses above",
                said,
                max,
            )
            .into());
        }
        self.refused(max + 1, 0, max + 1, "an over-long buffer")
    }

    fn unreachable(&mut self) -> Step {
        let Some(addr) = self.lane.harness().unreachable(2 * size_of::<W>()) else {
            return Err(Verdict::NotApplicable("every address is reachable"));
        };
        let far = || Raw { ptr: core::ptr::without_provenance_mut::<W>(addr), len: 2 };
        let (s, d) = self.raw(0, 2, 2);
        let (s, d) = match L::KIND {
            Kind::Copy => (s, far()),
            Kind::Write => (far(), d),
            Kind::Read => (s, far()),
        };
        self.refuse(s, d, "an unreachable buffer")
    }
}
