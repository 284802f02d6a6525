#include "core/cpu/copy.h"

#include <cstring>

#include "core/cpu/elementwise_loop.h"
#include "core/device_backend.h"

namespace ember {

namespace {
template <class TO, class TI>
TO convert(acc_t<TI> v) {
  if constexpr (std::is_same_v<TO, bool>) {
    return v != acc_t<TI>(0);
  } else {
    return static_cast<TO>(static_cast<acc_t<TO>>(v));
  }
}
}  // namespace

void copy_into(const Tensor& dst, const Tensor& src) {
  if (!dst.device().is_cpu() || !src.device().is_cpu()) {
    return cuda_backend_checked("copy_").copy(dst, src);  // any pair of devices
  }
  broadcast_shapes(dst.shape(), src.shape(), "copy_");
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.numel() == src.numel()) {
    if (dst.data_ptr() != src.data_ptr()) {
      std::memmove(dst.data_ptr(), src.data_ptr(), dst.numel() * dst.element_size());
    }
    return;
  }
  EMBER_DISPATCH_ALL(dst.dtype(), "copy_", [&]<class TO>() {
    EMBER_DISPATCH_ALL(src.dtype(), "copy_", [&]<class TI>() {
      cpu::map1<TO, TI>(dst, src, [](acc_t<TI> v) { return convert<TO, TI>(v); });
    });
  });
}

Tensor contiguous_as(const Tensor& t, DType dtype) {
  if (t.is_contiguous() && t.dtype() == dtype) return t;
  Tensor out = Tensor::empty(t.shape(), dtype, t.device());
  copy_into(out, t);
  return out;
}

Tensor contiguous_raw(const Tensor& t) { return contiguous_as(t, t.dtype()); }

Tensor clone_raw(const Tensor& t) {
  Tensor out = Tensor::empty(t.shape(), t.dtype(), t.device());
  copy_into(out, t);
  return out;
}

}  // namespace ember
