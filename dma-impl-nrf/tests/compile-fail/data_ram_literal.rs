// The fields are private: no struct literal.
use dma_impl_nrf::DataRam;

static FAKE: DataRam<[u8; 4]> = DataRam { value: [0; 4] };

fn main() {
    let _ = &FAKE;
}
