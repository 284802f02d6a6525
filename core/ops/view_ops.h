#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// Base for view ops: kind() == View; make_views builds the alias.
template <class Derived>
struct ViewOp : OpImpl<Derived> {
  OpKind kind() const override { return OpKind::View; }
  bool vjp_needs_inputs() const override { return false; }
  TensorList make_views(std::span<const Tensor> in) const override {
    MetaList m = this->infer(in);
    return {static_cast<const Derived&>(*this).view_of(in[0], m[0])};
  }
};

struct ReshapeViewOp : ViewOp<ReshapeViewOp> {  // "view"
  static constexpr std::string_view kName = "view";
  Shape shape;
  explicit ReshapeViewOp(Shape s) : shape(std::move(s)) {}
  explicit ReshapeViewOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

struct ExpandOp : ViewOp<ExpandOp> {
  static constexpr std::string_view kName = "expand";
  Shape shape;
  explicit ExpandOp(Shape s) : shape(std::move(s)) {}
  explicit ExpandOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

struct PermuteOp : ViewOp<PermuteOp> {
  static constexpr std::string_view kName = "permute";
  Shape dims;
  explicit PermuteOp(Shape d) : dims(std::move(d)) {}
  explicit PermuteOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

// squeeze / unsqueeze are views that change only size-1 dims: one op, "restride".
struct SqueezeOp : ViewOp<SqueezeOp> {
  static constexpr std::string_view kName = "squeeze";
  Shape dims;  // empty: all size-1 dims
  explicit SqueezeOp(Shape d) : dims(std::move(d)) {}
  explicit SqueezeOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

struct UnsqueezeOp : ViewOp<UnsqueezeOp> {
  static constexpr std::string_view kName = "unsqueeze";
  int64_t dim;
  explicit UnsqueezeOp(int64_t d) : dim(d) {}
  explicit UnsqueezeOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

struct DetachOp : ViewOp<DetachOp> {
  static constexpr std::string_view kName = "detach";
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
};

struct AliasOp : ViewOp<AliasOp> {
  static constexpr std::string_view kName = "alias";
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override { return {a.grads[0]}; }
};

}  // namespace ember
