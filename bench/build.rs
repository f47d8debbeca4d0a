//! On a bare-metal target: writes the `memory.x` of the chip chosen by
//! feature into `OUT_DIR` (the chips' own files from the HAL crates) and links
//! the examples with `cortex-m-rt`'s `link.x`. Does nothing on the host.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let bare = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    if !bare {
        return;
    }
    let feature = |name: &str| env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    let (Some(out), Some(dir)) = (env::var_os("OUT_DIR"), env::var_os("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let out = PathBuf::from(out);
    let dir = PathBuf::from(dir);
    let stm32 = dir.join("../dma-impl-stm32/memory");
    let memory = if feature("STM32F4") {
        fs::read(stm32.join("stm32f4.x"))
    } else if feature("STM32F7") {
        fs::read(stm32.join("stm32f7.x"))
    } else if feature("STM32F1") {
        fs::read(stm32.join("stm32f1.x"))
    } else if feature("PL08X") {
        fs::read(dir.join("../dma-impl-pl08x/memory/mps2-an505.x"))
    } else if feature("NRF52840") {
        // nRF52840: 1 MiB flash, 256 KiB data RAM (as dma-impl-nrf's build.rs).
        Ok(b"MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 1024K\n  RAM : ORIGIN = 0x20000000, LENGTH = 256K\n}\n".to_vec())
    } else {
        return;
    };
    match memory.and_then(|m| fs::write(out.join("memory.x"), m)) {
        Ok(()) => {
            println!("cargo:rustc-link-search={}", out.display());
            println!("cargo:rustc-link-arg-examples=-Tlink.x");
            if feature("NRF52840") {
                // The link-time proof of `ram_static!` buffers, written by
                // dma-impl-nrf's build script into its (searched) OUT_DIR.
                println!("cargo:rustc-link-arg-examples=-Teasydma.x");
            }
        }
        Err(e) => println!("cargo:warning=no memory.x: {e}"),
    }
}
