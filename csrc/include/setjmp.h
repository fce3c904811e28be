/* setjmp.h for Lua on wasm32-unknown-unknown.
 *
 * Debian's wasi-libc (2022) ships neither <setjmp.h> nor the runtime that clang's
 * `-mllvm -wasm-enable-sjlj` lowering calls. clang rewrites every call to `setjmp`/`longjmp`
 * into calls to `__wasm_setjmp`, `__wasm_setjmp_test` and `__wasm_longjmp`, which live in
 * `wasm_sjlj.c` beside this directory; the buffer only has to be large enough for the record
 * defined there. */
#ifndef MAREKVS_SETJMP_H
#define MAREKVS_SETJMP_H

typedef struct marekvs_jmp_buf_impl {
  void *func_invocation_id;
  unsigned int label;
  void *arg_env;
  int arg_val;
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));

#endif
