#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// Shared by softmax and log_softmax: one dim, floating input, same-shaped output.
template <class Derived>
struct SoftmaxBase : OpImpl<Derived> {
  int64_t dim = -1;
  explicit SoftmaxBase(int64_t d) : dim(d) {}
  void attributes(Attrs& out) const override { out.set("dim", dim); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
};

struct SoftmaxOp : SoftmaxBase<SoftmaxOp> {
  static constexpr std::string_view kName = "softmax";
  static constexpr bool kLog = false;
  explicit SoftmaxOp(int64_t d) : SoftmaxBase(d) {}
  explicit SoftmaxOp(const Attrs& a) : SoftmaxBase(a.get<int64_t>("dim", kName)) {}
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

struct LogSoftmaxOp : SoftmaxBase<LogSoftmaxOp> {
  static constexpr std::string_view kName = "log_softmax";
  static constexpr bool kLog = true;
  explicit LogSoftmaxOp(int64_t d) : SoftmaxBase(d) {}
  explicit LogSoftmaxOp(const Attrs& a) : SoftmaxBase(a.get<int64_t>("dim", kName)) {}
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
