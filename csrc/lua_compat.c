/* marekvs: the Lua 5.1 functions real-world Redis scripts use, and a text-only `load`
 * (docs/scripting.md, "Lua 5.4, not 5.1: the compatibility layer").
 *
 * They are C functions, as in Redis's Lua: an argument error names the function and the
 * script's line (`user_script:1: bad argument #1 to 'unpack' (table expected, got nil)`).
 * Written in Lua they could not: a Lua function called in tail position (`return unpack(t)`)
 * replaces the script's frame in Lua 5.4, and its errors then carry neither. */
#include "lprefix.h"

#include <limits.h>
#include <math.h>

#include "lua.h"
#include "lauxlib.h"

/* A load's result (Lua's `load_aux`): the chunk, its first upvalue (_ENV) set to argument
 * `envidx` when that is not 0; or nil and the message. */
static int load_result (lua_State *L, int status, int envidx) {
  if (status == LUA_OK) {
    if (envidx != 0) {
      lua_pushvalue(L, envidx);
      if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    }
    return 1;
  }
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* The stack slot that keeps the reader's last piece alive while the parser reads it. */
#define READER_SLOT 5

/* lua_load's reader for a chunk given as a function: each call returns the next piece, nil
 * or an empty string at the end (Lua's `generic_reader`). */
static const char *function_reader (lua_State *L, void *ud, size_t *size) {
  (void)ud;
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *size = 0;
    return NULL;
  }
  if (!lua_isstring(L, -1))
    luaL_error(L, "reader function must return a string");
  lua_replace(L, READER_SLOT);
  return lua_tolstring(L, READER_SLOT, size);
}

/* `load(chunk [, chunkname [, mode [, env]]])`: Lua 5.4's, for text only (the mode is always
 * "t": a precompiled chunk is refused, "attempt to load a binary chunk"). */
int marekvs_load (lua_State *L) {
  int status;
  size_t len;
  const char *s = lua_tolstring(L, 1, &len);
  int envidx = !lua_isnone(L, 4) ? 4 : 0;
  if (s != NULL) {
    const char *chunkname = luaL_optstring(L, 2, s);
    status = luaL_loadbufferx(L, s, len, chunkname, "t");
  }
  else {
    const char *chunkname = luaL_optstring(L, 2, "=(load)");
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, READER_SLOT);
    status = lua_load(L, function_reader, NULL, chunkname, "t");
  }
  return load_result(L, status, envidx);
}

/* `loadstring(s [, chunkname])` (5.1), text only. */
static int compat_loadstring (lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *chunkname = luaL_optstring(L, 2, s);
  return load_result(L, luaL_loadbufferx(L, s, len, chunkname, "t"), 0);
}

/* `unpack(t [, i [, j]])` (5.1's global): 5.4's table.unpack (which would take any value
 * with a length) behind 5.1's check that `t` is a table. */
static int compat_unpack (lua_State *L) {
  lua_Unsigned n;
  lua_Integer i, e;
  luaL_checktype(L, 1, LUA_TTABLE);
  i = luaL_optinteger(L, 2, 1);
  e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
  if (i > e)
    return 0;
  n = (lua_Unsigned)e - (lua_Unsigned)i;
  if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
    return luaL_error(L, "too many results to unpack");
  for (; i < e; i++)
    lua_geti(L, 1, i);
  lua_geti(L, 1, e);
  return (int)n;
}

/* `table.getn(t)` (5.1): the table's raw length (5.1's `luaL_getn` ignores __len). */
static int compat_getn (lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
  return 1;
}

/* `table.maxn(t)` (5.1): the largest positive numerical key, 0 when there is none. */
static int compat_maxn (lua_State *L) {
  lua_Number max = 0;
  lua_Integer whole;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      lua_Number v = lua_tonumber(L, -1);
      if (v > max)
        max = v;
    }
  }
  if (lua_numbertointeger(max, &whole) && (lua_Number)whole == max)
    lua_pushinteger(L, whole);
  else
    lua_pushnumber(L, max);
  return 1;
}

/* 5.1's `luaL_checkint` as redis-server runs it on x86-64: the number truncated to 64 bits
 * (NaN and out of range give -2^63, as the cvttsd2si instruction does), then its low 32
 * bits. Written out here, where C's conversions would be undefined. */
static int check_int51 (lua_State *L, int arg) {
  lua_Number d = luaL_checknumber(L, arg);
  unsigned long long v = (d != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
      ? 0x8000000000000000ULL : (unsigned long long)(long long)d;
  unsigned int low = (unsigned int)v;
  return low <= (unsigned int)INT_MAX ? (int)low : -(int)(~low) - 1;
}

/* `math.ldexp(m, e)` (5.1, whose `e` may be a float; Lua 5.4's compatibility `math.ldexp`
 * refuses one). `math.pow`, `math.log10` and the other 5.1 math names are Lua 5.4's own
 * (LUA_COMPAT_MATHLIB, set by LUA_COMPAT_5_3), which check their arguments as 5.1 did. */
static int compat_ldexp (lua_State *L) {
  lua_Number m = luaL_checknumber(L, 1);
  lua_pushnumber(L, ldexp(m, check_int51(L, 2)));
  return 1;
}

/* `gcinfo()` (5.1): the kilobytes the state holds, an integer. */
static int compat_gcinfo (lua_State *L) {
  lua_pushinteger(L, lua_gc(L, LUA_GCCOUNT, 0));
  return 1;
}

static void set_funcs (lua_State *L, const char *table, const luaL_Reg *funcs) {
  if (table != NULL)
    lua_getfield(L, -1, table);
  else
    lua_pushvalue(L, -1);
  luaL_setfuncs(L, funcs, 0);
  lua_pop(L, 1);
}

/* `compat51()`: installs the functions above, and `math.mod` as `math.fmod`. The scripting
 * prelude calls it first, while the globals and the library tables are still writable. */
int marekvs_compat51 (lua_State *L) {
  static const luaL_Reg globals[] = {
    {"unpack", compat_unpack}, {"loadstring", compat_loadstring}, {"gcinfo", compat_gcinfo},
    {NULL, NULL}};
  static const luaL_Reg table[] = {{"getn", compat_getn}, {"maxn", compat_maxn}, {NULL, NULL}};
  static const luaL_Reg math[] = {{"ldexp", compat_ldexp}, {NULL, NULL}};
  lua_pushglobaltable(L);
  set_funcs(L, NULL, globals);
  set_funcs(L, "table", table);
  set_funcs(L, "math", math);
  lua_getfield(L, -1, "math");
  lua_getfield(L, -1, "fmod");
  lua_setfield(L, -2, "mod");
  lua_pop(L, 2);
  return 0;
}
