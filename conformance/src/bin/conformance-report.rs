//! Prints the conformance report of the workspace; exits with status 1 if
//! any check failed.

use std::process::ExitCode;

fn main() -> ExitCode {
    let report = dma_conformance::run_all();
    print!("{report}");
    if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
