// No `Default`: a `DataRam` cannot be conjured on the stack or the heap.
use dma_impl_nrf::DataRam;

fn main() {
    let fake: &'static DataRam<[u8; 4]> = Box::leak(Box::default());
    let _ = fake;
}
