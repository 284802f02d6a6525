#include "core/ops/random.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops/arithmetic.h"
#include "core/ops/creation_ops.h"
#include "core/ops/random_ops.h"

namespace ember {
namespace {

RandomSpec fixed_spec(IntList shape, std::optional<DType> dtype, Device device, Generator* gen,
                      std::string_view api) {
  check_shape_nonnegative(shape, api);
  RandomSpec s(Shape(shape.begin(), shape.end()), dtype, device);
  s.api = api;
  s.stream = generator_or_default(gen).next_stream();
  if (gen) s.generator = gen->weak_from_this().lock();
  return s;
}

RandomSpec like_spec(std::optional<DType> dtype, Generator* gen, std::string_view api,
                     bool inplace) {
  RandomSpec s({}, dtype, kCPU);
  s.api = api;
  s.inplace = inplace;
  s.stream = generator_or_default(gen).next_stream();
  if (gen) s.generator = gen->weak_from_this().lock();
  return s;
}

Tensor run1(const Op& op, std::initializer_list<Tensor> in) {
  return dispatch1(op, std::span<const Tensor>(in.begin(), in.size()));
}
void run_inplace(const Op& op, std::initializer_list<Tensor> in) {
  dispatch_inplace(op, std::span<const Tensor>(in.begin(), in.size()));
}

// fixed_spec for the floating factories: no dtype means the default dtype now, recorded in
// the op so a traced graph replays with it even if set_default_dtype changes later.
RandomSpec float_spec(IntList shape, std::optional<DType> dtype, Device device, Generator* gen,
                      std::string_view api) {
  return fixed_spec(shape, dtype.value_or(default_float_dtype()), device, gen, api);
}

}  // namespace

// ---- public functions ------------------------------------------------------------------

Tensor rand(IntList shape, std::optional<DType> dtype, Device device, Generator* gen) {
  return run1(UniformOp(float_spec(shape, dtype, device, gen, "rand"), 0.0, 1.0), {});
}
Tensor randn(IntList shape, std::optional<DType> dtype, Device device, Generator* gen) {
  return run1(NormalOp(float_spec(shape, dtype, device, gen, "randn"), 0.0, 1.0), {});
}
Tensor uniform(IntList shape, double low, double high, std::optional<DType> dtype, Device device,
               Generator* gen) {
  return run1(UniformOp(float_spec(shape, dtype, device, gen, "uniform"), low, high), {});
}
Tensor randint(int64_t low, int64_t high, IntList shape, std::optional<DType> dtype, Device device,
               Generator* gen) {
  check_int_range(low, high, dtype.value_or(DType::Int64), "randint");
  return run1(RandintOp(fixed_spec(shape, dtype, device, gen, "randint"), low, high), {});
}
Tensor normal(double mean, double std, IntList shape, std::optional<DType> dtype, Device device,
              Generator* gen) {
  return run1(NormalOp(float_spec(shape, dtype, device, gen, "normal"), mean, std), {});
}

namespace {
Tensor normal_impl(const Tensor& mean, const Tensor& std, DType dtype, Generator* gen) {
  if (!is_floating(dtype)) {
    raise<TypeError>("[normal] expected floating-point mean or std, got {} and {}",
                     dtype_name(mean.dtype()), dtype_name(std.dtype()));
  }
  const Shape shape = broadcast_shapes(mean.shape(), std.shape(), "normal");
  if (std.device().is_cpu()) {
    const Tensor s = contiguous_as(std, DType::Float64);
    const double* p = static_cast<const double*>(s.data_ptr());
    for (int64_t i = 0; i < s.numel(); ++i) {
      if (!(p[i] >= 0)) raise<ValueError>("[normal] expected all std >= 0, got {}", p[i]);
    }
  }
  const Device device = mean.impl()->is_wrapped_number() ? std.device() : mean.device();
  Tensor eps = run1(NormalOp(fixed_spec(shape, dtype, device, gen, "normal"), 0.0, 1.0), {});
  return add(mean, mul(eps, std));
}
DType float_or_default(DType d) { return is_floating(d) ? d : default_float_dtype(); }
}  // namespace

Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen) {
  return normal_impl(mean, std, promote_types(mean.dtype(), std.dtype()), gen);
}
Tensor normal(const Tensor& mean, double std, Generator* gen) {
  return normal_impl(mean, scalar_tensor(std), float_or_default(mean.dtype()), gen);
}
Tensor normal(double mean, const Tensor& std, Generator* gen) {
  return normal_impl(scalar_tensor(mean), std, float_or_default(std.dtype()), gen);
}

Tensor rand_like(const Tensor& t, std::optional<DType> dtype, Generator* gen) {
  return run1(UniformOp(like_spec(dtype, gen, "rand_like", false), 0.0, 1.0), {t});
}
Tensor randn_like(const Tensor& t, std::optional<DType> dtype, Generator* gen) {
  return run1(NormalOp(like_spec(dtype, gen, "randn_like", false), 0.0, 1.0), {t});
}
Tensor randint_like(const Tensor& t, int64_t low, int64_t high, std::optional<DType> dtype,
                    Generator* gen) {
  check_int_range(low, high, dtype.value_or(t.dtype()), "randint_like");
  return run1(RandintOp(like_spec(dtype, gen, "randint_like", false), low, high), {t});
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  return run1(BernoulliOp(like_spec(std::nullopt, gen, "bernoulli", false), std::nullopt), {p});
}
Tensor bernoulli(const Tensor& t, double p, Generator* gen) {
  return run1(BernoulliOp(like_spec(std::nullopt, gen, "bernoulli", false), p), {t});
}
Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement, Generator* gen) {
  return run1(
      MultinomialOp(like_spec(std::nullopt, gen, "multinomial", false), num_samples, replacement),
      {weights});
}
Tensor randperm(int64_t n, DType dtype, Device device, Generator* gen) {
  if (n < 0) raise<ValueError>("[randperm] n must be non-negative, got {}", n);
  return run1(RandpermOp(fixed_spec({}, dtype, device, gen, "randperm"), n), {});
}

const Tensor& uniform_(const Tensor& t, double low, double high, Generator* gen) {
  run_inplace(UniformOp(like_spec(std::nullopt, gen, "uniform_", true), low, high), {t});
  return t;
}
const Tensor& normal_(const Tensor& t, double mean, double std, Generator* gen) {
  run_inplace(NormalOp(like_spec(std::nullopt, gen, "normal_", true), mean, std), {t});
  return t;
}
const Tensor& exponential_(const Tensor& t, double lambd, Generator* gen) {
  run_inplace(ExponentialOp(like_spec(std::nullopt, gen, "exponential_", true), lambd), {t});
  return t;
}
const Tensor& trunc_normal_(const Tensor& t, double mean, double std, double a, double b,
                            Generator* gen) {
  run_inplace(
      TruncatedNormalOp(like_spec(std::nullopt, gen, "trunc_normal_", true), mean, std, a, b), {t});
  return t;
}
const Tensor& bernoulli_(const Tensor& t, double p, Generator* gen) {
  run_inplace(BernoulliOp(like_spec(std::nullopt, gen, "bernoulli_", true), p), {t});
  return t;
}
const Tensor& bernoulli_(const Tensor& t, const Tensor& p, Generator* gen) {
  run_inplace(BernoulliOp(like_spec(std::nullopt, gen, "bernoulli_", true), std::nullopt), {t, p});
  return t;
}
const Tensor& random_(const Tensor& t, int64_t from, std::optional<int64_t> to, Generator* gen) {
  int64_t high;
  if (to) {
    high = *to;
  } else if (t.dtype() == DType::Int64) {
    high = std::numeric_limits<int64_t>::max();
  } else {
    high = exact_int_range(t.dtype()).second + 1;  // [from, 2^mantissa] or [from, max]
  }
  run_inplace(RandintOp(like_spec(std::nullopt, gen, "random_", true), from, high), {t});
  return t;
}

// ---- state -----------------------------------------------------------------------------

Tensor generator_state(const Generator& gen) {
  const std::vector<uint8_t> bytes = gen.get_state();
  Tensor t = Tensor::empty({static_cast<int64_t>(bytes.size())}, DType::UInt8);
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

void set_generator_state(Generator& gen, const Tensor& state) {
  if (!state.defined() || state.dtype() != DType::UInt8 || state.dim() != 1 ||
      !state.device().is_cpu()) {
    raise<TypeError>("[set_rng_state] expected a 1-D uint8 CPU tensor from get_rng_state, got {}",
                     state.defined() ? fmt::format("{} of shape {}", dtype_name(state.dtype()),
                                                   shape_str(state.shape()))
                                     : std::string("an undefined tensor"));
  }
  const Tensor c = contiguous_raw(state);
  gen.set_state({static_cast<const uint8_t*>(c.data_ptr()), static_cast<size_t>(c.numel())});
}

Tensor get_rng_state() { return generator_state(default_generator()); }
void set_rng_state(const Tensor& state) { set_generator_state(default_generator(), state); }

}  // namespace ember
