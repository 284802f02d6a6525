#pragma once
// Matrix products with PyTorch semantics. float32/float64 run on OpenBLAS; other numeric
// dtypes compute in float32 (16-bit floats) or int64 (integers).
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// 1-D.1-D: dot; 2-D: mm; 1-D/2-D mixes (vector promoted, then squeezed); >2-D: batched,
// with the batch dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);     // [n, k] @ [k, m]
Tensor bmm(const Tensor& a, const Tensor& b);    // [b, n, k] @ [b, k, m], no broadcasting
Tensor mv(const Tensor& a, const Tensor& v);     // [n, k] @ [k]
Tensor dot(const Tensor& a, const Tensor& b);    // [n] . [n] -> 0-dim
Tensor outer(const Tensor& a, const Tensor& b);  // [n] x [m] -> [n, m]
// beta * bias + alpha * (a @ b), a and b 2-D, bias broadcast to the result.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, const Scalar& beta = 1,
             const Scalar& alpha = 1);

}  // namespace ember
