//! The text report: table layout, not-applicable cells, counts.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_impl_mock::conformance::{CheckResult, Report, BACK_ON_ERROR, DATA_INTACT, DROP_STOPS};

fn result(check: &'static str, subject: &str, outcome: Result<(), String>) -> CheckResult {
    CheckResult::run(check, subject, || outcome)
}

#[test]
fn a_section_is_a_table_of_subjects_by_checks() {
    let mut report = Report::new();
    report.section(
        "demo",
        vec![
            // The first subject lacks a check: its column must still be in place.
            result(DATA_INTACT, "uart", Ok(())),
            result(DROP_STOPS, "uart", Err("kept running".to_owned())),
            result(DATA_INTACT, "spi", Ok(())),
            result(BACK_ON_ERROR, "spi", Ok(())),
            result(DROP_STOPS, "spi", Ok(())),
        ],
    );
    let text = report.render();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "== demo ==");
    assert_eq!(lines[1], format!("  [ 1] {DATA_INTACT}"));
    assert_eq!(lines[2], format!("  [ 2] {BACK_ON_ERROR}"));
    assert_eq!(lines[3], format!("  [ 3] {DROP_STOPS}"));
    let uart = lines.iter().find(|l| l.trim_start().starts_with("uart")).unwrap();
    assert!(uart.contains("| PASS   -  FAIL |"), "{uart}");
    let spi = lines.iter().find(|l| l.trim_start().starts_with("spi")).unwrap();
    assert!(spi.contains("| PASS PASS PASS |"), "{spi}");
    assert!(text.contains("4 passed, 1 failed"));
    assert!(text.contains(&format!("FAIL uart / {DROP_STOPS}: kept running")));
    assert!(text.contains("Total: 5 checks, 4 passed, 1 failed"));
    assert_eq!((report.passed(), report.failed()), (4, 1));
    assert!(!report.all_passed());
}

#[test]
fn an_empty_report_has_not_passed() {
    let report = Report::new();
    assert!(!report.all_passed(), "no checks ran, so nothing was shown to hold");
    assert!(report.render().contains("Total: 0 checks"));
}
