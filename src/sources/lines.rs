//! Byte offsets to 1-based lines and columns, and line text for code frames.

use crate::syntax::Span;

const BOM: &str = "\u{feff}";

/// Where each line of a file starts, for turning byte offsets into
/// `line:col` positions.
///
/// Lines end at `\n`; a `\r` right before it belongs to the terminator,
/// so CRLF files number their lines like LF files. A lone `\r` is not a
/// line break. A byte-order mark at the start of the file is not counted
/// as a column.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    src: &'a str,
    /// Byte offset of the first byte of each line (line 1 starts at 0).
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Index the lines of `src`.
    pub fn new(src: &'a str) -> Self {
        LineIndex { src, starts: crate::syntax::line_starts(src) }
    }

    /// The number of lines (a final line break opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line holding byte `offset` (offsets past the end count
    /// as the end of the file).
    pub fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        self.starts.partition_point(|&s| s <= offset)
    }

    /// 1-based line and column of byte `offset`, the column counted in
    /// characters. An offset inside a multi-byte character or inside a CRLF
    /// terminator counts as the character it falls in.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.content_start(line);
        let offset = offset.min(self.src.len()).max(start);
        let col = self.src.get(start..).map_or(0, |rest| rest.char_indices().take_while(|&(i, _)| start + i < offset).count());
        (line, col + 1)
    }

    /// 1-based line and column of byte `offset`, the column counted in
    /// UTF-16 code units (what LSP and SARIF's default `columnKind` expect).
    pub fn line_col_utf16(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.content_start(line);
        let offset = offset.min(self.src.len()).max(start);
        let col: usize = self
            .src
            .get(start..)
            .map_or(0, |rest| rest.char_indices().take_while(|&(i, _)| start + i < offset).map(|(_, c)| c.len_utf16()).sum());
        (line, col + 1)
    }

    /// The byte span of line `line` (1-based) without its terminator, or
    /// `None` when the file has no such line.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = self.content_start(line);
        if line == 0 || line > self.starts.len() {
            return None;
        }
        let mut end = self.starts.get(line).map_or(self.src.len(), |&next| next - 1);
        if end > start && self.src.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(Span::new(start, end.max(start)))
    }

    /// The text of line `line` (1-based) without its terminator; empty for
    /// a line the file does not have.
    pub fn line_text(&self, line: usize) -> &'a str {
        self.line_span(line).map_or("", |s| s.text(self.src))
    }

    /// First byte of a line's content (after the BOM on line 1).
    fn content_start(&self, line: usize) -> usize {
        let start = line.checked_sub(1).and_then(|i| self.starts.get(i)).copied().unwrap_or(self.src.len());
        if start == 0 && self.src.starts_with(BOM) { BOM.len() } else { start }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let src = "\u{feff}a=1\r\nbé=2\n\nlast";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (1, 1));
        assert_eq!(idx.line_col(5), (1, 3));
        assert_eq!(idx.line_col(6), (1, 4)); // the '\r'
        assert_eq!(idx.line_col(8), (2, 1));
        assert_eq!(idx.line_col(11), (2, 3)); // after 'é' (two bytes)
        assert_eq!(idx.line_text(1), "a=1");
        assert_eq!(idx.line_text(2), "bé=2");
        assert_eq!(idx.line_text(3), "");
        assert_eq!(idx.line_text(4), "last");
        assert_eq!(idx.line_text(5), "");
        assert_eq!(idx.line_col(src.len()), (4, 5));
        assert_eq!(idx.line_col(usize::MAX), (4, 5));
        assert_eq!(LineIndex::new("😀x").line_col_utf16(4), (1, 3));
    }
}
