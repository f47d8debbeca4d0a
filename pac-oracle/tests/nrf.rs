//! The nRF52 register facts of `dma-impl-nrf` (its public `regs` module and
//! `Chip` constants) and of the simulator `dma_impl_mock::sim::nrf` (its
//! public `regs` module and `SimConfig`), checked against `nrf52832-pac`,
//! `nrf52833-pac` and `nrf52840-pac` 0.12 (svd2rust, from Nordic's SVD files).
//!
//! Everything is read from the PAC's types on the host, touching no
//! hardware: base addresses from `PERIPHERAL::PTR`, offsets with
//! `core::mem::offset_of!` on the register blocks, bit positions and field
//! widths from the `OFFSET`/`WIDTH` const parameters of the writer proxy
//! each field method returns (taken as a function pointer, never called),
//! enumerated values through the PAC's `From<Variant>` impls, and the absence
//! of a field (the nRF52832 has no `PSEL.PORT`) from method resolution
//! falling back to a local trait when the PAC has no such method.
//! Exhaustive `match`es on the PAC's enums make a variant this crate does
//! not know a compile error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use core::mem::offset_of;

use dma_impl_mock::sim::nrf::regs as sim;
use dma_impl_mock::sim::nrf::SimConfig;
use dma_impl_nrf::regs as drv;
use dma_impl_nrf::spim::Frequency;
use dma_impl_nrf::{Baudrate, Chip, Nrf52832, Nrf52832Qfaa, Nrf52833, Nrf52840, TwimFrequency};

/// What a field method resolves to when the PAC has no such field.
struct Missing;

/// Field methods some chips lack; the PAC's inherent methods win where they
/// exist, so `W::port` names this only when the register has no PORT field.
trait Fallback {
    fn port(&mut self) -> Missing {
        Missing
    }
    fn stop(&mut self) -> Missing {
        Missing
    }
    fn paritytype(&mut self) -> Missing {
        Missing
    }
}
impl<T> Fallback for T {}

/// A field writer proxy's position: `Some((offset, width))`, `None` if missing.
trait Probe {
    const FIELD: Option<(u32, u32)>;
}

impl Probe for Missing {
    const FIELD: Option<(u32, u32)> = None;
}

macro_rules! probe_impls {
    ($pac:ident) => {
        impl<'a, U, REG, N, FI, S, const WI: u8, const O: u8> Probe
            for $pac::generic::FieldWriterRaw<'a, U, REG, N, FI, S, WI, O>
        where
            REG: $pac::generic::Writable + $pac::generic::RegisterSpec<Ux = U>,
            FI: Into<N>,
        {
            const FIELD: Option<(u32, u32)> = Some((O as u32, WI as u32));
        }

        impl<'a, U, REG, FI, M, const O: u8> Probe
            for $pac::generic::BitWriterRaw<'a, U, REG, FI, M, O>
        where
            REG: $pac::generic::Writable + $pac::generic::RegisterSpec<Ux = U>,
            FI: Into<bool>,
        {
            const FIELD: Option<(u32, u32)> = Some((O as u32, 1));
        }
    };
}

probe_impls!(nrf52832_pac);
probe_impls!(nrf52833_pac);
probe_impls!(nrf52840_pac);

/// The (offset, width) of the field whose writer method is `method`.
fn field<A, R: Probe>(_method: fn(A) -> R) -> Option<(u32, u32)> {
    R::FIELD
}

/// The (offset, width) of a field that must exist.
fn must<A, R: Probe>(method: fn(A) -> R) -> (u32, u32) {
    field(method).expect("the PAC has this field")
}

/// The single-bit mask of a one-bit field.
fn bit<A, R: Probe>(method: fn(A) -> R) -> u32 {
    let (offset, width) = must(method);
    assert_eq!(width, 1, "a one-bit field");
    1 << offset
}

/// The mask of a field, 0 if missing.
fn mask<A, R: Probe>(method: fn(A) -> R) -> u32 {
    field(method).map_or(0, |(offset, width)| ((1u32 << width) - 1) << offset)
}

/// The baud rate a PAC `BAUDRATE` variant names, and the driver's variant.
macro_rules! baud_of {
    ($pac:ident) => {{
        use $pac::uarte0::baudrate::BAUDRATE_A as B;
        // Exhaustive: a rate the PAC has and the driver lacks does not compile.
        fn of(v: B) -> (Baudrate, u32) {
            match v {
                B::BAUD1200 => (Baudrate::Baud1200, 1200),
                B::BAUD2400 => (Baudrate::Baud2400, 2400),
                B::BAUD4800 => (Baudrate::Baud4800, 4800),
                B::BAUD9600 => (Baudrate::Baud9600, 9600),
                B::BAUD14400 => (Baudrate::Baud14400, 14_400),
                B::BAUD19200 => (Baudrate::Baud19200, 19_200),
                B::BAUD28800 => (Baudrate::Baud28800, 28_800),
                B::BAUD31250 => (Baudrate::Baud31250, 31_250),
                B::BAUD38400 => (Baudrate::Baud38400, 38_400),
                B::BAUD56000 => (Baudrate::Baud56000, 56_000),
                B::BAUD57600 => (Baudrate::Baud57600, 57_600),
                B::BAUD76800 => (Baudrate::Baud76800, 76_800),
                B::BAUD115200 => (Baudrate::Baud115200, 115_200),
                B::BAUD230400 => (Baudrate::Baud230400, 230_400),
                B::BAUD250000 => (Baudrate::Baud250000, 250_000),
                B::BAUD460800 => (Baudrate::Baud460800, 460_800),
                B::BAUD921600 => (Baudrate::Baud921600, 921_600),
                B::BAUD1M => (Baudrate::Baud1M, 1_000_000),
            }
        }
        let all = [
            B::BAUD1200,
            B::BAUD2400,
            B::BAUD4800,
            B::BAUD9600,
            B::BAUD14400,
            B::BAUD19200,
            B::BAUD28800,
            B::BAUD31250,
            B::BAUD38400,
            B::BAUD56000,
            B::BAUD57600,
            B::BAUD76800,
            B::BAUD115200,
            B::BAUD230400,
            B::BAUD250000,
            B::BAUD460800,
            B::BAUD921600,
            B::BAUD1M,
        ];
        all.map(|v| (u32::from(v), of(v)))
    }};
}

/// Every check for one chip: `$pac` the PAC crate, `$chip` the driver's chip
/// type, `$sim` the simulator's configuration of it.
macro_rules! chip_checks {
    ($pac:ident, $chip:ty, $sim:expr, spim3_only: [$($spim3:ident),*]) => {{
        use $pac::{spim0, twim0, uarte0};
        let sim_config: SimConfig = $sim;

        // Base addresses (PS "Memory", instantiation).
        assert_eq!($pac::UARTE0::PTR as usize, drv::base::UARTE0);
        assert_eq!($pac::SPIM0::PTR as usize, drv::base::SERIAL0);
        assert_eq!($pac::TWIM0::PTR as usize, drv::base::SERIAL0);
        assert_eq!($pac::SPIM1::PTR as usize, drv::base::SERIAL1);
        assert_eq!($pac::TWIM1::PTR as usize, drv::base::SERIAL1);
        assert_eq!($pac::SPIM2::PTR as usize, drv::base::SPIM2);

        // UARTE offsets, driver and simulator.
        type U = uarte0::RegisterBlock;
        for (pac, d, s) in [
            (offset_of!(U, tasks_startrx), drv::TASKS_STARTRX, sim::TASKS_STARTRX),
            (offset_of!(U, tasks_stoprx), drv::TASKS_STOPRX, sim::TASKS_STOPRX),
            (offset_of!(U, tasks_starttx), drv::TASKS_STARTTX, sim::TASKS_STARTTX),
            (offset_of!(U, tasks_stoptx), drv::TASKS_STOPTX, sim::TASKS_STOPTX),
            (offset_of!(U, events_endrx), drv::EVENTS_ENDRX, sim::EVENTS_ENDRX),
            (offset_of!(U, events_endtx), drv::EVENTS_ENDTX, sim::EVENTS_ENDTX),
            (offset_of!(U, events_error), drv::EVENTS_ERROR, sim::EVENTS_ERROR),
            (offset_of!(U, events_rxto), drv::EVENTS_RXTO, sim::EVENTS_RXTO),
            (offset_of!(U, events_rxstarted), drv::EVENTS_RXSTARTED, sim::EVENTS_RXSTARTED),
            (offset_of!(U, events_txstarted), drv::EVENTS_TXSTARTED, sim::EVENTS_TXSTARTED),
            (offset_of!(U, events_txstopped), drv::EVENTS_TXSTOPPED, sim::EVENTS_TXSTOPPED),
            (offset_of!(U, shorts), drv::SHORTS, sim::SHORTS),
            (offset_of!(U, errorsrc), drv::uarte::ERRORSRC, sim::UARTE_ERRORSRC),
            (offset_of!(U, enable), drv::ENABLE, sim::ENABLE),
            (offset_of!(U, psel.rts), drv::uarte::PSEL_RTS, sim::PSEL_FIRST),
            (offset_of!(U, psel.rxd), drv::uarte::PSEL_RXD, sim::UARTE_PSEL_LAST),
            (offset_of!(U, baudrate), drv::uarte::BAUDRATE, sim::BAUDRATE_OR_FREQUENCY),
            (offset_of!(U, rxd.ptr), drv::RXD_PTR, sim::RXD_PTR),
            (offset_of!(U, rxd.maxcnt), drv::RXD_MAXCNT, sim::RXD_MAXCNT),
            (offset_of!(U, rxd.amount), drv::RXD_AMOUNT, sim::RXD_AMOUNT),
            (offset_of!(U, txd.ptr), drv::TXD_PTR, sim::TXD_PTR),
            (offset_of!(U, txd.maxcnt), drv::TXD_MAXCNT, sim::TXD_MAXCNT),
            (offset_of!(U, txd.amount), drv::TXD_AMOUNT, sim::TXD_AMOUNT),
            (offset_of!(U, config), drv::uarte::CONFIG, sim::UARTE_CONFIG),
        ] {
            assert_eq!((pac, pac), (d, s), "UARTE offset");
        }
        assert_eq!(offset_of!(U, psel.txd), drv::uarte::PSEL_TXD);
        assert_eq!(offset_of!(U, psel.cts), drv::uarte::PSEL_CTS);
        assert_eq!(offset_of!(U, intenset), drv::INTENSET);
        assert_eq!(offset_of!(U, intenclr), drv::INTENCLR);

        // SPIM offsets.
        type S = spim0::RegisterBlock;
        for (pac, d, s) in [
            (offset_of!(S, tasks_start), drv::TASKS_START, sim::TASKS_START),
            (offset_of!(S, tasks_stop), drv::TASKS_STOP, sim::TASKS_STOP),
            (offset_of!(S, events_stopped), drv::EVENTS_STOPPED, sim::EVENTS_STOPPED),
            (offset_of!(S, events_endrx), drv::EVENTS_ENDRX, sim::EVENTS_ENDRX),
            (offset_of!(S, events_end), drv::EVENTS_END, sim::EVENTS_END),
            (offset_of!(S, events_endtx), drv::EVENTS_ENDTX, sim::EVENTS_ENDTX),
            (offset_of!(S, events_started), drv::EVENTS_RXSTARTED, sim::EVENTS_RXSTARTED),
            (offset_of!(S, enable), drv::ENABLE, sim::ENABLE),
            (offset_of!(S, psel.sck), drv::spim::PSEL_SCK, sim::PSEL_FIRST),
            (offset_of!(S, psel.miso), drv::spim::PSEL_MISO, sim::SPIM_PSEL_LAST),
            (offset_of!(S, frequency), drv::spim::FREQUENCY, sim::BAUDRATE_OR_FREQUENCY),
            (offset_of!(S, rxd.ptr), drv::RXD_PTR, sim::RXD_PTR),
            (offset_of!(S, rxd.maxcnt), drv::RXD_MAXCNT, sim::RXD_MAXCNT),
            (offset_of!(S, rxd.amount), drv::RXD_AMOUNT, sim::RXD_AMOUNT),
            (offset_of!(S, txd.ptr), drv::TXD_PTR, sim::TXD_PTR),
            (offset_of!(S, txd.maxcnt), drv::TXD_MAXCNT, sim::TXD_MAXCNT),
            (offset_of!(S, txd.amount), drv::TXD_AMOUNT, sim::TXD_AMOUNT),
            (offset_of!(S, config), drv::spim::CONFIG, sim::SPIM_CONFIG),
            (offset_of!(S, orc), drv::spim::ORC, sim::SPIM_ORC),
        ] {
            assert_eq!((pac, pac), (d, s), "SPIM offset");
        }
        assert_eq!(offset_of!(S, psel.mosi), drv::spim::PSEL_MOSI);
        assert_eq!(offset_of!(S, intenclr), drv::INTENCLR);

        // TWIM offsets.
        type T = twim0::RegisterBlock;
        for (pac, d, s) in [
            (offset_of!(T, tasks_startrx), drv::TASKS_STARTRX, sim::TASKS_STARTRX),
            (offset_of!(T, tasks_starttx), drv::TASKS_STARTTX, sim::TASKS_STARTTX),
            (offset_of!(T, tasks_stop), drv::TASKS_STOP, sim::TASKS_STOP),
            (offset_of!(T, events_stopped), drv::EVENTS_STOPPED, sim::EVENTS_STOPPED),
            (offset_of!(T, events_error), drv::EVENTS_ERROR, sim::EVENTS_ERROR),
            (offset_of!(T, events_rxstarted), drv::EVENTS_RXSTARTED, sim::EVENTS_RXSTARTED),
            (offset_of!(T, events_txstarted), drv::EVENTS_TXSTARTED, sim::EVENTS_TXSTARTED),
            (offset_of!(T, events_lastrx), drv::EVENTS_LASTRX, sim::EVENTS_LASTRX),
            (offset_of!(T, events_lasttx), drv::EVENTS_LASTTX, sim::EVENTS_LASTTX),
            (offset_of!(T, shorts), drv::SHORTS, sim::SHORTS),
            (offset_of!(T, errorsrc), drv::twim::ERRORSRC, sim::TWIM_ERRORSRC),
            (offset_of!(T, enable), drv::ENABLE, sim::ENABLE),
            (offset_of!(T, psel.scl), drv::twim::PSEL_SCL, sim::PSEL_FIRST),
            (offset_of!(T, psel.sda), drv::twim::PSEL_SDA, sim::TWIM_PSEL_LAST),
            (offset_of!(T, frequency), drv::twim::FREQUENCY, sim::BAUDRATE_OR_FREQUENCY),
            (offset_of!(T, rxd.ptr), drv::RXD_PTR, sim::RXD_PTR),
            (offset_of!(T, rxd.maxcnt), drv::RXD_MAXCNT, sim::RXD_MAXCNT),
            (offset_of!(T, rxd.amount), drv::RXD_AMOUNT, sim::RXD_AMOUNT),
            (offset_of!(T, txd.ptr), drv::TXD_PTR, sim::TXD_PTR),
            (offset_of!(T, txd.maxcnt), drv::TXD_MAXCNT, sim::TXD_MAXCNT),
            (offset_of!(T, txd.amount), drv::TXD_AMOUNT, sim::TXD_AMOUNT),
            (offset_of!(T, address), drv::twim::ADDRESS, sim::TWIM_ADDRESS),
        ] {
            assert_eq!((pac, pac), (d, s), "TWIM offset");
        }
        assert_eq!(offset_of!(T, intenclr), drv::INTENCLR);

        // ENABLE values.
        let enable = |v: u8| u32::from(v);
        let uarte_on = enable(uarte0::enable::ENABLE_A::ENABLED.into());
        let spim_on = enable(spim0::enable::ENABLE_A::ENABLED.into());
        let twim_on = enable(twim0::enable::ENABLE_A::ENABLED.into());
        assert_eq!((uarte_on, uarte_on), (drv::uarte::ENABLE_VALUE, sim::ENABLE_UARTE));
        assert_eq!((spim_on, spim_on), (drv::spim::ENABLE_VALUE, sim::ENABLE_SPIM));
        assert_eq!((twim_on, twim_on), (drv::twim::ENABLE_VALUE, sim::ENABLE_TWIM));

        // MAXCNT width, every channel of every peripheral, in the driver's
        // chip type and the simulator's configuration.
        let widths = [
            must(uarte0::txd::maxcnt::W::maxcnt).1,
            must(uarte0::rxd::maxcnt::W::maxcnt).1,
            must(spim0::txd::maxcnt::W::maxcnt).1,
            must(spim0::rxd::maxcnt::W::maxcnt).1,
            must(twim0::txd::maxcnt::W::maxcnt).1,
            must(twim0::rxd::maxcnt::W::maxcnt).1,
        ];
        assert_eq!(widths, [<$chip>::MAXCNT_BITS; 6], "MAXCNT width");
        assert_eq!(sim_config.maxcnt_bits, <$chip>::MAXCNT_BITS);
        assert_eq!(<$chip>::MAXCNT_MAX, (1 << <$chip>::MAXCNT_BITS) - 1);
        assert_eq!(must(uarte0::txd::maxcnt::W::maxcnt).0, 0);

        // PSEL: PIN, PORT (if the chip has one), CONNECT, on every PSEL the
        // drivers write.
        for (pin, port, connect) in [
            (
                must(uarte0::psel::txd::W::pin),
                field(uarte0::psel::txd::W::port),
                must(uarte0::psel::txd::W::connect),
            ),
            (
                must(uarte0::psel::rxd::W::pin),
                field(uarte0::psel::rxd::W::port),
                must(uarte0::psel::rxd::W::connect),
            ),
            (
                must(spim0::psel::sck::W::pin),
                field(spim0::psel::sck::W::port),
                must(spim0::psel::sck::W::connect),
            ),
            (
                must(spim0::psel::miso::W::pin),
                field(spim0::psel::miso::W::port),
                must(spim0::psel::miso::W::connect),
            ),
            (
                must(twim0::psel::sda::W::pin),
                field(twim0::psel::sda::W::port),
                must(twim0::psel::sda::W::connect),
            ),
        ] {
            assert_eq!(pin, (0, drv::psel::PIN_WIDTH));
            assert_eq!(pin, (0, sim::PSEL_PIN_BITS));
            assert_eq!(connect, (drv::psel::CONNECT_BIT, 1));
            assert_eq!(connect, (sim::PSEL_CONNECT_BIT, 1));
            let ports = if port.is_some() { 2 } else { 1 };
            assert_eq!((<$chip>::GPIO_PORTS, sim_config.gpio_ports), (ports, ports));
            if let Some(port) = port {
                assert_eq!(port, (drv::psel::PORT_BIT, 1));
                assert_eq!(port, (sim::PSEL_PORT_BIT, 1));
            }
        }
        let disconnected: bool = uarte0::psel::txd::CONNECT_A::DISCONNECTED.into();
        assert!(disconnected, "CONNECT = 1 is Disconnected");

        // SHORTS and ERRORSRC bits.
        assert_eq!(bit(uarte0::shorts::W::endrx_startrx), drv::uarte::SHORT_ENDRX_STARTRX);
        assert_eq!(bit(uarte0::shorts::W::endrx_startrx), sim::SHORT_ENDRX_STARTRX);
        assert_eq!(bit(uarte0::shorts::W::endrx_stoprx), drv::uarte::SHORT_ENDRX_STOPRX);
        assert_eq!(bit(twim0::shorts::W::lasttx_startrx), drv::twim::SHORT_LASTTX_STARTRX);
        assert_eq!(bit(twim0::shorts::W::lasttx_startrx), sim::SHORT_LASTTX_STARTRX);
        assert_eq!(bit(twim0::shorts::W::lasttx_stop), drv::twim::SHORT_LASTTX_STOP);
        assert_eq!(bit(twim0::shorts::W::lasttx_stop), sim::SHORT_LASTTX_STOP);
        assert_eq!(bit(twim0::shorts::W::lastrx_stop), drv::twim::SHORT_LASTRX_STOP);
        assert_eq!(bit(twim0::shorts::W::lastrx_stop), sim::SHORT_LASTRX_STOP);
        // INTENSET / INTENCLR: each event's bit is its ID (offset from 0x100
        // in words), as `regs::inten_bit` computes it in the driver and the
        // simulator; the PAC's field positions, event by event.
        let inten = |event: usize| {
            let (d, s) = (drv::inten_bit(event), sim::inten_bit(event).unwrap());
            assert_eq!(d, s, "driver and simulator: INTEN bit of {event:#x}");
            d
        };
        for (pac, event, what) in [
            (bit(uarte0::intenset::W::endrx), drv::EVENTS_ENDRX, "UARTE ENDRX"),
            (bit(uarte0::intenset::W::txdrdy), sim::EVENTS_TXDRDY, "UARTE TXDRDY"),
            (bit(uarte0::intenset::W::endtx), drv::EVENTS_ENDTX, "UARTE ENDTX"),
            (bit(uarte0::intenset::W::error), drv::EVENTS_ERROR, "UARTE ERROR"),
            (bit(uarte0::intenset::W::rxto), drv::EVENTS_RXTO, "UARTE RXTO"),
            (bit(uarte0::intenset::W::rxstarted), drv::EVENTS_RXSTARTED, "UARTE RXSTARTED"),
            (bit(uarte0::intenset::W::txstarted), drv::EVENTS_TXSTARTED, "UARTE TXSTARTED"),
            (bit(uarte0::intenset::W::txstopped), drv::EVENTS_TXSTOPPED, "UARTE TXSTOPPED"),
            (bit(uarte0::intenclr::W::endtx), drv::EVENTS_ENDTX, "UARTE ENDTX (CLR)"),
            (bit(uarte0::intenclr::W::endrx), drv::EVENTS_ENDRX, "UARTE ENDRX (CLR)"),
            (bit(uarte0::intenclr::W::error), drv::EVENTS_ERROR, "UARTE ERROR (CLR)"),
            (bit(spim0::intenset::W::stopped), drv::EVENTS_STOPPED, "SPIM STOPPED"),
            (bit(spim0::intenset::W::endrx), drv::EVENTS_ENDRX, "SPIM ENDRX"),
            (bit(spim0::intenset::W::end), drv::EVENTS_END, "SPIM END"),
            (bit(spim0::intenset::W::endtx), drv::EVENTS_ENDTX, "SPIM ENDTX"),
            (bit(spim0::intenset::W::started), drv::EVENTS_RXSTARTED, "SPIM STARTED"),
            (bit(spim0::intenclr::W::end), drv::EVENTS_END, "SPIM END (CLR)"),
            (bit(twim0::intenset::W::stopped), drv::EVENTS_STOPPED, "TWIM STOPPED"),
            (bit(twim0::intenset::W::error), drv::EVENTS_ERROR, "TWIM ERROR"),
            (bit(twim0::intenset::W::rxstarted), drv::EVENTS_RXSTARTED, "TWIM RXSTARTED"),
            (bit(twim0::intenset::W::txstarted), drv::EVENTS_TXSTARTED, "TWIM TXSTARTED"),
            (bit(twim0::intenset::W::lastrx), drv::EVENTS_LASTRX, "TWIM LASTRX"),
            (bit(twim0::intenset::W::lasttx), drv::EVENTS_LASTTX, "TWIM LASTTX"),
            (bit(twim0::intenclr::W::stopped), drv::EVENTS_STOPPED, "TWIM STOPPED (CLR)"),
            (bit(twim0::intenclr::W::error), drv::EVENTS_ERROR, "TWIM ERROR (CLR)"),
        ] {
            assert_eq!(pac, inten(event), "{what}: INTEN bit");
        }
        // The PS register tables' numbers, for the record.
        assert_eq!(inten(drv::EVENTS_ENDTX), 1 << 8);
        assert_eq!(inten(drv::EVENTS_ENDRX), 1 << 4);
        assert_eq!(inten(drv::EVENTS_ERROR), 1 << 9);
        assert_eq!(inten(drv::EVENTS_END), 1 << 6);
        assert_eq!(inten(drv::EVENTS_STOPPED), 1 << 1);
        assert_eq!(offset_of!(U, events_txdrdy), sim::EVENTS_TXDRDY);
        assert_eq!(offset_of!(U, inten), sim::INTEN);
        assert_eq!(offset_of!(S, intenset), sim::INTENSET);

        assert_eq!(bit(uarte0::errorsrc::W::overrun), drv::uarte::ERRORSRC_OVERRUN);
        assert_eq!(bit(uarte0::errorsrc::W::parity), drv::uarte::ERRORSRC_PARITY);
        assert_eq!(bit(uarte0::errorsrc::W::framing), drv::uarte::ERRORSRC_FRAMING);
        assert_eq!(bit(uarte0::errorsrc::W::break_), drv::uarte::ERRORSRC_BREAK);
        assert_eq!(bit(twim0::errorsrc::W::overrun), drv::twim::ERRORSRC_OVERRUN);
        assert_eq!(bit(twim0::errorsrc::W::overrun), sim::TWIM_OVERRUN);
        assert_eq!(bit(twim0::errorsrc::W::anack), drv::twim::ERRORSRC_ANACK);
        assert_eq!(bit(twim0::errorsrc::W::anack), sim::TWIM_ANACK);
        assert_eq!(bit(twim0::errorsrc::W::dnack), drv::twim::ERRORSRC_DNACK);
        assert_eq!(bit(twim0::errorsrc::W::dnack), sim::TWIM_DNACK);

        // TWIM ADDRESS: 7 bits at 0.
        assert_eq!(must(twim0::address::W::address), (0, drv::twim::ADDRESS_WIDTH));
        assert_eq!(must(twim0::address::W::address), (0, sim::TWIM_ADDRESS_BITS));

        // CONFIG fields.
        assert_eq!(bit(uarte0::config::W::hwfc), 1 << drv::uarte::CONFIG_HWFC_BIT);
        let parity = must(uarte0::config::W::parity);
        assert_eq!(parity, (drv::uarte::CONFIG_PARITY_OFFSET, drv::uarte::CONFIG_PARITY_WIDTH));
        assert_eq!(parity, (sim::UARTE_CONFIG_PARITY_OFFSET, sim::UARTE_CONFIG_PARITY_BITS));
        let included = u32::from(u8::from(uarte0::config::PARITY_A::INCLUDED));
        assert_eq!((included, included), (drv::uarte::CONFIG_PARITY_INCLUDED, sim::UARTE_CONFIG_PARITY_INCLUDED));
        if let Some(stop) = field(uarte0::config::W::stop) {
            assert_eq!(stop, (drv::uarte::CONFIG_STOP_BIT, 1));
        }
        let uarte_config = mask(uarte0::config::W::hwfc)
            | mask(uarte0::config::W::parity)
            | mask(uarte0::config::W::stop)
            | mask(uarte0::config::W::paritytype);
        assert_eq!(sim_config.uarte_config_mask, uarte_config, "UARTE CONFIG fields");
        let spim_config = mask(spim0::config::W::order)
            | mask(spim0::config::W::cpha)
            | mask(spim0::config::W::cpol);
        assert_eq!((spim_config, spim_config), (drv::spim::CONFIG_MASK, sim::SPIM_CONFIG_MASK));
        assert_eq!(bit(spim0::config::W::order), 1 << drv::spim::CONFIG_ORDER_BIT);
        assert_eq!(bit(spim0::config::W::cpha), 1 << drv::spim::CONFIG_CPHA_BIT);
        assert_eq!(bit(spim0::config::W::cpol), 1 << drv::spim::CONFIG_CPOL_BIT);
        let msb_first: bool = spim0::config::ORDER_A::LSB_FIRST.into();
        assert!(msb_first, "ORDER = 1 is LSB first");

        // The full UARTE BAUDRATE table: the driver's values and the
        // simulator's (value, baud) pairs, both complete.
        let bauds = baud_of!($pac);
        assert_eq!(Baudrate::ALL.len(), bauds.len());
        assert_eq!(sim::UARTE_BAUDRATES.len(), bauds.len());
        for (value, (driver, baud)) in bauds {
            assert_eq!(driver.register(), value, "{driver:?}");
            assert!(sim::UARTE_BAUDRATES.contains(&(value, baud)), "{value:#x} {baud}");
        }
        for (driver, (value, _)) in Baudrate::ALL.into_iter().zip(bauds) {
            assert_eq!(driver.register(), value, "Baudrate::ALL in PAC order");
        }

        // SPIM FREQUENCY (SPIM0..2; the PAC shares the block with SPIM3).
        {
            use spim0::frequency::FREQUENCY_A as F;
            let table = [
                (Frequency::K125, F::K125, 125_000),
                (Frequency::K250, F::K250, 250_000),
                (Frequency::K500, F::K500, 500_000),
                (Frequency::M1, F::M1, 1_000_000),
                (Frequency::M2, F::M2, 2_000_000),
                (Frequency::M4, F::M4, 4_000_000),
                (Frequency::M8, F::M8, 8_000_000),
            ];
            assert_eq!(Frequency::ALL, table.map(|(d, _, _)| d));
            assert_eq!(sim::SPIM_FREQUENCIES, table.map(|(_, p, hz)| (u32::from(p), hz)));
            for (driver, pac, _) in table {
                assert_eq!(driver.register(), u32::from(pac), "{driver:?}");
            }
            // SPIM3-only values: accepted by neither.
            let spim3_only: &[F] = &[$(F::$spim3),*];
            for &spim3 in spim3_only {
                let value = u32::from(spim3);
                assert!(sim::SPIM_FREQUENCIES.iter().all(|(v, _)| *v != value));
                assert!(Frequency::ALL.iter().all(|f| f.register() != value));
            }
            // Exhaustive: a new PAC value does not compile.
            fn known(f: F) -> bool {
                match f {
                    F::K125 | F::K250 | F::K500 | F::M1 | F::M2 | F::M4 | F::M8 => true,
                    $(F::$spim3 => false,)*
                }
            }
            assert!(known(F::M8));
        }

        // TWIM FREQUENCY.
        {
            use twim0::frequency::FREQUENCY_A as F;
            fn of(f: F) -> (TwimFrequency, u32) {
                match f {
                    F::K100 => (TwimFrequency::K100, 100_000),
                    F::K250 => (TwimFrequency::K250, 250_000),
                    F::K400 => (TwimFrequency::K400, 400_000),
                }
            }
            let table = [F::K100, F::K250, F::K400].map(|f| (u32::from(f), of(f)));
            assert_eq!(TwimFrequency::ALL, table.map(|(_, (d, _))| d));
            assert_eq!(sim::TWIM_FREQUENCIES, table.map(|(v, (_, hz))| (v, hz)));
            for (value, (driver, _)) in table {
                assert_eq!(driver.register(), value, "{driver:?}");
            }
        }
    }};
}

#[test]
fn nrf52832_register_facts_match_its_pac() {
    chip_checks!(nrf52832_pac, Nrf52832, SimConfig::nrf52832(), spim3_only: []);
    chip_checks!(nrf52832_pac, Nrf52832Qfaa, SimConfig::nrf52832_qfaa(), spim3_only: []);
}

#[test]
fn nrf52833_register_facts_match_its_pac() {
    chip_checks!(nrf52833_pac, Nrf52833, SimConfig::nrf52833(), spim3_only: [M16, M32]);
    assert_eq!(nrf52833_pac::UARTE1::PTR as usize, drv::base::UARTE1);
}

#[test]
fn nrf52840_register_facts_match_its_pac() {
    chip_checks!(nrf52840_pac, Nrf52840, SimConfig::nrf52840(), spim3_only: [M16, M32]);
    assert_eq!(nrf52840_pac::UARTE1::PTR as usize, drv::base::UARTE1);
}

/// The drivers program `MAXCNT` as the word after `PTR` on both channels.
#[test]
fn maxcnt_follows_ptr_on_both_channels() {
    assert_eq!(drv::TXD_MAXCNT - drv::TXD_PTR, drv::RXD_MAXCNT - drv::RXD_PTR);
    assert_eq!(drv::TXD_MAXCNT - drv::TXD_PTR, 4);
}

/// Facts the PACs do not carry (data RAM size, errata) are the chip types'
/// and the simulator's alike.
#[test]
fn driver_and_simulator_agree_on_what_the_pacs_do_not_say() {
    fn same<C: Chip>(config: &SimConfig) {
        assert_eq!(C::DATA_RAM, config.data_ram, "{}", C::NAME);
        assert_eq!(C::ANOMALY_58, config.anomaly_58, "{}", C::NAME);
    }
    same::<Nrf52832>(&SimConfig::nrf52832());
    same::<Nrf52832Qfaa>(&SimConfig::nrf52832_qfaa());
    same::<Nrf52833>(&SimConfig::nrf52833());
    same::<Nrf52840>(&SimConfig::nrf52840());
}
