#pragma once
// Tensor creation: constants, ranges, identity, random.
#include <optional>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// A 0-dim tensor holding a Python-style number, flagged as a wrapped number so it does not
// raise the dtype of tensors it meets (x_float16 * 2.5 stays float16).
Tensor scalar_tensor(const Scalar& v, std::optional<DType> dtype = std::nullopt,
                     Device device = kCPU);

Tensor full(IntList shape, const Scalar& value, std::optional<DType> dtype = std::nullopt,
            Device device = kCPU);
Tensor zeros(IntList shape, DType dtype = DType::Float32, Device device = kCPU);
Tensor ones(IntList shape, DType dtype = DType::Float32, Device device = kCPU);
Tensor empty(IntList shape, DType dtype = DType::Float32, Device device = kCPU);

// *_like: same shape (and by default dtype and device) as t.
Tensor full_like(const Tensor& t, const Scalar& value, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);
Tensor empty_like(const Tensor& t, std::optional<DType> dtype = std::nullopt);

// Fills every element of t with value (no autograd; used by kernels and initializers).
void fill_raw(const Tensor& t, const Scalar& value);

}  // namespace ember
