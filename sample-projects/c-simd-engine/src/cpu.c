/* Pick the widest kernel the CPU supports. */
#include <cpuid.h>

int engine_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b >> 5) & 1;
}
