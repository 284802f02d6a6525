#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// full(shape, value): a source op, so a traced graph records it (and constant-folds it).
struct FullOp : OpImpl<FullOp> {
  static constexpr std::string_view kName = "full";
  Shape shape;
  Scalar value;
  DType dtype = DType::Float32;
  Device device;
  FullOp(Shape s, Scalar v, DType d, Device dev) : shape(std::move(s)), value(v), dtype(d), device(dev) {}
  explicit FullOp(const Attrs& a);
  OpKind kind() const override { return OpKind::Source; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// full_like(t, value): takes t's shape at run time, so dynamic dims stay dynamic.
struct FullLikeOp : OpImpl<FullLikeOp> {
  static constexpr std::string_view kName = "full_like";
  Scalar value;
  std::optional<DType> dtype;
  FullLikeOp(Scalar v, std::optional<DType> d) : value(v), dtype(d) {}
  explicit FullLikeOp(const Attrs& a);
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

}  // namespace ember
