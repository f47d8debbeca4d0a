//! Review 2, finding 3: the argument the crate-only methods take cannot be
//! named, made or received outside the crate.
fn main() {
    let _token = dma_impl_stm32::hw::sealed::Internal(());
}
