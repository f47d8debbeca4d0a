// Neither `Copy` nor `Clone`: the value cannot leave its `static` (a copy on
// the heap would keep the type without the place).
dma_impl_nrf::ram_static!(static REAL: [u8; 4] = [1, 2, 3, 4]);

fn main() {
    let moved: dma_impl_nrf::DataRam<[u8; 4]> = REAL;
    let leaked: &'static dma_impl_nrf::DataRam<[u8; 4]> = Box::leak(Box::new(moved));
    let _ = leaked;
}
