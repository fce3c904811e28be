/* lauxlib.c with its file loader renamed out of the way: wasm_host.c provides a
 * luaL_loadfilex that touches no file system, so no stdio imports reach the module. */
#define luaL_loadfilex marekvs_unused_loadfilex
#include "lauxlib.c"
