//! Buffers proven at link time to lie in data RAM: [`DataRam`], made only by
//! [`ram_static!`](crate::ram_static).
//!
//! EasyDMA reaches data RAM only ([`Chip::DATA_RAM`]), so every transfer
//! checks its buffer's address at run time; for a `static` the address is
//! known only once the program is linked, so the check cannot fold away.
//! `ram_static!` moves the proof to the link:
//!
//! 1. it defines the `static` as a [`DataRam`] in an input section named
//!    `.data.easydma.*`, which cortex-m-rt's `link.x` places in its `.data`
//!    output section (`*(.data .data.*)`), copied from flash at reset like
//!    any other initialized static;
//! 2. the linker script fragment `easydma.x`, which this crate's build
//!    script writes for the chip feature ([`TargetChip`](crate#chips-and-features))
//!    next to `memory.x`, asserts that `.data` and `.bss` lie inside that
//!    chip's data RAM, and is the only definition of the symbol
//!    `__dma_impl_nrf_easydma`;
//! 3. every `DataRam` the macro makes holds the address of that symbol (never
//!    read, 4 bytes), in the same section as the buffer: a program that
//!    uses a `ram_static!` buffer and was not linked with `-Teasydma.x` fails
//!    to link with an undefined `__dma_impl_nrf_easydma`, instead of
//!    trusting an assertion that never ran.
//!
//! So, on the chip, a `&'static DataRam<T>` points into the target chip's
//! data RAM, and the `*_ram` start methods
//! ([`UarteTx::write_all_ram`](crate::UarteTx::write_all_ram),
//! [`Spim::write_all_ram`](crate::Spim::write_all_ram),
//! [`Twim::write_all_ram`](crate::Twim::write_all_ram)) skip the window
//! check when the peripheral's chip type `C` has at least that data RAM
//! (they still check the length and `ENABLE`).
//!
//! Link with both scripts (for example in `.cargo/config.toml`):
//!
//! ```toml
//! [target.'cfg(all(target_arch = "arm", target_os = "none"))']
//! rustflags = ["-C", "link-arg=-Tlink.x", "-C", "link-arg=-Teasydma.x"]
//! ```
//!
//! On the host (`target_os` other than `none`) there is no linker script:
//! `ram_static!` defines an ordinary `static`, nothing is proven, and the
//! `*_ram` methods run the same run-time check as `write_all`.
//!
//! The type cannot be forged: its fields are private, it has no safe
//! constructor, no `Default`, no `Clone`/`Copy` (a value moved out of its
//! `static` would lose the proof), and no `DerefMut`.
//!
//! ```
//! dma_impl_nrf::ram_static!(static GREETING: [u8; 5] = *b"hello");
//! assert_eq!(&GREETING[..], b"hello");
//! ```

use core::ops::{Deref, Range};

use dma_traits::DmaReadBuffer;

use crate::Chip;

/// A `T` in a `static` that the linker placed in data RAM and checked there
/// (see the [module docs](self)); only [`ram_static!`](crate::ram_static)
/// makes one. Borrow it as `&'static DataRam<T>` and pass it to a `*_ram`
/// start method, or deref it to read `T`.
///
/// `repr(C)` with the value first, so that the buffer starts at the
/// `static`'s own address.
#[repr(C)]
pub struct DataRam<T> {
    value: T,
    /// The address of `__dma_impl_nrf_easydma` on the chip (null on the
    /// host): the reference that makes `easydma.x` a link requirement.
    #[allow(dead_code, reason = "never read: it exists for its relocation")]
    proof: Proof,
}

/// A pointer that is only ever stored, never read through.
#[derive(Debug)]
struct Proof(#[allow(dead_code, reason = "never read: it exists for its relocation")] *const u8);

// SAFETY: `Proof` is never dereferenced or read by this crate (it only
// creates a relocation), so sharing or sending it shares nothing.
unsafe impl Sync for Proof {}
// SAFETY: as for `Sync`.
unsafe impl Send for Proof {}

impl<T> DataRam<T> {
    /// For the expansion of [`ram_static!`](crate::ram_static) only.
    ///
    /// # Safety
    ///
    /// For **callers**: the result initializes a `static` (never a local, a
    /// `const` or a heap value) that is placed in an input section whose name
    /// starts with `.data.easydma.`, and `proof` is the address of the
    /// extern static `__dma_impl_nrf_easydma` on `target_os = "none"` (null
    /// elsewhere). The macro does exactly this; nothing else should call it.
    #[doc(hidden)]
    pub const unsafe fn __new(proof: *const u8, value: T) -> Self {
        DataRam { value, proof: Proof(proof) }
    }
}

impl<T> DataRam<T> {
    /// The data RAM the link proved every `DataRam` to lie in: the target
    /// chip's ([`Chip::DATA_RAM`] of `TargetChip`), on the chip; none on the
    /// host (or without a chip feature), where nothing was linked with
    /// `easydma.x`.
    #[cfg(all(
        target_os = "none",
        any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
    ))]
    pub const PROVEN: Option<Range<u32>> = Some(<crate::TargetChip as Chip>::DATA_RAM);
    /// The data RAM the link proved every `DataRam` to lie in: none here (the
    /// host, or no chip feature), so the `*_ram` methods check at run time.
    #[cfg(not(all(
        target_os = "none",
        any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
    )))]
    pub const PROVEN: Option<Range<u32>> = None;

    /// Whether the proof covers a buffer of chip type `C`: the proven window
    /// lies inside `C`'s data RAM, so the run-time window check would pass.
    pub(crate) const fn proven_for<C: Chip>() -> bool {
        match Self::PROVEN {
            Some(proven) => C::DATA_RAM.start <= proven.start && proven.end <= C::DATA_RAM.end,
            None => false,
        }
    }
}

impl<T> Deref for DataRam<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for DataRam<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DataRam").field("value", &&self.value).finish_non_exhaustive()
    }
}

// SAFETY: the memory is the `value` field of a `'static` `DataRam`, which is
// `&'static T`'s memory: the pair comes from `&'static T`'s impl (which
// meets the contract: indirection, a stable target, valid for ever, valid
// words), and a shared `DataRam` is never written (no `DerefMut`, no
// interior mutability of its own).
unsafe impl<T> DmaReadBuffer for &'static DataRam<T>
where
    &'static T: DmaReadBuffer,
{
    type Word = <&'static T as DmaReadBuffer>::Word;

    #[inline]
    fn dma_read_buffer(&self) -> (*const Self::Word, usize) {
        let value: &'static T = &self.value;
        value.dma_read_buffer()
    }
}

/// The symbol only `easydma.x` defines (see the [module docs](self)).
#[cfg(target_os = "none")]
#[doc(hidden)]
pub mod link {
    extern "C" {
        /// Defined by `easydma.x`; its address is stored, never read.
        pub static __dma_impl_nrf_easydma: u8;
    }
}

/// Defines a `static` [`DataRam`] buffer, proven at link time to lie in data
/// RAM (see [`crate::data_ram`]):
///
/// ```
/// dma_impl_nrf::ram_static!(static MESSAGE: [u8; 4] = *b"ping");
/// let buffer: &'static dma_impl_nrf::DataRam<[u8; 4]> = &MESSAGE;
/// assert_eq!(buffer.len(), 4);
/// ```
///
/// On the chip the program must be linked with `-Teasydma.x` (and
/// cortex-m-rt's `-Tlink.x`); without it the link fails on the undefined
/// symbol `__dma_impl_nrf_easydma`. On the host the macro defines an
/// ordinary `static` and nothing is proven.
#[macro_export]
macro_rules! ram_static {
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty = $value:expr $(;)?) => {
        $(#[$attr])*
        #[cfg_attr(target_os = "none", link_section = concat!(".data.easydma.", stringify!($name)))]
        $vis static $name: $crate::DataRam<$ty> = {
            // Only the address of the extern static is taken (no read, no
            // reference); `easydma.x` defines the symbol.
            #[cfg(target_os = "none")]
            let proof = &raw const $crate::data_ram::link::__dma_impl_nrf_easydma;
            #[cfg(not(target_os = "none"))]
            let proof = ::core::ptr::null();
            // SAFETY: this initializes a `static`, placed (on the chip) in
            // `.data.easydma.<name>`, with the symbol's address as `proof`:
            // `DataRam::__new`'s contract, word for word.
            unsafe { $crate::DataRam::__new(proof, $value) }
        };
    };
}
