/* marekvs: read-only tables, as Redis 7 patches its Lua (`lua_enablereadonlytable`): a flag in
 * the table header that every write path of the VM and the C API checks, raising
 * "Attempt to modify a readonly table". Scripts' globals and library tables carry it, so a
 * global or library lookup is a plain table hit (no proxy tables, no metamethods). Included
 * by the patched copies of lvm.c and lapi.c that build.rs compiles (`patch_lua`), and by
 * csrc/lua_readonly.c. See docs/scripting.md ("Read-only globals"). */
#ifndef MAREKVS_LUA_READONLY_H
#define MAREKVS_LUA_READONLY_H

/* Bit 6 of `Table.flags`: bits 0-5 cache absent metamethods (ltm.h `maskflags`, which
 * `invalidateTMcache` clears) and bit 7 is `BITRAS` (lobject.h); nothing else writes the
 * byte after `luaH_new`. */
#define MAREKVS_READONLY (1u << 6)
_Static_assert((maskflags & MAREKVS_READONLY) == 0 && (BITRAS & MAREKVS_READONLY) == 0,
               "Table.flags bit 6 is used by this Lua");

#define marekvs_isreadonly(h) ((h)->flags & MAREKVS_READONLY)
/* For a TValue `t` known to hold a table. */
#define marekvs_writable(t) (!marekvs_isreadonly(hvalue(t)))
#define marekvs_refuse(L, h) \
  { if (l_unlikely(marekvs_isreadonly(h))) \
      luaG_runerror(L, "Attempt to modify a readonly table"); }

#endif
