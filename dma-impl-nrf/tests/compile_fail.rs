//! A `DataRam` (a buffer proven in data RAM at link time) cannot be made,
//! copied or moved out of its `static` by safe code: every program in
//! `tests/compile-fail/` tries one way and must fail to compile with the
//! error in its `.stderr`. Regenerate with `TRYBUILD=overwrite`.

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc, which Miri cannot")]
fn data_ram_cannot_be_forged() {
    trybuild::TestCases::new().compile_fail("tests/compile-fail/*.rs");
}
