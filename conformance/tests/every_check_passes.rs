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
