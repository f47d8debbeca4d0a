//! The adversarial scheduler: hardware that advances at the worst moment.
//!
//! A simulator in step mode moves only when stepped. An [`Adversary`]
//! [`attach`](Adversary::attach)es to one and, before *every* CPU access the
//! driver makes (register reads and writes, and reads of DMA memory through
//! `dma_mmio::load_from_dma`), steps it 0..=K times. Which count is chosen
//! at each access is the *schedule*:
//!
//! * [`explore`] runs a test case under every schedule of the first `depth`
//!   accesses (each choosing 0..=K beats), depth-first, like loom does for
//!   thread interleavings; after `depth` accesses every access advances one
//!   beat, so a driver's polling loop always ends.
//! * [`explore_random`] runs it under seeded random schedules of any length.
//!
//! A case panics when it sees a violation; the explorer re-raises the panic
//! with the schedule that produced it, so the failure can be replayed with
//! [`Adversary::replay`].
//!
//! # Under Miri
//!
//! Every schedule is a whole run of the driver against the simulator, which
//! Miri interprets about a thousand times slower. CI therefore explores the
//! same cases under Miri with a smaller budget, set by environment variables
//! that only a Miri build reads: `DMA_ADVERSARY_MIRI_DEPTH` caps the depth of
//! [`explore`] (still every schedule of that depth: `0` is the one schedule
//! that advances one beat per access; `skip` runs none, for a Miri pass that
//! checks only the aliasing model), and `DMA_ADVERSARY_MIRI_SEEDS` caps the
//! seeds of [`explore_random`]. Natively they are ignored.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use dma_mmio::host::interleave::{interleave, CpuAccess, Interleaving};

#[derive(Debug)]
enum Source {
    /// Choices for the first accesses, then 0 up to `depth`, then 1.
    Prefix { prefix: Vec<u32>, depth: usize },
    /// xorshift64 state.
    Random(u64),
}

#[derive(Debug)]
struct Plan {
    max: u32,
    source: Source,
    /// The choices made so far, one per access.
    taken: Vec<u32>,
}

impl Plan {
    fn next(&mut self) -> u32 {
        let i = self.taken.len();
        let choice = match &mut self.source {
            Source::Prefix { prefix, depth } => match prefix.get(i) {
                Some(&c) => c,
                None if i < *depth => 0,
                None => 1,
            },
            Source::Random(state) => {
                let mut x = *state;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *state = x;
                // `max` is small; the remainder fits.
                #[allow(clippy::cast_possible_truncation)]
                let c = (x % (u64::from(self.max) + 1)) as u32;
                c
            }
        };
        self.taken.push(choice);
        choice
    }
}

/// One schedule: how many beats the hardware advances before each CPU access.
///
/// Cloning gives another handle to the same schedule.
#[derive(Debug, Clone)]
pub struct Adversary {
    plan: Arc<Mutex<Plan>>,
}

impl Adversary {
    fn with(max: u32, source: Source) -> Self {
        Adversary { plan: Arc::new(Mutex::new(Plan { max, source, taken: Vec::new() })) }
    }

    /// A seeded random schedule choosing 0..=`max_beats` at every access.
    pub fn random(max_beats: u32, seed: u64) -> Self {
        // xorshift must not start at 0.
        Self::with(max_beats, Source::Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1))
    }

    /// The schedule that chooses `choices` at the first accesses, then one
    /// beat per access (to replay a failure the explorer reported).
    pub fn replay(choices: &[u32]) -> Self {
        let max = choices.iter().copied().max().unwrap_or(1);
        Self::with(max, Source::Prefix { prefix: choices.to_vec(), depth: 0 })
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of beats to advance before the next CPU access.
    pub fn next_beats(&self) -> u32 {
        self.plan().next()
    }

    /// The choices made so far, one per CPU access.
    pub fn choices(&self) -> Vec<u32> {
        self.plan().taken.clone()
    }

    /// Steps the hardware with `step` before every CPU access the current
    /// thread makes, as many times as the schedule says (fewer if `step`
    /// reports that nothing moved), until the returned guard is dropped.
    pub fn attach(&self, step: impl Fn() -> bool + 'static) -> Interleaving {
        let me = self.clone();
        interleave(move |_: CpuAccess| {
            for _ in 0..me.next_beats() {
                if !step() {
                    break;
                }
            }
        })
    }
}

/// What an exploration covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explored {
    /// Schedules run.
    pub schedules: usize,
    /// Whether every schedule of the first `depth` accesses was run (the
    /// limit was not reached first).
    pub exhaustive: bool,
}

/// The cap `DMA_ADVERSARY_MIRI_<what>` sets under Miri (see the module docs).
fn miri_cap(what: &str) -> Option<usize> {
    // Not in this module's own unit tests, which check the explorer itself.
    if !cfg!(miri) || cfg!(test) {
        return None;
    }
    std::env::var(format!("DMA_ADVERSARY_MIRI_{what}")).ok()?.parse().ok()
}

/// Whether a Miri build was told to run no schedules (`DMA_ADVERSARY_MIRI_DEPTH=skip`).
fn miri_skip() -> bool {
    cfg!(miri)
        && !cfg!(test)
        && std::env::var("DMA_ADVERSARY_MIRI_DEPTH").is_ok_and(|v| v == "skip")
}

fn run_case(adversary: &Adversary, case: &mut impl FnMut(&Adversary)) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| case(adversary))) {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        eprintln!(
            "adversarial schedule failed: {msg}\n  replay: Adversary::replay(&{:?})",
            adversary.choices()
        );
        resume_unwind(panic);
    }
}

/// Runs `case` under every schedule that advances 0..=`max_beats` beats
/// before each of the first `depth` CPU accesses (at most `limit` schedules).
///
/// `case` builds its simulator in step mode, [`Adversary::attach`]es the
/// adversary to it, runs the driver and checks what it saw.
///
/// ```
/// use dma_impl_mock::sim::adversary::explore;
/// // A case that makes no CPU access has one schedule, the empty one (none
/// // under the Miri budget `skip`, see the module docs).
/// let explored = explore(2, 4, 100, |_| {});
/// assert!(explored.schedules <= 1 && explored.exhaustive);
/// ```
pub fn explore(
    max_beats: u32,
    depth: usize,
    limit: usize,
    mut case: impl FnMut(&Adversary),
) -> Explored {
    if miri_skip() {
        return Explored { schedules: 0, exhaustive: true };
    }
    let depth = miri_cap("DEPTH").map_or(depth, |cap| cap.min(depth));
    let mut prefix = Vec::new();
    let mut schedules = 0;
    while schedules < limit {
        let adversary = Adversary::with(max_beats, Source::Prefix { prefix, depth });
        run_case(&adversary, &mut case);
        schedules += 1;
        let mut taken = adversary.choices();
        taken.truncate(depth);
        // Depth-first: bump the last choice that can still grow.
        match taken.iter().rposition(|&c| c < max_beats) {
            Some(j) => {
                taken.truncate(j + 1);
                if let Some(last) = taken.last_mut() {
                    *last += 1;
                }
                prefix = taken;
            }
            None => return Explored { schedules, exhaustive: true },
        }
    }
    Explored { schedules, exhaustive: false }
}

/// Runs `case` under one random schedule (0..=`max_beats` at every access)
/// per seed in `seeds`; returns the number of schedules run.
pub fn explore_random(
    max_beats: u32,
    seeds: core::ops::Range<u64>,
    mut case: impl FnMut(&Adversary),
) -> usize {
    let cap = if miri_skip() { 0 } else { miri_cap("SEEDS").unwrap_or(usize::MAX) };
    let mut n = 0;
    for seed in seeds.take(cap) {
        run_case(&Adversary::random(max_beats, seed), &mut case);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use dma_mmio::host::interleave::notify;

    #[test]
    fn explores_every_schedule_of_the_first_accesses() {
        let mut seen = std::collections::BTreeSet::new();
        let explored = explore(2, 3, 1000, |adv| {
            for _ in 0..5 {
                notify(CpuAccess::Read(0));
                let _ = adv; // the guard below does the choosing
            }
        });
        // Without an attached hook no choice is made: one schedule.
        assert_eq!(explored, Explored { schedules: 1, exhaustive: true });
        let explored = explore(2, 3, 1000, |adv| {
            let _g = adv.attach(|| true);
            for _ in 0..5 {
                notify(CpuAccess::Read(0));
            }
            drop(_g);
            assert!(seen.insert(adv.choices()), "a schedule ran twice");
        });
        assert_eq!(explored, Explored { schedules: 27, exhaustive: true });
        assert!(seen.iter().all(|c| c.get(3..) == Some(&[1, 1][..])));
    }

    #[test]
    fn a_failing_case_is_reported_with_its_schedule() {
        let result = catch_unwind(|| {
            explore(1, 2, 100, |adv| {
                let _g = adv.attach(|| true);
                notify(CpuAccess::Write(0));
                notify(CpuAccess::Write(0));
                assert_ne!(adv.choices(), vec![1, 0], "caught");
            })
        });
        assert!(result.is_err());
    }

    #[test]
    fn random_schedules_differ_by_seed() {
        let schedule = |seed| {
            let adv = Adversary::random(3, seed);
            (0..32).map(|_| adv.next_beats()).collect::<Vec<_>>()
        };
        assert_ne!(schedule(1), schedule(2));
        assert_eq!(schedule(7), schedule(7));
        assert!(schedule(3).iter().all(|&c| c <= 3));
    }
}
