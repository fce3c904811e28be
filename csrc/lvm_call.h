/* marekvs: OP_CALL's path for Lua functions, inlined into luaV_execute (included by the patched
 * copy of lvm.c that build.rs compiles, see `patch_lua`).
 *
 * Lua's OP_CALL calls luaD_precall (ldo.c) for every call. On wasm that call is what a Lua-to-
 * Lua call costs most: V8 gives wasm functions no callee-saved registers, so around each call
 * luaV_execute spills and reloads its live state (pc, base, ci, L, k...), on top of
 * luaD_precall's own dispatch on the callee's type. For a Lua closure this does what
 * luaD_precall's LUA_VLCL case does (with ldo.c's prepCallInfo and next_ci), without leaving
 * the VM except to grow the stack or the CallInfo list; every other callee (C functions,
 * __call) still goes through luaD_precall. */
#ifndef MAREKVS_LVM_CALL_H
#define MAREKVS_LVM_CALL_H

#include "ldo.h"
#include "lfunc.h"
#include "lstate.h"

static inline __attribute__((always_inline))
CallInfo *marekvs_precall_lua (lua_State *L, StkId func, int nresults) {
  CallInfo *ci;
  Proto *p = clLvalue(s2v(func))->p;
  int narg = cast_int(L->top.p - func) - 1;  /* number of real arguments */
  int nfixparams = p->numparams;
  int fsize = p->maxstacksize;  /* frame size */
  checkstackGCp(L, fsize, func);
  ci = L->ci->next ? L->ci->next : luaE_extendCI(L, 1);  /* next_ci */
  L->ci = ci;
  ci->func.p = func;
  ci->nresults = nresults;
  ci->callstatus = 0;
  ci->top.p = func + 1 + fsize;
  ci->u.l.savedpc = p->code;  /* starting point */
  for (; narg < nfixparams; narg++)
    setnilvalue(s2v(L->top.p++));  /* complete missing arguments */
  lua_assert(ci->top.p <= L->stack_last.p);
  return ci;
}

#endif
