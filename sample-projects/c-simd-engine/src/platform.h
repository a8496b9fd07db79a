#ifndef ENGINE_PLATFORM_H
#define ENGINE_PLATFORM_H
/* Architecture detection, once, for the whole library. */
#if defined(__x86_64__) || defined(_M_X64)
#  define VEC_X86 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#  define VEC_ARM64 1
#endif
#endif
