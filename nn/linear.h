#pragma once
// Linear, Bilinear, Identity, Flatten, Unflatten.
#include "core/default_dtype.h"
#include "nn/module.h"

namespace ember::nn {

// y = x @ weight.T + bias; weight [out, in], initialized as PyTorch does.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t in_features, out_features;
};

// y = x1^T A x2 + b; weight [out, in1, in2].
class Bilinear : public Module {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true,
           DType dtype = default_dtype());
  TensorList forward(const TensorList& inputs) override;
  std::string extra_repr() const override;
  int64_t in1_features, in2_features, out_features;
};

class Identity : public Module {
 public:
  Identity() : Module("Identity") {}
  Tensor forward(const Tensor& x) override { return x; }
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};

class Unflatten : public Module {
 public:
  Unflatten(int64_t dim, std::vector<int64_t> sizes);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t dim;
  std::vector<int64_t> sizes;
};

// Functional forms (also ember.nn.functional.linear / bilinear).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight,
                const Tensor& bias = Tensor());

}  // namespace ember::nn
