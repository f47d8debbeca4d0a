//! With feature `rt` on a bare-metal target: puts the MPS2 `memory.x` where
//! `cortex-m-rt`'s `link.x` finds it and links the examples with `link.x`.
//! Always: declares the mutation cfgs `pl08x_mutant_drop_no_halt` (a Drop
//! that does not stop the channel, used by `ci.sh` to show the on-target
//! checks catch it), `pl08x_mutant_no_acquire` (no acquire fence) and
//! `pl08x_mutant_misaligned_accepted` (no alignment check), and the
//! firmware's `pl08x_mutant_async_done_early` (the async check's port
//! reporting its transfer done before the hardware is).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=memory");
    println!("cargo::rustc-check-cfg=cfg(pl08x_mutant_drop_no_halt)");
    println!("cargo::rustc-check-cfg=cfg(pl08x_mutant_no_acquire)");
    println!("cargo::rustc-check-cfg=cfg(pl08x_mutant_misaligned_accepted)");
    println!("cargo::rustc-check-cfg=cfg(pl08x_mutant_async_done_early)");
    let rt = env::var_os("CARGO_FEATURE_RT").is_some();
    let bare = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if !(rt && bare) {
        return;
    }
    let (Some(out), Some(dir)) = (env::var_os("OUT_DIR"), env::var_os("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let out = PathBuf::from(out);
    let source = PathBuf::from(dir).join("memory").join("mps2-an505.x");
    if let Err(e) = fs::copy(&source, out.join("memory.x")) {
        println!("cargo:warning=cannot copy {}: {e}", source.display());
        return;
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-examples=-Tlink.x");
}
