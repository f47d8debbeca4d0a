//! Writes the `memory.x` of the chip chosen by feature into `OUT_DIR` for the
//! example firmware, and links it with `cortex-m-rt`'s `link.x` on bare metal;
//! writes `easydma.x` (the link-time proof of `ram_static!` buffers, see
//! `src/data_ram.rs`) beside it, for the examples and for every program that
//! links with `-Teasydma.x` (the `OUT_DIR` is on the linker's search path of
//! every crate that depends on this one).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let chip = |name: &str| env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    // The most restrictive chip wins, as for the `take()` singletons.
    // nRF52832: the smallest part (QFAB: 256 KiB flash, 32 KiB RAM, PS v1.4
    // "Ordering information"), as for `Nrf52832::DATA_RAM`.
    let (flash_k, ram_k) = if chip("NRF52832") {
        (256, 32)
    } else if chip("NRF52833") {
        (512, 128)
    } else if chip("NRF52840") {
        (1024, 256)
    } else {
        return;
    };
    let memory = format!(
        "MEMORY\n{{\n  FLASH : ORIGIN = 0x00000000, LENGTH = {flash_k}K\n  RAM : ORIGIN = 0x20000000, LENGTH = {ram_k}K\n}}\n"
    );
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    if fs::write(out.join("memory.x"), memory).is_err() {
        println!("cargo:warning=could not write memory.x");
        return;
    }
    if fs::write(out.join("easydma.x"), easydma(ram_k)).is_err() {
        println!("cargo:warning=could not write easydma.x");
        return;
    }
    println!("cargo:rustc-link-search={}", out.display());
    let bare_metal = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if bare_metal && env::var_os("CARGO_FEATURE_RT").is_some() {
        println!("cargo:rustc-link-arg-examples=-Tlink.x");
        println!("cargo:rustc-link-arg-examples=-Teasydma.x");
    }
}

/// The linker script fragment that proves `ram_static!` buffers in data RAM
/// (0x2000_0000 and `ram_k` KiB up: `Chip::DATA_RAM` of the chip feature,
/// PS "Memory"): their input sections `.data.easydma.*` land in cortex-m-rt's
/// `.data` (`*(.data .data.*)`), so `.data` must lie in that window, or the
/// link fails; and it defines `__dma_impl_nrf_easydma`, which every such
/// buffer references, so that forgetting `-Teasydma.x` is a link error too.
fn easydma(ram_k: u32) -> String {
    let end = 0x2000_0000u32 + ram_k * 1024;
    format!(
        "/* dma-impl-nrf: the link-time proof of ram_static! buffers (EasyDMA\n   \
         reaches data RAM only). Link with -Tlink.x -Teasydma.x. */\n\
         __dma_impl_nrf_easydma = 1;\n\
         ASSERT(ADDR(.data) >= 0x20000000 && ADDR(.data) + SIZEOF(.data) <= {end:#010x},\n       \
         \"dma-impl-nrf: .data, which holds the ram_static! buffers, is outside data RAM\");\n"
    )
}
