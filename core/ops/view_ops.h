#pragma once
#include <vector>

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

// Basic (view) indexing: a list of items applied to dims left to right, as in t[2, 1:5:2,
// None]; dims past the items are kept. Items are flat quads (kind, a, b, c) so they stay
// plain attributes: kInt (a = index), kSlice (a = start, b = stop, c = step; already
// normalized to the dim), kNewAxis. slice, narrow, select and t[...] all build this op.
struct BasicIndexOp : ViewOp<BasicIndexOp> {
  static constexpr std::string_view kName = "basic_index";
  static constexpr int64_t kInt = 0, kSlice = 1, kNewAxis = 2;
  std::vector<int64_t> items;
  explicit BasicIndexOp(std::vector<int64_t> it) : items(std::move(it)) {}
  explicit BasicIndexOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

// The view geometry `items` select from a tensor of the given layout; raises IndexError
// naming `op` when an int index is out of range.
struct ViewGeometry {
  Shape shape;
  Strides strides;
  int64_t offset = 0;
};
ViewGeometry basic_index_geometry(IntList shape, IntList strides, int64_t offset,
                                  const std::vector<int64_t>& items, std::string_view op);

struct DiagonalOp : ViewOp<DiagonalOp> {
  static constexpr std::string_view kName = "diagonal";
  int64_t offset, dim1, dim2;
  DiagonalOp(int64_t o, int64_t d1, int64_t d2) : offset(o), dim1(d1), dim2(d2) {}
  explicit DiagonalOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  Tensor view_of(const Tensor& t, const TensorMeta& m) const;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
