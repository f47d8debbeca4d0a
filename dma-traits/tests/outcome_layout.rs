//! `Finished` and `TransferError` put the buffer, the resources and the
//! count at the same offsets, so that in a `Result` of the two (an
//! `Outcome`, a `Started` refusal) code that takes them from either variant
//! reads one place. Without it, LLVM selects between two addresses for every
//! field at every match (`bench/README.md`, "Outcome layout": F1 `held` 115
//! against 85 instructions, nRF SPIM `held` 103 against 55).
#![allow(clippy::unwrap_used)]

use dma_traits::{Finished, TransferError};

type Both<E, B, R> = Result<Finished<B, R>, TransferError<E, B, R>>;

/// The byte offsets of (buffer, resources, transferred) inside `outcome`.
fn places<E, B, R>(outcome: &Both<E, B, R>) -> [usize; 3] {
    fn addr<T>(r: &T) -> usize {
        core::ptr::from_ref(r) as usize
    }
    let fields = match outcome {
        Ok(f) => [addr(&f.buffer), addr(&f.resources), addr(&f.transferred)],
        Err(e) => [addr(&e.buffer), addr(&e.resources), addr(&e.transferred)],
    };
    fields.map(|a| a - addr(outcome))
}

fn same_places<E, B, R>(error: E, buffer: (B, B), resources: (R, R)) {
    let ok: Both<E, B, R> =
        Ok(Finished { buffer: buffer.0, resources: resources.0, transferred: 3 });
    let err: Both<E, B, R> =
        Err(TransferError { error, buffer: buffer.1, resources: resources.1, transferred: 1 });
    assert_eq!(places(&ok), places(&err), "{}", core::any::type_name::<Both<E, B, R>>());
}

/// An error with a niche, as the HALs' are.
#[derive(Debug, Clone, Copy)]
enum Failure {
    Bus,
    Overrun,
}

/// A peripheral with run-time state of mixed widths (a base, a count, flags),
/// as the STM32 transmitter is.
#[derive(Debug)]
struct Tx {
    _base: usize,
    _items: u16,
    _quiet: bool,
    _begun: bool,
}

fn tx(base: usize) -> Tx {
    Tx { _base: base, _items: 7, _quiet: true, _begun: false }
}

#[test]
fn the_fields_both_ends_share_sit_at_the_same_offsets() {
    static A: [u8; 4] = [1; 4];
    static B: [u8; 4] = [2; 4];
    let (a, b): (&'static [u8], &'static [u8]) = (&A, &B);
    same_places(Failure::Bus, (a, b), (tx(1), tx(2)));
    same_places(Failure::Overrun, (a, b), ((), ()));
    same_places(Failure::Bus, ((), ()), (tx(1), tx(2)));
    same_places(Failure::Bus, (a, b), ((1u8, 2u32), (3u8, 4u32)));
    same_places(0u8, ([0u16; 3], [1u16; 3]), ([1u8; 3], [2u8; 3]));
    same_places(u64::MAX, (a, b), (tx(1), tx(2)));
    same_places((), (a, b), (0u16, 1u16));
    let (x, y) = (Box::new([0u32; 4]), Box::new([1u32; 4]));
    same_places(Failure::Overrun, (x, y), ((true, 5u64), (false, 6u64)));
}
