#pragma once
// Normalization layers: BatchNorm1d/2d, LayerNorm, GroupNorm, and their functional forms.
// The forms are compositions of dispatched ops (var_mean, rsqrt, mul, add), so autograd
// (twice differentiable) and tracing come from the ops; the running-stat update of
// batch_norm is in-place mul_/add_ under no_grad, so a traced training step replays it.
#include "core/default_dtype.h"
#include <optional>

#include "nn/module.h"

namespace ember::nn {

// input (N, C) or (N, C, *). training: normalize with batch statistics and, when the
// running tensors are given, update them in place (running = (1 - momentum) * running +
// momentum * batch, the variance unbiased as in PyTorch). Otherwise normalize with the
// running statistics. weight / bias of shape (C) are optional.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  bool training = false, double momentum = 0.1, double eps = 1e-5);
// Normalizes over the trailing dims, which must equal normalized_shape.
Tensor layer_norm(const Tensor& input, IntList normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);
// input (N, C, *): normalizes each of num_groups groups of C / num_groups channels.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// BatchNorm1d / BatchNorm2d. momentum nullopt: cumulative moving average (factor
// 1 / num_batches_tracked, read eagerly, so it is not meant for traced steps).
class BatchNorm : public Module {
 public:
  BatchNorm(std::string type_name, int64_t num_features, double eps, std::optional<double> momentum,
            bool affine, bool track_running_stats, DType dtype);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_running_stats();
  void reset_parameters();
  int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;

 protected:
  virtual void check_input_dim(const Tensor& x) const = 0;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5,
                       std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true, DType dtype = default_dtype())
      : BatchNorm("BatchNorm1d", num_features, eps, momentum, affine, track_running_stats, dtype) {}

 protected:
  void check_input_dim(const Tensor& x) const override;
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5,
                       std::optional<double> momentum = 0.1, bool affine = true,
                       bool track_running_stats = true, DType dtype = default_dtype())
      : BatchNorm("BatchNorm2d", num_features, eps, momentum, affine, track_running_stats, dtype) {}

 protected:
  void check_input_dim(const Tensor& x) const override;
};

class LayerNorm : public Module {
 public:
  LayerNorm(std::vector<int64_t> normalized_shape, double eps = 1e-5,
            bool elementwise_affine = true, bool bias = true, DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  std::vector<int64_t> normalized_shape;
  double eps;
  bool elementwise_affine;
};

class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true,
            DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t num_groups, num_channels;
  double eps;
  bool affine;
};

}  // namespace ember::nn
