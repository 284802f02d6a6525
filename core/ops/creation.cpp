#include "core/ops/creation.h"

#include <cmath>
#include <limits>

#include "core/cpu/elementwise_loop.h"
#include "core/device_backend.h"
#include "core/dispatch.h"
#include "core/ops/copy.h"
#include "core/ops/creation_ops.h"

namespace ember {

EMBER_REGISTER_OP(FullOp);
EMBER_REGISTER_OP(FullLikeOp);
EMBER_REGISTER_OP(ArangeOp);
EMBER_REGISTER_OP(LinspaceOp);
EMBER_REGISTER_OP(LogspaceOp);
EMBER_REGISTER_OP(EyeOp);

namespace {

Shape shape_attr(const Attrs& a, std::string_view op) {
  const auto& v = a.get<std::vector<int64_t>>("shape", op);
  return Shape(v.begin(), v.end());
}

// out[i] = f(i) over a 1-D output of any stride, threaded.
template <class T, class F>
void write_1d(const Tensor& out, F f) {
  T* p = static_cast<T*>(out.data_ptr());
  const int64_t n = out.numel();
  const int64_t s = out.dim() == 0 ? 1 : out.stride(0);
  cpu::parallel_for(n, cpu::kParallelGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) p[i * s] = static_cast<T>(f(i));
  });
}

}  // namespace

void check_shape_nonnegative(IntList shape, std::string_view op) {
  for (int64_t s : shape) {
    if (s < 0) raise<ValueError>("[{}] negative dimension {} in shape {}", op, s, shape_str(shape));
  }
}

void fill_raw(const Tensor& t, const Scalar& value) {
  if (!t.device().is_cpu()) return cuda_backend_checked("fill_").fill(t, value);
  EMBER_DISPATCH_ALL(t.dtype(), "fill_", [&]<class T>() {
    const T v = value.to<T>();
    if (t.is_contiguous()) {
      T* p = static_cast<T*>(t.data_ptr());
      cpu::parallel_for(t.numel(), cpu::kParallelGrain,
                        [&](int64_t b, int64_t e) { std::fill(p + b, p + e, v); });
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

// ---- full, full_like --------------------------------------------------------------------

FullOp::FullOp(const Attrs& a)
    : shape(shape_attr(a, kName)),
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
  check_shape_nonnegative(shape, "full");
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

// ---- arange ----------------------------------------------------------------------------

ArangeOp::ArangeOp(const Attrs& a)
    : start(a.get<Scalar>("start", kName)),
      end(a.get<Scalar>("end", kName)),
      step(a.get<Scalar>("step", kName)),
      dtype(a.get<DType>("dtype", kName)),
      device(a.get<std::string>("device", kName)) {}

void ArangeOp::attributes(Attrs& out) const {
  out.set("start", start);
  out.set("end", end);
  out.set("step", step);
  out.set("dtype", dtype);
  out.set("device", device.str());
}

int64_t ArangeOp::length() const {
  if (dtype == DType::Bool) raise<TypeError>("[arange] does not support dtype bool");
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  if (!std::isfinite(s) || !std::isfinite(e)) {
    raise<ValueError>("[arange] unsupported range: {} -> {}", s, e);
  }
  if (!std::isfinite(st)) raise<ValueError>("[arange] step must be finite, got {}", st);
  const bool all_int = !start.is_float() && !end.is_float() && !step.is_float();
  if (st == 0 || (is_integral(dtype) && step.to_int() == 0)) {
    raise<ValueError>("[arange] step must be nonzero");
  }
  if (!((st > 0 && e >= s) || (st < 0 && e <= s))) {
    raise<ValueError>("[arange] upper bound {} and lower bound {} inconsistent with step sign {}",
                      e, s, st);
  }
  if (all_int) {  // exact for any int64 bounds: ceil((end - start) / step) in 128 bits
    const __int128 xs = start.to_int(), xe = end.to_int(), xst = step.to_int();
    const __int128 sgn = xst > 0 ? 1 : -1;
    return static_cast<int64_t>((xe - xs + xst - sgn) / xst);
  }
  const double size_d = std::ceil((e - s) / st);
  if (!(size_d >= 0 && size_d <= static_cast<double>(std::numeric_limits<int64_t>::max() / 8))) {
    raise<ValueError>(
        "[arange] invalid size {} for range {} -> {} with step {}, possible overflow?", size_d, s,
        e, st);
  }
  return static_cast<int64_t>(size_d);
}

MetaList ArangeOp::infer(std::span<const Tensor>) const {
  return {TensorMeta{Shape{length()}, dtype, device}};
}

void ArangeOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&]<class T>() {
    if constexpr (std::is_integral_v<T>) {
      const int64_t s = start.to_int(), st = step.to_int();
      write_1d<T>(out[0], [&](int64_t i) { return s + i * st; });
    } else {
      const double s = start.to_double(), st = step.to_double();
      write_1d<T>(out[0], [&](int64_t i) {
        return static_cast<acc_t<T>>(s + static_cast<double>(i) * st);
      });
    }
  });
}

// ---- linspace, logspace ----------------------------------------------------------------

namespace {

void check_steps(int64_t steps, DType dtype, std::string_view op) {
  if (steps < 0) raise<ValueError>("[{}] number of steps must be non-negative, got {}", op, steps);
  if (dtype == DType::Bool) raise<TypeError>("[{}] does not support dtype bool", op);
}

// Value i of `steps` evenly spaced points; the upper half counts back from the end (as
// PyTorch does) so both endpoints are exact. C is the type the arithmetic happens in.
template <class C>
C space_point(C s, C e, C step, int64_t i, int64_t steps) {
  if (steps == 1) return s;
  return i < steps / 2 ? s + step * static_cast<C>(i) : e - step * static_cast<C>(steps - 1 - i);
}

template <bool kLog>
void space_kernel(const Tensor& out, double start, double end, int64_t steps, double base,
                  DType dtype, std::string_view op) {
  EMBER_DISPATCH_NUMERIC(dtype, op, [&]<class T>() {
    // Floats compute in their own precision (float for float32, as PyTorch); integers
    // truncate the bounds and step in double.
    using C = std::conditional_t<std::is_integral_v<T>, double, acc_t<T>>;
    const C s =
        std::is_integral_v<T> ? static_cast<C>(static_cast<int64_t>(start)) : static_cast<C>(start);
    const C e =
        std::is_integral_v<T> ? static_cast<C>(static_cast<int64_t>(end)) : static_cast<C>(end);
    const C step = steps > 1 ? (e - s) / static_cast<C>(steps - 1) : C(0);
    write_1d<T>(out, [&](int64_t i) {
      const C x = space_point<C>(s, e, step, i, steps);
      if constexpr (kLog) {
        return static_cast<C>(std::pow(static_cast<C>(base), x));
      } else {
        return x;
      }
    });
  });
}

}  // namespace

LinspaceOp::LinspaceOp(const Attrs& a)
    : start(a.get<double>("start", kName)),
      end(a.get<double>("end", kName)),
      steps(a.get<int64_t>("steps", kName)),
      dtype(a.get<DType>("dtype", kName)),
      device(a.get<std::string>("device", kName)) {}

void LinspaceOp::attributes(Attrs& out) const {
  out.set("start", start);
  out.set("end", end);
  out.set("steps", steps);
  out.set("dtype", dtype);
  out.set("device", device.str());
}

MetaList LinspaceOp::infer(std::span<const Tensor>) const {
  check_steps(steps, dtype, kName);
  return {TensorMeta{Shape{steps}, dtype, device}};
}

void LinspaceOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  space_kernel<false>(out[0], start, end, steps, 0.0, dtype, kName);
}

LogspaceOp::LogspaceOp(const Attrs& a)
    : start(a.get<double>("start", kName)),
      end(a.get<double>("end", kName)),
      steps(a.get<int64_t>("steps", kName)),
      base(a.get<double>("base", kName)),
      dtype(a.get<DType>("dtype", kName)),
      device(a.get<std::string>("device", kName)) {}

void LogspaceOp::attributes(Attrs& out) const {
  out.set("start", start);
  out.set("end", end);
  out.set("steps", steps);
  out.set("base", base);
  out.set("dtype", dtype);
  out.set("device", device.str());
}

MetaList LogspaceOp::infer(std::span<const Tensor>) const {
  check_steps(steps, dtype, kName);
  return {TensorMeta{Shape{steps}, dtype, device}};
}

void LogspaceOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  space_kernel<true>(out[0], start, end, steps, base, dtype, kName);
}

// ---- eye -------------------------------------------------------------------------------

EyeOp::EyeOp(const Attrs& a)
    : n(a.get<int64_t>("n", kName)),
      m(a.get<int64_t>("m", kName)),
      dtype(a.get<DType>("dtype", kName)),
      device(a.get<std::string>("device", kName)) {}

void EyeOp::attributes(Attrs& out) const {
  out.set("n", n);
  out.set("m", m);
  out.set("dtype", dtype);
  out.set("device", device.str());
}

MetaList EyeOp::infer(std::span<const Tensor>) const {
  if (n < 0) raise<ValueError>("[eye] n must be non-negative, got {}", n);
  if (m < 0) raise<ValueError>("[eye] m must be non-negative, got {}", m);
  return {TensorMeta{Shape{n, m}, dtype, device}};
}

void EyeOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  const Tensor& t = out[0];
  fill_raw(t, 0);
  EMBER_DISPATCH_ALL(dtype, "eye", [&]<class T>() {
    T* p = static_cast<T*>(t.data_ptr());
    const int64_t step = t.stride(0) + t.stride(1);
    const T one = static_cast<T>(1);
    for (int64_t i = 0, k = std::min(n, m); i < k; ++i) p[i * step] = one;
  });
}

// ---- public functions ------------------------------------------------------------------

Tensor full(IntList shape, const Scalar& value, std::optional<DType> dtype, Device device) {
  FullOp op(Shape(shape.begin(), shape.end()), value, dtype.value_or(value.natural_dtype()),
            device);
  return dispatch1(op, {});
}
Tensor zeros(IntList shape, DType dtype, Device device) { return full(shape, 0, dtype, device); }
Tensor ones(IntList shape, DType dtype, Device device) { return full(shape, 1, dtype, device); }
Tensor empty(IntList shape, DType dtype, Device device) {
  check_shape_nonnegative(shape, "empty");
  return Tensor::empty(shape, dtype, device);
}

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

Tensor arange(const Scalar& end, std::optional<DType> dtype, Device device) {
  return arange(Scalar(int64_t{0}), end, Scalar(int64_t{1}), dtype, device);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype, Device device) {
  const bool all_int = !start.is_float() && !end.is_float() && !step.is_float();
  ArangeOp op(start, end, step, dtype.value_or(all_int ? DType::Int64 : default_float_dtype()),
              device);
  return dispatch1(op, {});
}

Tensor linspace(double start, double end, int64_t steps, std::optional<DType> dtype,
                Device device) {
  LinspaceOp op(start, end, steps, dtype.value_or(default_float_dtype()), device);
  return dispatch1(op, {});
}

Tensor logspace(double start, double end, int64_t steps, double base, std::optional<DType> dtype,
                Device device) {
  LogspaceOp op(start, end, steps, base, dtype.value_or(default_float_dtype()), device);
  return dispatch1(op, {});
}

Tensor eye(int64_t n, std::optional<int64_t> m, DType dtype, Device device) {
  EyeOp op(n, m.value_or(n), dtype, device);
  return dispatch1(op, {});
}

const Tensor& fill_(const Tensor& t, const Scalar& value) {
  copy_(t, scalar_tensor(value, t.dtype(), t.device()));
  return t;
}
const Tensor& zero_(const Tensor& t) { return fill_(t, 0); }

}  // namespace ember
