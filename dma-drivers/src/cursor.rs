//! Appending formatted text to a fixed byte buffer, all or nothing.

use core::fmt;

/// Writes into `buffer` after `len` bytes; fails (without writing) when a
/// fragment does not fit.
pub(crate) struct Cursor<'a> {
    pub(crate) buffer: &'a mut [u8],
    pub(crate) len: usize,
}

impl fmt::Write for Cursor<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len.checked_add(text.len()).ok_or(fmt::Error)?;
        let destination = self.buffer.get_mut(self.len..end).ok_or(fmt::Error)?;
        destination.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends `args` to `buffer[..*len]` as one unit: on overflow `*len` is
/// left as it was (the partial text beyond it is garbage no one sends).
pub(crate) fn append(buffer: &mut [u8], len: &mut usize, args: fmt::Arguments<'_>) -> bool {
    let mut cursor = Cursor { buffer, len: *len };
    if fmt::write(&mut cursor, args).is_ok() {
        *len = cursor.len;
        true
    } else {
        false
    }
}
