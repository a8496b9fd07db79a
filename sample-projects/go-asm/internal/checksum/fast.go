package checksum

/*
#cgo CFLAGS: -O2 -msse4.2
#include <stdint.h>
#include <nmmintrin.h>
static uint32_t crc_step(uint32_t c, uint32_t v) { return _mm_crc32_u32(c, v); }
*/
import "C"

// CRCStep folds one word into the CRC.
func CRCStep(c, v uint32) uint32 { return uint32(C.crc_step(C.uint32_t(c), C.uint32_t(v))) }
