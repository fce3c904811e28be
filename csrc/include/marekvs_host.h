/* Force-included into every Lua source on wasm32 (build.rs): the host functions that Lua's
 * output macros are redirected to (defined in wasm_host.c). */
#ifndef MAREKVS_HOST_H
#define MAREKVS_HOST_H
#include <stddef.h>
void marekvs_lua_write(const char *s, size_t len);
void marekvs_lua_write_error(const char *fmt, const char *arg);
unsigned int marekvs_random_pivot(void);
/* lobject.c's number conversion (build.rs patches l_str2dloc): src/lua/mod.rs. */
double marekvs_str2number(const char *s, char **end);
#endif
