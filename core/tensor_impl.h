#pragma once
// TensorImpl: the view metadata (shape, strides, offset, dtype) over a Storage. Many impls
// may share one Storage (views). Autograd state hangs off `autograd_meta`, which core only
// knows as an opaque base so that core stays free of autograd.
#include <memory>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/storage.h"

namespace ember {

// Implemented by eager (grad, grad_fn, hooks). Core only owns and destroys it.
struct AutogradMetaBase {
  virtual ~AutogradMetaBase() = default;
};

class TensorImpl final : public RefCounted {
 public:
  TensorImpl(StoragePtr storage, Shape shape, Strides strides, int64_t offset, DType dtype);

  const StoragePtr& storage() const { return storage_; }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t offset() const { return offset_; }  // in elements
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  int64_t numel() const { return numel_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  bool is_contiguous() const { return contiguous_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) + offset_ * itemsize(dtype_);
  }

  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad(bool r) { requires_grad_ = r; }
  AutogradMetaBase* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaBase> m) { autograd_meta_ = std::move(m); }

  // A 0-dim tensor made from a Python number: it does not raise the dtype of a tensor it is
  // combined with (PyTorch's "wrapped number" promotion rule).
  bool is_wrapped_number() const { return wrapped_number_; }
  void set_wrapped_number(bool w) { wrapped_number_ = w; }

  // Replaces the view metadata in place (used by in-place resize-free ops like t.t_()).
  void set_view(Shape shape, Strides strides, int64_t offset);
  // Points this tensor at other's data (storage, view and dtype), keeping its identity and
  // autograd state: `param.data = x`, `module.to(dtype)`.
  void set_data(const TensorImpl& other);

 private:
  void refresh();

  StoragePtr storage_;
  Shape shape_;
  Strides strides_;
  int64_t offset_;
  int64_t numel_ = 1;
  DType dtype_;
  bool contiguous_ = true;
  bool requires_grad_ = false;
  bool wrapped_number_ = false;
  std::unique_ptr<AutogradMetaBase> autograd_meta_;
};

}  // namespace ember
