// Byte histogram for request payloads: SSE2 only.
#include <emmintrin.h>
#include <cstddef>

int count_zero_bytes(const unsigned char *p, std::size_t n) {
    int count = 0;
    std::size_t i = 0;
    const __m128i zero = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
        count += __builtin_popcount(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
    }
    for (; i < n; i++) count += p[i] == 0;
    return count;
}
