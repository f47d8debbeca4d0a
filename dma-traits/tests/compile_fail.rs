//! Every unsound program from the background texts fails to compile, with the
//! error in `tests/compile-fail/*.stderr`. Regenerate with `TRYBUILD=overwrite`.

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc, which Miri cannot")]
fn unsound_programs_are_rejected() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
