//! Declares the mutation cfgs of `ci.sh` (deliberate defects that the tests
//! must catch): `rp2040_mutant_drop_no_abort` (a `Drop` that does not stop the
//! channels) and `rp2040_mutant_no_busy_wait` (an abort that does not wait
//! for the channel to report stopped).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_drop_no_abort)");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_no_busy_wait)");
}
