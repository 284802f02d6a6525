#pragma once
// Keras activations by name ("relu", "softmax", ...); each is written with Ember ops, so it
// is differentiable and traceable. The empty name and "linear" are the identity.
#include <functional>
#include <string>

#include "core/tensor.h"

namespace ember::keras {

using ActivationFn = std::function<Tensor(const Tensor&)>;

struct Activation {
  std::string name = "linear";
  ActivationFn fn;  // empty: identity
  Tensor operator()(const Tensor& x) const { return fn ? fn(x) : x; }
};

Activation get_activation(const std::string& name);

}  // namespace ember::keras
