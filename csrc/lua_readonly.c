/* marekvs: setting and clearing the read-only flag of a table (csrc/lua_readonly.h). */
#include "lprefix.h"
#include "lua.h"
#include "lauxlib.h"
#include "lobject.h"
#include "lstate.h"
#include "ltm.h"
#include "lua_readonly.h"

/* Sets (`on` != 0) or clears the flag of the table at `idx`; does nothing to other values.
 * Never raises. The host clears it around its own writes to the globals (KEYS, ARGV). */
void marekvs_table_setreadonly(lua_State *L, int idx, int on) {
  Table *t;
  if (lua_type(L, idx) != LUA_TTABLE) return;
  t = (Table *)lua_topointer(L, idx);
  if (on) t->flags |= MAREKVS_READONLY;
  else t->flags &= (lu_byte)~MAREKVS_READONLY;
}

/* `readonly(t)` for the scripting prelude (never reachable from scripts): marks `t`. */
int marekvs_lua_readonly(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  marekvs_table_setreadonly(L, 1, 1);
  return 0;
}
