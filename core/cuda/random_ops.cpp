// CUDA kernels of the random ops (uniform, normal, exponential, randint, bernoulli). The op carries the Philox stream it reserved from its generator when it was
// built (random_ops.h), so the kernel only reads spec.stream: the generator advances exactly
// as on the CPU, and the same seed gives the same numbers on both devices.
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

struct Registrar {
  Registrar() {
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
