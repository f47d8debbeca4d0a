//! Review 2, finding 3: the transfers' hooks and a transmitter's channel
//! are the crate's alone. Generic code reaches a supertrait's methods
//! through a public bound, so each takes an argument only the crate can
//! make: none of these calls can be written.
use dma_impl_stm32::usart::TxPart;
use dma_impl_stm32::{DmaChannel, Owner};

/// The channel a transmitter owns, reprogrammed behind its back.
fn reach_the_channel<O: Owner>(owner: &O) {
    let _ = owner.dma();
}

/// The `Sent` bookkeeping of a transmitter, run with no transfer.
fn run_the_hooks<O: Owner>(owner: &mut O) {
    owner.begin();
    owner.finish();
}

/// A request selected after the typed map chose it.
fn select<C: DmaChannel>(channel: &mut C) {
    channel.select(3);
}

/// A part told its transmitter was idle.
fn keep_quiet<P: TxPart>(part: &mut P) {
    part.keep_quiet(true);
}

fn main() {}
