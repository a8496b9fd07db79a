// Dot product with an AVX2 path and a NEON path (already ported).
#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

float score(const float *w, const float *x, int n) {
    float total = 0.0f;
    int i = 0;
#if defined(__AVX2__)
    __m256 acc = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), acc);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc);
    for (float v : lanes) total += v;
#elif defined(__ARM_NEON)
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (; i + 4 <= n; i += 4)
        acc = vfmaq_f32(acc, vld1q_f32(w + i), vld1q_f32(x + i));
    total = vaddvq_f32(acc);
#endif
    for (; i < n; i++) total += w[i] * x[i];
    return total;
}
