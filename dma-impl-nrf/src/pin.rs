//! GPIO pin numbers for the `PSEL` registers.

/// A GPIO pin as a `PSEL` register holds it: pin in bits 0..=4, port in bit 5,
/// bit 31 clear (connected).
///
/// ```
/// use dma_impl_nrf::Pin;
/// assert_eq!(Pin::new(1, 10).map(Pin::psel), Some(0x2A));
/// assert!(Pin::new(0, 32).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin(u32);

impl Pin {
    /// `P<port>.<pin>`; `None` unless `port <= 1` and `pin <= 31`.
    pub const fn new(port: u8, pin: u8) -> Option<Pin> {
        if port <= 1 && pin <= 31 {
            Some(Pin(((port as u32) << 5) | pin as u32))
        } else {
            None
        }
    }

    /// The `PSEL` register value.
    pub const fn psel(self) -> u32 {
        self.0
    }

    /// The `PSEL` value of an unused signal (`CONNECT = Disconnected`).
    pub const DISCONNECTED: u32 = 1 << 31;
}
