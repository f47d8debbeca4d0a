//! The simulator against the datasheet, driven through raw register accesses.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;
use dma_mmio::Reg;

fn at(base: *mut u32, offset: usize) -> Reg {
    // SAFETY: `base` is a block the simulator mapped (alive for the test),
    // `offset` inside it.
    let block = unsafe { Reg::from_ptr(base) };
    // SAFETY: as above.
    unsafe { block.offset(offset) }
}

fn reg(sim: &Rp2040Sim, offset: usize) -> Reg {
    at(sim.base(), offset)
}

/// CTRL for channel `n`: EN, word size `size`, both increments, no chain,
/// permanent request.
fn ctrl(n: u32, size: u32) -> u32 {
    EN | (size << 2) | INCR_READ | INCR_WRITE | (n << 11) | (TREQ_PERMANENT << 15)
}

#[test]
fn copies_and_counts_down_live() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u32] = Box::leak(vec![1u32, 2, 3].into_boxed_slice());
    let dst: &'static mut [u32] = Box::leak(vec![0u32; 3].into_boxed_slice());
    let dst_ptr = dst.as_mut_ptr();
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst_ptr);
    reg(&sim, TRANS_COUNT).write(3);
    assert_eq!(sim.register(DBG_TCR), 3, "DBG_TCR reads the reload value");
    reg(&sim, CTRL_TRIG).write(ctrl(0, 2));
    assert!(reg(&sim, CTRL_TRIG).read() & BUSY != 0);
    assert!(sim.step()); // read of item 0
    assert_eq!(reg(&sim, TRANS_COUNT).read(), 3, "drops when a write completes");
    assert_eq!(reg(&sim, FIFO_LEVELS).read() & 0xFF, 1);
    assert!(sim.step()); // write of item 0
    assert_eq!(reg(&sim, TRANS_COUNT).read(), 2);
    sim.run(100);
    assert_eq!(reg(&sim, CTRL_TRIG).read() & BUSY, 0);
    assert_eq!(reg(&sim, INTR).read(), 1, "completion raises INTR");
    reg(&sim, INTE0).write(1);
    assert_eq!(reg(&sim, INTS0).read(), 1);
    reg(&sim, INTS0).write(1); // W1C
    assert_eq!(reg(&sim, INTR).read(), 0);
    // SAFETY: the channel has finished; the leaked buffer is ours.
    assert_eq!(unsafe { core::slice::from_raw_parts(dst_ptr, 3) }, &[1, 2, 3]);
}

#[test]
fn abort_clears_busy_and_e13_lets_the_pending_write_land() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u8] = Box::leak(vec![7u8; 8].into_boxed_slice());
    let dst: &'static mut [u8] = Box::leak(vec![0u8; 8].into_boxed_slice());
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, AL1_CTRL).write(ctrl(0, 0));
    reg(&sim, AL1_TRANS_COUNT_TRIG).write(8); // a trigger
    assert!(sim.step()); // a read: its write is pending
    reg(&sim, CHAN_ABORT).write(1);
    assert_eq!(reg(&sim, CHAN_ABORT).read(), 1, "reads 1 until the abort completes");
    assert!(sim.step());
    // `register` is the test's view: no CPU access, no bus time passes.
    assert_eq!(sim.register(CHAN_ABORT), 0);
    assert_eq!(sim.register(CTRL_TRIG) & BUSY, 0, "abort clears BUSY");
    assert_eq!(sim.register(TRANS_COUNT), 0, "abort clears the count");
    assert!(sim.in_flight(0), "E13: the write is still pending");
    let before = sim.dma_writes();
    sim.step();
    assert_eq!(sim.dma_writes(), before + 1, "E13: it lands after the abort");
    assert_eq!(reg(&sim, INTR).read(), 1, "E13: spurious completion flag");
    assert_eq!(reg(&sim, FIFO_LEVELS).read(), 0);
}

#[test]
fn in_flight_transfers_complete_within_the_latency() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u8] = Box::leak(vec![7u8; 8].into_boxed_slice());
    let dst: &'static mut [u8] = Box::leak(vec![0u8; 8].into_boxed_slice());
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, TRANS_COUNT).write(8);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0));
    sim.step();
    reg(&sim, CHAN_ABORT).write(1);
    assert!(sim.in_flight(0) && sim.register(CHAN_ABORT) == 1);
    for _ in 0..LATENCY {
        let _ = reg(&sim, FIFO_LEVELS).read();
    }
    assert!(!sim.in_flight(0) && sim.register(CHAN_ABORT) == 0);
}

#[test]
fn pausing_issues_nothing_and_keeps_busy() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u8] = Box::leak(vec![7u8; 8].into_boxed_slice());
    let dst: &'static mut [u8] = Box::leak(vec![0u8; 8].into_boxed_slice());
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, TRANS_COUNT).write(8);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0));
    sim.step();
    reg(&sim, AL1_CTRL).write(ctrl(0, 0) & !EN);
    sim.run(100);
    assert_eq!(sim.dma_writes(), 1, "the in-flight write completes, nothing more");
    assert_ne!(reg(&sim, CTRL_TRIG).read() & BUSY, 0);
    assert_eq!(reg(&sim, TRANS_COUNT).read(), 7);
}

#[test]
fn bus_errors_halt_and_flag() {
    let sim = Rp2040Sim::new(Recorder::new());
    sim.fail_after(3, 1, Side::Write);
    let src: &'static [u16] = Box::leak(vec![7u16; 4].into_boxed_slice());
    let dst: &'static mut [u16] = Box::leak(vec![0u16; 4].into_boxed_slice());
    let ch = 3 * 0x40;
    reg(&sim, ch + READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, ch + WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, ch + TRANS_COUNT).write(4);
    reg(&sim, ch + CTRL_TRIG).write(ctrl(3, 1));
    sim.run(100);
    let c = reg(&sim, ch + CTRL_TRIG).read();
    assert_eq!(c & (WRITE_ERROR | AHB_ERROR | BUSY), WRITE_ERROR | AHB_ERROR | BUSY);
    assert_eq!(reg(&sim, ch + TRANS_COUNT).read(), 3);
    assert_eq!(reg(&sim, INTR).read(), 1 << 3);
    reg(&sim, ch + AL1_CTRL).write(WRITE_ERROR | (3 << 11)); // W1C
    assert_eq!(reg(&sim, ch + CTRL_TRIG).read() & AHB_ERROR, 0);
    // A plain-number address is an error too.
    reg(&sim, READ_ADDR).write(0x2000_0000);
    reg(&sim, WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, TRANS_COUNT).write(1);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0));
    sim.run(10);
    assert_ne!(reg(&sim, CTRL_TRIG).read() & READ_ERROR, 0);
}

#[test]
fn paced_by_the_uart_and_spi_fifos() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u8] =
        Box::leak(b"hello, rp2040 dma: 40 bytes of uart text".to_vec().into_boxed_slice());
    let uart = |o| at(sim.uart_base(0), o);
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(uart(UARTDR).addr() as *const u8);
    reg(&sim, TRANS_COUNT).write(40);
    let treq = DREQ_UART0_TX;
    reg(&sim, CTRL_TRIG).write(EN | INCR_READ | (treq << 15));
    sim.run(1000);
    assert!(sim.uart_sent(0).is_empty(), "no DREQ without UARTDMACR.TXDMAE");
    uart(UARTDMACR).write(2);
    sim.run(1000);
    assert_eq!(sim.uart_sent(0), src);
    // SPI: TX FIFO 8 deep; RX receives what was fed.
    let spi = |o| at(sim.spi_base(1), o);
    sim.feed_spi(1, &[0xA1, 0xA2]);
    spi(SSPDR).write(5);
    spi(SSPDR).write(6);
    sim.run(10);
    assert_eq!(sim.spi_sent(1), vec![5, 6]);
    assert_ne!(spi(SSPSR).read() & 4, 0, "RNE");
    assert_eq!((spi(SSPDR).read(), spi(SSPDR).read()), (0xA1, 0xA2));
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "§2.5.5.3")]
fn restarting_before_the_abort_completed_is_flagged() {
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u8] = Box::leak(vec![7u8; 8].into_boxed_slice());
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(src.as_ptr());
    reg(&sim, TRANS_COUNT).write(8);
    reg(&sim, AL1_CTRL).write(ctrl(0, 0) & !INCR_WRITE);
    reg(&sim, CHAN_ABORT).write(1);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0) & !INCR_WRITE);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "DATA_SIZE 3")]
fn data_size_3_is_flagged() {
    let sim = Rp2040Sim::new(Recorder::new());
    reg(&sim, AL1_CTRL).write(3 << 2);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "Table 120")]
fn an_unassigned_treq_is_flagged() {
    let sim = Rp2040Sim::new(Recorder::new());
    reg(&sim, AL1_CTRL).write(45 << 15);
}

#[test]
fn the_irq_lines_follow_ints() {
    use std::sync::atomic::AtomicUsize;
    let sim = Rp2040Sim::new(Recorder::new());
    let calls = [Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0))];
    for (line, count) in calls.iter().enumerate() {
        let count = Arc::clone(count);
        sim.on_interrupt(line, move || {
            count.fetch_add(1, Ordering::SeqCst);
        });
    }
    let seen = |line: usize| calls[line].load(Ordering::SeqCst);
    let src: &'static [u8] = Box::leak(vec![1u8].into_boxed_slice());
    let dst: &'static mut [u8] = Box::leak(vec![0u8].into_boxed_slice());
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst.as_mut_ptr());
    reg(&sim, TRANS_COUNT).write(1);
    // Channel 0 enabled on line 1 only, through the set alias (§2.1.2).
    reg(&sim, ALIAS_SET + INTE1).write(1);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0));
    sim.run(10);
    assert_eq!(sim.register(INTR), 1, "the end of the sequence raised INTR");
    assert_eq!((seen(0), seen(1)), (0, 1), "line 1 rose, line 0 is masked");
    assert_eq!(sim.interrupts_left_pending(1), 1, "the handler masked nothing");
    // Level: enabling the pending flag on line 0 raises it at once.
    reg(&sim, ALIAS_SET + INTE0).write(1);
    assert_eq!(seen(0), 1);
    // The clear alias masks one bit and leaves the others.
    reg(&sim, ALIAS_SET + INTE0).write(1 << 5);
    reg(&sim, ALIAS_CLR + INTE0).write(1);
    assert_eq!((sim.register(INTE0), sim.register(INTS0)), (1 << 5, 0));
    assert_eq!(sim.register(INTR), 1, "masking leaves INTR");
    // INTS is write-1-to-clear on INTR itself (§2.5.7): both lines lose it.
    reg(&sim, INTS1).write(1);
    assert_eq!((sim.register(INTR), sim.register(INTS1)), (0, 0));
    // An alias of a register the model does not decode is a violation.
    reg(&sim, ALIAS_XOR + CHAN_ABORT).write(1);
    assert_eq!(sim.violations().len(), 1, "{:?}", sim.violations());
}

/// §2.5.7 CTRL `RING_SIZE` / `RING_SEL`: with `RING_SEL` set only the low
/// `RING_SIZE` bits of the write address change (a naturally aligned
/// 8-byte ring here), the read address increments on; the count is not
/// affected by the wrap.
#[test]
fn a_write_ring_wraps_on_its_boundary() {
    #[repr(align(8))]
    struct Ring([u16; 4]);
    let sim = Rp2040Sim::new(Recorder::new());
    let src: &'static [u16] = Box::leak((1..=10u16).collect::<Vec<_>>().into_boxed_slice());
    let ring: &'static mut Ring = Box::leak(Box::new(Ring([0; 4])));
    let ring_ptr = ring.0.as_mut_ptr();
    reg(&sim, READ_ADDR).write_ptr(src.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(ring_ptr);
    reg(&sim, TRANS_COUNT).write(10);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 1) | (3 << 6) | RING_SEL);
    sim.run(1000);
    assert_eq!(reg(&sim, CTRL_TRIG).read() & BUSY, 0);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    // SAFETY: the channel has finished; the leaked ring is ours.
    assert_eq!(unsafe { core::slice::from_raw_parts(ring_ptr, 4) }, &[9, 10, 7, 8]);
    let start = low32(ring_ptr.cast());
    assert_eq!(reg(&sim, WRITE_ADDR).read(), start.wrapping_add(4), "wrapped twice, then 2 more");
    assert_eq!(reg(&sim, READ_ADDR).read(), low32(src.as_ptr().cast_mut().cast()) + 20);
}

/// `RING_SEL` clear: the read side wraps (a 4-byte pattern repeated).
#[test]
fn a_read_ring_repeats_its_pattern() {
    #[repr(align(4))]
    struct Pattern([u8; 4]);
    let sim = Rp2040Sim::new(Recorder::new());
    let pattern: &'static Pattern = Box::leak(Box::new(Pattern([1, 2, 3, 4])));
    let dst: &'static mut [u8] = Box::leak(vec![0u8; 10].into_boxed_slice());
    let dst_ptr = dst.as_mut_ptr();
    reg(&sim, READ_ADDR).write_ptr(pattern.0.as_ptr());
    reg(&sim, WRITE_ADDR).write_ptr(dst_ptr);
    reg(&sim, TRANS_COUNT).write(10);
    reg(&sim, CTRL_TRIG).write(ctrl(0, 0) | (2 << 6));
    sim.run(1000);
    // SAFETY: the channel has finished; the leaked buffer is ours.
    let copied = unsafe { core::slice::from_raw_parts(dst_ptr, 10) };
    assert_eq!(copied, &[1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
}
