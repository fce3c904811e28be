/* memcpy, memmove and memset for the wasm module (Rust's and Lua's), compiled on their own
 * with bulk memory (build.rs).
 *
 * With bulk memory, LLVM lowers every copy or fill of a size not known at compile time to
 * `memory.copy` / `memory.fill`, and V8 (Node 20) runs each as a call out of the module to a
 * C++ function: ≈ 90 instructions and 10–15 ns whatever the size, for copies that are mostly
 * a key, a short value or a few words (five per EVALSHA of an INCR). The Rust side is built
 * without `bulk-memory-opt` (.cargo/config.toml), so those copies call these functions: up to
 * 16 bytes by two overlapping loads and stores per width (no loop for LLVM to turn back into
 * a memcpy), more by one `memory.copy` / `memory.fill`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void copy_small(unsigned char *d, const unsigned char *s, size_t n) {
  /* Every load before any store: the ranges may overlap (memmove). */
  if (n >= 8) {
    uint64_t a, b;
    __builtin_memcpy(&a, s, 8);
    __builtin_memcpy(&b, s + n - 8, 8);
    __builtin_memcpy(d, &a, 8);
    __builtin_memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    __builtin_memcpy(&a, s, 4);
    __builtin_memcpy(&b, s + n - 4, 4);
    __builtin_memcpy(d, &a, 4);
    __builtin_memcpy(d + n - 4, &b, 4);
  } else if (n) {
    unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = c;
  }
}

/* Up to SMALL bytes without `memory.copy`: a forward word loop and an overlapping last word
 * (memcpy's ranges do not overlap). This file is compiled with -fno-builtin, so LLVM does
 * not turn the loop back into a memcpy. */
#define SMALL 64

void *memcpy(void *restrict dest, const void *restrict src, size_t n) {
  if (n <= 16) {
    copy_small(dest, src, n);
    return dest;
  }
  if (n <= SMALL) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    uint64_t last;
    __builtin_memcpy(&last, s + n - 8, 8);
    for (size_t i = 0; i + 8 <= n; i += 8) {
      uint64_t w;
      __builtin_memcpy(&w, s + i, 8);
      __builtin_memcpy(d + i, &w, 8);
    }
    __builtin_memcpy(d + n - 8, &last, 8);
    return dest;
  }
  /* A size unknown here, with bulk memory enabled for this file: `memory.copy`. */
  return __builtin_memmove(dest, src, n);
}

void *memmove(void *dest, const void *src, size_t n) {
  if (n <= 16) {
    copy_small(dest, src, n);
    return dest;
  }
  return __builtin_memmove(dest, src, n);
}

void *memset(void *dest, int c, size_t n) {
  unsigned char *d = dest;
  if (n <= 16) {
    uint64_t v = 0x0101010101010101ull * (unsigned char)c;
    if (n >= 8) {
      __builtin_memcpy(d, &v, 8);
      __builtin_memcpy(d + n - 8, &v, 8);
    } else if (n >= 4) {
      uint32_t w = (uint32_t)v;
      __builtin_memcpy(d, &w, 4);
      __builtin_memcpy(d + n - 4, &w, 4);
    } else if (n) {
      d[0] = (unsigned char)c;
      d[n / 2] = (unsigned char)c;
      d[n - 1] = (unsigned char)c;
    }
    return dest;
  }
  return __builtin_memset(dest, c, n);
}
