/* Optional fast path; the build system may define USE_FAST_PATH. */
#include <stddef.h>
#ifdef USE_FAST_PATH
#include <emmintrin.h>
size_t engine_find_zero(const unsigned char *p) {
    size_t i = 0;
    for (;; i += 16) {
        int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)),
                                                     _mm_setzero_si128()));
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
    }
}
#endif
