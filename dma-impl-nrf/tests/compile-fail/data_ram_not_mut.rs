// No `DerefMut`, and the `static` is immutable: no safe way to swap the
// contents of one `DataRam` with a value from elsewhere.
dma_impl_nrf::ram_static!(static REAL: [u8; 4] = [1, 2, 3, 4]);

fn main() {
    let r: &'static mut dma_impl_nrf::DataRam<[u8; 4]> = &mut REAL;
    r[0] = 9;
}
