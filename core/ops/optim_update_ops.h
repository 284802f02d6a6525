#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// axpby (core/ops/optim_update.h): inputs y, x, alpha, beta; output alpha*y + beta*x(*x).
struct AxpbyOp : OpImpl<AxpbyOp> {
  static constexpr std::string_view kName = "axpby";
  bool square_x = false;
  explicit AxpbyOp(bool sq) : square_x(sq) {}
  explicit AxpbyOp(const Attrs& a) : square_x(a.get<bool>("square_x", kName)) {}
  void attributes(Attrs& out) const override { out.set("square_x", square_x); }
  bool inplace_kernel_ok() const override { return true; }  // reads y[i] before writing it
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// adam_update (core/ops/optim_update.h): inputs param, exp_avg, second, step, lr, beta1,
// beta2, eps, weight_decay; output the updated param (written in place by adam_update_).
struct AdamUpdateOp : OpImpl<AdamUpdateOp> {
  static constexpr std::string_view kName = "adam_update";
  bool decoupled_weight_decay = false;
  explicit AdamUpdateOp(bool d) : decoupled_weight_decay(d) {}
  explicit AdamUpdateOp(const Attrs& a)
      : decoupled_weight_decay(a.get<bool>("decoupled_weight_decay", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("decoupled_weight_decay", decoupled_weight_decay);
  }
  bool inplace_kernel_ok() const override { return true; }
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

}  // namespace ember
