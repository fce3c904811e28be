//! Redis glob matching (`stringmatchlen`): `*`, `?`, `[abc]`, `[^a-z]`, `[a-z]`, `\x` escapes.

/// True when `s` matches `pattern` (case-sensitive), exactly as Redis's `stringmatchlen`.
pub fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
    let mut budget: u32 = 1_000_000;
    matches(pattern, s, &mut budget, 0)
}

/// Deepest `*` nesting explored (bounds the native stack; deeper patterns do not match).
const MAX_DEPTH: u32 = 1000;

fn matches(mut p: &[u8], mut s: &[u8], budget: &mut u32, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    // Bounded work: pathological patterns give up (no match) instead of running forever.
    while let Some(&pc) = p.first() {
        *budget = match budget.checked_sub(1) {
            Some(b) => b,
            None => return false,
        };
        match pc {
            b'*' => {
                while p.get(1) == Some(&b'*') {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                let rest = &p[1..];
                let mut i = 0;
                while i <= s.len() {
                    if matches(rest, &s[i..], budget, depth + 1) {
                        return true;
                    }
                    if *budget == 0 {
                        return false;
                    }
                    i += 1;
                }
                return false;
            }
            b'?' => {
                if s.is_empty() {
                    return false;
                }
                s = &s[1..];
                p = &p[1..];
            }
            b'[' => {
                let Some(&c) = s.first() else { return false };
                let mut i = 1;
                let not = p.get(i) == Some(&b'^');
                if not {
                    i += 1;
                }
                let mut matched = false;
                loop {
                    match p.get(i) {
                        None => {
                            // Unterminated class: Redis steps back onto the last char.
                            i = i.saturating_sub(1);
                            break;
                        }
                        Some(b'\\') if p.len() >= i + 2 => {
                            i += 1;
                            if p.get(i) == Some(&c) {
                                matched = true;
                            }
                        }
                        Some(b']') => break,
                        Some(&lo) if p.get(i + 1) == Some(&b'-') && p.len() >= i + 3 => {
                            let hi = p.get(i + 2).copied().unwrap_or(lo);
                            let (a, b) = if lo > hi { (hi, lo) } else { (lo, hi) };
                            i += 2;
                            if c >= a && c <= b {
                                matched = true;
                            }
                        }
                        Some(&x) => {
                            if x == c {
                                matched = true;
                            }
                        }
                    }
                    i += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                p = p.get(i + 1..).unwrap_or(&[]);
            }
            b'\\' if p.len() >= 2 => {
                if s.first() != p.get(1) {
                    return false;
                }
                s = &s[1..];
                p = &p[2..];
            }
            _ => {
                if s.first() != Some(&pc) {
                    return false;
                }
                s = &s[1..];
                p = &p[1..];
            }
        }
    }
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn globs() {
        assert!(m(b"*", b""));
        assert!(m(b"*", b"abc"));
        assert!(m(b"h?llo", b"hello"));
        assert!(!m(b"h?llo", b"hllo"));
        assert!(m(b"h*llo", b"heeeello"));
        assert!(m(b"h[ae]llo", b"hallo"));
        assert!(!m(b"h[ae]llo", b"hillo"));
        assert!(m(b"h[^e]llo", b"hallo"));
        assert!(!m(b"h[^e]llo", b"hello"));
        assert!(m(b"h[a-b]llo", b"hbllo"));
        assert!(m(b"h[b-a]llo", b"hallo"));
        assert!(!m(b"h[a-b]llo", b"hcllo"));
        assert!(m(b"h\\*llo", b"h*llo"));
        assert!(!m(b"h\\*llo", b"hallo"));
        assert!(m(b"user:*:name", b"user:42:name"));
        let deep = "*a".repeat(100_000);
        assert!(!m(deep.as_bytes(), b"aaab"));
        assert!(m(b"a[\\]]b", b"a]b"));
        assert!(!m(b"[", b"["));
        assert!(!m(b"a", b"ab"));
        assert!(!m(b"*a*a*a*a*a*a*a*a*a*b", &[b'a'; 30][..]));
    }
}
