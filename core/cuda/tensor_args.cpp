#include "core/cuda/tensor_args.h"

#include <cstring>

#include "core/cpu/copy.h"

#include "core/cuda/cuda_context.h"
#include "core/device_backend.h"

namespace ember::cuda {

ElementwiseArgs make_args(IntList shape, std::initializer_list<const Tensor*> operands,
                          std::string_view op) {
  const int nd = static_cast<int>(shape.size());
  const int nop = static_cast<int>(operands.size());
  // Broadcast strides over `shape`, outermost first.
  std::vector<std::vector<int64_t>> st(nop, std::vector<int64_t>(nd, 0));
  ElementwiseArgs a;
  a.num_operands = nop;
  a.numel = numel_of(shape);
  int k = 0;
  for (const Tensor* t : operands) {
    const int off = nd - static_cast<int>(t->dim());
    if (off < 0) raise<ValueError>("[{}] operand of shape {} does not fit {}", op, shape_str(t->shape()), shape_str(shape));
    if (t->device().is_cpu()) {  // a CPU scalar: its bytes ride in the kernel parameters
      if (t->numel() != 1) {
        raise<ValueError>("[{}] a CPU tensor of shape {} cannot join CUDA tensors; move it "
                          "with .cuda() first", op, shape_str(t->shape()));
      }
      a.is_scalar[k] = true;
      std::memcpy(&a.scalar_bits[k], t->data_ptr(), static_cast<size_t>(t->element_size()));
      a.data[k] = nullptr;
    } else {
      for (int d = 0; d < t->dim(); ++d) {
        st[k][off + d] = t->shape()[d] == 1 ? 0 : t->strides()[d];
      }
      a.data[k] = t->data_ptr();
    }
    a.dtype[k] = static_cast<int>(t->dtype());
    ++k;
  }
  // Drop size-1 dims and merge dim d into d-1 when every operand steps evenly across them.
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> ms(nop);
  for (int d = 0; d < nd; ++d) {
    if (shape[d] == 1) continue;
    bool merge = !sizes.empty();
    for (int o = 0; o < nop && merge; ++o) {
      merge = ms[o].back() == st[o][d] * shape[d];
    }
    if (merge) {
      sizes.back() *= shape[d];
      for (int o = 0; o < nop; ++o) ms[o].back() = st[o][d];
    } else {
      sizes.push_back(shape[d]);
      for (int o = 0; o < nop; ++o) ms[o].push_back(st[o][d]);
    }
  }
  if (static_cast<int>(sizes.size()) > kMaxDims) {
    raise<NotImplementedError>("[{}] CUDA kernels handle at most {} non-mergeable dims, got "
                               "shape {}; make the inputs contiguous first", op, kMaxDims,
                               shape_str(shape));
  }
  a.ndim = static_cast<int>(sizes.size());
  a.all_dense = true;
  for (int d = 0; d < a.ndim; ++d) a.sizes[d] = sizes[d];
  for (int o = 0; o < nop; ++o) {
    bool dense = true, zero = true;
    int64_t expect = 1;
    for (int d = a.ndim - 1; d >= 0; --d) {
      a.strides[o][d] = ms[o][d];
      dense = dense && ms[o][d] == expect;
      zero = zero && ms[o][d] == 0;
      expect *= sizes[d];
    }
    a.dense[o] = dense;
    if (!dense && !zero) a.all_dense = false;
  }
  return a;
}

cudaStream_t stream_of(const Tensor& t) {
  set_device(t.device().index);
  return stream(t.device().index);
}
void* stream_ptr(const Tensor& t) { return static_cast<void*>(stream_of(t)); }

Tensor on_device(const Tensor& t, Device d) {
  if (t.device() == d) return t;
  Tensor out = Tensor::empty(t.shape(), t.dtype(), d);
  cuda_backend()->copy(out, t);
  return out;
}

void copy_on_device(const Tensor& dst, const Tensor& src) {
  ElementwiseArgs a = make_args(dst.shape(), {&dst, &src}, "copy");
  if (src.dtype() == dst.dtype() && a.all_dense && a.dense[0] && a.dense[1] && !a.is_scalar[1]) {
    check(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), dst.numel() * dst.element_size(),
                          cudaMemcpyDeviceToDevice, stream_of(dst)),
          "cudaMemcpyAsync");
    return;
  }
  launch_copy(a, stream_ptr(dst));
}

Tensor as_operand(const Tensor& t, Device d, DType dtype) {
  if (t.device().is_cpu() && t.numel() == 1) return ember::contiguous_as(t, dtype);  // host cast
  const Tensor on = on_device(t, d);
  return on.dtype() == dtype ? on : cuda::contiguous_as(on, dtype);
}

Tensor contiguous_as(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype && t.is_contiguous()) return t;
  Tensor out = Tensor::empty(t.shape(), dtype, t.device());
  copy_on_device(out, t);
  return out;
}

DType kernel_dtype(DType d) {
  return d == DType::UInt8 || d == DType::Int32 ? DType::Int64 : d;
}

}  // namespace ember::cuda
