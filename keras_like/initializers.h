#pragma once
// Keras initializers: functions (shape, dtype) -> a new tensor, by name ("glorot_uniform",
// "he_normal", "zeros", ...). Fans follow Keras: for a kernel [..., in, out], fan_in =
// in * receptive field, fan_out = out * receptive field. Draws use Ember's default
// generator (ember::manual_seed), in the same order as the Python ember.keras.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ember::keras {

using Initializer = std::function<Tensor(const std::vector<int64_t>& shape, DType dtype)>;

Initializer zeros_initializer();
Initializer ones_initializer();
Initializer constant_initializer(double value);
Initializer random_uniform(double minval = -0.05, double maxval = 0.05);
Initializer random_normal(double mean = 0.0, double stddev = 0.05);
// VarianceScaling: variance scale / n with n = fan_in, fan_out or their mean
// ("fan_in" | "fan_out" | "fan_avg"), drawn from "truncated_normal" (two standard
// deviations), "untruncated_normal" or "uniform".
Initializer variance_scaling(double scale, const std::string& mode,
                             const std::string& distribution);
Initializer glorot_uniform();
Initializer glorot_normal();
Initializer he_uniform();
Initializer he_normal();
Initializer lecun_uniform();
Initializer lecun_normal();
Initializer orthogonal(double gain = 1.0);

// By Keras name (case-insensitive; class names like "GlorotUniform" too).
Initializer get_initializer(const std::string& name);

// (fan_in, fan_out) of a weight shape, Keras's convention.
std::pair<double, double> fans(const std::vector<int64_t>& shape);

}  // namespace ember::keras
