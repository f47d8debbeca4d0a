//! Checks for buffer types: what the `DmaReadBuffer` / `DmaWriteBuffer`
//! contract promises, observed from outside.

use core::mem::MaybeUninit;
use core::ops::Deref;
use core::ptr;

use dma_traits::{CacheAligned, DmaReadBuffer, DmaWriteBuffer, Word};

use super::report::CheckResult;
use crate::bits::{pattern, to_bits};

/// Check name: two calls on the same value return the same pair.
pub const STABLE_ACROSS_CALLS: &str = "pair stable across calls";
/// Check name: the pair does not change when the owner is moved.
pub const STABLE_ACROSS_MOVES: &str = "pair stable across moves";
/// Check name: the length in words is the target's size in words.
pub const LENGTH_MATCHES: &str = "length matches target";
/// Check name: the pointer is aligned to the word's width (the beat width).
pub const ALIGNED: &str = "pointer aligned for Word";
/// Check name: the pair lies inside the target's memory.
pub const INSIDE_TARGET: &str = "range inside target";
/// Check name: what the DMA sees through the pointer is what the owner sees.
pub const CONTENTS_MATCH: &str = "contents match the view";

/// The words a buffer's target holds, as its owner's safe API shows them.
///
/// The buffer checks compare the DMA pair with this view: same place, same
/// length, same contents. Implemented for the targets of `dma-traits`; a
/// buffer author implements it for their own target (usually by pointing at
/// an inner array) or passes a view closure to the `*_with` checks.
///
/// # Safety
///
/// For **implementors**: `view` returns a slice pointer that is valid for
/// reads of `len` words (initialized or not, for write targets) and aligned
/// for `W`, for as long as `self` is borrowed, and whose memory is not
/// written through any other path during that borrow except by the checks
/// themselves through the buffer's own DMA pair. The checks read through it.
///
/// For **callers**: read through the result only while `self` is borrowed.
pub unsafe trait TargetView<W: Word> {
    /// The target's words, as a raw slice valid for reads while `self` is
    /// borrowed (it may be uninitialized for write targets).
    fn view(&self) -> *const [W];
}

// SAFETY: a shared borrow of the slice itself: valid, aligned and unwritten
// while borrowed.
unsafe impl<W: Word> TargetView<W> for [W] {
    fn view(&self) -> *const [W] {
        ptr::from_ref(self)
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word, const N: usize> TargetView<W> for [W; N] {
    fn view(&self) -> *const [W] {
        ptr::from_ref(self.as_slice())
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word> TargetView<W> for [MaybeUninit<W>] {
    fn view(&self) -> *const [W] {
        ptr::slice_from_raw_parts(self.as_ptr().cast::<W>(), self.len())
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word, const N: usize> TargetView<W> for [MaybeUninit<W>; N] {
    fn view(&self) -> *const [W] {
        ptr::slice_from_raw_parts(self.as_ptr().cast::<W>(), N)
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word, const N: usize> TargetView<W> for MaybeUninit<[W; N]> {
    fn view(&self) -> *const [W] {
        ptr::slice_from_raw_parts(self.as_ptr().cast::<W>(), N)
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word, const N: usize> TargetView<W> for CacheAligned<[W; N]> {
    fn view(&self) -> *const [W] {
        ptr::from_ref(self.deref().as_slice())
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl TargetView<u8> for str {
    fn view(&self) -> *const [u8] {
        ptr::from_ref(self.as_bytes())
    }
}

// SAFETY: as for `[W]`: the words of the borrowed value itself (a
// `MaybeUninit<W>` has `W`'s layout).
unsafe impl<W: Word> TargetView<W> for Vec<W> {
    fn view(&self) -> *const [W] {
        ptr::from_ref(self.as_slice())
    }
}

/// A view given as a raw slice: for a buffer whose target cannot be
/// borrowed (a `SubRange` of an owning buffer), the test keeps a raw
/// pointer to the words it expects the buffer to lend.
#[derive(Debug, Clone, Copy)]
pub struct RawTarget<W>(*const [W]);

impl<W: Word> RawTarget<W> {
    /// The view `words`.
    ///
    /// # Safety
    ///
    /// For **callers**: `words` stays valid for reads and aligned for `W`
    /// while the checked buffer lives, nothing but the checks writes it
    /// meanwhile, and moving the buffer does not invalidate it (derive it
    /// from a `Vec`'s `as_mut_ptr`, not from a `Box` or a `&mut`, which Miri
    /// retags on moves). This is [`TargetView`]'s implementor contract.
    pub unsafe fn new(words: *const [W]) -> Self {
        RawTarget(words)
    }
}

// SAFETY: `RawTarget::new`'s contract is this trait's implementor contract.
unsafe impl<W: Word> TargetView<W> for RawTarget<W> {
    fn view(&self) -> *const [W] {
        self.0
    }
}

/// Runs every buffer check on a read buffer whose `Deref` target is the
/// memory it lends.
///
/// `make` is called once; the checks share the buffer and the last one moves
/// it around and drops it.
///
/// ```
/// use dma_impl_mock::conformance::{check_read_buffer, Report};
/// let mut report = Report::new();
/// report.section("my buffers", check_read_buffer("Box<[u16]>", || vec![1u16, 2, 3].into_boxed_slice()));
/// assert!(report.all_passed(), "{report}");
/// ```
pub fn check_read_buffer<B>(subject: &str, make: impl FnOnce() -> B) -> Vec<CheckResult>
where
    B: DmaReadBuffer + Deref,
    B::Target: TargetView<B::Word>,
{
    check_read_buffer_with(subject, make, |b: &B| b.deref())
}

/// Runs every buffer check on a read buffer, with `view` saying which memory
/// it should lend (for buffers without a fitting `Deref`, such as
/// `SubRange` or `AsSliceBuffer`; the view may be the known backing array).
///
/// ```
/// use dma_impl_mock::conformance::check_read_buffer_with;
/// use dma_traits::SubRange;
/// static FRAME: [u8; 8] = *b"HDRdata!";
/// let results = check_read_buffer_with(
///     "SubRange<&[u8; 8]>",
///     || SubRange::of_read(&FRAME, 3..8).unwrap(),
///     |_| &FRAME[3..8],
/// );
/// assert!(results.iter().all(|r| r.passed()), "{results:?}");
/// ```
pub fn check_read_buffer_with<B, T>(
    subject: &str,
    make: impl FnOnce() -> B,
    view: impl Fn(&B) -> &T,
) -> Vec<CheckResult>
where
    B: DmaReadBuffer,
    T: TargetView<B::Word> + ?Sized,
{
    let buffer = make();
    let mut results = Vec::new();
    let first = buffer.dma_read_buffer();
    let region = view(&buffer).view();

    results.push(CheckResult::run(STABLE_ACROSS_CALLS, subject, || {
        let again: Vec<_> = (0..3).map(|_| buffer.dma_read_buffer()).collect();
        same_pairs(first, &again)
    }));
    results.extend(shape_checks(subject, first.0, first.1, region));
    results.push(CheckResult::run(CONTENTS_MATCH, subject, || {
        readable(first.0, first.1, region)?;
        // SAFETY: `readable` showed the pair lies inside `region`, which the
        // view promises is valid for reads while `buffer` lives; the words
        // are initialized (read buffer contract, and the view's own words).
        unsafe { compare_words(first.0, first.1, region) }
    }));
    results.push(CheckResult::run(STABLE_ACROSS_MOVES, subject, move || {
        let moves = MoveTrip::new(buffer, |b: &mut B| b.dma_read_buffer());
        moves.check(first)
    }));
    results
}

/// Runs every buffer check on a write buffer whose `DerefMut` target is the
/// memory it lends. The contents check writes a pattern through the
/// pointer and reads it back through the target.
///
/// ```
/// use core::mem::MaybeUninit;
/// use dma_impl_mock::conformance::check_write_buffer;
/// let results = check_write_buffer("&'static mut [MaybeUninit<u32>; 4]", || {
///     Box::leak(Box::new([MaybeUninit::<u32>::uninit(); 4]))
/// });
/// assert!(results.iter().all(|r| r.passed()), "{results:?}");
/// ```
pub fn check_write_buffer<B>(subject: &str, make: impl FnOnce() -> B) -> Vec<CheckResult>
where
    B: DmaWriteBuffer + Deref,
    B::Target: TargetView<B::Word>,
{
    check_write_buffer_with(subject, make, |b: &B| b.deref())
}

/// [`check_write_buffer`] with an explicit view, as in [`check_read_buffer_with`].
pub fn check_write_buffer_with<B, T>(
    subject: &str,
    make: impl FnOnce() -> B,
    view: impl Fn(&B) -> &T,
) -> Vec<CheckResult>
where
    B: DmaWriteBuffer,
    T: TargetView<B::Word> + ?Sized,
{
    let mut buffer = make();
    let mut results = Vec::new();
    let first = buffer.dma_write_buffer();
    let first_const = (first.0.cast_const(), first.1);
    let region = view(&buffer).view();

    results.push(CheckResult::run(STABLE_ACROSS_CALLS, subject, || {
        let again: Vec<_> = (0..3)
            .map(|_| {
                let (p, len) = buffer.dma_write_buffer();
                (p.cast_const(), len)
            })
            .collect();
        same_pairs(first_const, &again)
    }));
    results.extend(shape_checks(subject, first_const.0, first.1, region));
    results.push(CheckResult::run(CONTENTS_MATCH, subject, || {
        readable(first_const.0, first.1, region)?;
        // Re-fetched so that the writes derive from this `&mut`; written
        // through only if it is the pair `readable` checked (a buffer whose
        // pair moves is reported above, and must not make the suite write
        // outside what it checked).
        let (ptr, len) = buffer.dma_write_buffer();
        if (ptr.cast_const(), len) != first_const {
            return Err(format!(
                "the pair changed to {:?} after {first_const:?} was checked: not written",
                (ptr, len)
            ));
        }
        for index in 0..len {
            // SAFETY: `(ptr, len)` equals the first pair, which `readable`
            // found inside the target and aligned, so `ptr + index` is in
            // bounds; the target is writable (a write buffer's, owned here
            // through `buffer`) and nothing else borrows it now.
            unsafe { ptr.wrapping_add(index).write_volatile(pattern(7, index)) };
        }
        let region = view(&buffer).view();
        // SAFETY: `region` is valid for reads while `buffer` lives (view
        // contract), and its first `len` words were just written above.
        unsafe { compare_words(ptr.cast_const(), len, region) }
    }));
    results.push(CheckResult::run(STABLE_ACROSS_MOVES, subject, move || {
        let moves = MoveTrip::new(buffer, |b: &mut B| {
            let (p, len) = b.dma_write_buffer();
            (p.cast_const(), len)
        });
        moves.check(first_const)
    }));
    results
}

fn same_pairs<W>(first: (*const W, usize), again: &[(*const W, usize)]) -> Result<(), String> {
    match again.iter().position(|pair| *pair != first) {
        None => Ok(()),
        Some(call) => Err(format!(
            "call {} returned {:?} but the first call returned {:?}: the pair must not change \
             while the buffer is owned and unmoved",
            call + 2,
            again.get(call),
            first
        )),
    }
}

fn shape_checks<W: Word>(
    subject: &str,
    ptr: *const W,
    len: usize,
    region: *const [W],
) -> Vec<CheckResult> {
    let word = core::mem::size_of::<W>();
    vec![
        CheckResult::run(LENGTH_MATCHES, subject, || {
            if len == region.len() {
                Ok(())
            } else {
                Err(format!(
                    "length is {len} words but the target holds {} words ({} bytes of {word}-byte words)",
                    region.len(),
                    region.len() * word
                ))
            }
        }),
        CheckResult::run(ALIGNED, subject, || {
            // The beat width, not `align_of::<W>()`: a (contract-breaking)
            // packed word would pass the latter at an odd address.
            let align = W::WIDTH.bytes();
            if W::WIDTH.aligns(ptr) {
                Ok(())
            } else {
                Err(format!(
                    "pointer {ptr:?} is not aligned to {align} bytes, the width of its Word"
                ))
            }
        }),
        CheckResult::run(INSIDE_TARGET, subject, || inside(ptr, len, region)),
    ]
}

fn inside<W>(ptr: *const W, len: usize, region: *const [W]) -> Result<(), String> {
    let word = core::mem::size_of::<W>();
    let start = ptr as usize;
    let region_start = region.cast::<W>() as usize;
    let region_end = region_start + region.len() * word;
    match len.checked_mul(word).and_then(|b| start.checked_add(b)) {
        Some(end) if start >= region_start && end <= region_end => Ok(()),
        _ => Err(format!(
            "the pair covers {start:#x}..+{len} words but the target is {region_start:#x}..{region_end:#x}: \
             the DMA would touch memory the buffer does not own"
        )),
    }
}

/// The preconditions of reading through the pair: inside the view, aligned.
fn readable<W: Word>(ptr: *const W, len: usize, region: *const [W]) -> Result<(), String> {
    inside(ptr, len, region)
        .and_then(|()| {
            if W::WIDTH.aligns(ptr) {
                Ok(())
            } else {
                Err("the pointer is misaligned".to_owned())
            }
        })
        .map_err(|why| format!("not compared, the pair cannot be read safely: {why}"))
}

/// Compares word `i` through `ptr` with word `i` of `region`, for every `i`
/// that both the pair and the region hold (a shorter or longer pair fails
/// [`LENGTH_MATCHES`]; reading further would leave one of them).
///
/// # Safety
///
/// `ptr..ptr + len` and `region` are valid for reads of initialized words.
unsafe fn compare_words<W: Word>(
    ptr: *const W,
    len: usize,
    region: *const [W],
) -> Result<(), String> {
    let base = region.cast::<W>();
    for index in 0..len.min(region.len()) {
        // SAFETY: `index < len`: inside the pair, by the caller's contract.
        let dma = to_bits(unsafe { ptr.wrapping_add(index).read_volatile() });
        // SAFETY: `index < region.len()`: inside the region, likewise.
        let cpu = to_bits(unsafe { base.wrapping_add(index).read() });
        if dma != cpu {
            return Err(format!(
                "word {index} is {dma:#x} through the DMA pointer but {cpu:#x} through the \
                 buffer's own view: the DMA would not see what the program sees"
            ));
        }
    }
    Ok(())
}

/// Moves a buffer through a function, a `Box` and a `Vec`, asking for the
/// pair after each move.
struct MoveTrip<B, P> {
    buffer: B,
    pair: P,
}

impl<B, W, P> MoveTrip<B, P>
where
    P: FnMut(&mut B) -> (*const W, usize),
{
    fn new(buffer: B, pair: P) -> Self {
        MoveTrip { buffer, pair }
    }

    fn check(mut self, first: (*const W, usize)) -> Result<(), String> {
        #[inline(never)]
        fn through<T>(value: T) -> T {
            core::hint::black_box(value)
        }
        let mut seen = Vec::new();
        let mut buffer = through(self.buffer);
        seen.push(("a function call", (self.pair)(&mut buffer)));
        let mut boxed = Box::new(buffer);
        seen.push(("a Box", (self.pair)(&mut boxed)));
        let mut list = vec![*boxed];
        list.reserve(8); // reallocates the Vec, moving the buffer again
        let mut last = None;
        for item in list.iter_mut() {
            last = Some((self.pair)(item));
        }
        if let Some(pair) = last {
            seen.push(("a Vec after reallocation", pair));
        }
        match seen.iter().find(|(_, pair)| *pair != first) {
            None => Ok(()),
            Some((place, pair)) => Err(format!(
                "after moving the buffer into {place} the pair is {pair:?}, before it was \
                 {first:?}: the memory must not move with its owner"
            )),
        }
    }
}
