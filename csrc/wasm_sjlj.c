/* The setjmp/longjmp runtime that clang's wasm SjLj lowering (`-mllvm -wasm-enable-sjlj`,
 * legacy exception-handling instructions) expects, written for the record in
 * include/setjmp.h.
 *
 * - `__wasm_setjmp(env, label, id)` records which call site (label) of which function
 *   invocation (id) owns `env`.
 * - `__wasm_longjmp(env, val)` throws the `__c_longjmp` tag (tag index 1 for
 *   `__builtin_wasm_throw`) with a pointer to {env, val}.
 * - The lowered function catches it and asks `__wasm_setjmp_test(env, id)` whether the
 *   buffer belongs to this invocation; it returns the label to resume at, or 0 to rethrow. */
#include <setjmp.h>
#include <stdint.h>

struct marekvs_longjmp_arg {
  void *env;
  int val;
};

void __wasm_setjmp(void *env, uint32_t label, void *func_invocation_id) {
  struct marekvs_jmp_buf_impl *jb = env;
  if (label == 0 || func_invocation_id == 0) __builtin_trap();
  jb->func_invocation_id = func_invocation_id;
  jb->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *func_invocation_id) {
  struct marekvs_jmp_buf_impl *jb = env;
  if (jb->label == 0 || func_invocation_id == 0) __builtin_trap();
  if (jb->func_invocation_id == func_invocation_id) return jb->label;
  return 0;
}

void __wasm_longjmp(void *env, int val) {
  struct marekvs_jmp_buf_impl *jb = env;
  /* The thrown payload must outlive the unwinding: keep it inside the jmp_buf itself. */
  struct marekvs_longjmp_arg *arg = (struct marekvs_longjmp_arg *)&jb->arg_env;
  if (val == 0) val = 1;
  arg->env = env;
  arg->val = val;
  __builtin_wasm_throw(1, arg);
}
