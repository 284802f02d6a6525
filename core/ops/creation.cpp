#include "core/ops/creation.h"

#include "core/cpu/elementwise_loop.h"
#include "core/dispatch.h"
#include "core/ops/creation_ops.h"

namespace ember {

EMBER_REGISTER_OP(FullOp);
EMBER_REGISTER_OP(FullLikeOp);

void fill_raw(const Tensor& t, const Scalar& value) {
  if (!t.device().is_cpu()) {
    raise<NotImplementedError>("[fill_] on {} needs the CUDA backend", t.device().str());
  }
  EMBER_DISPATCH_ALL(t.dtype(), "fill_", [&]<class T>() {
    const T v = value.to<T>();
    if (t.is_contiguous()) {
      T* p = static_cast<T*>(t.data_ptr());
      cpu::parallel_for(t.numel(), cpu::kParallelGrain, [&](int64_t b, int64_t e) {
        std::fill(p + b, p + e, v);
      });
    } else {
      cpu::map1<T, T>(t, t, [&](acc_t<T>) { return v; });
    }
  });
}

Tensor scalar_tensor(const Scalar& v, std::optional<DType> dtype, Device device) {
  Tensor t = Tensor::empty({}, dtype.value_or(v.natural_dtype()), device);
  fill_raw(t, v);
  t.impl()->set_wrapped_number(!dtype.has_value());
  return t;
}

FullOp::FullOp(const Attrs& a)
    : shape(a.get<std::vector<int64_t>>("shape", kName).begin(),
            a.get<std::vector<int64_t>>("shape", kName).end()),
      value(a.get<Scalar>("value", kName)),
      dtype(a.get<DType>("dtype", kName)),
      device(a.get<std::string>("device", kName)) {}

void FullOp::attributes(Attrs& out) const {
  out.set("shape", std::vector<int64_t>(shape.begin(), shape.end()));
  out.set("value", value);
  out.set("dtype", dtype);
  out.set("device", device.str());
}

MetaList FullOp::infer(std::span<const Tensor>) const {
  for (int64_t s : shape) {
    if (s < 0) raise<ValueError>("[full] negative dimension in shape {}", shape_str(shape));
  }
  return {TensorMeta{shape, dtype, device}};
}

void FullOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  fill_raw(out[0], value);
}

FullLikeOp::FullLikeOp(const Attrs& a) : value(a.get<Scalar>("value", kName)) {
  if (a.has("dtype")) dtype = a.get<DType>("dtype", kName);
}

void FullLikeOp::attributes(Attrs& out) const {
  out.set("value", value);
  if (dtype) out.set("dtype", *dtype);
}

MetaList FullLikeOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{in[0].shape(), dtype.value_or(in[0].dtype()), in[0].device()}};
}

void FullLikeOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  fill_raw(out[0], value);
}

Tensor full(IntList shape, const Scalar& value, std::optional<DType> dtype, Device device) {
  FullOp op(Shape(shape.begin(), shape.end()), value, dtype.value_or(value.natural_dtype()),
            device);
  return dispatch1(op, {});
}
Tensor zeros(IntList shape, DType dtype, Device device) { return full(shape, 0, dtype, device); }
Tensor ones(IntList shape, DType dtype, Device device) { return full(shape, 1, dtype, device); }
Tensor empty(IntList shape, DType dtype, Device device) { return Tensor::empty(shape, dtype, device); }

Tensor full_like(const Tensor& t, const Scalar& value, std::optional<DType> dtype) {
  FullLikeOp op(value, dtype);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor zeros_like(const Tensor& t, std::optional<DType> dtype) { return full_like(t, 0, dtype); }
Tensor ones_like(const Tensor& t, std::optional<DType> dtype) { return full_like(t, 1, dtype); }
Tensor empty_like(const Tensor& t, std::optional<DType> dtype) {
  return Tensor::empty(t.shape(), dtype.value_or(t.dtype()), t.device());
}

}  // namespace ember
