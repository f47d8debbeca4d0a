//! The whole conformance run passes: every buffer type, every transfer.

#[test]
fn buffer_types_pass_every_check() {
    let mut report = dma_impl_mock::conformance::Report::new();
    report.section("buffers", dma_conformance::mock::buffers());
    assert!(report.all_passed(), "{report}");
    assert!(report.passed() > 100, "too few checks ran:\n{report}");
}

#[test]
fn mock_transfers_pass_every_check() {
    let mut report = dma_impl_mock::conformance::Report::new();
    report.section("transfers", dma_conformance::mock::transfers());
    assert!(report.all_passed(), "{report}");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "under Miri each suite runs once, in its own unit test and in the two tests above"
)]
fn the_whole_run_passes_and_has_every_suite() {
    let report = dma_conformance::run_all();
    assert!(report.all_passed(), "{report}");
    let titles: Vec<&str> = report.sections().iter().map(|s| s.title.as_str()).collect();
    assert!(titles.len() >= dma_conformance::SUITES.len(), "{titles:?}");
}
