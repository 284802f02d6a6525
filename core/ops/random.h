#pragma once
// Random tensors and in-place random initializers. Each call draws one fresh Philox stream
// from `gen` (nullptr: the calling thread's default generator, see core/random/generator.h),
// so results are reproducible after manual_seed and independent of the thread count.
#include <optional>

#include "core/random/generator.h"
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// Uniform on [0, 1) / standard normal; dtype defaults to default_dtype() and must be floating.
Tensor rand(IntList shape, std::optional<DType> dtype = std::nullopt, Device device = kCPU,
            Generator* gen = nullptr);
Tensor randn(IntList shape, std::optional<DType> dtype = std::nullopt, Device device = kCPU,
             Generator* gen = nullptr);
// Uniform on [low, high) (the Keras / TF `random.uniform`).
Tensor uniform(IntList shape, double low, double high, std::optional<DType> dtype = std::nullopt,
               Device device = kCPU, Generator* gen = nullptr);
// Integers uniform on [low, high); dtype defaults to int64.
Tensor randint(int64_t low, int64_t high, IntList shape, std::optional<DType> dtype = std::nullopt,
               Device device = kCPU, Generator* gen = nullptr);
// N(mean, std^2) of the given shape.
Tensor normal(double mean, double std, IntList shape, std::optional<DType> dtype = std::nullopt,
              Device device = kCPU, Generator* gen = nullptr);
// N(mean, std^2) elementwise over broadcast(mean, std): differentiable in mean and std
// (mean + std * eps, the reparameterization).
Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen = nullptr);
Tensor normal(const Tensor& mean, double std, Generator* gen = nullptr);
Tensor normal(double mean, const Tensor& std, Generator* gen = nullptr);

// Same shape (and by default dtype and device) as t.
Tensor rand_like(const Tensor& t, std::optional<DType> dtype = std::nullopt,
                 Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, std::optional<DType> dtype = std::nullopt,
                  Generator* gen = nullptr);
Tensor randint_like(const Tensor& t, int64_t low, int64_t high,
                    std::optional<DType> dtype = std::nullopt, Generator* gen = nullptr);

// 1 with probability p (elementwise), 0 otherwise, in p's dtype (floating).
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// Same with a constant probability, in t's shape and dtype.
Tensor bernoulli(const Tensor& t, double p, Generator* gen = nullptr);
// Indices sampled from each row of non-negative `weights` (1-D or 2-D, need not sum to 1):
// int64 of shape (num_samples) or (rows, num_samples).
Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement = false,
                   Generator* gen = nullptr);
// A random permutation of 0..n-1.
Tensor randperm(int64_t n, DType dtype = DType::Int64, Device device = kCPU,
                Generator* gen = nullptr);

// In-place initializers (nn.init): overwrite t's values and return t.
const Tensor& uniform_(const Tensor& t, double low = 0.0, double high = 1.0,
                       Generator* gen = nullptr);
const Tensor& normal_(const Tensor& t, double mean = 0.0, double std = 1.0,
                      Generator* gen = nullptr);
const Tensor& exponential_(const Tensor& t, double lambd = 1.0, Generator* gen = nullptr);
// N(mean, std^2) truncated to [a, b] (nn.init.trunc_normal_; a and b are absolute bounds).
const Tensor& trunc_normal_(const Tensor& t, double mean = 0.0, double std = 1.0, double a = -2.0,
                            double b = 2.0, Generator* gen = nullptr);
const Tensor& bernoulli_(const Tensor& t, double p = 0.5, Generator* gen = nullptr);
const Tensor& bernoulli_(const Tensor& t, const Tensor& p, Generator* gen = nullptr);
// Integers on [from, to); without `to`, up to 2^mantissa (floats) or the dtype's maximum.
const Tensor& random_(const Tensor& t, int64_t from = 0, std::optional<int64_t> to = std::nullopt,
                      Generator* gen = nullptr);

// The calling thread's generator state as a uint8 tensor, and its inverse.
Tensor get_rng_state();
void set_rng_state(const Tensor& state);
Tensor generator_state(const Generator& gen);
void set_generator_state(Generator& gen, const Tensor& state);

}  // namespace ember
