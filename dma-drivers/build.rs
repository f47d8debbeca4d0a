//! With feature `rt` on a bare-metal target: writes the `memory.x` of the
//! chip chosen by feature into `OUT_DIR`, where `cortex-m-rt`'s `link.x`
//! finds it, and links the examples with `link.x`. Does nothing otherwise.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let feature = |name: &str| env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    let bare = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if !(feature("RT") && bare) {
        return;
    }
    // STM32F407 (RM0090): 1 MiB flash, 128 KiB SRAM1+SRAM2 (CCM is out of DMA reach).
    // nRF52840 (product specification): 1 MiB flash, 256 KiB data RAM.
    let (flash, ram) = match (feature("STM32F4"), feature("NRF52840")) {
        (true, false) => (("0x08000000", 1024), ("0x20000000", 128)),
        (false, true) => (("0x00000000", 1024), ("0x20000000", 256)),
        (true, true) => {
            println!(
                "cargo:warning=features stm32f4 and nrf52840 together: build one chip at a time"
            );
            return;
        }
        (false, false) => {
            println!("cargo:warning=feature `rt` without a chip feature: no memory.x");
            return;
        }
    };
    let memory = format!(
        "MEMORY\n{{\n  FLASH : ORIGIN = {}, LENGTH = {}K\n  RAM : ORIGIN = {}, LENGTH = {}K\n}}\n",
        flash.0, flash.1, ram.0, ram.1
    );
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    if let Err(e) = fs::write(out.join("memory.x"), memory) {
        println!("cargo:warning=cannot write memory.x: {e}");
        return;
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-examples=-Tlink.x");
}
