//! A hook that runs before every CPU access a driver makes to simulated
//! hardware, so a test can let the hardware advance at exactly that point.
//!
//! A register-level simulator in step mode moves only when told. An
//! adversarial test installs a hook with [`interleave`] that steps the
//! simulator 0..=K times, chosen by a schedule, before each register read or
//! write and before each [`crate::load_from_dma`] of DMA memory made by the
//! current thread. Every point at which real hardware could advance relative
//! to the driver is then a point at which the test can make it advance.

extern crate std;

use core::cell::{Cell, RefCell};
use std::boxed::Box;

/// What the CPU is about to do, as the hook sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuAccess {
    /// A register read at this address.
    Read(usize),
    /// A register write at this address.
    Write(usize),
    /// A read of memory a DMA may be writing ([`crate::load_from_dma`]).
    DmaMemory(usize),
}

type Hook = Box<dyn Fn(CpuAccess)>;

std::thread_local! {
    static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// The installed hook; uninstalled (the previous one restored) when dropped.
///
/// Not `Send`: the hook belongs to the thread that installed it.
#[must_use = "the hook is removed when the guard is dropped"]
pub struct Interleaving {
    previous: Option<Hook>,
    _not_send: core::marker::PhantomData<*const ()>,
}

impl core::fmt::Debug for Interleaving {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Interleaving").finish_non_exhaustive()
    }
}

impl Drop for Interleaving {
    fn drop(&mut self) {
        let previous = self.previous.take();
        HOOK.with(|h| *h.borrow_mut() = previous);
    }
}

/// Runs `hook` before every CPU access this thread makes to simulated
/// hardware, until the returned guard is dropped.
///
/// ```
/// use dma_mmio::host::interleave::{interleave, CpuAccess};
/// use std::{cell::Cell, rc::Rc};
///
/// let seen = Rc::new(Cell::new(0));
/// let counter = Rc::clone(&seen);
/// let guard = interleave(move |_: CpuAccess| counter.set(counter.get() + 1));
/// let word = core::sync::atomic::AtomicU32::new(0);
/// // SAFETY: `word` is a live, aligned location accessed only atomically.
/// let reg = unsafe { dma_mmio::Reg::from_ptr(word.as_ptr()) };
/// reg.modify(|v| v + 1); // one read, one write
/// drop(guard);
/// reg.write(0);
/// assert_eq!(seen.get(), 2);
/// ```
pub fn interleave(hook: impl Fn(CpuAccess) + 'static) -> Interleaving {
    let previous = HOOK.with(|h| h.borrow_mut().replace(Box::new(hook)));
    Interleaving { previous, _not_send: core::marker::PhantomData }
}

/// Runs this thread's hook, if any, for `access`. A hook whose own work makes
/// CPU accesses does not re-enter itself.
pub fn notify(access: CpuAccess) {
    if RUNNING.with(|r| r.replace(true)) {
        return;
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RUNNING.with(|r| r.set(false));
        }
    }
    let _reset = Reset;
    HOOK.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook(access);
        }
    });
}
