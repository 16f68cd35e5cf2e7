//! Where in a text the decoders' escapes and percent signs may start, in one pass over its
//! bytes; and where its values may start (after `:` and `=`).
//!
//! JavaScript is full of backslashes (one in 150 bytes of the npm corpus), nearly all of them
//! `\uXXXX` for a letter that is not ASCII, `\n` before a quote or a space, `\"` and `\\`. Only
//! an escape that starts with one of [`ESCAPE_STARTS`] can stand for a character of a token or
//! URL, or break a word ([`super::escape_matters`]); the others are decoded inside a window such
//! an escape opens, never open one. Reporting only those backslashes keeps 2.6% of them, and
//! the decoders no longer step through the rest one by one.

/// The bytes after a backslash that start an escape that can matter: `\u` and `\x` (any
/// character), `\n`, `\t` and `\r` (before a word), `\/`. The others (`\"`, `\'`, `` \` ``,
/// `\\`) stand for a character that does not, or are not escapes the decoders know.
const ESCAPE_STARTS: &[u8; 6] = b"uxntr/";

/// Appends to `escapes` every backslash followed by one of [`ESCAPE_STARTS`], and to `percents`
/// every `%`, each in text order.
pub fn find(text: &[u8], escapes: &mut Vec<usize>, percents: &mut Vec<usize>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512bw") {
            // SAFETY: the processor has AVX-512 BW (and F, which BW requires), checked just
            // above.
            let done = unsafe { find_avx512(text, escapes, percents) };
            return find_scalar(text, done, escapes, percents);
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            let done = unsafe { find_avx2(text, escapes, percents) };
            return find_scalar(text, done, escapes, percents);
        }
    }
    find_scalar(text, 0, escapes, percents);
}

/// [`find`] from `from` on, a byte at a time between the hits of a `memchr2` search.
fn find_scalar(text: &[u8], from: usize, escapes: &mut Vec<usize>, percents: &mut Vec<usize>) {
    for at in memchr::memchr2_iter(b'\\', b'%', &text[from..]).map(|i| from + i) {
        if text[at] == b'%' {
            percents.push(at);
        } else if text.get(at + 1).is_some_and(|b| ESCAPE_STARTS.contains(b)) {
            escapes.push(at);
        }
    }
}

/// [`find`] 32 positions a step, while 33 bytes are left (a position's next byte is read with
/// it); returns where it stopped.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn find_avx2(text: &[u8], escapes: &mut Vec<usize>, percents: &mut Vec<usize>) -> usize {
    use std::arch::x86_64::*;
    let splat = |b: u8| _mm256_set1_epi8(b as i8);
    let (backslash, percent) = (splat(b'\\'), splat(b'%'));
    let starts = ESCAPE_STARTS.map(splat);
    let mut at = 0;
    while at + 33 <= text.len() {
        // SAFETY: the 32 bytes at `at` and at `at + 1` are inside the text.
        let (here, next) = unsafe {
            let p = text.as_ptr().add(at);
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(1).cast()),
            )
        };
        let backslashes = _mm256_cmpeq_epi8(here, backslash);
        let percent_signs = _mm256_cmpeq_epi8(here, percent);
        // Most steps hold neither.
        if _mm256_movemask_epi8(_mm256_or_si256(backslashes, percent_signs)) != 0 {
            let mut starting = _mm256_cmpeq_epi8(next, starts[0]);
            for start in &starts[1..] {
                starting = _mm256_or_si256(starting, _mm256_cmpeq_epi8(next, *start));
            }
            let escaping = _mm256_and_si256(backslashes, starting);
            push_bits(_mm256_movemask_epi8(escaping) as u32, at, escapes);
            push_bits(_mm256_movemask_epi8(percent_signs) as u32, at, percents);
        }
        at += 32;
    }
    at
}

/// [`find`] 64 positions a step, while 65 bytes are left; returns where it stopped. The
/// comparisons land in mask registers, so a step without a mark is two loads, two compares and
/// one test: a third of the AVX2 step's instructions for twice its bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn find_avx512(text: &[u8], escapes: &mut Vec<usize>, percents: &mut Vec<usize>) -> usize {
    use std::arch::x86_64::*;
    let splat = |b: u8| _mm512_set1_epi8(b as i8);
    let (backslash, percent) = (splat(b'\\'), splat(b'%'));
    let starts = ESCAPE_STARTS.map(splat);
    let mut at = 0;
    while at + 65 <= text.len() {
        // SAFETY: the 64 bytes at `at` and at `at + 1` are inside the text.
        let (here, next) = unsafe {
            let p = text.as_ptr().add(at);
            (
                _mm512_loadu_si512(p.cast()),
                _mm512_loadu_si512(p.add(1).cast()),
            )
        };
        let backslashes = _mm512_cmpeq_epi8_mask(here, backslash);
        let percent_signs = _mm512_cmpeq_epi8_mask(here, percent);
        if backslashes | percent_signs != 0 {
            let mut starting = 0;
            for start in &starts {
                starting |= _mm512_cmpeq_epi8_mask(next, *start);
            }
            push_bits(backslashes & starting, at, escapes);
            push_bits(percent_signs, at, percents);
        }
        at += 64;
    }
    at
}

/// Every `:` and `=` of `text`, in order. Configuration files are dense in them (a minified
/// JSON API description has one every dozen bytes): a `memchr2` search restarted after each
/// one costs more than the bytes between them, so with AVX-512 BW this reads 64 bytes a step
/// into a mask and hands out its bits.
pub fn separators(text: &[u8]) -> Separators<'_> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512bw") {
            return Separators::Masks {
                text,
                next_block: 0,
                mask: 0,
            };
        }
    }
    Separators::Memchr(memchr::memchr2_iter(b':', b'=', text))
}

/// The iterator of [`separators`].
pub enum Separators<'t> {
    /// 64-byte blocks, each read into a mask with AVX-512 BW.
    Masks {
        text: &'t [u8],
        /// Where the block after the one in `mask` starts.
        next_block: usize,
        /// The current block's separators not handed out yet.
        mask: u64,
    },
    Memchr(memchr::Memchr2<'t>),
}

impl Iterator for Separators<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Separators::Masks {
                text,
                next_block,
                mask,
            } => {
                while *mask == 0 {
                    if *next_block >= text.len() {
                        return None;
                    }
                    *mask = separator_mask(&text[*next_block..]);
                    *next_block += 64;
                }
                let at = *next_block - 64 + mask.trailing_zeros() as usize;
                *mask &= *mask - 1;
                Some(at)
            }
            Separators::Memchr(inner) => inner.next(),
        }
    }
}

/// The separators among the first 64 bytes of `text` (fewer at its end), as bits.
fn separator_mask(text: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if text.len() >= 64 {
            // SAFETY: [`Separators::Masks`] is made only where the processor has AVX-512 BW;
            // the 64 bytes are there.
            return unsafe { separator_mask_avx512(text) };
        }
    }
    text.iter()
        .enumerate()
        .take(64)
        .filter(|&(_, &b)| b == b':' || b == b'=')
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn separator_mask_avx512(text: &[u8]) -> u64 {
    use std::arch::x86_64::*;
    // SAFETY: the caller checked that 64 bytes are there.
    let here = unsafe { _mm512_loadu_si512(text.as_ptr().cast()) };
    _mm512_cmpeq_epi8_mask(here, _mm512_set1_epi8(b':' as i8))
        | _mm512_cmpeq_epi8_mask(here, _mm512_set1_epi8(b'=' as i8))
}

fn push_bits(mask: impl Into<u64>, base: usize, into: &mut Vec<usize>) {
    let mut mask: u64 = mask.into();
    while mask != 0 {
        into.push(base + mask.trailing_zeros() as usize);
        mask &= mask - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(text: &[u8]) -> (Vec<usize>, Vec<usize>) {
        let escapes = (0..text.len())
            .filter(|&i| text[i] == b'\\' && text.get(i + 1).is_some_and(|b| b"uxntr/".contains(b)))
            .collect();
        let percents = (0..text.len()).filter(|&i| text[i] == b'%').collect();
        (escapes, percents)
    }

    /// Every pass this processor has, each finished by the scalar one as [`find`] does.
    fn passes() -> Vec<(&'static str, Pass)> {
        let mut passes: Vec<(&'static str, Pass)> = vec![("scalar", |_, _, _| 0)];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: checked just above.
                passes.push(("avx2", |t, e, p| unsafe { find_avx2(t, e, p) }));
            }
            if std::arch::is_x86_feature_detected!("avx512bw") {
                // SAFETY: checked just above.
                passes.push(("avx512", |t, e, p| unsafe { find_avx512(t, e, p) }));
            }
        }
        passes
    }

    type Pass = fn(&[u8], &mut Vec<usize>, &mut Vec<usize>) -> usize;

    /// Texts dense in backslashes, percent signs and the bytes that follow them, at every
    /// length around the 32- and 64-byte steps: each vector pass, the scalar one and the
    /// definition agree, including a backslash on a step's last byte and on the text's last
    /// byte.
    #[test]
    fn every_escape_start_and_percent_sign_is_found_wherever_it_lies() {
        let alphabet = b"\\%uxntr/\"'`a0 \n";
        let mut random = crate::testing::XorShift(0x2545_f491_4f6c_dd1d);
        let passes = passes();
        for len in 0..300 {
            for _ in 0..20 {
                let text = random.text(alphabet, len);
                let expected = naive(&text);
                let (mut escapes, mut percents) = (Vec::new(), Vec::new());
                find(&text, &mut escapes, &mut percents);
                assert_eq!(
                    (escapes, percents),
                    expected,
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
                for (name, pass) in &passes {
                    let (mut escapes, mut percents) = (Vec::new(), Vec::new());
                    let done = pass(&text, &mut escapes, &mut percents);
                    find_scalar(&text, done, &mut escapes, &mut percents);
                    assert_eq!((escapes, percents), expected, "{name}");
                }
            }
        }
    }

    /// Every `:` and `=`, in order, at every length around the 64-byte blocks: the mask
    /// blocks and `memchr2` agree with the definition.
    #[test]
    fn every_separator_is_found_in_order() {
        let mut random = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        for len in 0..300 {
            for _ in 0..10 {
                let text = random.text(b":=a\n\"", len);
                let expected: Vec<usize> = (0..len)
                    .filter(|&i| matches!(text[i], b':' | b'='))
                    .collect();
                assert_eq!(separators(&text).collect::<Vec<_>>(), expected);
                let narrow = Separators::Memchr(memchr::memchr2_iter(b':', b'=', &text));
                assert_eq!(narrow.collect::<Vec<_>>(), expected);
            }
        }
    }
}
