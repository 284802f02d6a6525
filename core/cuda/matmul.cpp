// matmul on CUDA through cuBLAS: a[..., m, k] @ b[..., k, n] with broadcast batch dims, as
// one cublasGemmStridedBatchedEx call. Transposed operands (linear's weight.t()) are passed
// as cuBLAS transposes, not copied; only layouts cuBLAS cannot describe are made contiguous.
#include "core/cuda/cuda_context.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"

namespace ember::cuda {
namespace {

// One operand as cuBLAS sees it: base pointer, batch stride, leading dim, and whether its
// memory is row-major (true) or column-major.
struct GemmOperand {
  Tensor keep;  // owns the data (a contiguous copy when the view had to be materialized)
  const void* data = nullptr;
  int64_t batch_stride = 0;
  int64_t ld = 0;
  bool row_major = true;
};

// t broadcast to batch + [r, c]; describes it for cuBLAS, copying only when needed.
GemmOperand describe(const Tensor& t, IntList batch, int64_t r, int64_t c) {
  const int64_t nb = static_cast<int64_t>(batch.size());
  Shape shape(batch.begin(), batch.end());
  shape.push_back(r);
  shape.push_back(c);
  Strides st(nb + 2, 0);
  const int64_t off = nb + 2 - t.dim();
  for (int64_t d = 0; d < t.dim(); ++d) st[off + d] = t.shape()[d] == 1 ? 0 : t.strides()[d];
  // Rows or columns of extent 1 may take any stride: pick the one that fits a layout.
  if (r == 1) st[nb] = std::max<int64_t>(c, 1);
  if (c == 1) st[nb + 1] = 1;
  // The batch dims must collapse to one stride (or 0: broadcast over the whole batch).
  int64_t bstride = 0, expect = -1;
  bool ok = true;
  for (int64_t d = nb - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    if (expect < 0) {
      bstride = st[d];
      expect = st[d] * shape[d];
    } else if (st[d] == expect || (bstride == 0 && st[d] == 0)) {
      expect = st[d] * shape[d];
    } else {
      ok = false;
    }
  }
  const int64_t rs = st[nb], cs = st[nb + 1];
  GemmOperand g;
  if (ok && cs == 1 && rs >= std::max<int64_t>(c, 1)) {
    g.row_major = true;
    g.ld = rs;
  } else if (ok && rs == 1 && cs >= std::max<int64_t>(r, 1)) {
    g.row_major = false;
    g.ld = cs;
  } else {
    g.keep = contiguous_as(make_view(t, shape, st, t.offset()), t.dtype());
    g.data = g.keep.data_ptr();
    g.batch_stride = r * c;
    g.ld = std::max<int64_t>(c, 1);
    g.row_major = true;
    return g;
  }
  g.keep = t;
  g.data = t.data_ptr();
  g.batch_stride = bstride;
  return g;
}

void matmul_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const int64_t nd = o.dim();
  const int64_t m = o.shape()[nd - 2], n = o.shape()[nd - 1];
  const int64_t k = in[0].shape()[in[0].dim() - 1];
  const Shape batch(o.shape().begin(), o.shape().end() - 2);
  const int64_t nbatch = numel_of(batch);
  if (o.numel() == 0) return;
  if (k == 0) return cuda_backend()->fill(o, 0);

  cudaDataType_t type;
  cublasComputeType_t compute;
  const float alpha_f = 1, beta_f = 0;
  const double alpha_d = 1, beta_d = 0;
  const void *alpha = &alpha_f, *beta = &beta_f;
  switch (o.dtype()) {
    case DType::Float32: type = CUDA_R_32F; compute = CUBLAS_COMPUTE_32F; break;
    case DType::Float16: type = CUDA_R_16F; compute = CUBLAS_COMPUTE_32F; break;
    case DType::BFloat16: type = CUDA_R_16BF; compute = CUBLAS_COMPUTE_32F; break;
    case DType::Float64:
      type = CUDA_R_64F;
      compute = CUBLAS_COMPUTE_64F;
      alpha = &alpha_d;
      beta = &beta_d;
      break;
    default:
      raise<NotImplementedError>("[matmul] CUDA matmul supports floating dtypes, got {}; "
                                 "cast with .float() first", dtype_name(o.dtype()));
  }
  // Inputs in the output's dtype (cuBLAS reads both as `type`).
  const Tensor a_in = as_operand(in[0], o.device(), o.dtype());
  const Tensor b_in = as_operand(in[1], o.device(), o.dtype());
  const GemmOperand a = describe(a_in, batch, m, k);
  const GemmOperand b = describe(b_in, batch, k, n);
  // Row-major C = A B is column-major C^T = B^T A^T: cuBLAS computes C^T (n x m, ld n).
  // A row-major operand read column-major is its transpose already (no op); a column-major
  // one needs CUBLAS_OP_T.
  const Tensor c = o.is_contiguous() ? o : Tensor::empty(o.shape(), o.dtype(), o.device());
  const int dev = o.device().index;
  set_device(dev);
  check(cublasGemmStridedBatchedEx(
            cublas(dev), b.row_major ? CUBLAS_OP_N : CUBLAS_OP_T,
            a.row_major ? CUBLAS_OP_N : CUBLAS_OP_T, static_cast<int>(n), static_cast<int>(m),
            static_cast<int>(k), alpha, b.data, type, static_cast<int>(b.ld), b.batch_stride,
            a.data, type, static_cast<int>(a.ld), a.batch_stride, beta, c.data_ptr(), type,
            static_cast<int>(n), m * n, static_cast<int>(nbatch), compute, CUBLAS_GEMM_DEFAULT),
        "matmul (cublasGemmStridedBatchedEx)");
  if (!c.is_same(o)) copy_on_device(o, c);
}

struct Registrar {
  Registrar() { register_cuda_kernel("matmul", &matmul_kernel); }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
