//! The property names, shared with the std suite of `dma-impl-mock` (which
//! re-exports them), so a property is named once whether it is checked on the
//! host or on the target.

/// Check name: what arrives is what was sent, for every length.
pub const DATA_INTACT: &str = "data intact for lengths 1..N";
/// Check name: a finished transfer gives the same buffer and a working peripheral back.
pub const BACK_ON_COMPLETION: &str = "buffer + peripheral back on completion";
/// Check name: a failed transfer gives the same buffer and a working peripheral back.
pub const BACK_ON_ERROR: &str = "buffer + peripheral back on error";
/// Check name: dropping a running transfer stops the DMA before the buffer is released.
pub const DROP_STOPS: &str = "drop stops the DMA before release";
/// Check name: `stop` of a running transfer stops the DMA before the buffer is given back.
pub const STOP_STOPS: &str = "stop stops the DMA before release";
/// Check name: `mem::forget` of a transfer with a `'static` buffer corrupts nothing.
pub const FORGET_HARMLESS: &str = "mem::forget is harmless";
/// Check name: release before the first DMA access, acquire after the last.
pub const FENCES_BRACKET: &str = "fences bracket the DMA";
/// Check name: a zero-length buffer is refused with everything given back.
pub const ZERO_LEN_REFUSED: &str = "zero length is an error";
/// Check name: a buffer over the limit is refused with everything given back.
pub const OVERLONG_REFUSED: &str = "over-long is an error";
/// Check name: a peripheral that lacks the word width (its harness says so
/// with `supports_width`) refuses a valid buffer of it, giving everything back.
pub const WIDTH_REFUSED: &str = "unsupported width is an error";
/// Check name: a buffer not aligned to the word's width is refused with
/// everything given back (checked for words wider than a byte).
pub const MISALIGNED_REFUSED: &str = "misaligned is an error";
/// Check name: source and destination of different lengths are refused.
pub const LENGTH_MISMATCH_REFUSED: &str = "length mismatch is an error";
/// Check name: a buffer the DMA cannot reach is refused with everything given back.
pub const UNREACHABLE_REFUSED: &str = "unreachable memory is an error";
