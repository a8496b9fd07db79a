/* CRC32C over a buffer with the SSE4.2 instruction. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <nmmintrin.h>

uint32_t engine_crc32c(uint32_t crc, const unsigned char *p, size_t n) {
    crc = ~crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        crc = (uint32_t)_mm_crc32_u64(crc, v);
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = _mm_crc32_u8(crc, *p++);
    return ~crc;
}
