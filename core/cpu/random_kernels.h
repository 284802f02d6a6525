#pragma once
// CPU kernels of the random ops. Each fills `out` from one Philox stream so that element i
// depends only on (stream.seed, stream.offset, i) -- never on the thread count or on how
// the work is split. Layout (shared with the CUDA kernels; keep it):
//   32-bit draws (uniform/normal/exponential into float32, float16, bfloat16):
//     element i <- block i / 4, lane i % 4; normals pair lanes (0, 1) and (2, 3).
//   64-bit draws (the same into float64; randint, bernoulli, randperm, multinomial):
//     element i <- block i / 2, lanes 2 (i % 2) and 2 (i % 2) + 1; float64 normals use the
//     whole block for the pair of elements (2k, 2k + 1).
#include "core/random/philox.h"
#include "core/tensor.h"

namespace ember::cpu {

void uniform_fill(const Tensor& out, random::PhiloxStream s, double low, double high);
void normal_fill(const Tensor& out, random::PhiloxStream s, double mean, double std);
void exponential_fill(const Tensor& out, random::PhiloxStream s, double lambd);
// N(mean, std^2) restricted to [a, b], by inverse CDF on a 64-bit uniform per element.
void truncated_normal_fill(const Tensor& out, random::PhiloxStream s, double mean, double std,
                           double a, double b);
// Values low + [0, range); range 0 means all 2^64 values.
void randint_fill(const Tensor& out, random::PhiloxStream s, int64_t low, uint64_t range);
void bernoulli_fill(const Tensor& out, random::PhiloxStream s, double p);
// p: probabilities broadcastable to out's shape; raises "[bernoulli] ..." outside [0, 1].
void bernoulli_fill(const Tensor& out, random::PhiloxStream s, const Tensor& p);
// out: 1-D, a permutation of 0..numel-1.
void randperm_fill(const Tensor& out, random::PhiloxStream s);
// out: int64 (rows, k) or (k); weights: (rows, n) or (n). Validates the weights.
void multinomial_fill(const Tensor& out, random::PhiloxStream s, const Tensor& weights,
                      bool replacement);

}  // namespace ember::cpu
