//! Byte searches for the scanners and the report, chosen at compile time.
//!
//! `memchr`'s top-level functions pick AVX2 or SSE2 when first called, and finding
//! out which the processor has takes a handful of `cpuid` instructions, each of
//! which a virtual machine traps (5 µs apiece on the machines dblint is
//! measured on): about 40 µs per process, a tenth of what linting a typical
//! `.env` file costs when dblint starts as a pre-commit hook. The text searched
//! here is short (lines, values, connection strings), where SSE2 — part of every
//! x86-64 processor, so known at compile time — is as fast as AVX2. Elsewhere
//! these are `memchr`'s portable searches, which detect nothing either.
//!
//! dblint's vector searches go through here (none calls `memchr`'s top-level functions);
//! `tests` checks each against a plain loop.

#[cfg(target_arch = "x86_64")]
use memchr::arch::x86_64::sse2::memchr as simd;

/// The first `a` in `hay`.
pub fn find(a: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = simd::One::new(a) {
        return s.find(hay);
    }
    memchr::arch::all::memchr::One::new(a).find(hay)
}

/// The first `a` or `b` in `hay`.
pub fn find2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = simd::Two::new(a, b) {
        return s.find(hay);
    }
    memchr::arch::all::memchr::Two::new(a, b).find(hay)
}

/// The first `a`, `b` or `c` in `hay`.
pub fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = simd::Three::new(a, b, c) {
        return s.find(hay);
    }
    memchr::arch::all::memchr::Three::new(a, b, c).find(hay)
}

/// The first byte of `hay` that is one of `needles`: the vector searches for one to three
/// needles, a plain loop for more (or for a haystack of a few bytes, where setting up a
/// vector search costs more than it saves).
pub fn find_any(needles: &[u8], hay: &[u8]) -> Option<usize> {
    if hay.len() < 16 {
        return hay.iter().position(|x| needles.contains(x));
    }
    match *needles {
        [a] => find(a, hay),
        [a, b] => find2(a, b, hay),
        [a, b, c] => find3(a, b, c, hay),
        _ => hay.iter().position(|x| needles.contains(x)),
    }
}

/// Every position of `a` in `hay`, in order.
pub fn positions(a: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let i = from + find(a, hay.get(from..)?)?;
        from = i + 1;
        Some(i)
    })
}

/// Every position of `a` or `b` in `hay`, in order.
pub fn positions2(a: u8, b: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let i = from + find2(a, b, hay.get(from..)?)?;
        from = i + 1;
        Some(i)
    })
}

/// The first occurrence of a short `needle` in `hay`: each place its first byte
/// stands, compared. For needles of a few bytes searched once or twice; a
/// needle searched for in many texts gets a [`Finder`].
pub fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = find(first, hay.get(from..)?).map(|i| from + i) {
        if hay.get(i + 1..i + 1 + rest.len()) == Some(rest) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// A needle made ready to be searched for in many texts (two-way string
/// matching: linear in the text, whatever the needle).
#[derive(Clone, Debug)]
pub struct Finder {
    needle: Box<[u8]>,
    searcher: memchr::arch::all::twoway::Finder,
}

impl Finder {
    pub fn new(needle: &[u8]) -> Finder {
        Finder { needle: needle.into(), searcher: memchr::arch::all::twoway::Finder::new(needle) }
    }

    /// The first occurrence of the needle in `hay`.
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        self.searcher.find(hay, &self.needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() {
            return Some(0);
        }
        hay.windows(needle.len()).position(|w| w == needle)
    }

    proptest::proptest! {
        /// Every search agrees with a plain loop, on texts long enough to take
        /// the vector paths and short enough to take the tails.
        #[test]
        fn searches_agree_with_plain_loops(hay in proptest::collection::vec(b'a'..=b'f', 0..80), a in b'a'..=b'f', b in b'a'..=b'f', c in b'a'..=b'f', needle in proptest::collection::vec(b'a'..=b'f', 1..4)) {
            proptest::prop_assert_eq!(find(a, &hay), hay.iter().position(|&x| x == a));
            proptest::prop_assert_eq!(find2(a, b, &hay), hay.iter().position(|&x| x == a || x == b));
            proptest::prop_assert_eq!(find3(a, b, c, &hay), hay.iter().position(|&x| x == a || x == b || x == c));
            for set in [&[a][..], &[a, b], &[a, b, c], &[a, b, c, b'f']] {
                proptest::prop_assert_eq!(find_any(set, &hay), hay.iter().position(|x| set.contains(x)));
            }
            let all: Vec<usize> = hay.iter().enumerate().filter(|(_, x)| **x == a).map(|(i, _)| i).collect();
            proptest::prop_assert_eq!(positions(a, &hay).collect::<Vec<_>>(), all);
            let all2: Vec<usize> = hay.iter().enumerate().filter(|(_, x)| **x == a || **x == b).map(|(i, _)| i).collect();
            proptest::prop_assert_eq!(positions2(a, b, &hay).collect::<Vec<_>>(), all2);
            proptest::prop_assert_eq!(find_short(&hay, &needle), naive(&hay, &needle));
            proptest::prop_assert_eq!(Finder::new(&needle).find(&hay), naive(&hay, &needle));
        }
    }
}
