#ifndef ENGINE_ARCH_H
#define ENGINE_ARCH_H
/* Cache line size by architecture. */
#if defined(__x86_64__) || defined(__i386__)
#  define ENGINE_CACHELINE 64
#elif defined(__powerpc64__)
#  define ENGINE_CACHELINE 128
#else
#  error "engine: unknown architecture, please set ENGINE_CACHELINE"
#endif
#endif
