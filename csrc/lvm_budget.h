/* marekvs: the budget countdown of Lua's VM, included by the patched copy of lvm.c that
 * build.rs compiles (see docs/scripting.md, "Budgets", and build.rs `patch_lvm`).
 *
 * Lua's count hook would poll the script budget, but in Lua 5.4 any hook makes luaV_execute
 * call luaG_traceexec on every instruction (fib(27) ran 2.3x the instructions). Instead the VM
 * decrements a countdown at the only places a script can go on forever from: backward jumps
 * (loops, goto), FORLOOP/TFORLOOP, and every entry into a Lua function (calls, tail calls,
 * metamethods, coroutine starts). At zero it calls marekvs_budget_tick (src/lua/budget.rs),
 * which polls the clock and the kill flag; when the budget has tripped it installs the count
 * hook (every instruction), and the error is raised from hook context as before.
 *
 * The countdown is an int at the start of the main thread's LUA_EXTRASPACE (per Lua state:
 * one state runs on one OS thread at a time; mlua does not use that space). */
#ifndef MAREKVS_LVM_BUDGET_H
#define MAREKVS_LVM_BUDGET_H

/* Returns the events to run before the next call (src/lua/budget.rs). Never raises. */
int marekvs_budget_tick(lua_State *L);

#define marekvs_countdown(L) (*(int *)lua_getextraspace(G(L)->mainthread))

/* Inside luaV_execute: `ci` and `trap` are its locals. A tick may have installed the hook,
 * so the cached `trap` is refreshed. */
#define marekvs_count(L) { \
  if (l_unlikely(--marekvs_countdown(L) <= 0)) { \
    marekvs_countdown(L) = marekvs_budget_tick(L); \
    updatetrap(ci); \
  } }

#endif
