//! `configure` against the simulator, which fails the test on any register
//! value the product specifications call invalid (a `BAUDRATE` or
//! `FREQUENCY` off the table, a `PSEL` port the chip lacks, a `PSEL` written
//! while enabled, reserved `CONFIG` bits); and the chip rules the types
//! enforce (no port 1 on the nRF52832, anomaly 58).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::regs::{BAUDRATE_OR_FREQUENCY, ENABLE, PSEL_FIRST};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::spim::Frequency;
use dma_impl_nrf::{
    Baudrate, Chip, Error, Nrf52832, Nrf52833, Nrf52840, Pin, Spim, SpimConfig, Twim,
    TwimFrequency, Uarte, UarteConfig,
};
use dma_traits::{DmaFullDuplex, DmaRead, DmaWrite, Transfer};

/// Every UARTE speed and the rate it is named for.
const BAUDS: [(Baudrate, u32); 18] = [
    (Baudrate::Baud1200, 1200),
    (Baudrate::Baud2400, 2400),
    (Baudrate::Baud4800, 4800),
    (Baudrate::Baud9600, 9600),
    (Baudrate::Baud14400, 14_400),
    (Baudrate::Baud19200, 19_200),
    (Baudrate::Baud28800, 28_800),
    (Baudrate::Baud31250, 31_250),
    (Baudrate::Baud38400, 38_400),
    (Baudrate::Baud56000, 56_000),
    (Baudrate::Baud57600, 57_600),
    (Baudrate::Baud76800, 76_800),
    (Baudrate::Baud115200, 115_200),
    (Baudrate::Baud230400, 230_400),
    (Baudrate::Baud250000, 250_000),
    (Baudrate::Baud460800, 460_800),
    (Baudrate::Baud921600, 921_600),
    (Baudrate::Baud1M, 1_000_000),
];

fn pin<C: Chip>(n: u8) -> Pin<C> {
    Pin::p0(n).unwrap()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "every baud-rate register value on every chip: values only, no buffer and no pointer path (configure's MMIO path runs under Miri in a_configured_uarte_sends)"
)]
fn uarte_configure_selects_the_named_speed_on_every_chip() {
    assert_eq!(Baudrate::ALL.len(), BAUDS.len());
    for config in [SimConfig::nrf52832(), SimConfig::nrf52833(), SimConfig::nrf52840()] {
        let sim = EasyDmaSim::uarte(&Recorder::new(), config.step());
        // SAFETY: the simulator's block, used only by this UARTE.
        let mut uarte = unsafe { Uarte::<Nrf52832>::new(sim.base()) };
        for (baudrate, baud) in BAUDS {
            uarte.configure(&UarteConfig { txd: pin(6), rxd: Some(pin(8)), baudrate });
            assert_eq!(sim.baud(), Some(baud), "{baudrate:?}");
            assert_eq!(sim.register(ENABLE), 8);
        }
        assert_eq!(sim.register(PSEL_FIRST + 4), 6, "PSEL.TXD");
        assert_eq!(sim.register(PSEL_FIRST + 12), 8, "PSEL.RXD");
        assert_eq!(sim.register(PSEL_FIRST), Pin::<Nrf52832>::DISCONNECTED, "PSEL.RTS");
    }
}

#[test]
fn the_115200_value_is_the_uartes_not_the_uarts() {
    assert_eq!(Baudrate::Baud115200.register(), 0x01D6_0000);
}

#[test]
fn a_configured_uarte_sends() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this UARTE.
    let mut uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) };
    let txd = Pin::p1(10).unwrap();
    uarte.configure(&UarteConfig { txd, rxd: None, baudrate: Baudrate::Baud1M });
    assert_eq!(sim.register(PSEL_FIRST + 4), 0x2A, "P1.10");
    let (tx, _rx) = uarte.split();
    let done = tx.write_all(b"hi".to_vec()).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(sim.take_sent(), b"hi");
}

#[test]
fn spim_configure_selects_the_named_frequency() {
    const HZ: [u32; 7] = [125_000, 250_000, 500_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000];
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832().step());
    // SAFETY: the simulator's block, used only by this SPIM.
    let mut spim = unsafe { Spim::<Nrf52832>::new(sim.base()) };
    for (frequency, hz) in Frequency::ALL.into_iter().zip(HZ) {
        // Reserved CONFIG bits in `mode` are not written.
        let config =
            SpimConfig { sck: pin(3), mosi: Some(pin(4)), miso: None, frequency, mode: u32::MAX };
        spim.configure(&config);
        assert_eq!(sim.frequency(), Some(hz), "{frequency:?}");
        assert_eq!(sim.register(ENABLE), 7);
    }
}

#[test]
fn twim_configure_selects_the_named_frequency() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52833().step());
    // SAFETY: the simulator's block, used only by this TWIM.
    let mut twim = unsafe { Twim::<Nrf52833>::new(sim.base()) };
    for (frequency, hz) in TwimFrequency::ALL.into_iter().zip([100_000, 250_000, 400_000]) {
        twim.configure(Pin::p1(2).unwrap(), pin(27), frequency);
        assert_eq!(sim.frequency(), Some(hz), "{frequency:?}");
        assert_eq!(sim.register(ENABLE), 6);
    }
    assert_eq!(sim.register(BAUDRATE_OR_FREQUENCY), TwimFrequency::K400.register());
}

#[test]
fn the_nrf52832_has_no_port_1() {
    assert!(Pin::<Nrf52832>::new(1, 0).is_none());
    assert!(Pin::<Nrf52832>::new(0, 32).is_none());
    assert_eq!(Pin::<Nrf52833>::new(1, 31).map(Pin::psel), Some(0x3F));
    assert!(Pin::<Nrf52840>::new(2, 0).is_none());
}

/// nRF52832 Errata, anomaly 58: `RXD.MAXCNT = 1` with `TXD.MAXCNT <= 1`
/// is refused, everything given back, nothing started.
#[test]
fn anomaly_58_transfers_are_refused_on_the_nrf52832() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52832>::new(sim.base()) };
    let rejected = spim.read_exact(vec![7u8; 1]).err().unwrap();
    assert_eq!((rejected.error, rejected.buffer), (Error::Anomaly58, vec![7u8; 1]));
    let rejected = rejected.resources.transfer(vec![1u8], vec![0u8]).err().unwrap();
    assert_eq!(rejected.error, Error::Anomaly58);
    assert_eq!(rejected.buffer, (vec![1u8], vec![0u8]));
    let rejected = rejected.resources.transfer(Vec::<u8>::new(), vec![0u8]).err().unwrap();
    assert_eq!(rejected.error, Error::Anomaly58);
    assert_eq!(sim.starts(), 0);

    // Not affected: a one-byte write, one byte in while two go out.
    let spim = rejected.resources;
    let done = spim.write_all(vec![5u8]).unwrap().wait().unwrap();
    assert_eq!(sim.take_sent(), [5]);
    sim.feed(&[9, 8]);
    let done = done.resources.transfer(vec![1u8, 2], vec![0u8]).unwrap().wait().unwrap();
    assert_eq!(done.buffer.1, [9]);
    assert_eq!(sim.take_sent(), [1, 2], "no extra byte on the wire");
}

#[test]
fn one_byte_reads_work_where_there_is_no_anomaly_58() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    sim.feed(&[0x42]);
    let done = spim.read_exact(vec![0u8; 1]).unwrap().wait().unwrap();
    assert_eq!(done.buffer, [0x42]);
    assert_eq!(sim.take_sent().len(), 1);
}

/// A driver that ignored anomaly 58 on a part that has it: the wire shows the
/// extra byte, which is what the refusal above prevents.
#[test]
fn the_simulated_nrf52832_shows_the_extra_byte() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block; the chip type is deliberately the
    // nRF52833 (which has no anomaly 58), breaking `new`'s contract.
    let spim = unsafe { Spim::<Nrf52833>::new(sim.base()) };
    let done = spim.read_exact(vec![0u8; 1]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 1);
    assert_eq!(sim.take_sent().len(), 2, "anomaly 58: two frames for one byte");
}
