//! `string.find`, `string.match`, `string.gmatch` and `string.gsub` on the Rust matcher of
//! [`super::patterns`], so that the script's budget can stop a pathological pattern (the C
//! matcher never runs VM instructions, so the count hook never fires inside it).
//!
//! They are C functions (`lua_CFunction`s written in Rust) that follow `lstrlib.c` (Lua 5.4.9)
//! line by line: the same `luaL_check*` argument handling (so the same `bad argument` texts and
//! function names), the same `luaL_Buffer` use in `gsub`, errors raised with `luaL_where(L, 1)`
//! as `luaL_error` does. Scripts cannot tell them from the originals, except that they stop when
//! the budget says so: every [`super::patterns::CHECK_EVERY`] matcher steps they call the
//! [`BudgetCheck`] given to [`install`]; when it answers a message, the function raises that
//! message (a plain string, like the budget's count hook, without position).
//!
//! Safety rules of this file: Lua errors are `longjmp`s (wasm: exception throws) that skip the
//! Rust frames between the raise and the protected call. So no frame here ever holds a value
//! with a destructor: only integers, slices of strings anchored on the Lua stack, a
//! `luaL_Buffer` (Lua-managed) and the matcher state (plain data). Nothing here allocates on
//! the Rust heap.

use super::patterns::{lmemfind, nospecials, Captured, MatchState, PatternError};
use mlua::{ffi, Lua, Table};
use std::ffi::{c_char, c_int, c_void};
use std::fmt::Write as _;
use std::mem::MaybeUninit;

/// Polls the budget of the Lua state from inside a matcher: `steps` were done since the
/// previous call. `Some(message)` stops matching; the function then raises `message`.
pub type BudgetCheck = unsafe fn(l: *mut ffi::lua_State, steps: u64) -> Option<&'static str>;

unsafe extern "C-unwind" {
    /// `luaL_typeerror` (Lua 5.4 lauxlib; not declared by mlua-sys).
    fn luaL_typeerror(l: *mut ffi::lua_State, arg: c_int, tname: *const c_char) -> c_int;
}

/// Replaces `find`, `match`, `gmatch` and `gsub` of the global `string` table (also the
/// `__index` of the string metatable, and `package.loaded.string`) with the budgeted versions.
pub fn install(lua: &Lua, check: BudgetCheck) -> mlua::Result<()> {
    let string: Table = lua.globals().raw_get("string")?;
    let funcs: [(&[u8], ffi::lua_CFunction); 4] = [
        (b"find\0", str_find),
        (b"match\0", str_match),
        (b"gmatch\0", gmatch),
        (b"gsub\0", str_gsub),
    ];
    unsafe {
        lua.exec_raw::<()>(string, |l| {
            for (name, f) in funcs {
                ffi::lua_pushlightuserdata(l, check as usize as *mut c_void);
                ffi::lua_pushcclosure(l, f, 1);
                ffi::lua_setfield(l, 1, name.as_ptr() as *const c_char);
            }
        })
    }
}

/// The check stored as upvalue `i` of the running C closure.
unsafe fn check_at(l: *mut ffi::lua_State, i: c_int) -> Option<BudgetCheck> {
    let p = ffi::lua_touserdata(l, ffi::lua_upvalueindex(i));
    if p.is_null() {
        None
    } else {
        // SAFETY: `install` stored a `BudgetCheck` there.
        Some(std::mem::transmute::<*mut c_void, BudgetCheck>(p))
    }
}

/// A matcher over `src`/`pat` polling `check` on the state `l`.
unsafe fn matcher<'a>(
    l: *mut ffi::lua_State,
    check: Option<BudgetCheck>,
    src: &'a [u8],
    pat: &'a [u8],
) -> MatchState<'a, impl FnMut(u64) -> Option<&'static str>> {
    MatchState::new(src, pat, move |steps| match check {
        Some(f) => unsafe { f(l, steps) },
        None => None,
    })
}

/// A message formatted on the stack (error texts are short; longer ones are cut).
struct StackText {
    buf: [u8; 160],
    n: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.buf.len() - self.n;
        let take = s.len().min(room);
        self.buf[self.n..self.n + take].copy_from_slice(&s.as_bytes()[..take]);
        self.n += take;
        Ok(())
    }
}

/// Raises `e` like `luaL_error` does (position of the caller, then the text); a budget stop
/// is raised as its bare message, like the budget's hook does.
unsafe fn raise(l: *mut ffi::lua_State, e: PatternError) -> ! {
    if let PatternError::Stopped(msg) = e {
        ffi::lua_pushlstring(l, msg.as_ptr() as *const c_char, msg.len());
        ffi::lua_error(l);
    }
    let mut text = StackText {
        buf: [0; 160],
        n: 0,
    };
    let _ = write!(text, "{e}");
    ffi::luaL_where(l, 1);
    ffi::lua_pushlstring(l, text.buf.as_ptr() as *const c_char, text.n);
    ffi::lua_concat(l, 2);
    ffi::lua_error(l)
}

/// `luaL_error(L, "<static text>")`.
unsafe fn raise_text(l: *mut ffi::lua_State, pieces: &[&[u8]]) -> ! {
    ffi::luaL_where(l, 1);
    for p in pieces {
        ffi::lua_pushlstring(l, p.as_ptr() as *const c_char, p.len());
    }
    ffi::lua_concat(l, pieces.len() as c_int + 1);
    ffi::lua_error(l)
}

/// `luaL_checklstring` as a byte slice (valid while the argument stays on the stack).
unsafe fn check_bytes<'a>(l: *mut ffi::lua_State, arg: c_int) -> &'a [u8] {
    let mut len = 0usize;
    let p = ffi::luaL_checklstring(l, arg, &mut len);
    bytes(p, len)
}

unsafe fn bytes<'a>(p: *const c_char, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p as *const u8, len)
    }
}

/// `posrelatI`: a relative initial position (negative counts from the end) clipped to
/// `[1, inf)`. Uses `size_t` arithmetic like C (so it truncates on 32-bit targets as C does).
fn posrelat_i(pos: ffi::lua_Integer, len: usize) -> usize {
    if pos > 0 {
        pos as usize
    } else if pos == 0 || pos < -(len as ffi::lua_Integer) {
        1
    } else {
        len.wrapping_add(pos as usize).wrapping_add(1)
    }
}

/// Pushes capture `i` of a match `s..e` (`push_onecapture`).
unsafe fn push_onecapture<C: FnMut(u64) -> Option<&'static str>>(
    l: *mut ffi::lua_State,
    ms: &MatchState<'_, C>,
    i: usize,
    s: usize,
    e: usize,
) {
    match ms.get_onecapture(i, s, e) {
        Ok(Captured::Str { start, len }) => push_sub(l, ms.subject(), start, len),
        Ok(Captured::Position(pos)) => ffi::lua_pushinteger(l, pos as ffi::lua_Integer),
        Err(err) => raise(l, err),
    }
}

unsafe fn push_sub(l: *mut ffi::lua_State, src: &[u8], start: usize, len: usize) {
    let piece = src.get(start..start.saturating_add(len)).unwrap_or(&[]);
    ffi::lua_pushlstring(l, piece.as_ptr() as *const c_char, piece.len());
}

/// Pushes all captures (`push_captures`); with `whole`, a pattern without captures pushes
/// the whole match `s..e`. Returns how many values were pushed.
unsafe fn push_captures<C: FnMut(u64) -> Option<&'static str>>(
    l: *mut ffi::lua_State,
    ms: &MatchState<'_, C>,
    whole: Option<(usize, usize)>,
) -> c_int {
    let nlevels = if ms.level() == 0 && whole.is_some() {
        1
    } else {
        ms.level()
    };
    ffi::luaL_checkstack(l, nlevels as c_int, c"too many captures".as_ptr());
    let (s, e) = whole.unwrap_or((0, 0));
    for i in 0..nlevels {
        push_onecapture(l, ms, i, s, e);
    }
    nlevels as c_int
}

/// `str_find_aux`: `string.find` (`find`) and `string.match`.
unsafe fn str_find_aux(l: *mut ffi::lua_State, find: bool) -> c_int {
    let src = check_bytes(l, 1);
    let pat = check_bytes(l, 2);
    let init = posrelat_i(ffi::luaL_optinteger(l, 3, 1), src.len()).wrapping_sub(1);
    if init > src.len() {
        // start after string's end: cannot find anything
        ffi::lua_pushnil(l);
        return 1;
    }
    // explicit request or no special characters?
    if find && (ffi::lua_toboolean(l, 4) != 0 || nospecials(pat)) {
        // do a plain search
        if let Some(at) = lmemfind(src.get(init..).unwrap_or(&[]), pat) {
            let start = init + at;
            ffi::lua_pushinteger(l, (start + 1) as ffi::lua_Integer);
            ffi::lua_pushinteger(l, (start + pat.len()) as ffi::lua_Integer);
            return 2;
        }
    } else {
        let anchor = pat.first() == Some(&b'^');
        let pat = if anchor { &pat[1..] } else { pat };
        let mut ms = matcher(l, check_at(l, 1), src, pat);
        let mut s1 = init;
        loop {
            ms.reprep();
            match ms.do_match(s1, 0) {
                Err(e) => raise(l, e),
                Ok(Some(res)) => {
                    if find {
                        ffi::lua_pushinteger(l, (s1 + 1) as ffi::lua_Integer); // start
                        ffi::lua_pushinteger(l, res as ffi::lua_Integer); // end
                        return push_captures(l, &ms, None) + 2;
                    }
                    return push_captures(l, &ms, Some((s1, res)));
                }
                Ok(None) => {}
            }
            let more = s1 < src.len() && !anchor;
            s1 += 1;
            if !more {
                break;
            }
        }
    }
    ffi::lua_pushnil(l); // not found
    1
}

unsafe extern "C-unwind" fn str_find(l: *mut ffi::lua_State) -> c_int {
    str_find_aux(l, true)
}

unsafe extern "C-unwind" fn str_match(l: *mut ffi::lua_State) -> c_int {
    str_find_aux(l, false)
}

/// The state of a `gmatch` iterator, kept in a full userdata (upvalue 3 of the iterator).
#[derive(Clone, Copy)]
struct GMatchState {
    /// Current position.
    src: usize,
    /// End of the last match; `usize::MAX` before the first.
    lastmatch: usize,
}

const NO_MATCH_YET: usize = usize::MAX;

unsafe extern "C-unwind" fn gmatch_aux(l: *mut ffi::lua_State) -> c_int {
    let mut ls = 0usize;
    let s = ffi::lua_tolstring(l, ffi::lua_upvalueindex(1), &mut ls);
    let mut lp = 0usize;
    let p = ffi::lua_tolstring(l, ffi::lua_upvalueindex(2), &mut lp);
    let gm = ffi::lua_touserdata(l, ffi::lua_upvalueindex(3)) as *mut GMatchState;
    if gm.is_null() {
        return 0;
    }
    let src = bytes(s, ls);
    let pat = bytes(p, lp);
    let mut ms = matcher(l, check_at(l, 4), src, pat);
    let mut pos = (*gm).src;
    while pos <= src.len() {
        ms.reprep();
        match ms.do_match(pos, 0) {
            Err(e) => raise(l, e),
            Ok(Some(e)) if e != (*gm).lastmatch => {
                (*gm).src = e;
                (*gm).lastmatch = e;
                return push_captures(l, &ms, Some((pos, e)));
            }
            Ok(_) => {}
        }
        pos += 1;
    }
    // Not found: C leaves its position where it was, so a later call searches again.
    0
}

unsafe extern "C-unwind" fn gmatch(l: *mut ffi::lua_State) -> c_int {
    let src = check_bytes(l, 1);
    check_bytes(l, 2);
    let mut init = posrelat_i(ffi::luaL_optinteger(l, 3, 1), src.len()).wrapping_sub(1);
    let check = ffi::lua_touserdata(l, ffi::lua_upvalueindex(1));
    ffi::lua_settop(l, 2); // keep strings on closure to avoid being collected
    let gm = ffi::lua_newuserdatauv(l, std::mem::size_of::<GMatchState>(), 0) as *mut GMatchState;
    if init > src.len() {
        // start after string's end? avoid overflows in 's + init'
        init = src.len() + 1;
    }
    gm.write(GMatchState {
        src: init,
        lastmatch: NO_MATCH_YET,
    });
    ffi::lua_pushlightuserdata(l, check);
    ffi::lua_pushcclosure(l, gmatch_aux, 4);
    1
}

/// `add_s`: appends the replacement string (argument 3) with its `%` escapes expanded.
unsafe fn add_s<C: FnMut(u64) -> Option<&'static str>>(
    l: *mut ffi::lua_State,
    ms: &MatchState<'_, C>,
    b: *mut ffi::luaL_Buffer,
    s: usize,
    e: usize,
) {
    let mut len = 0usize;
    let news = bytes(ffi::lua_tolstring(l, 3, &mut len), len);
    let mut rest = news;
    while let Some(at) = rest.iter().position(|&c| c == b'%') {
        ffi::luaL_addlstring(b, rest.as_ptr() as *const c_char, at);
        // The byte after '%'; C reads the terminating NUL when '%' ends the string.
        let c = rest.get(at + 1).copied().unwrap_or(0);
        if c == b'%' {
            ffi::luaL_addchar(b, c as c_char); // '%%'
        } else if c == b'0' {
            // '%0'
            let whole = ms.subject().get(s..e).unwrap_or(&[]);
            ffi::luaL_addlstring(b, whole.as_ptr() as *const c_char, whole.len());
        } else if c.is_ascii_digit() {
            // '%n'
            match ms.get_onecapture((c - b'1') as usize, s, e) {
                Ok(Captured::Position(pos)) => {
                    ffi::lua_pushinteger(l, pos as ffi::lua_Integer);
                    ffi::luaL_addvalue(b); // add position to accumulated result
                }
                Ok(Captured::Str { start, len }) => {
                    let cap = ms
                        .subject()
                        .get(start..start.saturating_add(len))
                        .unwrap_or(&[]);
                    ffi::luaL_addlstring(b, cap.as_ptr() as *const c_char, cap.len());
                }
                Err(err) => raise(l, err),
            }
        } else {
            raise_text(l, &[b"invalid use of '%' in replacement string"]);
        }
        rest = rest.get(at + 2..).unwrap_or(&[]);
    }
    ffi::luaL_addlstring(b, rest.as_ptr() as *const c_char, rest.len());
}

/// `add_value`: appends the replacement for the match `s..e`; true if the subject changed
/// (a function or table answering nil or false keeps the original text).
unsafe fn add_value<C: FnMut(u64) -> Option<&'static str>>(
    l: *mut ffi::lua_State,
    ms: &MatchState<'_, C>,
    b: *mut ffi::luaL_Buffer,
    s: usize,
    e: usize,
    tr: c_int,
) -> bool {
    match tr {
        ffi::LUA_TFUNCTION => {
            ffi::lua_pushvalue(l, 3); // push the function
            let n = push_captures(l, ms, Some((s, e))); // all captures as arguments
            ffi::lua_call(l, n, 1);
        }
        ffi::LUA_TTABLE => {
            push_onecapture(l, ms, 0, s, e); // first capture is the index
            ffi::lua_gettable(l, 3);
        }
        _ => {
            // LUA_TNUMBER or LUA_TSTRING
            add_s(l, ms, b, s, e);
            return true;
        }
    }
    if ffi::lua_toboolean(l, -1) == 0 {
        // nil or false: keep original text
        ffi::lua_pop(l, 1);
        let whole = ms.subject().get(s..e).unwrap_or(&[]);
        ffi::luaL_addlstring(b, whole.as_ptr() as *const c_char, whole.len());
        false
    } else if ffi::lua_isstring(l, -1) == 0 {
        let tname = ffi::luaL_typename(l, -1);
        let tname = bytes(tname, if tname.is_null() { 0 } else { c_strlen(tname) });
        raise_text(l, &[b"invalid replacement value (a ", tname, b")"]);
    } else {
        ffi::luaL_addvalue(b); // add result to accumulator
        true
    }
}

unsafe fn c_strlen(p: *const c_char) -> usize {
    std::ffi::CStr::from_ptr(p).to_bytes().len()
}

unsafe extern "C-unwind" fn str_gsub(l: *mut ffi::lua_State) -> c_int {
    let src = check_bytes(l, 1); // subject
    let pat = check_bytes(l, 2); // pattern
    let mut lastmatch = NO_MATCH_YET; // end of last match
    let tr = ffi::lua_type(l, 3); // replacement type
    let max_s = ffi::luaL_optinteger(l, 4, src.len() as ffi::lua_Integer + 1); // max replacements
    let anchor = pat.first() == Some(&b'^');
    let mut n: ffi::lua_Integer = 0; // replacement count
    let mut changed = false; // change flag
    if !matches!(
        tr,
        ffi::LUA_TNUMBER | ffi::LUA_TSTRING | ffi::LUA_TFUNCTION | ffi::LUA_TTABLE
    ) {
        luaL_typeerror(l, 3, c"string/function/table".as_ptr());
    }
    let mut buf = MaybeUninit::<ffi::luaL_Buffer>::uninit();
    let b = buf.as_mut_ptr(); // never moves from here on (the buffer points into itself)
    ffi::luaL_buffinit(l, b);
    let pat = if anchor { &pat[1..] } else { pat };
    let mut ms = matcher(l, check_at(l, 1), src, pat);
    let mut pos = 0usize;
    while n < max_s {
        ms.reprep(); // (re)prepare state for new match
        match ms.do_match(pos, 0) {
            Err(err) => raise(l, err),
            Ok(Some(e)) if e != lastmatch => {
                // match
                n += 1;
                changed |= add_value(l, &ms, b, pos, e, tr);
                pos = e;
                lastmatch = e;
            }
            Ok(_) => {
                if let Some(&c) = src.get(pos) {
                    // otherwise, skip one character
                    ffi::luaL_addchar(b, c as c_char);
                    pos += 1;
                } else {
                    break; // end of subject
                }
            }
        }
        if anchor {
            break;
        }
    }
    if !changed {
        ffi::lua_pushvalue(l, 1); // return original string
    } else {
        // something changed
        let rest = src.get(pos..).unwrap_or(&[]);
        ffi::luaL_addlstring(b, rest.as_ptr() as *const c_char, rest.len());
        ffi::luaL_pushresult(b); // create and return new string
    }
    ffi::lua_pushinteger(l, n); // number of substitutions
    2
}

#[cfg(test)]
mod tests {
    use super::posrelat_i;

    #[test]
    fn relative_positions() {
        assert_eq!(posrelat_i(1, 5), 1);
        assert_eq!(posrelat_i(0, 5), 1);
        assert_eq!(posrelat_i(-1, 5), 5);
        assert_eq!(posrelat_i(-5, 5), 1);
        assert_eq!(posrelat_i(-6, 5), 1);
        assert_eq!(posrelat_i(9, 5), 9);
        assert_eq!(posrelat_i(i64::MIN, 5), 1);
    }
}
