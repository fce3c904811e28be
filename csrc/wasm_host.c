/* Host glue for Lua on wasm32-unknown-unknown: everything that would otherwise pull WASI
 * imports (`wasi_snapshot_preview1`) into the module from Debian's wasi-libc. The Rust side
 * (src/sys/) defines the `marekvs_host_*` functions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "lua.h"
#include "lauxlib.h"
#include "ldo.h"
#include "lundump.h"

extern double marekvs_host_now_ms(void);
extern void marekvs_host_write(const char *s, size_t len, int is_error);

/* Lua calls time() for its string-hash seed and math.random's default seed. */
time_t time(time_t *t) {
  time_t now = (time_t)(marekvs_host_now_ms() / 1000.0);
  if (t) *t = now;
  return now;
}

/* lua_writestring / lua_writeline / lua_writestringerror are redirected here (build.rs). */
void marekvs_lua_write(const char *s, size_t len) { marekvs_host_write(s, len, 0); }

void marekvs_lua_write_error(const char *fmt, const char *arg) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, fmt, arg);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  marekvs_host_write(buf, (size_t)n, 1);
}

/* table.sort's pivot randomization (xorshift32 seeded from the clock on first use). */
unsigned int marekvs_random_pivot(void) {
  static unsigned int x = 0;
  if (x == 0) x = (unsigned int)marekvs_host_now_ms() | 1u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

/* No file system: loadfile/dofile fail as on a host where the file does not exist. The
 * original luaL_loadfilex is compiled under another name (lauxlib_wasm.c) and dropped. */
int luaL_loadfilex(lua_State *L, const char *filename, const char *mode) {
  (void)mode;
  lua_pushfstring(L, "cannot open %s", filename ? filename : "stdin");
  return LUA_ERRFILE;
}

/* mlua makes every state with lua_newstate and its own allocator (Rust's), and calls
 * luaL_newstate only when that fails (out of memory), to try again with libc's malloc. Both
 * allocators grow the same wasm memory, so that second try cannot succeed where the first
 * failed; without it wasi-libc's malloc (dlmalloc, ≈ 10 KB of wasm) is not linked. NULL is
 * what that second try returned then: mlua fails the same way (its assertion). */
lua_State *luaL_newstate(void) {
  return NULL;
}

/* wasi-libc's printf references its stderr FILE, whose operations would import
 * fd_write/fd_seek/fd_close from WASI. Lua never writes through a FILE here (its output macros
 * go to the host), so these operations fail quietly and the imports never appear. */
size_t __stdio_write(void *f, const unsigned char *buf, size_t len) {
  (void)f; (void)buf; (void)len;
  return 0;
}
size_t __stdio_read(void *f, unsigned char *buf, size_t len) {
  (void)f; (void)buf; (void)len;
  return 0;
}
long long __stdio_seek(void *f, long long off, int whence) {
  (void)f; (void)off; (void)whence;
  return -1;
}
int __stdio_close(void *f) {
  (void)f;
  return 0;
}

/* io, os, package and debug are never opened (the sandbox has no host access), nor utf8 (not
 * in Redis's Lua); these keep the linker from importing them or linking the library's
 * functions (mlua's loader names every library). Each opens an empty table. */
int luaopen_io(lua_State *L) { lua_newtable(L); return 1; }
int luaopen_os(lua_State *L) { lua_newtable(L); return 1; }
int luaopen_package(lua_State *L) { lua_newtable(L); return 1; }
int luaopen_debug(lua_State *L) { lua_newtable(L); return 1; }
int luaopen_utf8(lua_State *L) { lua_newtable(L); return 1; }

/* Binary chunks are never loaded: every chunk is loaded in text mode ("t": scripts, the
 * sandbox's `load`, the prelude) or is mlua's own source text, and Lua's mode check refuses a
 * binary chunk before it would call luaU_undump. So lundump.c is not compiled; this stands in
 * for it and fails the load as a malformed chunk would. */
LClosure *luaU_undump(lua_State *L, ZIO *Z, const char *name) {
  (void)Z;
  luaO_pushfstring(L, "%s: binary chunks are not supported", name);
  luaD_throw(L, LUA_ERRSYNTAX);
  return NULL;
}

/* Two libc functions Lua's string handling calls all the time, faster than wasi-libc's
 * generic ones for the way Lua calls them (native builds use the platform's libc). Same
 * results; the linker takes these before the archive's members.
 *
 * strspn: wasi-libc builds a 256-bit set of `c` on every call. string.format calls it twice
 * per directive with a constant set of 5-15 characters over spans of 0-3 characters
 * (lstrlib.c `getformat`, `checkformat`), where scanning the set per character is cheaper. */
size_t strspn(const char *s, const char *c) {
  const char *p = s;
  for (; *p; p++) {
    const char *q = c;
    while (*q && *q != *p) q++;
    if (!*q) break;
  }
  return (size_t)(p - s);
}

/* memcmp: wasi-libc's compares byte by byte. Every byte-string equality and order in the
 * module goes through it, Rust's included (slice `==`/`cmp` call memcmp): keys in hash maps,
 * an EVALSHA's 40-byte SHA, command names. Eight bytes at a time (unaligned loads are fine
 * in wasm); the first differing byte decides, as the C standard requires. */
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *l = a, *r = b;
  while (n >= 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, l, 8);
    __builtin_memcpy(&y, r, 8);
    if (x != y) {
      /* wasm is little-endian: the lowest differing bit is in the first differing byte. */
      unsigned k = (unsigned)__builtin_ctzll(x ^ y) >> 3;
      return (int)l[k] - (int)r[k];
    }
    l += 8;
    r += 8;
    n -= 8;
  }
  for (; n; n--, l++, r++) {
    if (*l != *r) return (int)*l - (int)*r;
  }
  return 0;
}

/* snprintf: Lua formats every integer it turns into text (tostring, `..`, string.format's
 * %d, lua_tolstring) with snprintf and "%lld" (LUA_INTEGER_FMT); wasi-libc's printf parses
 * the format twice and goes through a FILE. That one format is written here directly; every
 * other goes to vsnprintf. C99 semantics: the full length is returned, at most n-1
 * characters and a NUL are written. */
int snprintf(char *restrict s, size_t n, const char *restrict fmt, ...) {
  va_list ap;
  int r;
  va_start(ap, fmt);
  if (fmt[0] == '%' && fmt[1] == 'l' && fmt[2] == 'l' && fmt[3] == 'd' && fmt[4] == '\0') {
    long long v = va_arg(ap, long long);
    char digits[24];
    int len = 0, i;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
      digits[len++] = (char)('0' + (int)(u % 10));
      u /= 10;
    } while (u != 0);
    if (v < 0) digits[len++] = '-';
    if (n > 0) {
      size_t w = (size_t)len < n - 1 ? (size_t)len : n - 1;
      for (i = 0; (size_t)i < w; i++) s[i] = digits[len - 1 - i];
      s[w] = '\0';
    }
    r = len;
  } else {
    r = vsnprintf(s, n, fmt, ap);
  }
  va_end(ap);
  return r;
}
