/* Vector add: x86 SSE and Arm64 NEON paths (already ported). */
#include <stddef.h>
#include "platform.h"
#if defined(VEC_X86)
#include <immintrin.h>
#elif defined(VEC_ARM64)
#include <arm_neon.h>
#endif

void engine_add(float *dst, const float *a, const float *b, size_t n) {
    size_t i = 0;
#if defined(VEC_X86)
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(dst + i, _mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
#elif defined(VEC_ARM64)
    for (; i + 4 <= n; i += 4)
        vst1q_f32(dst + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
#endif
    for (; i < n; i++)   /* tail; the old code used _mm_add_ss here */
        dst[i] = a[i] + b[i];
}
