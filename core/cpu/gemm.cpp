#include "core/cpu/gemm.h"

#include <cblas.h>

#include <vector>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/cpu/sgemm.h"
#include "core/cpu/small_sgemm.h"

namespace ember::cpu {
namespace {

// How BLAS reads one strided 2-D slice of shape [rows, cols] with strides (sr, sc).
struct Layout {
  bool ok = false;
  bool trans = false;
  int64_t ld = 0;
};

Layout blas_layout(int64_t rows, int64_t cols, int64_t sr, int64_t sc) {
  // Row-major as stored: element (i, j) at i * ld + j.
  if ((sc == 1 || cols <= 1) && (rows <= 1 || sr >= std::max<int64_t>(1, cols))) {
    return {true, false, rows <= 1 ? std::max<int64_t>(1, cols) : sr};
  }
  // Transposed storage: element (i, j) at j * ld + i.
  if ((sr == 1 || rows <= 1) && (cols <= 1 || sc >= std::max<int64_t>(1, rows))) {
    return {true, true, cols <= 1 ? std::max<int64_t>(1, rows) : sc};
  }
  return {};
}

// Offsets (in elements) of each batch's matrix in t, for the broadcast batch shape.
std::vector<int64_t> batch_offsets(const Tensor& t, IntList batch) {
  const int64_t nb = numel_of(batch);
  const int64_t bd = static_cast<int64_t>(batch.size());
  const int64_t lead = bd - (t.dim() - 2);
  std::vector<int64_t> off(nb, 0);
  Shape idx(bd, 0);
  for (int64_t i = 0; i < nb; ++i) {
    int64_t o = 0;
    for (int64_t d = lead; d < bd; ++d) {
      int64_t td = d - lead;
      if (t.shape()[td] != 1) o += idx[d] * t.strides()[td];
    }
    off[i] = o;
    for (int64_t d = bd - 1; d >= 0; --d) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return off;
}

void blas_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
               const float* b, int64_t ldb, float* c, int64_t ldc) {
  // Small products (a small MLP's layers): the blocked GEMM's fixed costs (an OpenMP
  // region, packing) would outweigh the arithmetic.
  if (small_sgemm_fits(m, n, k)) {
    small_sgemm(m, n, k, a, ta ? 1 : lda, ta ? lda : 1, b, tb ? 1 : ldb, tb ? ldb : 1, c, ldc);
    return;
  }
  sgemm(ta, tb, m, n, k, a, lda, b, ldb, 0.0f, c, ldc);
}
void blas_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
               const double* b, int64_t ldb, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
}

// BLAS path for float/double: out contiguous of dtype T.
template <class T>
void matmul_blas(const Tensor& out, Tensor a, Tensor b) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Layout la = blas_layout(m, k, a.stride(-2), a.stride(-1));
  if (!la.ok) {
    a = contiguous_raw(a);
    la = blas_layout(m, k, a.stride(-2), a.stride(-1));
  }
  Layout lb = blas_layout(k, n, b.stride(-2), b.stride(-1));
  if (!lb.ok) {
    b = contiguous_raw(b);
    lb = blas_layout(k, n, b.stride(-2), b.stride(-1));
  }
  IntList batch(out.shape().data(), out.dim() - 2);
  const int64_t nb = numel_of(batch);
  T* po = static_cast<T*>(out.data_ptr());
  const T* pa = static_cast<const T*>(a.data_ptr());
  const T* pb = static_cast<const T*>(b.data_ptr());
  if (m == 0 || n == 0 || nb == 0) return;
  if (k == 0) {
    std::fill(po, po + nb * m * n, T(0));
    return;
  }
  if (nb == 1) {
    blas_gemm(la.trans, lb.trans, m, n, k, pa, la.ld, pb, lb.ld, po, n);
    return;
  }
  auto oa = batch_offsets(a, batch), ob = batch_offsets(b, batch);
  auto run = [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      blas_gemm(la.trans, lb.trans, m, n, k, pa + oa[i], la.ld, pb + ob[i], lb.ld, po + i * m * n,
                n);
    }
  };
  // Small products: one GEMM per thread (OpenBLAS runs these single-threaded anyway).
  // Large ones: a plain loop, and OpenBLAS threads each GEMM.
  if (m * n * k <= 64 * 64 * 64) {
    parallel_for(nb, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, m * n * k)), run);
  } else {
    run(0, nb);
  }
}

// Fallback for integer dtypes: int64 accumulation, i-p-j loop order (vectorizable).
void matmul_int(const Tensor& out, const Tensor& a, const Tensor& b) {
  Tensor ca = contiguous_as(a, DType::Int64), cb = contiguous_as(b, DType::Int64);
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  IntList batch(out.shape().data(), out.dim() - 2);
  const int64_t nb = numel_of(batch);
  Tensor res = Tensor::empty(out.shape(), DType::Int64);
  auto oa = batch_offsets(ca, batch), ob = batch_offsets(cb, batch);
  const int64_t* pa = ca.data<int64_t>();
  const int64_t* pb = cb.data<int64_t>();
  int64_t* pr = res.data<int64_t>();
  parallel_for(nb * m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n * k)),
               [&](int64_t s, int64_t e) {
                 for (int64_t r = s; r < e; ++r) {
                   int64_t bi = r / m, i = r % m;
                   int64_t* c = pr + r * n;
                   std::fill(c, c + n, int64_t{0});
                   const int64_t* ar = pa + oa[bi] + i * k;
                   const int64_t* bm = pb + ob[bi];
                   for (int64_t p = 0; p < k; ++p) {
                     const int64_t av = ar[p];
                     const int64_t* br = bm + p * n;
                     for (int64_t j = 0; j < n; ++j) c[j] += av * br[j];
                   }
                 }
               });
  copy_into(out, res);
}

}  // namespace

void matmul_into(const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (out.dtype()) {
    case DType::Float32:
      return matmul_blas<float>(out, a, b);
    case DType::Float64:
      return matmul_blas<double>(out, a, b);
    case DType::Float16:
    case DType::BFloat16: {
      // 16-bit floats: compute in float32 through BLAS, round once at the end.
      Tensor tmp = Tensor::empty(out.shape(), DType::Float32);
      matmul_blas<float>(tmp, contiguous_as(a, DType::Float32), contiguous_as(b, DType::Float32));
      copy_into(out, tmp);
      return;
    }
    case DType::UInt8:
    case DType::Int32:
    case DType::Int64:
      return matmul_int(out, a, b);
    default:
      raise<TypeError>("[matmul] does not support dtype {}", dtype_name(out.dtype()));
  }
}

}  // namespace ember::cpu
