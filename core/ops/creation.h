#pragma once
// Tensor creation: constants, ranges, identity. Random tensors are in random.h.
// Errors name the function ("[arange] step must be nonzero").
#include <optional>

#include "core/default_dtype.h"
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// A 0-dim tensor holding a Python-style number, flagged as a wrapped number so it does not
// raise the dtype of tensors it meets (x_float16 * 2.5 stays float16).
Tensor scalar_tensor(const Scalar& v, std::optional<DType> dtype = std::nullopt,
                     Device device = kCPU);

// Without a dtype, floating results take default_dtype() (float32 unless changed by
// set_default_dtype), read at each call, as in PyTorch.
// full: dtype defaults to the value's kind (bool, int64 or the default floating dtype).
Tensor full(IntList shape, const Scalar& value, std::optional<DType> dtype = std::nullopt,
            Device device = kCPU);
Tensor zeros(IntList shape, DType dtype = default_dtype(), Device device = kCPU);
Tensor ones(IntList shape, DType dtype = default_dtype(), Device device = kCPU);
Tensor empty(IntList shape, DType dtype = default_dtype(), Device device = kCPU);

// *_like: same shape (and by default dtype and device) as t.
Tensor full_like(const Tensor& t, const Scalar& value, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor empty_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);

// arange(end) = arange(0, end, 1). The dtype defaults to int64 when every bound is an
// integer and to default_dtype() otherwise. Length: ceil((end - start) / step), PyTorch's rule.
Tensor arange(const Scalar& end, std::optional<DType> dtype = std::nullopt, Device device = kCPU);
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1,
              std::optional<DType> dtype = std::nullopt, Device device = kCPU);
// `steps` values from start to end inclusive (default_dtype() unless dtype says otherwise).
Tensor linspace(double start, double end, int64_t steps, std::optional<DType> dtype = std::nullopt,
                Device device = kCPU);
// base ** linspace(start, end, steps).
Tensor logspace(double start, double end, int64_t steps, double base = 10.0,
                std::optional<DType> dtype = std::nullopt, Device device = kCPU);
// The n x m (m defaults to n) identity matrix.
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, DType dtype = default_dtype(),
           Device device = kCPU);

// In place: every element of t becomes value (cast to t's dtype). Recorded as a copy_ so
// autograd (gradient zero through t) and tracing see it. zero_(t) = fill_(t, 0).
const Tensor& fill_(const Tensor& t, const Scalar& value);
const Tensor& zero_(const Tensor& t);

// Fills every element of t with value (no autograd; used by kernels and initializers).
void fill_raw(const Tensor& t, const Scalar& value);

}  // namespace ember
