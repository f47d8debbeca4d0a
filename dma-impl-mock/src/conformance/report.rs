//! Check results and the text report that tabulates them.

use std::fmt::{self, Write as _};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::{buffers, transfers, two_way};

/// The result of one check against one subject (a buffer type, a transfer implementation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The property checked, e.g. `"pair stable across moves"`.
    pub check: &'static str,
    /// What was checked, e.g. `"Box<[u16]>"` or `"mock serial write u32"`.
    pub subject: String,
    /// `Err` says in words which property failed and why.
    pub outcome: Result<(), String>,
    /// How long the check took.
    pub elapsed: Duration,
}

impl CheckResult {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// Runs `body` as check `check` on `subject`, timing it and turning a
    /// panic into a failure whose message is the panic's.
    pub fn run(
        check: &'static str,
        subject: impl Into<String>,
        body: impl FnOnce() -> Result<(), String>,
    ) -> Self {
        let start = Instant::now();
        let outcome = match panic::catch_unwind(AssertUnwindSafe(body)) {
            Ok(outcome) => outcome,
            Err(payload) => Err(format!("panicked: {}", panic_message(payload.as_ref()))),
        };
        CheckResult { check, subject: subject.into(), outcome, elapsed: start.elapsed() }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(()) => write!(f, "PASS {} / {}", self.subject, self.check),
            Err(why) => write!(f, "FAIL {} / {}: {why}", self.subject, self.check),
        }
    }
}

/// A named group of results, e.g. "buffers" or "mock transfers".
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// The results, in the order the checks ran.
    pub results: Vec<CheckResult>,
}

/// All results of a run, rendered as one table per section: a row per
/// subject, a column per check, `PASS` / `FAIL` / `-` (not applicable) in
/// the cells, then every failure in words, the counts and the time taken.
///
/// ```
/// use dma_impl_mock::conformance::{CheckResult, Report};
/// let mut report = Report::new();
/// report.section("demo", vec![CheckResult::run("always holds", "subject", || Ok(()))]);
/// assert!(report.all_passed());
/// assert!(report.render().contains("1 passed, 0 failed"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Report {
    sections: Vec<Section>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a section.
    pub fn section(&mut self, title: impl Into<String>, results: Vec<CheckResult>) {
        self.sections.push(Section { title: title.into(), results });
    }

    /// The sections, in order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Every result of every section.
    pub fn results(&self) -> impl Iterator<Item = &CheckResult> {
        self.sections.iter().flat_map(|s| s.results.iter())
    }

    /// The failed results.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.results().filter(|r| !r.passed())
    }

    /// Number of passed results.
    pub fn passed(&self) -> usize {
        self.results().filter(|r| r.passed()).count()
    }

    /// Number of failed results.
    pub fn failed(&self) -> usize {
        self.failures().count()
    }

    /// Whether there is at least one result and none failed.
    pub fn all_passed(&self) -> bool {
        self.results().next().is_some() && self.failed() == 0
    }

    /// Sum of the time every check took.
    pub fn elapsed(&self) -> Duration {
        self.results().map(|r| r.elapsed).sum()
    }

    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            render_section(&mut out, section);
        }
        let failures: Vec<&CheckResult> = self.failures().collect();
        if !failures.is_empty() {
            out.push_str("Failures:\n");
            for failure in failures {
                let _ = writeln!(out, "  {failure}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "Total: {} checks, {} passed, {} failed, in {:.3} s",
            self.passed() + self.failed(),
            self.passed(),
            self.failed(),
            self.elapsed().as_secs_f64()
        );
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Columns appear in this order (then any other check, in order of appearance).
const CANONICAL_ORDER: &[&str] = &[
    buffers::STABLE_ACROSS_CALLS,
    buffers::STABLE_ACROSS_MOVES,
    buffers::LENGTH_MATCHES,
    buffers::ALIGNED,
    buffers::INSIDE_TARGET,
    buffers::CONTENTS_MATCH,
    transfers::DATA_INTACT,
    transfers::BACK_ON_COMPLETION,
    transfers::BACK_ON_ERROR,
    transfers::DROP_STOPS,
    transfers::FORGET_HARMLESS,
    transfers::FENCES_BRACKET,
    transfers::ZERO_LEN_REFUSED,
    transfers::OVERLONG_REFUSED,
    transfers::MISALIGNED_REFUSED,
    two_way::LENGTH_MISMATCH_REFUSED,
    transfers::WIDTH_REFUSED,
];

fn push_unique<T: PartialEq + Copy>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn render_section(out: &mut String, section: &Section) {
    let mut checks: Vec<&'static str> = Vec::new();
    let mut subjects: Vec<&str> = Vec::new();
    for check in CANONICAL_ORDER {
        if section.results.iter().any(|r| r.check == *check) {
            checks.push(check);
        }
    }
    for result in &section.results {
        push_unique(&mut checks, result.check);
        push_unique(&mut subjects, result.subject.as_str());
    }
    let passed = section.results.iter().filter(|r| r.passed()).count();
    let failed = section.results.len() - passed;
    let time: Duration = section.results.iter().map(|r| r.elapsed).sum();
    let _ = writeln!(out, "== {} ==", section.title);

    // Columns are numbered; the legend names them, so the table stays narrow.
    for (number, check) in checks.iter().enumerate() {
        let _ = writeln!(out, "  [{:>2}] {check}", number + 1);
    }
    let name_width =
        subjects.iter().map(|s| s.chars().count()).max().unwrap_or(0).max("subject".len());
    let _ = write!(out, "  {:<name_width$} |", "subject");
    for number in 1..=checks.len() {
        let _ = write!(out, " [{number:>2}]");
    }
    let _ = writeln!(out, " | time");
    let _ =
        writeln!(out, "  {}-+-{}-+------", "-".repeat(name_width), "-".repeat(checks.len() * 5));
    for subject in &subjects {
        let _ = write!(out, "  {subject:<name_width$} |");
        let mut row_time = Duration::ZERO;
        for check in &checks {
            let cell = section
                .results
                .iter()
                .filter(|r| r.subject == *subject && r.check == *check)
                .fold(None, |cell: Option<bool>, r| {
                    row_time += r.elapsed;
                    Some(cell.unwrap_or(true) && r.passed())
                });
            let text = match cell {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "  - ",
            };
            let _ = write!(out, " {text}");
        }
        let _ = writeln!(out, " | {:.3}s", row_time.as_secs_f64());
    }
    let _ = writeln!(out, "  {passed} passed, {failed} failed, {:.3} s\n", time.as_secs_f64());
}
