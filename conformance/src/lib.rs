//! The workspace's conformance run: the suite of
//! [`dma_impl_mock::conformance`] against every buffer type `dma-traits`
//! supports and every transfer implementation in the workspace.
//!
//! `cargo run -p dma-conformance --bin conformance-report` prints the table;
//! [`run_all`] returns it.
//!
//! # Adding an implementation
//!
//! Write a module with a `pub fn run(report: &mut Report)` that adds its
//! sections, and register it with one line in [`SUITES`].
//!
//! Keep its harnesses crate-private. A harness's `peripheral` builds a
//! fresh simulator and drops the last one, which is sound only because the
//! suite, the one caller, ends each peripheral's transfers first; a public
//! harness let safe code keep an earlier peripheral and drive it into the
//! freed simulator (review 3, finding 2):
//!
//! ```compile_fail
//! let _rig = dma_conformance::rp2040::CopyRig::default();
//! ```

use dma_impl_mock::conformance::Report;

pub mod mock;
pub mod nrf;
pub mod pl08x;
pub mod rp2040;
pub mod stm32;

/// A suite: its name and the function that adds its sections to a report.
pub type Suite = (&'static str, fn(&mut Report));

/// Every suite of the run, in report order. Register a new one with one line.
pub const SUITES: &[Suite] = &[
    ("mock", mock::run),
    ("stm32", stm32::run),
    ("nrf", nrf::run),
    ("rp2040", rp2040::run),
    ("pl08x", pl08x::run),
];

/// Runs every suite of [`SUITES`] and returns the report.
///
/// ```no_run
/// let report = dma_conformance::run_all();
/// assert!(report.all_passed(), "{report}");
/// ```
pub fn run_all() -> Report {
    let mut report = Report::new();
    for (_, run) in SUITES {
        run(&mut report);
    }
    report
}
