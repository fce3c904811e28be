//! Equality of short byte strings (command names, keys) a word at a time.
//!
//! On wasm32, `==` on two slices calls compiler-builtins' `memcmp`, which compares one byte
//! per loop turn; the hot compares of a pipeline (the dispatch memo's name and key, the slot
//! map's key) are 3–20 bytes, where eight bytes per load is several times fewer
//! instructions. Natively it is on par with the libc call it replaces.

/// The eight bytes of `s` at `i` (0 when out of range; callers stay in range).
#[inline(always)]
fn word(s: &[u8], i: usize) -> u64 {
    s.get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_ne_bytes)
}

/// `a == b`, eight bytes at a time (the tail as the last eight bytes, overlapping).
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        if n >= 4 {
            let w = |s: &[u8], i: usize| {
                s.get(i..i + 4)
                    .and_then(|w| <[u8; 4]>::try_from(w).ok())
                    .map_or(0, u32::from_ne_bytes)
            };
            return w(a, 0) == w(b, 0) && w(a, n - 4) == w(b, n - 4);
        }
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 <= n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    i == n || word(a, n - 8) == word(b, n - 8)
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn agrees_with_slice_equality() {
        // Every length up to 40, equal and differing in each position.
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            for d in 0..n {
                let mut b = a.clone();
                b[d] ^= 0x40;
                assert!(!same_bytes(&a, &b), "len {n}, differs at {d}");
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!same_bytes(&a, &longer));
            assert!(!same_bytes(&longer, &a));
        }
    }
}
