// Mask and position ops: masked_fill, masked_select, nonzero, one_hot.
#include "core/cpu/copy.h"
#include "core/cpu/elementwise_loop.h"
#include "core/device_backend.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/index_ops.h"

namespace ember {

EMBER_REGISTER_OP(MaskedFillOp);
EMBER_REGISTER_OP(NonzeroOp);
EMBER_REGISTER_OP(OneHotOp);

namespace {

void check_mask(const Tensor& mask, std::string_view op) {
  if (mask.dtype() != DType::Bool) {
    raise<TypeError>("[{}] mask must be a bool tensor, got {}", op, dtype_name(mask.dtype()));
  }
}

template <class F>
void for_each_value(const Tensor& t, F&& f) {  // f(linear index, value as T), row-major
  Tensor c = contiguous_raw(t);
  EMBER_DISPATCH_ALL(t.dtype(), "nonzero", [&]<class T>() {
    const T* p = static_cast<const T*>(c.data_ptr());
    for (int64_t i = 0; i < c.numel(); ++i) f(i, static_cast<acc_t<T>>(p[i]) != acc_t<T>(0));
  });
}

}  // namespace

// ---- masked_fill
MetaList MaskedFillOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 3);
  check_same_device(*this, in);
  const Tensor& t = in[0];
  check_mask(in[1], kName);
  if (!broadcastable_to(in[1].shape(), t.shape())) {
    raise<ValueError>("[masked_fill] mask of shape {} cannot be broadcast to the input's shape {}",
                      shape_str(in[1].shape()), shape_str(t.shape()));
  }
  if (in[2].dim() != 0) {
    raise<ValueError>("[masked_fill] value must be a 0-dim tensor or a number, got shape {}",
                      shape_str(in[2].shape()));
  }
  if (in[2].dtype() != t.dtype()) {
    raise<TypeError>("[masked_fill] value has dtype {} but the input has dtype {}",
                     dtype_name(in[2].dtype()), dtype_name(t.dtype()));
  }
  return {TensorMeta{t.shape(), t.dtype(), t.device()}};
}
void MaskedFillOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  EMBER_DISPATCH_ALL(in[0].dtype(), kName, [&]<class T>() {
    cpu::map3<T, T, bool, T>(out[0], in[0], in[1], in[2],
                             [](auto x, bool m, auto v) { return m ? v : x; });
  });
}
TensorList MaskedFillOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor& mask = a.inputs[1];
  Tensor kept = masked_fill(g, mask, Scalar(0));
  Tensor gv;
  if (a.needs_grad[2]) gv = sum(sub(g, kept));
  return {a.needs_grad[0] ? kept : Tensor(), Tensor(), gv};
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  static const MaskedFillOp op;
  const Tensor in[] = {t, mask, to_dtype(value, t.dtype())};
  return dispatch1(op, in);
}
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  return masked_fill(t, mask, scalar_tensor(value, t.dtype(), t.device()));
}

const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  static const MaskedFillOp op;
  const Tensor in[] = {t, mask, to_dtype(value, t.dtype())};
  dispatch_inplace(op, in);
  return t;
}
const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value) {
  return masked_fill_(t, mask, scalar_tensor(value, t.dtype(), t.device()));
}

Tensor masked_select(const Tensor& t, const Tensor& mask) {
  check_mask(mask, "masked_select");
  Shape b = broadcast_shapes(t.shape(), mask.shape(), "masked_select");
  return index(broadcast_to(t, b), {TensorIndex::of(broadcast_to(mask, b))});
}

// ---- nonzero
MetaList NonzeroOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  int64_t n = 0;
  if (!t.device().is_cpu()) {
    // The backend counts on the device and reads the count back (core/cuda/nonzero_ops.cpp).
    const CudaKernel count = find_cuda_kernel("nonzero_count");
    if (!count) raise<NotImplementedError>("[nonzero] needs the CUDA backend for {}", t.device().str());
    Tensor out[] = {Tensor::empty({}, DType::Int64, kCPU)};
    count(*this, in, std::span<Tensor>(out, 1));
    n = out[0].item<int64_t>();
    return {TensorMeta{Shape{n, t.dim()}, DType::Int64, t.device()}};
  }
  for_each_value(t, [&](int64_t, bool nz) { n += nz; });
  return {TensorMeta{Shape{n, t.dim()}, DType::Int64, t.device()}};
}
void NonzeroOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& t = in[0];
  int64_t* o = out[0].data<int64_t>();
  const int64_t nd = t.dim();
  for_each_value(t, [&](int64_t i, bool nz) {
    if (!nz) return;
    for (int64_t d = nd - 1; d >= 0; --d) {
      o[d] = i % t.shape()[d];
      i /= t.shape()[d];
    }
    o += nd;
  });
}

Tensor nonzero(const Tensor& t) {
  static const NonzeroOp op;
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

std::vector<Tensor> nonzero_tuple(const Tensor& t) {
  Tensor nz = nonzero(t);
  if (t.dim() == 0) return {reshape(nz, {-1})};  // PyTorch: one tensor of 0 or 1 zeros
  std::vector<Tensor> out;
  for (int64_t d = 0; d < t.dim(); ++d) out.push_back(select(nz, 1, d));
  return out;
}

// ---- one_hot
MetaList OneHotOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  if (t.dtype() != DType::Int64) {
    raise<TypeError>("[one_hot] expects an int64 tensor of class indices, got {}",
                     dtype_name(t.dtype()));
  }
  if (num_classes < 0) raise<ValueError>("[one_hot] num_classes must be >= 0, got {}", num_classes);
  Shape s(t.shape());
  s.push_back(num_classes);
  return {TensorMeta{s, DType::Int64, t.device()}};
}
void OneHotOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor c = contiguous_raw(in[0]);
  const int64_t* p = c.data<int64_t>();
  const int64_t n = c.numel();
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] < 0 || p[i] >= num_classes) {
      raise<IndexError>("[one_hot] class value {} is out of range for num_classes {}", p[i],
                        num_classes);
    }
  }
  int64_t* o = out[0].data<int64_t>();
  std::fill(o, o + out[0].numel(), int64_t{0});
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
}

Tensor one_hot(const Tensor& t, int64_t num_classes) {
  if (num_classes == -1) {
    if (t.dtype() != DType::Int64) {
      raise<TypeError>("[one_hot] expects an int64 tensor of class indices, got {}",
                       dtype_name(t.dtype()));
    }
    if (t.numel() == 0) {
      raise<ValueError>("[one_hot] cannot infer num_classes from an empty tensor; pass it");
    }
    Tensor c = contiguous_raw(t);
    const int64_t* p = c.data<int64_t>();
    num_classes = *std::max_element(p, p + c.numel()) + 1;
  } else if (num_classes < -1) {
    raise<ValueError>("[one_hot] num_classes must be -1 or non-negative, got {}", num_classes);
  }
  OneHotOp op(num_classes);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

}  // namespace ember
