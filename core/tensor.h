#pragma once
// Tensor: a cheap, copyable handle to a TensorImpl. Copies share the same tensor (like a
// Python reference); views are new impls over the same Storage. The operations live as
// free functions in core/ops/*.h (umbrella: core/ops.h).
#include <absl/container/inlined_vector.h>

#include "core/default_dtype.h"
#include "core/tensor_impl.h"

namespace ember {

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(IntrusivePtr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new, uninitialized, contiguous tensor; the dtype defaults to default_dtype() (read at
  // each call, so set_default_dtype applies to later calls).
  static Tensor empty(IntList shape, DType dtype = default_dtype(), Device device = kCPU);

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const IntrusivePtr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }

  const Shape& shape() const { return impl_->shape(); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  const Strides& strides() const { return impl_->strides(); }
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return impl_->dim(); }
  int64_t numel() const { return impl_->numel(); }
  int64_t offset() const { return impl_->offset(); }
  DType dtype() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  int64_t element_size() const { return itemsize(dtype()); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  const StoragePtr& storage() const { return impl_->storage(); }
  uint32_t version() const { return impl_->storage()->version(); }

  void* data_ptr() const { return impl_->data(); }
  template <class T>
  T* data() const {
    if (dtype_v<T> != dtype()) {
      raise<TypeError>("[data] tensor has dtype {}, requested {}", dtype_name(dtype()),
                       dtype_name(dtype_v<T>));
    }
    return static_cast<T*>(impl_->data());
  }

  bool requires_grad() const { return impl_->requires_grad(); }

  // The value of a one-element tensor, converted to T.
  template <class T>
  T item() const;

  std::string str() const;  // PyTorch-like repr

 private:
  IntrusivePtr<TensorImpl> impl_;
};

using TensorList = absl::InlinedVector<Tensor, 2>;

// A new tensor sharing t's storage with the given view metadata.
Tensor make_view(const Tensor& t, Shape shape, Strides strides, int64_t offset);

// Reads element `linear_index` (row-major over the shape) of any strided tensor as double.
double read_as_double(const Tensor& t, int64_t linear_index);

}  // namespace ember
