// Op classes of the random family (see random_ops.h); the public functions are in random.cpp
// and the kernels in core/cpu/random_kernels.cpp.
#include "core/ops/random_ops.h"

#include <cmath>
#include <limits>

#include "core/cpu/random_kernels.h"
#include "core/ops/creation_ops.h"

namespace ember {

EMBER_REGISTER_OP(UniformOp);
EMBER_REGISTER_OP(NormalOp);
EMBER_REGISTER_OP(ExponentialOp);
EMBER_REGISTER_OP(TruncatedNormalOp);
EMBER_REGISTER_OP(RandintOp);
EMBER_REGISTER_OP(BernoulliOp);
EMBER_REGISTER_OP(RandpermOp);
EMBER_REGISTER_OP(MultinomialOp);

namespace {

void check_float_dtype(DType d, std::string_view op) {
  if (!is_floating(d)) {
    raise<TypeError>("[{}] expected a floating dtype, got {}", op, dtype_name(d));
  }
}

int64_t as_i64(uint64_t v) { return static_cast<int64_t>(v); }  // bit pattern kept

}  // namespace

std::unique_ptr<Op> with_next_stream(const Op& op, Generator& gen) {
  Attrs in;
  op.attributes(in);
  if (!in.has("seed") || !in.has("offset")) return nullptr;
  const random::PhiloxStream s = gen.next_stream();
  Attrs out;
  for (const auto& [k, v] : in.items()) {
    if (k == "seed") {
      out.set(k, as_i64(s.seed));
    } else if (k == "offset") {
      out.set(k, as_i64(s.offset));
    } else {
      out.set(k, v);
    }
  }
  return make_op(op.name(), out);
}

std::pair<int64_t, int64_t> exact_int_range(DType d) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  switch (d) {
    case DType::Bool:
      return {0, 1};
    case DType::UInt8:
      return {0, 255};
    case DType::Int32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::Int64:
      return {std::numeric_limits<int64_t>::min(), kMax};
    case DType::Float16:
      return {-(1 << 11), 1 << 11};
    case DType::BFloat16:
      return {-(1 << 8), 1 << 8};
    case DType::Float32:
      return {-(1 << 24), 1 << 24};
    case DType::Float64:
      return {-(int64_t{1} << 53), int64_t{1} << 53};
  }
  return {0, 0};
}

void check_int_range(int64_t low, int64_t high, DType d, std::string_view op) {
  if (low >= high) {
    raise<ValueError>("[{}] expected low < high, got low={}, high={}", op, low, high);
  }
  auto [lo, hi] = exact_int_range(d);
  if (low < lo || high - 1 > hi) {
    raise<ValueError>("[{}] range [{}, {}) is out of bounds for dtype {} (which holds [{}, {}])",
                      op, low, high, dtype_name(d), lo, hi);
  }
}

// ---- shared spec ----------------------------------------------------------------------

RandomSpec::RandomSpec(const Attrs& a, std::string_view op) {
  if (a.has("shape")) {
    const auto& v = a.get<std::vector<int64_t>>("shape", op);
    shape.assign(v.begin(), v.end());
  }
  if (a.has("dtype")) dtype = a.get<DType>("dtype", op);
  device = Device(a.get<std::string>("device", op));
  stream.seed = static_cast<uint64_t>(a.get<int64_t>("seed", op));
  stream.offset = static_cast<uint64_t>(a.get<int64_t>("offset", op));
  inplace = a.has("inplace") && a.get<bool>("inplace", op);
}

void RandomSpec::attributes(Attrs& out) const {
  out.set("shape", std::vector<int64_t>(shape.begin(), shape.end()));
  if (dtype) out.set("dtype", *dtype);
  out.set("device", device.str());
  out.set("seed", as_i64(stream.seed));
  out.set("offset", as_i64(stream.offset));
  if (inplace) out.set("inplace", true);
}

TensorMeta RandomSpec::meta(std::span<const Tensor> in, DType default_dtype,
                            std::string_view op) const {
  if (in.empty()) {
    check_shape_nonnegative(shape, op);
    return TensorMeta{shape, dtype.value_or(default_dtype), device};
  }
  if (!in[0].defined()) raise<ValueError>("[{}] input 0 is undefined", op);
  return TensorMeta{in[0].shape(), dtype.value_or(in[0].dtype()), in[0].device()};
}

// ---- uniform, normal, exponential ----------------------------------------------------

UniformOp::UniformOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)),
      low(a.get<double>("low", kName)),
      high(a.get<double>("high", kName)) {}

void UniformOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("low", low);
  out.set("high", high);
}

MetaList UniformOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  TensorMeta m = spec.meta(in, default_float_dtype(), nm);
  check_float_dtype(m.dtype, nm);
  if (!std::isfinite(low) || !std::isfinite(high) || !(low <= high)) {
    raise<ValueError>("[{}] expected finite bounds with low <= high, got low={}, high={}", nm, low,
                      high);
  }
  return {m};
}

void UniformOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::uniform_fill(out[0], spec.stream, low, high);
}

NormalOp::NormalOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)),
      mean(a.get<double>("mean", kName)),
      std(a.get<double>("std", kName)) {}

void NormalOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("mean", mean);
  out.set("std", std);
}

MetaList NormalOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  TensorMeta m = spec.meta(in, default_float_dtype(), nm);
  check_float_dtype(m.dtype, nm);
  if (!(std >= 0) || !std::isfinite(std) || !std::isfinite(mean)) {
    raise<ValueError>("[{}] expected a finite mean and std >= 0, got mean={}, std={}", nm, mean,
                      std);
  }
  return {m};
}

void NormalOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::normal_fill(out[0], spec.stream, mean, std);
}

ExponentialOp::ExponentialOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)), lambd(a.get<double>("lambd", kName)) {}

void ExponentialOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("lambd", lambd);
}

MetaList ExponentialOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  TensorMeta m = spec.meta(in, default_float_dtype(), nm);
  check_float_dtype(m.dtype, nm);
  if (!(lambd > 0)) raise<ValueError>("[{}] expected lambd > 0, got {}", nm, lambd);
  return {m};
}

void ExponentialOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::exponential_fill(out[0], spec.stream, lambd);
}

TruncatedNormalOp::TruncatedNormalOp(const Attrs& at)
    : RandomOp(RandomSpec(at, kName)),
      mean(at.get<double>("mean", kName)),
      std(at.get<double>("std", kName)),
      a(at.get<double>("a", kName)),
      b(at.get<double>("b", kName)) {}

void TruncatedNormalOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("mean", mean);
  out.set("std", std);
  out.set("a", a);
  out.set("b", b);
}

MetaList TruncatedNormalOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  TensorMeta m = spec.meta(in, default_float_dtype(), nm);
  check_float_dtype(m.dtype, nm);
  if (!(std > 0) || !std::isfinite(std) || !std::isfinite(mean)) {
    raise<ValueError>("[{}] expected a finite mean and std > 0, got mean={}, std={}", nm, mean,
                      std);
  }
  if (!(a < b)) raise<ValueError>("[{}] expected a < b, got a={}, b={}", nm, a, b);
  return {m};
}

void TruncatedNormalOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::truncated_normal_fill(out[0], spec.stream, mean, std, a, b);
}

// ---- randint, bernoulli, randperm, multinomial -----------------------------------------

RandintOp::RandintOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)),
      low(a.get<int64_t>("low", kName)),
      high(a.get<int64_t>("high", kName)) {}

void RandintOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("low", low);
  out.set("high", high);
}

MetaList RandintOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  TensorMeta m = spec.meta(in, DType::Int64, nm);
  check_int_range(low, high, m.dtype, nm);
  return {m};
}

void RandintOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::randint_fill(out[0], spec.stream, low,
                    static_cast<uint64_t>(high) - static_cast<uint64_t>(low));
}

BernoulliOp::BernoulliOp(const Attrs& a) : RandomOp(RandomSpec(a, kName)) {
  if (a.has("p")) p = a.get<double>("p", kName);
}

void BernoulliOp::attributes(Attrs& out) const {
  spec.attributes(out);
  if (p) out.set("p", *p);
}

MetaList BernoulliOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  if (in.empty() || in.size() > 2 || (p && in.size() != 1)) {
    raise<ValueError>(
        "[{}] expected (probabilities), (input) with p, or (input, probabilities); "
        "got {} tensors",
        nm, in.size());
  }
  check_num_inputs(*this, in, in.size());
  check_same_device(*this, in);
  TensorMeta m = spec.meta(in, default_float_dtype(), nm);
  if (p) {
    if (!(*p >= 0.0 && *p <= 1.0)) raise<ValueError>("[{}] expected 0 <= p <= 1, got p={}", nm, *p);
    return {m};
  }
  const Tensor& probs = in.back();
  if (!is_floating(probs.dtype())) {
    raise<TypeError>("[{}] expected floating-point probabilities, got {}", nm,
                     dtype_name(probs.dtype()));
  }
  if (broadcast_shapes(m.shape, probs.shape(), nm) != m.shape) {
    raise<ValueError>("[{}] probabilities of shape {} cannot be broadcast to the input's shape {}",
                      nm, shape_str(probs.shape()), shape_str(m.shape));
  }
  return {m};
}

void BernoulliOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  if (p) {
    cpu::bernoulli_fill(out[0], spec.stream, *p);
  } else {
    cpu::bernoulli_fill(out[0], spec.stream, in.back());
  }
}

RandpermOp::RandpermOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)), n(a.get<int64_t>("n", kName)) {}

void RandpermOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("n", n);
}

MetaList RandpermOp::infer(std::span<const Tensor> in) const {
  const auto nm = spec.name_or(kName);
  if (!in.empty()) raise<ValueError>("[{}] takes no tensor inputs", nm);
  if (n < 0) raise<ValueError>("[{}] n must be non-negative, got {}", nm, n);
  const DType d = spec.dtype.value_or(DType::Int64);
  if (n > 0 && n - 1 > exact_int_range(d).second) {
    raise<ValueError>("[{}] n={} is too large for dtype {}", nm, n, dtype_name(d));
  }
  return {TensorMeta{Shape{n}, d, spec.device}};
}

void RandpermOp::eval_cpu(std::span<const Tensor>, std::span<Tensor> out) const {
  cpu::randperm_fill(out[0], spec.stream);
}

MultinomialOp::MultinomialOp(const Attrs& a)
    : RandomOp(RandomSpec(a, kName)),
      num_samples(a.get<int64_t>("num_samples", kName)),
      replacement(a.get<bool>("replacement", kName)) {}

void MultinomialOp::attributes(Attrs& out) const {
  spec.attributes(out);
  out.set("num_samples", num_samples);
  out.set("replacement", replacement);
}

MetaList MultinomialOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& w = in[0];
  if (w.dim() < 1 || w.dim() > 2) {
    raise<ValueError>("[multinomial] expected 1-D or 2-D weights, got shape {}",
                      shape_str(w.shape()));
  }
  if (!is_floating(w.dtype())) {
    raise<TypeError>("[multinomial] expected floating-point weights, got {}",
                     dtype_name(w.dtype()));
  }
  if (num_samples <= 0)
    raise<ValueError>("[multinomial] num_samples must be positive, got {}", num_samples);
  const int64_t cats = w.shape().back();
  if (cats == 0)
    raise<ValueError>("[multinomial] weights of shape {} have no categories", shape_str(w.shape()));
  if (!replacement && num_samples > cats) {
    raise<ValueError>("[multinomial] cannot draw {} samples without replacement from {} categories",
                      num_samples, cats);
  }
  Shape s = w.dim() == 2 ? Shape{w.shape()[0], num_samples} : Shape{num_samples};
  return {TensorMeta{s, DType::Int64, w.device()}};
}

void MultinomialOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  cpu::multinomial_fill(out[0], spec.stream, in[0], replacement);
}

}  // namespace ember
