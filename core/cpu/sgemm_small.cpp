// Small float32 products without BLAS. For a product of a few thousand multiply-adds (the
// layers of a small MLP at a small batch), cblas_sgemm's fixed cost (argument checks,
// packing both operands into its block layout, clearing C, the kernel's edge handling)
// is several times the arithmetic. Here each row of C is accumulated from rows of B, a loop
// the compiler vectorizes; B is packed only when it is transposed.
#include "core/cpu/sgemm_small.h"

#include <cstddef>
#include <vector>

// One clone per target (AVX2 + FMA, and the baseline), resolved once at load time.
#define EMBER_SMALL_GEMM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))

namespace ember::cpu {
namespace {

// C[m, n] = A(i, p) * B[p, :] summed over p (+ beta * C); B rows contiguous, ldb apart.
EMBER_SMALL_GEMM_CLONES void rows_times_b(int64_t m, int64_t n, int64_t k, const float* a,
                                          int64_t rs_a, int64_t cs_a, const float* b, int64_t ldb,
                                          float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* __restrict crow = c + i * ldc;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < n; ++j) crow[j] = 0.0f;  // BLAS semantics: C is not read
    } else if (beta != 1.0f) {
      for (int64_t j = 0; j < n; ++j) crow[j] *= beta;
    }
    for (int64_t p = 0; p < k; ++p) {
      const float av = a[i * rs_a + p * cs_a];
      const float* __restrict brow = b + p * ldb;
      for (int64_t j = 0; j < n; ++j) crow[j] += av * brow[j];
    }
  }
}

}  // namespace

bool sgemm_small(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0 || k <= 0 || m * n * k > kSmallGemmWork) return false;
  const float* rows = b;
  int64_t ld_rows = ldb;
  if (trans_b) {
    // B(p, j) = b[j * ldb + p]: pack it as k rows of n (per thread, reused).
    thread_local std::vector<float> packed;
    if (packed.size() < static_cast<std::size_t>(k * n)) packed.resize(k * n);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t p = 0; p < k; ++p) packed[p * n + j] = b[j * ldb + p];
    }
    rows = packed.data();
    ld_rows = n;
  }
  rows_times_b(m, n, k, a, trans_a ? 1 : lda, trans_a ? lda : 1, rows, ld_rows, beta, c, ldc);
  return true;
}

}  // namespace ember::cpu
