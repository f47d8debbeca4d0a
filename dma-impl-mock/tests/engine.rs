//! The software DMA engine on its own: directions, address modes, circular
//! mode, faults, both execution modes, and what it records.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use dma_impl_mock::bounded::spin_until;
use dma_impl_mock::engine::{Descriptor, EngineError, Fault, MockDma, Mode, Side, Status};
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::Wire;
use dma_traits::WordWidth;

fn dma_events(log: &Recorder) -> Vec<Event> {
    log.events().into_iter().filter(|e| !matches!(e, Event::Note(_))).collect()
}

#[test]
fn stepped_mem_to_mem_moves_one_word_per_step_and_logs_each_access() {
    let log = Recorder::new();
    let dma = MockDma::stepped(log.clone());
    let channel = dma.channel();
    let source = [0x1111_2222_u32, 0x3333_4444, 0x5555_6666];
    let mut destination = [0u32; 3];
    let (src, dst) = (source.as_ptr() as usize, destination.as_ptr() as usize);
    let descriptor = Descriptor::mem_to_mem(
        source.as_ptr().cast(),
        destination.as_mut_ptr().cast(),
        WordWidth::Bits32,
        3,
    );
    // SAFETY: both arrays outlive the transfer, which is stopped before they are read.
    unsafe { channel.start(descriptor) }.unwrap();
    assert_eq!(channel.status(), Status::Running);
    assert_eq!(dma.step(1), 1);
    assert_eq!(channel.moved(), 1);
    assert_eq!(dma.step(10), 2, "only two words were left");
    assert_eq!(channel.status(), Status::Complete);
    assert_eq!(channel.stop(), Status::Complete);
    assert_eq!(destination, source);
    let expected: Vec<Event> = (0..3)
        .flat_map(|i| {
            [
                Event::DmaRead { addr: src + 4 * i, bytes: 4 },
                Event::DmaWrite { addr: dst + 4 * i, bytes: 4 },
            ]
        })
        .chain([Event::Stopped])
        .collect();
    assert_eq!(dma_events(&log), expected);
}

#[test]
fn fixed_source_address_fills_like_a_memset() {
    let dma = MockDma::stepped(Recorder::new());
    let channel = dma.channel();
    let value = 0xabu8;
    let mut destination = [0u8; 5];
    let descriptor = Descriptor {
        source: Side::memory(core::ptr::addr_of!(value).cast_mut(), false),
        destination: Side::memory(destination.as_mut_ptr(), true),
        width: WordWidth::Bits8,
        count: 5,
        circular: false,
    };
    // SAFETY: both locals outlive the transfer, stopped before they are read.
    unsafe { channel.start(descriptor) }.unwrap();
    dma.step(5);
    assert_eq!(channel.stop(), Status::Complete);
    assert_eq!(destination, [0xab; 5]);
}

#[test]
fn fixed_destination_address_keeps_the_last_word() {
    let log = Recorder::new();
    let dma = MockDma::stepped(log.clone());
    let channel = dma.channel();
    let source = [1u16, 2, 3, 4];
    let mut register = 0u16;
    let descriptor = Descriptor {
        source: Side::memory(source.as_ptr().cast_mut().cast(), true),
        destination: Side::memory(core::ptr::addr_of_mut!(register).cast(), false),
        width: WordWidth::Bits16,
        count: 4,
        circular: false,
    };
    // SAFETY: both locals outlive the transfer, stopped before they are read.
    unsafe { channel.start(descriptor) }.unwrap();
    dma.step(4);
    assert_eq!(channel.stop(), Status::Complete);
    assert_eq!(register, 4);
    let writes: Vec<usize> = log
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::DmaWrite { addr, .. } => Some(*addr),
            _ => None,
        })
        .collect();
    assert_eq!(writes, vec![core::ptr::addr_of!(register) as usize; 4]);
}

#[test]
fn port_to_mem_waits_for_data_and_mem_to_port_sends_in_order() {
    let dma = MockDma::stepped(Recorder::new());
    let rx = dma.channel();
    let wire = Wire::default();
    let mut buffer = [0u64; 3];
    let descriptor =
        Descriptor::port_to_mem(wire.clone(), buffer.as_mut_ptr().cast(), WordWidth::Bits64, 3);
    // SAFETY: `buffer` outlives the transfer, stopped before it is read.
    unsafe { rx.start(descriptor) }.unwrap();
    assert_eq!(dma.step(5), 0, "nothing to receive yet");
    wire.deliver(&[u64::MAX, 7]);
    assert_eq!(dma.step(5), 2);
    assert_eq!(rx.status(), Status::Running, "still one word short");
    wire.deliver(&[9u64]);
    dma.step(1);
    assert_eq!(rx.stop(), Status::Complete);
    assert_eq!(buffer, [u64::MAX, 7, 9]);

    let tx = dma.channel();
    let message = *b"ok";
    let descriptor = Descriptor::mem_to_port(message.as_ptr(), wire.clone(), WordWidth::Bits8, 2);
    // SAFETY: `message` outlives the transfer.
    unsafe { tx.start(descriptor) }.unwrap();
    dma.step(2);
    assert_eq!(tx.stop(), Status::Complete);
    assert_eq!(wire.take_sent::<u8>(), b"ok");
}

#[test]
fn circular_mode_raises_half_and_full_events_until_stopped() {
    let dma = MockDma::stepped(Recorder::new());
    let channel = dma.channel();
    let wire = Wire::default();
    wire.deliver(&(1..=10u8).collect::<Vec<_>>());
    let mut ring = [0u8; 4];
    let descriptor =
        Descriptor::port_to_mem(wire.clone(), ring.as_mut_ptr(), WordWidth::Bits8, 4).circular();
    // SAFETY: `ring` outlives the transfer, stopped before it is read.
    unsafe { channel.start(descriptor) }.unwrap();
    dma.step(2);
    assert_eq!((channel.half_events(), channel.full_events()), (1, 0));
    dma.step(2);
    assert_eq!((channel.half_events(), channel.full_events()), (1, 1));
    dma.step(6);
    assert_eq!((channel.half_events(), channel.full_events()), (3, 2));
    assert_eq!(channel.status(), Status::Running, "circular never completes");
    assert_eq!(channel.stop(), Status::Stopped);
    assert_eq!(ring, [9, 10, 7, 8]);
    assert_eq!(channel.moved(), 10);
}

#[test]
fn injected_error_stops_after_exactly_n_words() {
    let dma = MockDma::stepped(Recorder::new());
    let channel = dma.channel();
    let source = [1u8, 2, 3, 4, 5];
    let mut destination = [0u8; 5];
    dma.inject(Fault::ErrorAfter(2));
    let descriptor =
        Descriptor::mem_to_mem(source.as_ptr(), destination.as_mut_ptr(), WordWidth::Bits8, 5);
    // SAFETY: both arrays outlive the transfer.
    unsafe { channel.start(descriptor) }.unwrap();
    dma.step(10);
    assert_eq!(channel.status(), Status::Failed);
    assert_eq!(channel.moved(), 2);
    assert_eq!(channel.stop(), Status::Failed);
    assert_eq!(destination, [1, 2, 0, 0, 0]);
}

#[test]
fn the_fault_applies_to_one_transfer_only() {
    let dma = MockDma::stepped(Recorder::new());
    let channel = dma.channel();
    let source = [1u8; 3];
    let mut destination = [0u8; 3];
    dma.fail_next_after(0);
    for expected in [Status::Failed, Status::Complete] {
        let descriptor =
            Descriptor::mem_to_mem(source.as_ptr(), destination.as_mut_ptr(), WordWidth::Bits8, 3);
        // SAFETY: both arrays outlive the transfer.
        unsafe { channel.start(descriptor) }.unwrap();
        dma.step(3);
        assert_eq!(channel.stop(), expected);
    }
}

#[test]
fn threaded_stall_never_completes_and_stop_ends_it() {
    let log = Recorder::new();
    let dma = MockDma::threaded(log.clone());
    let channel = dma.channel();
    let source = [5u16; 6];
    let mut destination = [0u16; 6];
    dma.stall_next_after(3);
    let descriptor = Descriptor::mem_to_mem(
        source.as_ptr().cast(),
        destination.as_mut_ptr().cast(),
        WordWidth::Bits16,
        6,
    );
    // SAFETY: both arrays outlive the transfer, stopped before they are read.
    unsafe { channel.start(descriptor) }.unwrap();
    spin_until("3 words moved", || channel.moved() >= 3);
    std::thread::sleep(Duration::from_millis(1));
    assert_eq!(channel.status(), Status::Running);
    assert_eq!(channel.stop(), Status::Stopped);
    assert_eq!(destination, [5, 5, 5, 0, 0, 0]);
    assert_eq!(log.events().last(), Some(&Event::Stopped));
}

#[test]
fn threaded_slow_completion_raises_the_flag_late() {
    let dma = MockDma::threaded(Recorder::new());
    let channel = dma.channel();
    let source = [1u8, 2];
    let mut destination = [0u8; 2];
    dma.inject(Fault::SlowCompletion(Duration::from_millis(20)));
    let descriptor =
        Descriptor::mem_to_mem(source.as_ptr(), destination.as_mut_ptr(), WordWidth::Bits8, 2);
    let started = std::time::Instant::now();
    // SAFETY: both arrays outlive the transfer, read only after it ended.
    unsafe { channel.start(descriptor) }.unwrap();
    spin_until("the channel to finish", || channel.is_done());
    assert!(started.elapsed() >= Duration::from_millis(20));
    assert_eq!(channel.stop(), Status::Complete);
    assert_eq!(destination, [1, 2]);
}

#[test]
fn threaded_word_delay_paces_the_transfer() {
    let delay = Duration::from_millis(2);
    let dma = MockDma::new(Mode::Threaded { word_delay: delay }, Recorder::new());
    let channel = dma.channel();
    let source = [3u32; 4];
    let mut destination = [0u32; 4];
    let descriptor = Descriptor::mem_to_mem(
        source.as_ptr().cast(),
        destination.as_mut_ptr().cast(),
        WordWidth::Bits32,
        4,
    );
    let started = std::time::Instant::now();
    // SAFETY: both arrays outlive the transfer, read only after it ended.
    unsafe { channel.start(descriptor) }.unwrap();
    spin_until("the channel to finish", || channel.is_done());
    assert!(started.elapsed() >= delay * 3, "four words, at least three pauses");
    assert_eq!(channel.stop(), Status::Complete);
    assert_eq!(destination, source);
}

#[test]
fn busy_and_empty_descriptors_are_refused() {
    let dma = MockDma::stepped(Recorder::new());
    let channel = dma.channel();
    let source = [0u8; 2];
    let mut destination = [0u8; 2];
    let empty =
        Descriptor::mem_to_mem(source.as_ptr(), destination.as_mut_ptr(), WordWidth::Bits8, 0);
    // SAFETY: nothing is started.
    assert_eq!(unsafe { channel.start(empty) }, Err(EngineError::ZeroLength));
    assert_eq!(channel.status(), Status::Idle);
    assert_eq!(channel.stop(), Status::Idle);
    let descriptor =
        Descriptor::mem_to_mem(source.as_ptr(), destination.as_mut_ptr(), WordWidth::Bits8, 2);
    // SAFETY: both arrays outlive the transfer.
    unsafe { channel.start(descriptor.clone()) }.unwrap();
    // SAFETY: refused, so nothing more runs.
    assert_eq!(unsafe { channel.start(descriptor) }, Err(EngineError::Busy));
    assert_eq!(channel.stop(), Status::Stopped);
    assert_eq!(channel.moved(), 0);
}

#[test]
fn step_does_nothing_in_threaded_mode() {
    let dma = MockDma::threaded(Recorder::new());
    assert_eq!(dma.step(3), 0);
}
