// A read grant holds committed bytes the consumer drains: the DMA may read
// them (memory-to-peripheral) but never write them.
use bbqueue::BBBuffer;
use dma_traits::bbqueue::DmaGrant;
use dma_traits::StaticWriteBuffer;

static QUEUE: BBBuffer<16> = BBBuffer::new();

fn read_exact<B: StaticWriteBuffer<Word = u8>>(_buffer: B) {}

fn main() {
    let (_producer, mut consumer) = QUEUE.try_split().unwrap();
    read_exact(DmaGrant::new(consumer.read().unwrap()));
}
