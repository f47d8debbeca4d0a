//! Where results go: a [`Sink`]. [`FmtSink`] prints one line per check to
//! any [`core::fmt::Write`] (a semihosting console, a UART); [`Tally`]
//! counts; feature `defmt` adds [`DefmtSink`] (RTT with probe-rs).
//!
#![cfg_attr(not(feature = "defmt"), doc = "[`DefmtSink`]: crate")]

use core::fmt;

/// Why a check failed, in words, with the numbers when there are some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Why {
    /// What went wrong.
    pub what: &'static str,
    /// What was seen, when a number says it.
    pub got: Option<usize>,
    /// What was expected.
    pub want: Option<usize>,
}

impl Why {
    /// A failure in words.
    pub const fn new(what: &'static str) -> Self {
        Why { what, got: None, want: None }
    }

    /// A failure with the number seen and the one expected.
    pub const fn count(what: &'static str, got: usize, want: usize) -> Self {
        Why { what, got: Some(got), want: Some(want) }
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)?;
        match (self.got, self.want) {
            (Some(got), Some(want)) => write!(f, ": got {got}, want {want}"),
            (Some(got), None) => write!(f, ": {got}"),
            _ => Ok(()),
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The property holds.
    Pass,
    /// It does not.
    Fail(Why),
    /// The harness cannot set the check up (it says why); neither a pass nor a failure.
    NotApplicable(&'static str),
}

/// The result of one check against one subject.
#[derive(Debug, Clone, Copy)]
pub struct CheckResult<'a> {
    /// The property (one of [`names`](crate::names)).
    pub check: &'static str,
    /// What was checked, e.g. `"pl081 copy u32"`.
    pub subject: &'a str,
    /// How it ended.
    pub verdict: Verdict,
}

impl fmt::Display for CheckResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Pass => write!(f, "PASS {} / {}", self.subject, self.check),
            Verdict::Fail(why) => write!(f, "FAIL {} / {}: {why}", self.subject, self.check),
            Verdict::NotApplicable(why) => {
                write!(f, "N/A  {} / {}: {why}", self.subject, self.check)
            }
        }
    }
}

/// Receives every result as the check ends.
///
#[cfg_attr(not(feature = "defmt"), doc = "[`DefmtSink`]: crate")]
#[cfg_attr(feature = "defmt", doc = "[`DefmtSink`]: DefmtSink")]
///
/// Implement it for whatever your board prints through; [`FmtSink`] covers
/// every [`core::fmt::Write`]. A defmt user (probe-rs, RTT) enables feature
/// `defmt` and uses [`DefmtSink`], or writes the three lines themselves:
///
/// ```
/// use dma_conformance_core::sink::{CheckResult, Sink};
/// struct Rtt;
/// impl Sink for Rtt {
///     fn result(&mut self, r: &CheckResult<'_>) {
///         // defmt::println!("{}", defmt::Display2Format(r));
///         let _ = r;
///     }
/// }
/// ```
pub trait Sink {
    /// One result.
    fn result(&mut self, result: &CheckResult<'_>);
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn result(&mut self, result: &CheckResult<'_>) {
        (**self).result(result);
    }
}

/// Prints each result as a line, `PASS subject / check`, `FAIL subject /
/// check: why` or `N/A  subject / check: why`, to a [`core::fmt::Write`].
#[derive(Debug)]
pub struct FmtSink<W: fmt::Write>(pub W);

impl<W: fmt::Write> Sink for FmtSink<W> {
    fn result(&mut self, result: &CheckResult<'_>) {
        // A console that fails cannot be reported to; the tally still counts.
        let _ = writeln!(self.0, "{result}");
    }
}

/// Counts results and passes them on to `sink`.
#[derive(Debug)]
pub struct Tally<S> {
    /// Where the results go.
    pub sink: S,
    /// Checks that passed.
    pub passed: u32,
    /// Checks that failed.
    pub failed: u32,
    /// Checks the harness could not set up.
    pub not_applicable: u32,
}

impl<S: Sink> Tally<S> {
    /// A zero count in front of `sink`.
    pub const fn new(sink: S) -> Self {
        Tally { sink, passed: 0, failed: 0, not_applicable: 0 }
    }

    /// Whether at least one check ran and none failed.
    pub fn all_passed(&self) -> bool {
        self.passed > 0 && self.failed == 0
    }
}

impl<S: Sink> Sink for Tally<S> {
    fn result(&mut self, result: &CheckResult<'_>) {
        match result.verdict {
            Verdict::Pass => self.passed = self.passed.saturating_add(1),
            Verdict::Fail(_) => self.failed = self.failed.saturating_add(1),
            Verdict::NotApplicable(_) => {
                self.not_applicable = self.not_applicable.saturating_add(1);
            }
        }
        self.sink.result(result);
    }
}

/// Prints each result with `defmt::println!` (feature `defmt`): on a probe,
/// `probe-rs run` shows the lines over RTT.
#[cfg(feature = "defmt")]
#[derive(Debug, Default)]
pub struct DefmtSink;

#[cfg(feature = "defmt")]
impl Sink for DefmtSink {
    fn result(&mut self, r: &CheckResult<'_>) {
        match &r.verdict {
            Verdict::Pass => defmt::println!("PASS {=str} / {=str}", r.subject, r.check),
            Verdict::Fail(why) => defmt::println!(
                "FAIL {=str} / {=str}: {}",
                r.subject,
                r.check,
                defmt::Display2Format(why)
            ),
            Verdict::NotApplicable(why) => {
                defmt::println!("N/A  {=str} / {=str}: {=str}", r.subject, r.check, why)
            }
        }
    }
}
