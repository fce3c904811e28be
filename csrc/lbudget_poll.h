/* marekvs: budget polls from the C library loops that can run long without executing VM
 * instructions or allocating (build.rs `patch_lua`: `table.move` over a long range of absent
 * keys). Every 4096 iterations the loop asks the budget (src/lua/budget.rs
 * `marekvs_budget_poll`, which never raises); once it has tripped, the loop raises its message
 * as the budget's hook does, and the hook keeps raising after any pcall. */
#ifndef MAREKVS_LBUDGET_POLL_H
#define MAREKVS_LBUDGET_POLL_H

const char *marekvs_budget_poll(lua_State *L, int work);

#define MAREKVS_POLL_EVERY 4096

/* Inside a loop with counter `i` (counting up or down). */
#define marekvs_poll_every(L, i) { \
  if (l_unlikely(((i) & (MAREKVS_POLL_EVERY - 1)) == MAREKVS_POLL_EVERY - 1)) { \
    const char *marekvs_msg_ = marekvs_budget_poll(L, MAREKVS_POLL_EVERY); \
    if (marekvs_msg_ != NULL) { \
      lua_pushstring(L, marekvs_msg_); \
      lua_error(L); \
    } \
  } }

#endif
