#pragma once
// float32 GEMM for small products (every dimension at most kSmallGemmMaxDim, a small MLP's
// layers), without the fixed costs that dominate them in a blocked GEMM: no OpenMP region,
// no packing of A, no packing of row-major B; transposed B is copied to row-major panels
// (at most k x 32 floats, on the stack). The register-blocked kernel keeps rows x 2 vectors
// of C in registers and broadcasts A from its own layout. Runtime-dispatched through
// Highway (AVX-512 where the CPU has it, else AVX2, ...).
//
// Every element of C is one fused multiply-add chain over p = 0, 1, ..., k-1 started from
// zero, whatever the operands' layouts and the blocking, so a product and the same product
// of transposed views (C^T = B^T A^T) give bit-identical results.
#include <cstdint>

namespace ember::cpu {

inline constexpr int64_t kSmallGemmMaxDim = 64;

// Whether small_sgemm handles this product (the caller falls back to sgemm otherwise).
inline bool small_sgemm_fits(int64_t m, int64_t n, int64_t k) {
  return m <= kSmallGemmMaxDim && n <= kSmallGemmMaxDim && k <= kSmallGemmMaxDim && m > 0 &&
         n > 0 && k > 0;
}

// C[m, n] = A @ B (C overwritten, row-major with leading dimension ldc), where
// A(i, p) = a[i * rs_a + p * cs_a] and B(p, j) = b[p * rs_b + j * cs_b]: any strides.
// Requires small_sgemm_fits(m, n, k).
void small_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, int64_t cs_a,
                 const float* b, int64_t rs_b, int64_t cs_b, float* c, int64_t ldc);

}  // namespace ember::cpu
