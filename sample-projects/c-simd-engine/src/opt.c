/* Hot loops with compiler hints. */
#pragma GCC target("avx2")

__attribute__((target("avx2"))) void engine_scale(float *x, int n, float k) {
#pragma vector aligned
    for (int i = 0; i < n; i++)
        x[i] *= k;
}
