/* lauxlib.c (build.rs's patched copy) with its file loader renamed out of the way: wasm_host.c provides a
 * luaL_loadfilex that touches no file system, so no stdio imports reach the module.
 * luaL_newstate too: its allocator is libc's realloc/free, which would link wasi-libc's
 * malloc (a second allocator next to the Rust one); wasm_host.c's returns NULL. */
#define luaL_loadfilex marekvs_unused_loadfilex
#define luaL_newstate marekvs_unused_newstate
#include MAREKVS_LAUXLIB  /* the patched lauxlib.c in OUT_DIR (build.rs `patch_lua`) */
