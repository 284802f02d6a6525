#include "keras_like/initializers.h"

#include <cmath>
#include <map>

#include "core/ops.h"
#include "keras_like/name_lookup.h"
#include "nn/init.h"

namespace ember::keras {

std::pair<double, double> fans(const std::vector<int64_t>& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  double receptive = 1.0;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

Initializer zeros_initializer() {
  return [](const std::vector<int64_t>& s, DType d) { return zeros(s, d); };
}

Initializer ones_initializer() {
  return [](const std::vector<int64_t>& s, DType d) { return ones(s, d); };
}

Initializer constant_initializer(double value) {
  return [value](const std::vector<int64_t>& s, DType d) { return full(s, value, d); };
}

Initializer random_uniform(double minval, double maxval) {
  return [=](const std::vector<int64_t>& s, DType d) { return uniform(s, minval, maxval, d); };
}

Initializer random_normal(double mean, double stddev) {
  return [=](const std::vector<int64_t>& s, DType d) { return normal(mean, stddev, s, d); };
}

Initializer variance_scaling(double scale, const std::string& mode,
                             const std::string& distribution) {
  EMBER_CHECK(scale > 0, "[VarianceScaling] scale must be positive, got {}", scale);
  EMBER_CHECK(mode == "fan_in" || mode == "fan_out" || mode == "fan_avg",
              "[VarianceScaling] mode must be 'fan_in', 'fan_out' or 'fan_avg', got '{}'", mode);
  std::string dist = distribution == "normal" ? "truncated_normal" : distribution;
  EMBER_CHECK(dist == "truncated_normal" || dist == "untruncated_normal" || dist == "uniform",
              "[VarianceScaling] distribution must be 'truncated_normal', "
              "'untruncated_normal' or 'uniform', got '{}'", distribution);
  return [=](const std::vector<int64_t>& s, DType d) {
    auto [fan_in, fan_out] = fans(s);
    double n = mode == "fan_in" ? fan_in : mode == "fan_out" ? fan_out : (fan_in + fan_out) / 2;
    double variance = scale / std::max(1.0, n);
    if (dist == "uniform") {
      double limit = std::sqrt(3.0 * variance);
      return uniform(s, -limit, limit, d);
    }
    if (dist == "untruncated_normal") return normal(0.0, std::sqrt(variance), s, d);
    // The stddev of a unit normal truncated to [-2, 2] is 0.8796...; compensate.
    double stddev = std::sqrt(variance) / 0.87962566103423978;
    Tensor t = Tensor::empty(s, d);
    trunc_normal_(t, 0.0, stddev, -2.0 * stddev, 2.0 * stddev);
    return t;
  };
}

Initializer glorot_uniform() { return variance_scaling(1.0, "fan_avg", "uniform"); }
Initializer glorot_normal() { return variance_scaling(1.0, "fan_avg", "truncated_normal"); }
Initializer he_uniform() { return variance_scaling(2.0, "fan_in", "uniform"); }
Initializer he_normal() { return variance_scaling(2.0, "fan_in", "truncated_normal"); }
Initializer lecun_uniform() { return variance_scaling(1.0, "fan_in", "uniform"); }
Initializer lecun_normal() { return variance_scaling(1.0, "fan_in", "truncated_normal"); }

Initializer orthogonal(double gain) {
  return [gain](const std::vector<int64_t>& s, DType d) {
    EMBER_CHECK(s.size() >= 2, "[Orthogonal] needs a shape of rank >= 2, got rank {}", s.size());
    Tensor t = Tensor::empty(s, d);
    nn::init::orthogonal_(t, gain);
    return t;
  };
}

Initializer get_initializer(const std::string& name) {
  static const std::map<std::string, Initializer (*)()> table = {
      {"zeros", zeros_initializer},
      {"ones", ones_initializer},
      {"glorotuniform", glorot_uniform},
      {"glorotnormal", glorot_normal},
      {"heuniform", he_uniform},
      {"henormal", he_normal},
      {"lecununiform", lecun_uniform},
      {"lecunnormal", lecun_normal},
      {"randomuniform", [] { return random_uniform(); }},
      {"randomnormal", [] { return random_normal(); }},
      {"uniform", [] { return random_uniform(); }},
      {"normal", [] { return random_normal(); }},
      {"orthogonal", [] { return orthogonal(); }},
  };
  return lookup_by_name(table, name, "initializer")();
}

}  // namespace ember::keras
