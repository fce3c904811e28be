//! Lua 5.4's pattern matcher (`lstrlib.c`, Lua 5.4.9: `match`, `max_expand`, `min_expand`,
//! captures, `%b`, `%f`, anchors, character classes) ported to safe Rust, with one addition: a
//! step counter that polls a budget closure every [`CHECK_EVERY`] steps so that a pathological
//! pattern (polynomial backtracking such as `.-.-.-.-b`) can be stopped by the script's
//! deadline. The C matcher never executes VM instructions, so the count hook never fires inside
//! it; this one can be interrupted.
//!
//! The port keeps C's structure and order of evaluation (so errors are detected in the same
//! order and with the same texts), including its reliance on the NUL byte that terminates every
//! Lua string: reading the pattern or the subject at its end yields `0` (see [`MatchState::pat`]
//! and [`MatchState::src`]). Character classes use the C locale (ASCII `ctype`), as Lua built
//! with the default locale does. Recursion is bounded by [`MAXCCALLS`] (`pattern too complex`),
//! as in C. Nothing here panics or allocates.
//!
//! The Lua-facing functions (`string.find`, `match`, `gmatch`, `gsub`) are in
//! `super::patterns_lua`.

use std::fmt;

/// Maximum number of captures in a pattern (`LUA_MAXCAPTURES`).
pub const MAXCAPTURES: usize = 32;
/// Maximum recursion depth of [`MatchState::do_match`] (`MAXCCALLS` in `lstrlib.c`).
pub const MAXCCALLS: u32 = 200;
/// Matcher steps between two budget checks. A step is one call of the recursive matcher, one
/// backtracking iteration, or a few bytes of a linear scan (see [`SCAN_BYTES_PER_STEP`]), so
/// that a step takes well over a nanosecond: the budget counts steps like VM instructions,
/// assumed to run at one per ns when the clock stands still.
pub const CHECK_EVERY: i64 = 4096;
/// Bytes of a tight linear scan (`%b`, back-references, the greedy scan of `*`/`+`) counted as
/// one step.
pub const SCAN_BYTES_PER_STEP: usize = 8;

/// `'%'`, the escape character of patterns.
const L_ESC: u8 = b'%';
/// Characters whose presence makes `string.find` use the matcher instead of a plain search.
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// Capture length marking a capture still open.
const CAP_UNFINISHED: isize = -1;
/// Capture length marking a position capture `()`.
const CAP_POSITION: isize = -2;

/// Why matching failed with an error (rather than by not matching). The `Display` texts are
/// lstrlib's `luaL_error` texts (without the position prefix `luaL_error` adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternError {
    /// `malformed pattern (ends with '%')`
    EndsWithEscape,
    /// `malformed pattern (missing ']')`
    MissingBracket,
    /// `malformed pattern (missing arguments to '%b')`
    MissingBalanceArgs,
    /// `missing '[' after '%f' in pattern`
    MissingFrontierBracket,
    /// `invalid capture index %N` (N as Lua prints it: the index plus one, may be 0 or negative)
    InvalidCaptureIndex(i32),
    /// `invalid pattern capture` (a `)` closing no capture)
    InvalidPatternCapture,
    /// `unfinished capture`
    UnfinishedCapture,
    /// `too many captures` (more than [`MAXCAPTURES`])
    TooManyCaptures,
    /// `pattern too complex` (recursion deeper than [`MAXCCALLS`])
    TooComplex,
    /// The budget closure asked to stop; the text is its message.
    Stopped(&'static str),
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::EndsWithEscape => f.write_str("malformed pattern (ends with '%')"),
            PatternError::MissingBracket => f.write_str("malformed pattern (missing ']')"),
            PatternError::MissingBalanceArgs => {
                f.write_str("malformed pattern (missing arguments to '%b')")
            }
            PatternError::MissingFrontierBracket => {
                f.write_str("missing '[' after '%f' in pattern")
            }
            PatternError::InvalidCaptureIndex(n) => write!(f, "invalid capture index %{n}"),
            PatternError::InvalidPatternCapture => f.write_str("invalid pattern capture"),
            PatternError::UnfinishedCapture => f.write_str("unfinished capture"),
            PatternError::TooManyCaptures => f.write_str("too many captures"),
            PatternError::TooComplex => f.write_str("pattern too complex"),
            PatternError::Stopped(m) => f.write_str(m),
        }
    }
}

/// One capture slot: start offset in the subject and length, or a `CAP_*` marker.
#[derive(Debug, Clone, Copy, Default)]
struct Capture {
    init: usize,
    len: isize,
}

/// What a capture holds once matching succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captured {
    /// A substring of the subject: `start..start + len`.
    Str { start: usize, len: usize },
    /// A position capture `()`: the 1-based position.
    Position(usize),
}

/// The state of one matching run (`MatchState` in `lstrlib.c`), generic over the budget check:
/// `check(steps)` is called about every [`CHECK_EVERY`] steps with the steps done since the
/// previous call, and returns `Some(message)` to abort matching with
/// [`PatternError::Stopped`].
pub struct MatchState<'a, C: FnMut(u64) -> Option<&'static str>> {
    src: &'a [u8],
    pat: &'a [u8],
    matchdepth: u32,
    level: usize,
    capture: [Capture; MAXCAPTURES],
    /// Steps left before the next budget check.
    countdown: i64,
    check: C,
}

/// C's `isalpha` etc. in the C locale, selected by the class letter (lowercase).
#[inline]
fn class_test(c: u8, class_lower: u8) -> Option<bool> {
    Some(match class_lower {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        // C's isspace: ' ', \t, \n, \v, \f, \r (Rust's is_ascii_whitespace lacks \v).
        b's' => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return None,
    })
}

/// `match_class`: does `c` belong to the class `%cl`?
#[inline]
fn match_class(c: u8, cl: u8) -> bool {
    match class_test(c, cl.to_ascii_lowercase()) {
        Some(res) => {
            if cl.is_ascii_lowercase() {
                res
            } else {
                !res
            }
        }
        None => cl == c,
    }
}

/// [`SPECIALS`] as a lookup table.
const IS_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < SPECIALS.len() {
        t[SPECIALS[i] as usize] = true;
        i += 1;
    }
    t
};

/// True when `p` has none of the pattern's special characters (`nospecials`).
pub fn nospecials(p: &[u8]) -> bool {
    !p.iter().any(|&c| IS_SPECIAL[c as usize])
}

/// The first occurrence of `needle` in `hay` (`lmemfind`).
pub fn lmemfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = match needle.split_first() {
        None => return Some(0), // empty strings are everywhere
        Some(x) => x,
    };
    if needle.len() > hay.len() {
        return None;
    }
    // A match cannot start after `last_start`.
    let candidates = hay.get(..=hay.len() - needle.len())?;
    let mut from = 0;
    while let Some(found) = memchr(first, candidates.get(from..)?) {
        let at = from + found;
        if hay.get(at + 1..at + 1 + rest.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The first index of `byte` in `hay`, a word at a time.
fn memchr(byte: u8, hay: &[u8]) -> Option<usize> {
    const W: usize = std::mem::size_of::<usize>();
    const LO: usize = usize::MAX / 255; // 0x0101...
    const HI: usize = LO << 7; // 0x8080...
    let pattern = LO.wrapping_mul(byte as usize);
    let mut chunks = hay.chunks_exact(W);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; W];
        word.copy_from_slice(chunk);
        let x = usize::from_ne_bytes(word) ^ pattern;
        // Some byte of `x` is zero (exact test, no false positives is not needed: we rescan).
        if x.wrapping_sub(LO) & !x & HI != 0 {
            return chunk.iter().position(|&c| c == byte).map(|i| base + i);
        }
        base += W;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == byte)
        .map(|i| base + i)
}

impl<'a, C: FnMut(u64) -> Option<&'static str>> MatchState<'a, C> {
    /// A state for matching `pat` (without a leading `^` anchor, which the callers handle)
    /// against `src`.
    pub fn new(src: &'a [u8], pat: &'a [u8], check: C) -> Self {
        MatchState {
            src,
            pat,
            matchdepth: MAXCCALLS,
            level: 0,
            capture: [Capture::default(); MAXCAPTURES],
            countdown: CHECK_EVERY,
            check,
        }
    }

    /// Prepares a new match attempt (`reprepstate`).
    #[inline]
    pub fn reprep(&mut self) {
        self.matchdepth = MAXCCALLS;
        self.level = 0;
    }

    /// The subject.
    pub fn subject(&self) -> &'a [u8] {
        self.src
    }

    /// Number of captures (finished or not) after a match.
    pub fn level(&self) -> usize {
        self.level
    }

    /// The pattern byte at `i`, or 0 at (and past) its end: C reads the terminating NUL there.
    #[inline(always)]
    fn pat(&self, i: usize) -> u8 {
        self.pat.get(i).copied().unwrap_or(0)
    }

    /// The subject byte at `i`, or 0 at (and past) its end (the terminating NUL in C).
    #[inline(always)]
    fn src(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    /// Counts `n` steps; polls the budget when the countdown runs out.
    #[inline(always)]
    fn tick(&mut self, n: usize) -> Result<(), PatternError> {
        self.countdown -= n as i64;
        if self.countdown <= 0 {
            return self.poll();
        }
        Ok(())
    }

    /// Counts a linear scan of `bytes` bytes.
    #[inline(always)]
    fn tick_scan(&mut self, bytes: usize) -> Result<(), PatternError> {
        self.tick(bytes / SCAN_BYTES_PER_STEP + 1)
    }

    #[cold]
    fn poll(&mut self) -> Result<(), PatternError> {
        let done = (CHECK_EVERY - self.countdown).max(0) as u64;
        self.countdown = CHECK_EVERY;
        match (self.check)(done) {
            Some(msg) => Err(PatternError::Stopped(msg)),
            None => Ok(()),
        }
    }

    fn check_capture(&self, l: u8) -> Result<usize, PatternError> {
        let l = l as i32 - b'1' as i32;
        if l < 0 || l as usize >= self.level || self.capture[l as usize].len == CAP_UNFINISHED {
            return Err(PatternError::InvalidCaptureIndex(l + 1));
        }
        Ok(l as usize)
    }

    fn capture_to_close(&self) -> Result<usize, PatternError> {
        (0..self.level)
            .rev()
            .find(|&l| self.capture[l].len == CAP_UNFINISHED)
            .ok_or(PatternError::InvalidPatternCapture)
    }

    /// The index just past the single-character class starting at `p` (`classend`).
    fn classend(&self, mut p: usize) -> Result<usize, PatternError> {
        let c = self.pat(p);
        p += 1;
        match c {
            L_ESC => {
                if p >= self.pat.len() {
                    return Err(PatternError::EndsWithEscape);
                }
                Ok(p + 1)
            }
            b'[' => {
                if self.pat(p) == b'^' {
                    p += 1;
                }
                loop {
                    // look for a ']'
                    if p >= self.pat.len() {
                        return Err(PatternError::MissingBracket);
                    }
                    let c = self.pat(p);
                    p += 1;
                    if c == L_ESC && p < self.pat.len() {
                        p += 1; // skip escapes (e.g. '%]')
                    }
                    if self.pat(p) == b']' {
                        break;
                    }
                }
                Ok(p + 1)
            }
            _ => Ok(p),
        }
    }

    /// `matchbracketclass`: `p` is the `[`, `ec` the closing `]`.
    fn matchbracketclass(&self, c: u8, mut p: usize, ec: usize) -> bool {
        let mut sig = true;
        if self.pat(p + 1) == b'^' {
            sig = false;
            p += 1; // skip the '^'
        }
        loop {
            p += 1;
            if p >= ec {
                break;
            }
            let pc = self.pat(p);
            if pc == L_ESC {
                p += 1;
                if match_class(c, self.pat(p)) {
                    return sig;
                }
            } else if self.pat(p + 1) == b'-' && p + 2 < ec {
                p += 2;
                if pc <= c && c <= self.pat(p) {
                    return sig;
                }
            } else if pc == c {
                return sig;
            }
        }
        !sig
    }

    /// `singlematch`: does the subject byte at `s` match the class `p..ep`?
    #[inline]
    fn singlematch(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat(p) {
            b'.' => true,
            L_ESC => match_class(c, self.pat(p + 1)),
            b'[' => self.matchbracketclass(c, p, ep - 1),
            pc => pc == c,
        }
    }

    fn matchbalance(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        if p + 1 >= self.pat.len() {
            return Err(PatternError::MissingBalanceArgs);
        }
        if self.src(s) != self.pat(p) {
            return Ok(None);
        }
        let b = self.pat(p);
        let e = self.pat(p + 1);
        let mut cont = 1u64;
        let rest = self.src.get(s + 1..).unwrap_or(&[]);
        for (i, &c) in rest.iter().enumerate() {
            if c == e {
                cont -= 1;
                if cont == 0 {
                    self.tick_scan(i)?;
                    return Ok(Some(s + 1 + i + 1));
                }
            } else if c == b {
                cont += 1;
            }
        }
        self.tick_scan(rest.len())?;
        Ok(None) // string ends out of balance
    }

    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> Result<Option<usize>, PatternError> {
        let mut i = 0usize; // counts maximum expand for item
        while self.singlematch(s + i, p, ep) {
            i += 1;
        }
        self.tick_scan(i)?;
        // keeps trying to match with the maximum repetitions
        loop {
            if let Some(res) = self.do_match(s + i, ep + 1)? {
                return Ok(Some(res));
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1; // else didn't match; reduce 1 repetition to try again
        }
    }

    fn min_expand(
        &mut self,
        mut s: usize,
        p: usize,
        ep: usize,
    ) -> Result<Option<usize>, PatternError> {
        loop {
            if let Some(res) = self.do_match(s, ep + 1)? {
                return Ok(Some(res));
            } else if self.singlematch(s, p, ep) {
                s += 1; // try with one more repetition
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(
        &mut self,
        s: usize,
        p: usize,
        what: isize,
    ) -> Result<Option<usize>, PatternError> {
        let level = self.level;
        if level >= MAXCAPTURES {
            return Err(PatternError::TooManyCaptures);
        }
        self.capture[level] = Capture { init: s, len: what };
        self.level = level + 1;
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.level -= 1; // undo capture
        }
        Ok(res)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> Result<Option<usize>, PatternError> {
        let l = self.capture_to_close()?;
        self.capture[l].len = s as isize - self.capture[l].init as isize; // close capture
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.capture[l].len = CAP_UNFINISHED; // undo capture
        }
        Ok(res)
    }

    fn match_capture(&mut self, s: usize, l: u8) -> Result<Option<usize>, PatternError> {
        let l = self.check_capture(l)?;
        let cap = self.capture[l];
        if cap.len < 0 {
            // A position capture: C compares (size_t)-2 bytes, which never fit.
            return Ok(None);
        }
        let len = cap.len as usize;
        self.tick_scan(len)?;
        let want = self.src.get(cap.init..cap.init + len);
        let have = self.src.get(s..s + len);
        match (want, have) {
            (Some(w), Some(h)) if w == h => Ok(Some(s + len)),
            _ => Ok(None),
        }
    }

    /// `match`: tries to match the pattern from `p` on the subject from `s`; the end of the
    /// match, `None` when it does not match.
    pub fn do_match(&mut self, mut s: usize, mut p: usize) -> Result<Option<usize>, PatternError> {
        if self.matchdepth == 0 {
            return Err(PatternError::TooComplex);
        }
        self.matchdepth -= 1;
        self.tick(1)?;
        let res = loop {
            if p >= self.pat.len() {
                break Some(s); // end of pattern
            }
            match self.pat(p) {
                b'(' => {
                    // start capture
                    break if self.pat(p + 1) == b')' {
                        // position capture?
                        self.start_capture(s, p + 2, CAP_POSITION)?
                    } else {
                        self.start_capture(s, p + 1, CAP_UNFINISHED)?
                    };
                }
                b')' => break self.end_capture(s, p + 1)?, // end capture
                b'$' if p + 1 == self.pat.len() => {
                    // '$' as the last char of the pattern: end of subject
                    break if s == self.src.len() { Some(s) } else { None };
                }
                L_ESC if self.pat(p + 1) == b'b' => {
                    // balanced string?
                    match self.matchbalance(s, p + 2)? {
                        Some(ns) => {
                            s = ns;
                            p += 4;
                            continue;
                        }
                        None => break None,
                    }
                }
                L_ESC if self.pat(p + 1) == b'f' => {
                    // frontier?
                    p += 2;
                    if self.pat(p) != b'[' {
                        return Err(PatternError::MissingFrontierBracket);
                    }
                    let ep = self.classend(p)?; // points to what is next
                    let previous = if s == 0 { 0 } else { self.src(s - 1) };
                    if !self.matchbracketclass(previous, p, ep - 1)
                        && self.matchbracketclass(self.src(s), p, ep - 1)
                    {
                        p = ep;
                        continue;
                    }
                    break None; // match failed
                }
                L_ESC if self.pat(p + 1).is_ascii_digit() => {
                    // capture results (%0-%9)?
                    match self.match_capture(s, self.pat(p + 1))? {
                        Some(ns) => {
                            s = ns;
                            p += 2;
                            continue;
                        }
                        None => break None,
                    }
                }
                _ => {
                    // pattern class plus optional suffix
                    let ep = self.classend(p)?; // points to optional suffix
                    let suffix = self.pat(ep);
                    if !self.singlematch(s, p, ep) {
                        // does not match at least once?
                        if matches!(suffix, b'*' | b'?' | b'-') {
                            // accept empty?
                            p = ep + 1;
                            continue;
                        }
                        break None; // '+' or no suffix: fail
                    }
                    // matched once
                    match suffix {
                        b'?' => match self.do_match(s + 1, ep + 1)? {
                            Some(res) => break Some(res),
                            None => {
                                p = ep + 1;
                                continue;
                            }
                        },
                        b'+' => break self.max_expand(s + 1, p, ep)?, // 1 match already done
                        b'*' => break self.max_expand(s, p, ep)?,
                        b'-' => break self.min_expand(s, p, ep)?,
                        _ => {
                            s += 1;
                            p = ep;
                            continue;
                        }
                    }
                }
            }
        };
        self.matchdepth += 1;
        Ok(res)
    }

    /// Capture `i` after a match of `s..e` (`get_onecapture`): with no captures, capture 0 is
    /// the whole match.
    pub fn get_onecapture(&self, i: usize, s: usize, e: usize) -> Result<Captured, PatternError> {
        if i >= self.level {
            if i != 0 {
                return Err(PatternError::InvalidCaptureIndex(i as i32 + 1));
            }
            return Ok(Captured::Str {
                start: s,
                len: e.saturating_sub(s),
            });
        }
        let cap = self.capture[i];
        match cap.len {
            CAP_UNFINISHED => Err(PatternError::UnfinishedCapture),
            CAP_POSITION => Ok(Captured::Position(cap.init + 1)),
            len => Ok(Captured::Str {
                start: cap.init,
                len: len.max(0) as usize,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str, p: &str) -> Result<Option<(usize, usize)>, PatternError> {
        let (anchor, p) = match p.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, p),
        };
        let mut ms = MatchState::new(s.as_bytes(), p.as_bytes(), |_| None);
        let mut s1 = 0;
        loop {
            ms.reprep();
            if let Some(e) = ms.do_match(s1, 0)? {
                return Ok(Some((s1 + 1, e)));
            }
            if s1 >= s.len() || anchor {
                return Ok(None);
            }
            s1 += 1;
        }
    }

    #[test]
    fn basics() {
        assert_eq!(find("hello world", "o w"), Ok(Some((5, 7))));
        assert_eq!(find("hello", "l+"), Ok(Some((3, 4))));
        assert_eq!(find("hello", "^h"), Ok(Some((1, 1))));
        assert_eq!(find("hello", "^e"), Ok(None));
        assert_eq!(find("THE (quick) fox", "%((%a+)%)"), Ok(Some((5, 11))));
        assert_eq!(find("THE (quick) fox", "%f[%a]%a+$"), Ok(Some((13, 15))));
        assert_eq!(find("x", "[a"), Err(PatternError::MissingBracket));
        assert_eq!(find("x", "%"), Err(PatternError::EndsWithEscape));
        // Matches; the unfinished capture is reported when captures are read.
        assert_eq!(find("x", "(()"), Ok(Some((1, 0))));
        assert_eq!(find("x", "%1"), Err(PatternError::InvalidCaptureIndex(1)));
        assert_eq!(find("x", "a)"), Ok(None));
        assert_eq!(find("a", "a)"), Err(PatternError::InvalidPatternCapture));
    }

    #[test]
    fn plain_search() {
        let hay = b"abcdefghijklmnopqrstuvwxyz0123456789abc";
        for i in 0..hay.len() {
            for j in i..=hay.len() {
                let needle = &hay[i..j];
                let want = hay.windows(needle.len().max(1)).position(|w| w == needle);
                let want = if needle.is_empty() { Some(0) } else { want };
                assert_eq!(lmemfind(hay, needle), want, "{i}..{j}");
            }
        }
        assert_eq!(lmemfind(b"", b"a"), None);
        assert_eq!(lmemfind(b"aaab", b"ab"), Some(2));
        for n in 0..40 {
            let mut v = vec![b'x'; n];
            v.push(b'y');
            assert_eq!(memchr(b'y', &v), Some(n));
            assert_eq!(memchr(b'z', &v), None);
        }
    }

    #[test]
    fn budget_stops_backtracking() {
        let s = vec![b'a'; 20_000];
        let mut calls = 0;
        let mut ms = MatchState::new(&s, b".-.-.-.-b", |_| {
            calls += 1;
            if calls > 10 {
                Some("stop")
            } else {
                None
            }
        });
        ms.reprep();
        assert_eq!(ms.do_match(0, 0), Err(PatternError::Stopped("stop")));
    }

    #[test]
    fn too_complex() {
        let s = vec![b'a'; 300];
        let p = "a?".repeat(300);
        let mut ms = MatchState::new(&s, p.as_bytes(), |_| None);
        ms.reprep();
        assert_eq!(ms.do_match(0, 0), Err(PatternError::TooComplex));
    }
}
