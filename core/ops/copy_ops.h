#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

struct CastOp : OpImpl<CastOp> {
  static constexpr std::string_view kName = "cast";
  DType dtype;
  explicit CastOp(DType d) : dtype(d) {}
  explicit CastOp(const Attrs& a) : dtype(a.get<DType>("dtype", kName)) {}
  bool is_elementwise() const override { return true; }
  bool vjp_needs_inputs() const override { return false; }
  void attributes(Attrs& out) const override { out.set("dtype", dtype); }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

struct CloneOp : OpImpl<CloneOp> {
  static constexpr std::string_view kName = "clone";
  bool is_elementwise() const override { return true; }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override { return {a.grads[0]}; }
};

// copy(dst, src) -> values of src broadcast to dst's shape and cast to its dtype. Used in
// place as copy_.
struct CopyOp : OpImpl<CopyOp> {
  static constexpr std::string_view kName = "copy";
  bool is_elementwise() const override { return true; }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
