//! With feature `rt` on a bare-metal target: puts the RP2040 `memory.x`
//! where `cortex-m-rt`'s `link.x` finds it and links the examples with
//! `link.x`. Always: declares the mutation cfgs of `ci.sh` (deliberate
//! defects the tests must catch): `rp2040_mutant_drop_no_abort` (a stop, and
//! so a `Drop`, that leaves the channel running) and
//! `rp2040_mutant_no_busy_wait` (an abort that does not wait for the
//! channel to report stopped), `rp2040_mutant_stream_no_recheck` (a
//! stream's `read_half` that hands out its copy without reading the count
//! again after it), `rp2040_mutant_spi_no_incr` (an SPI transmit channel
//! whose read address does not increment).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=memory");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_drop_no_abort)");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_no_busy_wait)");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_stream_no_recheck)");
    println!("cargo::rustc-check-cfg=cfg(rp2040_mutant_spi_no_incr)");
    let rt = env::var_os("CARGO_FEATURE_RT").is_some();
    let bare = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if !(rt && bare) {
        return;
    }
    let (Some(out), Some(dir)) = (env::var_os("OUT_DIR"), env::var_os("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let out = PathBuf::from(out);
    let source = PathBuf::from(dir).join("memory").join("rp2040.x");
    if let Err(e) = fs::copy(&source, out.join("memory.x")) {
        println!("cargo:warning=cannot copy {}: {e}", source.display());
        return;
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-examples=-Tlink.x");
}
