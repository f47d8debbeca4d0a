//! Outside soundness review, finding 1 (fixed): the PL08x `Interrupt` token
//! against the LLI-ring stream (`RingStream`).
//!
//! The stream detects "the DMA went round more than once" from the channel's
//! raw terminal count (one `I` bit moved round the ring, module docs of
//! `dma_impl_pl08x::stream`). `Interrupt::on_interrupt` *clears* that
//! terminal count (`DMACIntTCClear`) once it has read the masked status set
//! and `E` at 0. Its read and its write are separate accesses, so a token
//! that read the status of the channel's previous transfer (a one-shot copy,
//! `ITC` set) and writes the clear after the owner ended that transfer and
//! started a stream erases the stream's lap evidence. The stream then takes
//! a half the DMA has overwritten a lap later for the half due and hands it
//! out as data, with no `Overrun`: `DmaReadStream`'s contract ("never hands
//! out a copy the DMA may have overwritten") is broken from safe code.
//!
//! The token runs on a thread of its own (it is `Copy + Send + Sync` and
//! documented for any context); the `interleave` hook is used only as a
//! breakpoint that holds that thread just before its clear while the test's
//! thread (the channel's owner) goes on.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::mpsc;

use common::{leak, pool};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Dmac, PacedSource, Pl081, StreamRx};
use dma_mmio::host::interleave::{interleave, CpuAccess};
use dma_traits::future::DmaWaker;
use dma_traits::{DmaCopy, DmaReadStream, Error as _, ErrorKind, ReadStream, Transfer};

/// The simulated peripheral's request line.
const LINE: u8 = 5;
/// `DMACIntTCClear`.
const INT_TC_CLEAR: usize = 0x008;

/// Half 0 is due; the DMA has since run segments 0..=4 (one whole lap of the
/// ring plus one half: half 0 now holds words 17..=20) and is in segment 5.
fn lap_the_stream(sim: &Pl08xSim) {
    let words: Vec<u32> = (1..=22).collect();
    sim.feed(u32::from(LINE), &words);
    sim.run(100_000);
    assert_eq!(sim.pending(u32::from(LINE)), 0);
}

fn stream_rx(sim: &Pl08xSim, channel: dma_impl_pl08x::Channel<2>) -> StreamRx<2> {
    let channel = channel.with_lli_pool(pool(4));
    // SAFETY: the simulator's paced data register on `LINE`, valid while the
    // simulator lives (it outlives every value made here).
    let source = unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
    StreamRx::new(channel, source)
}

/// Control: without the token, a stream a lap behind reports an overrun
/// (catches a stream that ignored the terminal count, or a terminal count
/// the driver clears itself before looking).
#[test]
fn a_stream_a_lap_behind_reports_an_overrun() {
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller (declared first).
    let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    let channel = dmac.channel(0).unwrap();
    let mut stream = stream_rx(&sim, channel).read_stream(leak(&[0u32; 8])).ok().unwrap();
    lap_the_stream(&sim);
    let mut half = [0u32; 4];
    let got = stream.read_half(&mut half);
    assert_eq!(got.map_err(|e| e.kind()), Err(ErrorKind::Overrun), "data: {half:?}");
    drop(stream.stop());
}

/// Finding 1, fixed: the token's check and clear are one critical section,
/// and the owner's enabling write takes it too (on the host), so the
/// owner's stream start waits for the held token; the clear then lands
/// before the stream runs and its lap evidence stays. Without the fix the
/// owner starts and laps the stream while the token is held, and the clear
/// that lands after it erases the evidence (the test fails with the next
/// lap's data). The resumer lets the token go once the owner has lapped the
/// stream, or after a timeout when the owner is (rightly) blocked.
#[test]
fn a_stale_terminal_count_clear_hands_out_a_half_from_the_next_lap() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller (declared first).
    let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    let channel = dmac.channel(0).unwrap();
    let irq = channel.interrupt();

    // A one-shot copy on channel 0 ends: raw terminal count 1 with `ITC`
    // set (so the masked status is 1), `E` 0. The vector's handler is not
    // wired to the simulator: the token is called by a thread of its own.
    let from: &'static [u32] = &[1, 2, 3];
    let copy = channel.copy(from, vec![0u32; 3]).ok().unwrap();
    sim.run(100);
    assert!(copy.is_done());

    // The token's thread: it reads the status (set) and `E` (0), and is
    // held just before its write to `DMACIntTCClear`.
    let clear_at = sim.base() as usize + INT_TC_CLEAR;
    let (paused, is_paused) = mpsc::channel();
    let (resume, resumed) = mpsc::channel::<()>();
    let token = std::thread::spawn(move || {
        let _breakpoint = interleave(move |access| {
            if access == CpuAccess::Write(clear_at) {
                paused.send(()).unwrap();
                resumed.recv().unwrap();
            }
        });
        irq.on_interrupt(&WAKER);
    });
    is_paused.recv().unwrap();
    let (lapped, has_lapped) = mpsc::channel::<()>();
    let resumer = std::thread::spawn(move || {
        let _ = has_lapped.recv_timeout(std::time::Duration::from_millis(500));
        resume.send(()).unwrap();
    });

    // Meanwhile the owner ends the copy and starts a stream on the channel;
    // the DMA goes one lap and a half round without the CPU looking, which
    // raises the stream's terminal count (its lap evidence).
    let channel = copy.wait().ok().unwrap().resources;
    let mut stream = stream_rx(&sim, channel).read_stream(leak(&[0u32; 8])).ok().unwrap();
    lap_the_stream(&sim);

    // Without the fix the token's write lands now, after the lap.
    let _ = lapped.send(());
    resumer.join().unwrap();
    token.join().unwrap();

    let mut half = [0u32; 4];
    let got = stream.read_half(&mut half);
    // Half 0 was written with 1..=4 and overwritten with 17..=20 a lap
    // later: the stream must say Overrun, or hand out 1..=4.
    let sound = matches!(&got, Err(e) if e.kind() == ErrorKind::Overrun)
        || (got.as_ref().ok() == Some(&Some(4)) && half == [1, 2, 3, 4]);
    drop(stream.stop());
    assert!(sound, "read_half returned {got:?} with data {half:?}: the next lap's, not an overrun");
}
