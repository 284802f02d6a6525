// CUDA kernels of the random ops (uniform, normal, exponential, randint, bernoulli,
// truncated_normal, randperm, multinomial). The op carries the Philox stream it reserved
// from its generator when it was built (random_ops.h), so the kernel only reads spec.stream:
// the generator advances exactly as on the CPU, and the same seed gives the same numbers on
// both devices (docs/cuda.md lists the last-bit exceptions: truncated_normal's erfinv and
// the exponential race of multinomial without replacement use CUDA's libm).
#include <cmath>
#include <numbers>

#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/random_ops.h"

namespace ember::cuda {
namespace {

RandomArgs args_for(int code, const Tensor& out, const random::PhiloxStream& s) {
  RandomArgs a;
  a.code = code;
  a.dtype = static_cast<int>(out.dtype());
  a.numel = out.numel();
  a.seed = s.seed;
  a.offset = s.offset;
  return a;
}

// Runs `launch(contiguous_out)` on out itself or on a contiguous scratch copied into it:
// element i of the stream goes to row-major position i either way, as on the CPU.
template <class F>
void on_contiguous(const Tensor& out, F&& launch) {
  if (out.is_contiguous()) return launch(out);
  Tensor tmp = Tensor::empty(out.shape(), out.dtype(), out.device());
  launch(tmp);
  copy_on_device(out, tmp);
}

template <class OpT>
void run(const OpT& op, int code, const Tensor& out, RandomArgs extra) {
  on_contiguous(out, [&](const Tensor& t) {
    RandomArgs a = extra;
    const RandomArgs base = args_for(code, t, op.spec.stream);
    a.code = base.code;
    a.dtype = base.dtype;
    a.numel = base.numel;
    a.seed = base.seed;
    a.offset = base.offset;
    a.out = t.data_ptr();
    launch_random(a, stream_ptr(t));
  });
}

void uniform_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& u = static_cast<const UniformOp&>(op);
  RandomArgs a;
  a.p0 = u.low;
  a.p1 = u.high;
  run(u, kRandUniform, out[0], a);
}

void normal_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& n = static_cast<const NormalOp&>(op);
  RandomArgs a;
  a.p0 = n.mean;
  a.p1 = n.std;
  run(n, kRandNormal, out[0], a);
}

void exponential_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& e = static_cast<const ExponentialOp&>(op);
  RandomArgs a;
  a.p0 = e.lambd;
  run(e, kRandExponential, out[0], a);
}

void randint_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& r = static_cast<const RandintOp&>(op);
  RandomArgs a;
  a.low = r.low;
  a.range = static_cast<uint64_t>(r.high) - static_cast<uint64_t>(r.low);
  run(r, kRandInt, out[0], a);
}

// Probabilities must lie in [0, 1]: checked with one min/max reduction read back to the host
// (a sync, but only for tensor probabilities; dropout's scalar p needs none).
void check_probabilities(const Tensor& probs) {
  if (probs.numel() == 0) return;
  const int64_t n = probs.numel();
  Tensor ext = Tensor::empty({2}, DType::Float64, probs.device());
  auto* e = static_cast<double*>(ext.data_ptr());
  launch_reduce(kMin, kFloat64, probs.data_ptr(), e, nullptr, 1, n, stream_ptr(probs));
  launch_reduce(kMax, kFloat64, probs.data_ptr(), e + 1, nullptr, 1, n, stream_ptr(probs));
  Tensor host = Tensor::empty({2}, DType::Float64, kCPU);
  cuda_backend()->copy(host, ext);
  const double lo = static_cast<const double*>(host.data_ptr())[0];
  const double hi = static_cast<const double*>(host.data_ptr())[1];
  if (!(lo >= 0.0 && hi <= 1.0)) {
    raise<ValueError>("[bernoulli] expected all probabilities in [0, 1], got values in [{}, {}]",
                      lo, hi);
  }
}

void bernoulli_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& b = static_cast<const BernoulliOp&>(op);
  RandomArgs a;
  Tensor probs;
  if (b.p) {
    a.p0 = *b.p;
  } else {
    // One float64 probability per output element, contiguous, so element i pairs with draw i.
    probs = Tensor::empty(out[0].shape(), DType::Float64, out[0].device());
    const Tensor p = as_operand(in.back(), out[0].device(), in.back().dtype());
    copy_on_device(probs, p);
    check_probabilities(probs);
    a.probs = static_cast<const double*>(probs.data_ptr());
  }
  run(b, kRandBernoulli, out[0], a);
}

void truncated_normal_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& t = static_cast<const TruncatedNormalOp&>(op);
  RandomArgs a;
  a.p0 = t.mean;
  a.p1 = t.std;
  a.lo = t.a;
  a.hi = t.b;
  // The CPU's erf bounds, computed the same way on the host.
  a.cdf_lo = std::erf((t.a - t.mean) / (t.std * std::numbers::sqrt2));
  a.cdf_hi = std::erf((t.b - t.mean) / (t.std * std::numbers::sqrt2));
  run(t, kRandTruncatedNormal, out[0], a);
}

// randperm: the permutation in int64 (randperm.cu), then cast into out's dtype and layout.
void randperm_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& r = static_cast<const RandpermOp&>(op);
  const Tensor& o = out[0];
  const int64_t n = o.numel();
  if (n == 0) return;
  const bool direct = o.dtype() == DType::Int64 && o.is_contiguous();
  const Tensor perm = direct ? o : Tensor::empty({n}, DType::Int64, o.device());
  const Tensor workspace = Tensor::empty({static_cast<int64_t>(randperm_workspace_bytes(n))},
                                         DType::UInt8, o.device());
  launch_randperm(perm.data<int64_t>(), n, r.spec.stream.seed, r.spec.stream.offset,
                  workspace.data_ptr(), stream_ptr(o));
  if (!direct) copy_on_device(o, perm);
}

// Raises the CPU's error for the first invalid row (read back: one sync per call).
void check_multinomial_rows(const Tensor& status, int64_t k) {
  Tensor host = Tensor::empty(status.shape(), DType::Int32, kCPU);
  cuda_backend()->copy(host, status);
  const auto* st = static_cast<const int32_t*>(host.data_ptr());
  for (int64_t r = 0; r < host.numel(); ++r) {
    switch (st[r]) {
      case kMultinomialBadValue:
        raise<ValueError>("[multinomial] probability row {} contains a negative, inf or nan entry",
                          r);
      case kMultinomialZeroSum:
        raise<ValueError>("[multinomial] invalid distribution in row {}: the weights sum to 0", r);
      case kMultinomialTooFew:
        raise<ValueError>(
            "[multinomial] cannot draw {} samples without replacement from row {}: "
            "too few non-zero weights",
            k, r);
      default:
        break;
    }
  }
}

// multinomial: with replacement, the CPU's inverse-CDF draws exactly; without, the CPU's
// exponential race (keys sorted by the CUB sort of sort.cu, ties by category as the CPU's
// pair order).
void multinomial_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& m = static_cast<const MultinomialOp&>(op);
  const Tensor& o = out[0];
  const Device dev = o.device();
  const Tensor w = contiguous_as(on_device(in[0], dev), DType::Float64);
  const int64_t cats = w.shape().back();
  const int64_t rows = w.dim() == 2 ? w.shape()[0] : 1;
  const int64_t k = m.num_samples;
  if (rows == 0) return;
  void* s = stream_ptr(o);
  const Tensor status = Tensor::empty({rows}, DType::Int32, dev);
  Tensor cdf, totals;
  if (m.replacement) {
    cdf = Tensor::empty({rows, cats}, DType::Float64, dev);
    totals = Tensor::empty({rows}, DType::Float64, dev);
  }
  const auto* pw = static_cast<const double*>(w.data_ptr());
  launch_multinomial_check(pw, rows, cats, k, m.replacement, static_cast<int*>(status.data_ptr()),
                           cdf.defined() ? static_cast<double*>(cdf.data_ptr()) : nullptr,
                           totals.defined() ? static_cast<double*>(totals.data_ptr()) : nullptr,
                           s);
  check_multinomial_rows(status, k);
  const bool direct = o.is_contiguous();
  const Tensor dst = direct ? o : Tensor::empty(o.shape(), DType::Int64, dev);
  const random::PhiloxStream& st = m.spec.stream;
  if (m.replacement) {
    launch_multinomial_draws(static_cast<const double*>(cdf.data_ptr()),
                             static_cast<const double*>(totals.data_ptr()), rows, cats, k, st.seed,
                             st.offset, dst.data<int64_t>(), s);
  } else {
    const Tensor keys = Tensor::empty({rows, cats}, DType::Float64, dev);
    launch_multinomial_race_keys(pw, rows, cats, st.seed, st.offset,
                                 static_cast<double*>(keys.data_ptr()), s);
    const Tensor values = Tensor::empty({rows, k}, DType::Float64, dev);
    const size_t bytes = sort_workspace_bytes(kFloat64, rows, cats, 1);
    const Tensor workspace = Tensor::empty({static_cast<int64_t>(bytes)}, DType::UInt8, dev);
    launch_sort(kFloat64, keys.data_ptr(), values.data_ptr(), dst.data<int64_t>(), rows, cats, 1,
                k, /*descending=*/false, workspace.data_ptr(), s);
  }
  if (!direct) copy_on_device(o, dst);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("truncated_normal", &truncated_normal_kernel);
    register_cuda_kernel("randperm", &randperm_kernel);
    register_cuda_kernel("multinomial", &multinomial_kernel);
    register_cuda_kernel("uniform", &uniform_kernel);
    register_cuda_kernel("normal", &normal_kernel);
    register_cuda_kernel("exponential", &exponential_kernel);
    register_cuda_kernel("randint", &randint_kernel);
    register_cuda_kernel("bernoulli", &bernoulli_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
