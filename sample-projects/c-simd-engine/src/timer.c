/* Cycle timer and spin-wait used by the benchmark harness. */
#include <stdint.h>

uint64_t engine_cycles(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void engine_spin(volatile int *flag) {
    while (!*flag)
        __asm__ __volatile__("pause" ::: "memory");
}

void engine_barrier(void) {
    __asm__ __volatile__("" ::: "memory");   /* compiler barrier: portable */
}
