#pragma once
#include "core/cpu/pool.h"
#include "core/op.h"
#include "core/op_registry.h"
#include "core/ops/pool.h"

namespace ember {

// The averaging windows of avg_pool2d (output size `out`) and of adaptive_avg_pool2d, shared
// by the CPU kernels and the CUDA ones (core/cuda/pool_ops.cpp).
struct PoolAttrs;
cpu::AvgWindows avg_windows(const PoolAttrs& p, int64_t planes, int64_t H, int64_t W, Pair out);
cpu::AvgWindows adaptive_windows(int64_t planes, int64_t H, int64_t W, Pair out);

struct PoolAttrs {
  Pair kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
  bool ceil_mode = false;
  bool count_include_pad = true;  // avg only
  int64_t divisor_override = 0;   // avg only; 0 = none
  void write(Attrs& out, bool avg) const;
  static PoolAttrs read(const Attrs& a, std::string_view op, bool avg);
};

// max_pool2d(x) -> (values, indices int64).
struct MaxPool2dOp : OpImpl<MaxPool2dOp> {
  static constexpr std::string_view kName = "max_pool2d";
  PoolAttrs p;
  explicit MaxPool2dOp(PoolAttrs a) : p(a) {}
  explicit MaxPool2dOp(const Attrs& a) : p(PoolAttrs::read(a, kName, false)) {}
  void attributes(Attrs& out) const override { p.write(out, false); }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

// max_pool2d_backward(grad_output, indices) -> grad input of spatial size input_size.
struct MaxPool2dBackwardOp : OpImpl<MaxPool2dBackwardOp> {
  static constexpr std::string_view kName = "max_pool2d_backward";
  Pair input_size{0, 0};
  explicit MaxPool2dBackwardOp(Pair s) : input_size(s) {}
  explicit MaxPool2dBackwardOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_input(size_t i) const override { return i == 1; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct AvgPool2dOp : OpImpl<AvgPool2dOp> {
  static constexpr std::string_view kName = "avg_pool2d";
  PoolAttrs p;
  explicit AvgPool2dOp(PoolAttrs a) : p(a) {}
  explicit AvgPool2dOp(const Attrs& a) : p(PoolAttrs::read(a, kName, true)) {}
  void attributes(Attrs& out) const override { p.write(out, true); }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct AvgPool2dBackwardOp : OpImpl<AvgPool2dBackwardOp> {
  static constexpr std::string_view kName = "avg_pool2d_backward";
  PoolAttrs p;
  Pair input_size{0, 0};
  AvgPool2dBackwardOp(PoolAttrs a, Pair s) : p(a), input_size(s) {}
  explicit AvgPool2dBackwardOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct AdaptiveAvgPool2dOp : OpImpl<AdaptiveAvgPool2dOp> {
  static constexpr std::string_view kName = "adaptive_avg_pool2d";
  Pair output_size{1, 1};
  explicit AdaptiveAvgPool2dOp(Pair s) : output_size(s) {}
  explicit AdaptiveAvgPool2dOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct AdaptiveAvgPool2dBackwardOp : OpImpl<AdaptiveAvgPool2dBackwardOp> {
  static constexpr std::string_view kName = "adaptive_avg_pool2d_backward";
  Pair input_size{0, 0};
  explicit AdaptiveAvgPool2dBackwardOp(Pair s) : input_size(s) {}
  explicit AdaptiveAvgPool2dBackwardOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
