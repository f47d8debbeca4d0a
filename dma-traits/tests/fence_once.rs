//! A fence that covers all buffers (`DmaFence::COVERS_ALL_BUFFERS`) is
//! called once per transfer by `Region::release_all` / `acquire_all`; any
//! other fence once per region, and a refusal is rolled back.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;

use dma_traits::{Access, DmaFence, FenceError, Region};

thread_local! {
    static RELEASES: Cell<usize> = const { Cell::new(0) };
    static ACQUIRES: Cell<usize> = const { Cell::new(0) };
}

fn counts() -> (usize, usize) {
    (RELEASES.with(Cell::take), ACQUIRES.with(Cell::take))
}

/// Counts its calls; refuses the `refuse`-th release (1-based, 0: never).
#[derive(Clone, Copy)]
struct Counting<const ALL: bool> {
    refuse: usize,
}

// SAFETY: the test's "DMA" is never started; the fence only counts.
// `release` refuses before counting, so a refusal changes nothing.
unsafe impl<const ALL: bool> DmaFence for Counting<ALL> {
    const COVERS_ALL_BUFFERS: bool = ALL;

    fn release<W>(self, _buf: *const [W], _access: Access) -> Result<(), FenceError> {
        if RELEASES.with(Cell::get) + 1 == self.refuse {
            return Err(FenceError::NotCacheLineAligned { address: 0, bytes: 4 });
        }
        RELEASES.with(|n| n.set(n.get() + 1));
        Ok(())
    }

    fn acquire<W>(self, _buf: *const [W], _access: Access) {
        ACQUIRES.with(|n| n.set(n.get() + 1));
    }
}

fn regions(bufs: &mut [[u8; 4]; 3]) -> [Region; 3] {
    let [a, b, c] = bufs;
    [
        Region::dma_reads(a.as_ptr(), 4),
        Region::dma_writes(b.as_mut_ptr(), 4),
        Region::dma_reads(c.as_ptr(), 4),
    ]
}

#[test]
fn a_covering_fence_is_called_once_for_all_regions() {
    let mut bufs = [[0u8; 4]; 3];
    let regions = regions(&mut bufs);
    Region::release_all(&regions, Counting::<true> { refuse: 0 }).unwrap();
    Region::acquire_all(regions, Counting::<true> { refuse: 0 });
    assert_eq!(counts(), (1, 1));
    // No region, no fence.
    Region::release_all(&[], Counting::<true> { refuse: 0 }).unwrap();
    Region::acquire_all([], Counting::<true> { refuse: 0 });
    assert_eq!(counts(), (0, 0));
}

#[test]
fn any_other_fence_is_called_for_each_region() {
    let mut bufs = [[0u8; 4]; 3];
    let regions = regions(&mut bufs);
    Region::release_all(&regions, Counting::<false> { refuse: 0 }).unwrap();
    Region::acquire_all(regions, Counting::<false> { refuse: 0 });
    assert_eq!(counts(), (3, 3));
}

#[test]
fn a_refusal_leaves_no_region_released() {
    let mut bufs = [[0u8; 4]; 3];
    let regions = regions(&mut bufs);
    // The third region refused: the two released before are acquired back.
    let refused = Region::release_all(&regions, Counting::<false> { refuse: 3 });
    assert_eq!(
        (refused, counts()),
        (Err(FenceError::NotCacheLineAligned { address: 0, bytes: 4 }), (2, 2))
    );
    // A covering fence that refuses has released nothing.
    let refused = Region::release_all(&regions, Counting::<true> { refuse: 1 });
    assert_eq!(
        (refused, counts()),
        (Err(FenceError::NotCacheLineAligned { address: 0, bytes: 4 }), (0, 0))
    );
}
