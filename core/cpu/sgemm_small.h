#pragma once
// sgemm for small products (at most kSmallGemmWork multiply-adds), with sgemm's arguments:
// runs inline on the calling thread, no BLAS. Returns false (and does nothing) for larger
// or empty products, which go to BLAS.
#include <cstdint>

namespace ember::cpu {

inline constexpr int64_t kSmallGemmWork = 32768;

bool sgemm_small(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace ember::cpu
