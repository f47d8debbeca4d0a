//! The `no_std` core of the conformance suite against the PL08x HAL on the
//! PL08x simulator in QEMU's timing (a transfer runs inside the write that
//! enables it; clearing `DMACConfiguration.E` holds it in flight), through
//! the same harness the QEMU firmware uses. Natively and under Miri
//! (Stacked and Tree Borrows): `cargo +nightly miri test -p dma-impl-pl08x
//! --test conformance_core`.
#![allow(missing_docs, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use core::ptr::addr_of_mut;
use core::sync::atomic::AtomicU32;

use dma_conformance_core::{check_copy, check_read, check_write, Config, FmtSink, Memory, Tally};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Dmac, Pl081};

#[path = "../examples/qemu_suite/harness.rs"]
#[allow(dead_code)]
mod harness;
use harness::Pl08xHarness;

const BYTES: usize = 192;
#[repr(align(8))]
#[allow(dead_code)] // used through its address only
struct Region([u8; BYTES]);
static mut SRC: Region = Region([0; BYTES]);
static mut DST: Region = Region([0; BYTES]);
static DEVICE: AtomicU32 = AtomicU32::new(0);

#[test]
fn pl081_passes_the_core_suite_on_the_simulator() {
    let sim = Pl08xSim::pl081();
    sim.set_qemu_mode(true);
    // SAFETY: the simulator outlives the controller; everything is reachable.
    let dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    let memory = Memory::new(addr_of_mut!(SRC).cast(), addr_of_mut!(DST).cast(), BYTES);
    let inject = |channel: usize, items: usize| {
        sim.fail_after(channel, u32::try_from(items).unwrap_or(0));
        true
    };
    // SAFETY: the statics are used by this test alone (one test in this
    // binary), `DEVICE` is a `'static` word; channel 0 was never taken; the
    // harness goes to the suite only.
    let mut h = unsafe {
        Pl08xHarness::new(dmac, 0, memory, DEVICE.as_ptr(), None, dma_traits::CompilerFence, inject)
    };
    let config =
        if cfg!(miri) { Config { max_data_len: 2, long_len: 4 } } else { Config::default() };
    let mut out = String::new();
    let mut tally = Tally::new(FmtSink(&mut out));
    check_copy::<u32, _>("pl081 copy u32", &mut h, &config, &mut tally);
    check_copy::<u16, _>("pl081 copy u16", &mut h, &config, &mut tally);
    check_copy::<u64, _>("pl081 copy u64", &mut h, &config, &mut tally);
    check_write::<u8, _>("pl081 write u8", &mut h, &config, &mut tally);
    check_read::<u32, _>("pl081 read u32", &mut h, &config, &mut tally);
    if !cfg!(miri) {
        check_copy::<u8, _>("pl081 copy u8", &mut h, &config, &mut tally);
        check_write::<u32, _>("pl081 write u32", &mut h, &config, &mut tally);
        check_read::<u16, _>("pl081 read u16", &mut h, &config, &mut tally);
    }
    let (passed, failed, na) = (tally.passed, tally.failed, tally.not_applicable);
    println!("{out}{passed} passed, {failed} failed, {na} not applicable");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    assert_eq!(failed, 0, "{out}");
    assert!(passed >= 40, "{out}");
}
