//! Positions in text: 1-based line and column (in characters) of a byte
//! offset, for config and manifest errors.

/// 1-based line and column of a byte offset (the column counts characters).
/// One lookup reads the text up to `offset`; for many, build a [`Lines`].
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    Lines::new(text).line_col(offset)
}

/// Line and column lookups in one text, each in O(log lines) plus at most
/// [`Lines::STRIDE`] bytes, so that positioning every match or value of a
/// large file stays linear in its size.
pub struct Lines<'a> {
    text: &'a [u8],
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Characters before each multiple of `STRIDE` bytes.
    chars: Vec<usize>,
}

impl<'a> Lines<'a> {
    const STRIDE: usize = 256;

    pub fn new(text: &'a str) -> Lines<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(line_ends(bytes));
        let mut chars = Vec::with_capacity(bytes.len() / Self::STRIDE + 1);
        let mut count = 0;
        for chunk in bytes.chunks(Self::STRIDE) {
            chars.push(count);
            count += chunk.iter().filter(|b| is_char_start(**b)).count();
        }
        chars.push(count);
        Lines {
            text: bytes,
            starts,
            chars,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / Self::STRIDE;
        let from = block * Self::STRIDE;
        self.chars[block]
            + self.text[from..offset]
                .iter()
                .filter(|b| is_char_start(**b))
                .count()
    }

    /// 1-based line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.chars_before(offset) - self.chars_before(start) + 1;
        (line, column)
    }
}

/// Offsets just past each `\n`.
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// True for the first byte of a UTF-8 character (not a continuation byte).
fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}
