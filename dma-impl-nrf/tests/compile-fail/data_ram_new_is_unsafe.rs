// The macro's constructor is `unsafe`: safe code cannot call it.
use dma_impl_nrf::DataRam;

static FAKE: DataRam<[u8; 4]> = DataRam::__new(core::ptr::null(), [0; 4]);

fn main() {
    let _ = &FAKE;
}
