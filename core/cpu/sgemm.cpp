#include "core/cpu/sgemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ember::cpu {
namespace {

bool decide_avx512() {
  const char* env = std::getenv("EMBER_SGEMM");
  if (env && std::strcmp(env, "openblas") == 0) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

}  // namespace

bool sgemm_uses_avx512() {
  static const bool use = decide_avx512();
  return use;
}

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  // Very narrow products (the logits of a small classifier) waste most of a 32-wide block:
  // OpenBLAS's narrower kernels do them better.
  if (sgemm_uses_avx512() && n >= 16) {
    sgemm_avx512(m, n, k, a, trans_a ? 1 : lda, trans_a ? lda : 1, b, trans_b ? 1 : ldb,
                 trans_b ? ldb : 1, beta, c, ldc);
    return;
  }
  // BLAS rejects leading dims of 0 even where the matching size is 0.
  lda = std::max<int64_t>(lda, 1), ldb = std::max<int64_t>(ldb, 1), ldc = std::max<int64_t>(ldc, 1);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace ember::cpu
