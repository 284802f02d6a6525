#include "core/tensor.h"

#include "core/device_copy.h"

namespace ember {

Tensor Tensor::empty(IntList shape, DType dtype, Device device) {
  for (int64_t s : shape) {
    if (s < 0) raise<ValueError>("[empty] negative dimension in shape {}", shape_str(shape));
  }
  int64_t n = numel_of(shape), bytes = 0;
  if (__builtin_mul_overflow(n, static_cast<int64_t>(itemsize(dtype)), &bytes)) {
    raise<ValueError>("[empty] shape {} of {} needs more than 2^63 bytes", shape_str(shape),
                      dtype_name(dtype));
  }
  auto storage = make_intrusive<Storage>(static_cast<size_t>(bytes), device);
  Shape sh(shape.begin(), shape.end());
  Strides st = contiguous_strides(shape);
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), std::move(sh), std::move(st), 0,
                                           dtype));
}

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[normalize_dim(d, dim(), "stride")]; }

Tensor make_view(const Tensor& t, Shape shape, Strides strides, int64_t offset) {
  return Tensor(make_intrusive<TensorImpl>(t.storage(), std::move(shape), std::move(strides),
                                           offset, t.dtype()));
}

double read_as_double(const Tensor& t, int64_t linear_index) {
  if (!t.device().is_cpu()) {
    // One element: copy just that one to the host (the copy waits for the device).
    int64_t off = 0;
    for (int64_t d = t.dim() - 1, i = linear_index; d >= 0; --d) {
      off += (i % t.shape()[d]) * t.strides()[d];
      i /= t.shape()[d];
    }
    return read_as_double(to_device_raw(make_view(t, {}, {}, t.offset() + off), kCPU), 0);
  }
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    int64_t s = t.shape()[d];
    off += (linear_index % s) * t.strides()[d];
    linear_index /= s;
  }
  return EMBER_DISPATCH_ALL(t.dtype(), "item", [&]<class T>() {
    return static_cast<double>(static_cast<acc_t<T>>(static_cast<const T*>(t.data_ptr())[off]));
  });
}

template <class T>
T Tensor::item() const {
  if (numel() != 1) {
    raise<ValueError>("[item] a tensor with {} elements cannot be converted to a scalar "
                      "(shape {})", numel(), shape_str(shape()));
  }
  if (!device().is_cpu()) return to_device_raw(*this, kCPU).item<T>();
  if constexpr (std::is_same_v<T, int64_t>) {
    if (!is_floating(dtype())) {
      int64_t off = 0;
      return EMBER_DISPATCH_ALL(dtype(), "item", [&]<class U>() {
        return static_cast<int64_t>(static_cast<const U*>(data_ptr())[off]);
      });
    }
  }
  return static_cast<T>(read_as_double(*this, 0));
}

template double Tensor::item<double>() const;
template float Tensor::item<float>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;

}  // namespace ember
