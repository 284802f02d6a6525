#pragma once
// Matrix products on CPU. float32 goes to cpu::sgemm (Ember's AVX-512 kernel, or OpenBLAS),
// float64 to OpenBLAS (cblas_dgemm), both with transposes
// passed as flags rather than copied; other dtypes compute in float (16-bit floats) or
// int64 (integers). These are raw kernels: no dispatch, no autograd.
#include "core/tensor.h"

namespace ember::cpu {

// out[..., m, n] = a[..., m, k] @ b[..., k, n]. `out` is contiguous with the broadcast batch
// shape; a and b may have any strides (batch dims broadcast, stride 0 allowed).
void matmul_into(const Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace ember::cpu
