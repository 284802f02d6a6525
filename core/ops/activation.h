#pragma once
// Activation functions as primitive ops with fused kernels and their own backward rules.
// They also back ember.nn.functional. clamp accepts number or tensor bounds.
#include <optional>
#include <string_view>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

Tensor relu(const Tensor& t);
Tensor relu6(const Tensor& t);  // hardtanh(t, 0, 6)
// approximate: "none" (exact, with erf) or "tanh".
Tensor gelu(const Tensor& t, std::string_view approximate = "none");
Tensor silu(const Tensor& t);
// log(1 + exp(beta * x)) / beta; linear where beta * x > threshold.
Tensor softplus(const Tensor& t, double beta = 1.0, double threshold = 20.0);
Tensor leaky_relu(const Tensor& t, double negative_slope = 0.01);
Tensor elu(const Tensor& t, double alpha = 1.0);
Tensor hardtanh(const Tensor& t, double min_val = -1.0, double max_val = 1.0);

// clamp(t, min, max): at least one bound; NaN propagates; min > max gives max everywhere.
Tensor clamp(const Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor clamp(const Tensor& t, const Tensor& min, const Tensor& max);  // either may be undefined
Tensor clamp_min(const Tensor& t, const Scalar& min);
Tensor clamp_max(const Tensor& t, const Scalar& max);
Tensor clamp_min(const Tensor& t, const Tensor& min);
Tensor clamp_max(const Tensor& t, const Tensor& max);

Tensor& relu_(Tensor& t);
Tensor& clamp_(Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max);
Tensor& clamp_(Tensor& t, const Tensor& min, const Tensor& max);

}  // namespace ember
