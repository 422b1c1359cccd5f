//! Piecewise mapping between a decoded string and the file bytes it came from.

use crate::syntax::Span;
use serde::Serialize;

/// How one piece of a decoded string relates to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PieceKind {
    /// The decoded bytes are the file bytes, one for one.
    Verbatim,
    /// An escape or a fold (`\"`, `&amp;`, `''`, a folded YAML line break,
    /// a line continuation …): the piece is replaced as a whole.
    Escape,
    /// Text the application does not read literally, such as `${VAR}`
    /// interpolation: it must not be edited. Usually verbatim; an
    /// interpolation written with escapes inside maps as a whole.
    Opaque,
}

/// One piece: `value` bytes of the decoded string came from `file` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Piece {
    /// Bytes of the decoded string.
    pub value: Span,
    /// Bytes of the file they came from.
    pub file: Span,
    /// How the two relate.
    pub kind: PieceKind,
}

/// A piecewise map from offsets in a decoded string to offsets in the file.
///
/// Pieces are in order and cover the decoded string without gaps. Inside a
/// verbatim or opaque piece every offset maps exactly; an escape maps only
/// at its two ends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SpanMap {
    pieces: Vec<Piece>,
}

impl SpanMap {
    /// The pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Length of the decoded string.
    pub fn value_len(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.value.end)
    }

    /// The file span the whole string came from.
    pub fn file_span(&self) -> Option<Span> {
        Some(Span::new(self.pieces.first()?.file.start, self.pieces.last()?.file.end))
    }

    /// The exact file offset of decoded offset `at`, or `None` when `at`
    /// falls inside an escape (or past the end).
    pub fn to_file(&self, at: usize) -> Option<usize> {
        self.start_at(at)
    }

    /// The smallest file span covering decoded span `value`, widened to
    /// whole escapes.
    pub fn cover(&self, value: Span) -> Option<Span> {
        let (s, e) = self.widen(value);
        Some(Span::new(self.start_at(s)?, self.end_at(e)?))
    }

    /// Decoded spans of the opaque pieces.
    pub fn opaque(&self) -> impl Iterator<Item = Span> + '_ {
        self.pieces.iter().filter(|p| p.kind == PieceKind::Opaque).map(|p| p.value)
    }

    /// Widen `value` outwards to the ends of any escape it cuts into.
    pub(crate) fn widen(&self, value: Span) -> (usize, usize) {
        let (mut s, mut e) = (value.start, value.end);
        for p in &self.pieces {
            if p.kind == PieceKind::Escape {
                if p.value.start < s && s < p.value.end {
                    s = p.value.start;
                }
                if p.value.start < e && e < p.value.end {
                    e = p.value.end;
                }
            }
        }
        (s, e)
    }

    /// File offset where an edit starting at piece boundary (or inside a
    /// verbatim piece) `s` begins.
    pub(crate) fn start_at(&self, s: usize) -> Option<usize> {
        let total = self.value_len();
        if s == total {
            return self.pieces.last().map(|p| p.file.end);
        }
        let p = self.pieces.iter().find(|p| p.value.start <= s && s < p.value.end)?;
        match p.kind {
            PieceKind::Escape if s != p.value.start => None,
            _ => Some(p.file.start + (s - p.value.start)),
        }
    }

    /// File offset where an edit ending at `e` ends.
    pub(crate) fn end_at(&self, e: usize) -> Option<usize> {
        if e == 0 {
            return self.pieces.iter().find(|p| !p.value.is_empty()).or(self.pieces.first()).map(|p| p.file.start);
        }
        let p = self.pieces.iter().find(|p| p.value.start < e && e <= p.value.end)?;
        match p.kind {
            PieceKind::Escape if e != p.value.end => None,
            PieceKind::Escape => Some(p.file.end),
            _ => Some(p.file.start + (e - p.value.start)),
        }
    }

    /// The map of decoded sub-span `value`, rebased so that it starts at 0.
    /// Returns `None` when the span cuts an escape or an opaque piece.
    pub(crate) fn slice(&self, value: Span) -> Option<SpanMap> {
        let mut out = SpanMap::default();
        for p in &self.pieces {
            let s = p.value.start.max(value.start);
            let e = p.value.end.min(value.end);
            let inner_empty = p.value.is_empty() && value.start < p.value.start && p.value.start < value.end;
            if s >= e && !inner_empty {
                continue;
            }
            if p.kind != PieceKind::Verbatim && (s != p.value.start || e != p.value.end) {
                return None;
            }
            let file = Span::new(p.file.start + (s - p.value.start), p.file.start + (e - p.value.start));
            let file = if p.kind == PieceKind::Verbatim { file } else { p.file };
            out.push(file, e - s, p.kind);
        }
        Some(out)
    }

    /// Append a piece of `len` decoded bytes read from `file`.
    pub(crate) fn push(&mut self, file: Span, len: usize, kind: PieceKind) {
        let start = self.value_len();
        if kind == PieceKind::Verbatim
            && let Some(last) = self.pieces.last_mut()
            && last.kind == PieceKind::Verbatim
            && last.file.end == file.start
        {
            last.value.end += len;
            last.file.end = file.end;
            return;
        }
        self.pieces.push(Piece { value: Span::new(start, start + len), file, kind });
    }

    /// Append verbatim text read from `file`.
    pub(crate) fn verbatim(&mut self, file: Span) {
        if !file.is_empty() {
            self.push(file, file.len(), PieceKind::Verbatim);
        }
    }

    /// Append an escape: `file` bytes that decode to `len` bytes.
    pub(crate) fn escape(&mut self, file: Span, len: usize) {
        self.push(file, len, PieceKind::Escape);
    }

    /// Mark decoded span `value` opaque, merging the pieces it covers.
    pub(crate) fn mark_opaque(&mut self, value: Span) {
        let mut out: Vec<Piece> = Vec::with_capacity(self.pieces.len() + 2);
        let mut merged: Option<Piece> = None;
        for p in self.pieces.drain(..) {
            let overlaps = p.value.start < value.end && value.start < p.value.end;
            if !overlaps {
                if let Some(m) = merged.take() {
                    out.push(m);
                }
                out.push(p);
                continue;
            }
            // Split a verbatim piece at the opaque span's edges.
            let mut p = p;
            if p.kind == PieceKind::Verbatim && p.value.start < value.start {
                let cut = value.start - p.value.start;
                out.push(Piece {
                    value: Span::new(p.value.start, value.start),
                    file: Span::new(p.file.start, p.file.start + cut),
                    kind: PieceKind::Verbatim,
                });
                p.value.start = value.start;
                p.file.start += cut;
            }
            let mut tail = None;
            if p.kind == PieceKind::Verbatim && p.value.end > value.end {
                let cut = p.value.end - value.end;
                tail = Some(Piece {
                    value: Span::new(value.end, p.value.end),
                    file: Span::new(p.file.end - cut, p.file.end),
                    kind: PieceKind::Verbatim,
                });
                p.value.end = value.end;
                p.file.end -= cut;
            }
            merged = Some(match merged {
                Some(m) => Piece { value: m.value.cover(p.value), file: m.file.cover(p.file), kind: PieceKind::Opaque },
                None => Piece { kind: PieceKind::Opaque, ..p },
            });
            if let Some(t) = tail {
                if let Some(m) = merged.take() {
                    out.push(m);
                }
                out.push(t);
            }
        }
        if let Some(m) = merged {
            out.push(m);
        }
        self.pieces = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a\"b${X}c` decoded from `"a\"b${X}c"` at file offset 10.
    fn sample() -> SpanMap {
        let mut m = SpanMap::default();
        m.verbatim(Span::new(11, 12)); // a
        m.escape(Span::new(12, 14), 1); // \"
        m.verbatim(Span::new(14, 19)); // b${X}
        m.verbatim(Span::new(19, 20)); // c
        m.mark_opaque(Span::new(3, 7));
        m
    }

    #[test]
    fn maps_and_widens() {
        let m = sample();
        assert_eq!(m.value_len(), 8);
        assert_eq!(m.pieces().len(), 5);
        assert_eq!(m.to_file(0), Some(11));
        assert_eq!(m.to_file(1), Some(12));
        assert_eq!(m.to_file(2), Some(14));
        assert_eq!(m.to_file(5), Some(17));
        assert_eq!(m.to_file(8), Some(20));
        assert_eq!(m.cover(Span::new(1, 2)), Some(Span::new(12, 14)));
        assert_eq!(m.cover(Span::new(0, 3)), Some(Span::new(11, 15)));
        assert_eq!(m.opaque().collect::<Vec<_>>(), vec![Span::new(3, 7)]);
        let s = m.slice(Span::new(2, 8)).unwrap();
        assert_eq!(s.value_len(), 6);
        assert_eq!(s.to_file(0), Some(14));
        assert!(m.slice(Span::new(4, 8)).is_none());
    }
}
