/* NEON blend kernel. */
#include <arm_neon.h>
void engine_blend(float *d, const float *a, const float *b, int n) {
    static const uint32_t m[4] = {0, ~0u, 0, ~0u};
    uint32x4_t mask = vld1q_u32(m);
    for (int i = 0; i + 4 <= n; i += 4)
        vst1q_f32(d + i, vbslq_f32(mask, vld1q_f32(b + i), vld1q_f32(a + i)));
}
