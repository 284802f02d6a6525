#pragma once
// float32 GEMM entry point for the CPU kernels (matmul, conv):
//   C[m, n] = A[m, k] @ B[k, n] + beta * C, row-major, A and B optionally transposed.
// On CPUs with AVX-512 it runs Ember's own packed, register-blocked kernel (sgemm_avx512.cpp),
// which beats OpenBLAS's AVX2 kernels there; elsewhere, or with EMBER_SGEMM=openblas in the
// environment, it calls cblas_sgemm.
#include <cstdint>

namespace ember::cpu {

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Whether sgemm uses Ember's AVX-512 kernel on this machine (for tests and benchmarks).
bool sgemm_uses_avx512();

// The AVX-512 kernel itself; only callable where sgemm_uses_avx512() is true. Operands are
// given by strides: A(i, p) = a[i * rs_a + p * cs_a], B(p, j) = b[p * rs_b + j * cs_b].
void sgemm_avx512(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, int64_t cs_a,
                  const float* b, int64_t rs_b, int64_t cs_b, float beta, float* c, int64_t ldc);

}  // namespace ember::cpu
