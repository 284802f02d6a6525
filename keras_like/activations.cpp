#include "keras_like/activations.h"

#include <map>

#include "core/ops.h"
#include "keras_like/name_lookup.h"

namespace ember::keras {
namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

const std::map<std::string, ActivationFn>& table() {
  static const std::map<std::string, ActivationFn> t = {
      {"linear", nullptr},
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"relu6", [](const Tensor& x) { return relu6(x); }},
      {"leakyrelu", [](const Tensor& x) { return leaky_relu(x, 0.2); }},
      {"elu", [](const Tensor& x) { return elu(x, 1.0); }},
      {"selu", [](const Tensor& x) { return elu(x, kSeluAlpha) * kSeluScale; }},
      {"gelu", [](const Tensor& x) { return gelu(x, "none"); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"hardsigmoid",
       [](const Tensor& x) { return clamp(x * (1.0 / 6.0) + 0.5, Scalar(0.0), Scalar(1.0)); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
      {"logsoftmax", [](const Tensor& x) { return log_softmax(x, -1); }},
      {"softplus", [](const Tensor& x) { return softplus(x); }},
      {"softsign", [](const Tensor& x) { return x / (abs(x) + 1.0); }},
      {"silu", [](const Tensor& x) { return silu(x); }},
      {"swish", [](const Tensor& x) { return silu(x); }},
      {"mish", [](const Tensor& x) { return x * tanh(softplus(x)); }},
      {"exponential", [](const Tensor& x) { return exp(x); }},
  };
  return t;
}

}  // namespace

Activation get_activation(const std::string& name) {
  if (name.empty()) return Activation{};
  return Activation{normalize_name(name), lookup_by_name(table(), name, "activation")};
}

}  // namespace ember::keras
