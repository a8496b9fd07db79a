/* AVX2 blend kernel (x86 build only; see ../neon/blend.c). */
#include <immintrin.h>
void engine_blend(float *d, const float *a, const float *b, int n) {
    for (int i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, _mm256_blend_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), 0xAA));
}
