//! A peripheral takes only the channels its chip wires to it: every program
//! in `tests/compile-fail/` gives a wrong one and must fail to compile with
//! the error in its `.stderr` (the reference manual's table, in words).
//! Regenerate with `TRYBUILD=overwrite`. Needs the chip features (run with
//! `--all-features`).
#![cfg(all(feature = "stm32f1", feature = "stm32f4"))]

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc, which Miri cannot")]
fn wrong_channels_are_rejected() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
