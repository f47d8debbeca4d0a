//! GPIO pin numbers for the `PSEL` registers.

use core::marker::PhantomData;

use crate::chip::HasPort1;
use crate::regs::psel::{CONNECT_BIT, PIN_WIDTH, PORT_BIT};
use crate::Chip;

/// A GPIO pin of chip `C` as a `PSEL` register holds it: pin in bits 0..=4,
/// port in bit 5 (nRF52833/840 only), bit 31 clear (connected).
///
/// The nRF52832 has one GPIO port and its `PSEL` registers no `PORT` field
/// (nRF52832 PS v1.4, UARTE/SPIM/TWIM "Registers", `PSEL.*`): a port-1 pin
/// does not exist there. [`Pin::p1`] exists only for chips with a port 1, so
/// it does not compile for an nRF52832; [`Pin::new`] returns `None`.
///
/// ```
/// use dma_impl_nrf::{Nrf52832, Nrf52840, Pin};
/// assert_eq!(Pin::<Nrf52840>::new(1, 10).map(Pin::psel), Some(0x2A));
/// assert_eq!(Pin::<Nrf52840>::p1(10).map(Pin::psel), Some(0x2A));
/// assert!(Pin::<Nrf52840>::new(0, 32).is_none());
/// assert!(Pin::<Nrf52832>::new(1, 10).is_none(), "no port 1 on the nRF52832");
/// assert_eq!(Pin::<Nrf52832>::p0(31).map(Pin::psel), Some(31));
/// ```
///
/// ```compile_fail
/// use dma_impl_nrf::{Nrf52832, Pin};
/// let _ = Pin::<Nrf52832>::p1(3); // the nRF52832 has no port 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin<C: Chip> {
    psel: u32,
    chip: PhantomData<C>,
}

impl<C: Chip> Pin<C> {
    /// `P<port>.<pin>`; `None` unless `port` exists on `C` and `pin <= 31`.
    pub const fn new(port: u8, pin: u8) -> Option<Self> {
        if port < C::GPIO_PORTS && (pin as u32) < (1 << PIN_WIDTH) {
            Some(Pin { psel: ((port as u32) << PORT_BIT) | pin as u32, chip: PhantomData })
        } else {
            None
        }
    }

    /// `P0.<pin>`; `None` unless `pin <= 31`.
    pub const fn p0(pin: u8) -> Option<Self> {
        Self::new(0, pin)
    }

    /// The `PSEL` register value.
    pub const fn psel(self) -> u32 {
        self.psel
    }

    /// The `PSEL` value of an unused signal (`CONNECT = Disconnected`).
    pub const DISCONNECTED: u32 = 1 << CONNECT_BIT;
}

impl<C: HasPort1> Pin<C> {
    /// `P1.<pin>`; `None` unless `pin <= 31`. Only for chips with a port 1.
    pub const fn p1(pin: u8) -> Option<Self> {
        Self::new(1, pin)
    }
}
