#[cfg(target_arch = "x86_64")]
mod kernel {
    use std::arch::x86_64::*;
    pub unsafe fn add(a: __m128, b: __m128) -> __m128 { _mm_add_ps(a, b) }
}

#[cfg(target_arch = "aarch64")]
mod kernel {
    use std::arch::aarch64::*;
    pub unsafe fn add(a: float32x4_t, b: float32x4_t) -> float32x4_t { vaddq_f32(a, b) }
}

use std::arch::x86_64::_mm_crc32_u64;

pub fn crc(seed: u64, v: u64) -> u64 {
    if is_x86_feature_detected!("sse4.2") {
        unsafe { _mm_crc32_u64(seed, v) }
    } else {
        seed ^ v
    }
}
