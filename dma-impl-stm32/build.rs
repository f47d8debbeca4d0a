//! With feature `rt` on a bare-metal target: puts the selected chip's
//! `memory.x` where `cortex-m-rt`'s `link.x` finds it, and links the examples
//! with `link.x`. Does nothing otherwise (host builds, library users).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=memory");
    let rt = env::var_os("CARGO_FEATURE_RT").is_some();
    let bare = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if !(rt && bare) {
        return;
    }
    // The first chip feature in this order wins (features are additive).
    let chips = ["stm32f4", "stm32f7", "stm32f1", "stm32f3", "stm32l4", "stm32f0"];
    let Some(chip) =
        chips.iter().find(|c| env::var_os(format!("CARGO_FEATURE_{}", c.to_uppercase())).is_some())
    else {
        println!("cargo:warning=feature `rt` without a chip feature: no memory.x");
        return;
    };
    let (Some(out), Some(dir)) = (env::var_os("OUT_DIR"), env::var_os("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let out = PathBuf::from(out);
    let source = PathBuf::from(dir).join("memory").join(format!("{chip}.x"));
    if let Err(e) = fs::copy(&source, out.join("memory.x")) {
        println!("cargo:warning=cannot copy {}: {e}", source.display());
        return;
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-examples=-Tlink.x");
}
