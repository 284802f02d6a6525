#include "core/tensor_impl.h"

#include "core/error.h"

namespace ember {

TensorImpl::TensorImpl(StoragePtr storage, Shape shape, Strides strides, int64_t offset,
                       DType dtype)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset),
      dtype_(dtype) {
  refresh();
}

void TensorImpl::set_view(Shape shape, Strides strides, int64_t offset) {
  shape_ = std::move(shape);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
}

void TensorImpl::set_data(const TensorImpl& other) {
  storage_ = other.storage_;
  dtype_ = other.dtype_;
  set_view(other.shape_, other.strides_, other.offset_);
}

void TensorImpl::refresh() {
  for (int64_t s : shape_) {
    if (s < 0) raise<ValueError>("[tensor] negative dimension in shape {}", shape_str(shape_));
  }
  numel_ = numel_of(shape_);
  // Contiguous = row-major dense; dims of size 1 may have any stride.
  contiguous_ = true;
  int64_t expected = 1;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) {
      contiguous_ = false;
      break;
    }
    expected *= shape_[i];
  }
  if (numel_ == 0) contiguous_ = true;
}

}  // namespace ember
