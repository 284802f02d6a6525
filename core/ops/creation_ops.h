#pragma once
// Op classes of the creation family: Source ops (no tensor inputs; full_like reads only its
// input's shape), so a tracer records them and constant folding can evaluate them.
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
  FullOp(Shape s, Scalar v, DType d, Device dev)
      : shape(std::move(s)), value(v), dtype(d), device(dev) {}
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

// arange(start, end, step): values start + i * step for i in [0, ceil((end - start) / step)).
// Integer dtypes compute in int64 (PyTorch's length rule for integers), floats in double.
struct ArangeOp : OpImpl<ArangeOp> {
  static constexpr std::string_view kName = "arange";
  Scalar start, end, step;
  DType dtype = DType::Int64;
  Device device;
  ArangeOp(Scalar s, Scalar e, Scalar st, DType d, Device dev)
      : start(s), end(e), step(st), dtype(d), device(dev) {}
  explicit ArangeOp(const Attrs& a);
  OpKind kind() const override { return OpKind::Source; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  int64_t length() const;  // validates, raising "[arange] ..."
};

// linspace(start, end, steps) and logspace (base ** linspace): `steps` evenly spaced values,
// both ends included; the second half counts back from `end` so the last value is exact.
struct LinspaceOp : OpImpl<LinspaceOp> {
  static constexpr std::string_view kName = "linspace";
  double start = 0, end = 0;
  int64_t steps = 0;
  DType dtype = DType::Float32;
  Device device;
  LinspaceOp(double s, double e, int64_t n, DType d, Device dev)
      : start(s), end(e), steps(n), dtype(d), device(dev) {}
  explicit LinspaceOp(const Attrs& a);
  OpKind kind() const override { return OpKind::Source; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

struct LogspaceOp : OpImpl<LogspaceOp> {
  static constexpr std::string_view kName = "logspace";
  double start = 0, end = 0;
  int64_t steps = 0;
  double base = 10.0;
  DType dtype = DType::Float32;
  Device device;
  LogspaceOp(double s, double e, int64_t n, double b, DType d, Device dev)
      : start(s), end(e), steps(n), base(b), dtype(d), device(dev) {}
  explicit LogspaceOp(const Attrs& a);
  OpKind kind() const override { return OpKind::Source; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// eye(n, m): ones on the main diagonal of an n x m matrix.
struct EyeOp : OpImpl<EyeOp> {
  static constexpr std::string_view kName = "eye";
  int64_t n = 0, m = 0;
  DType dtype = DType::Float32;
  Device device;
  EyeOp(int64_t rows, int64_t cols, DType d, Device dev)
      : n(rows), m(cols), dtype(d), device(dev) {}
  explicit EyeOp(const Attrs& a);
  OpKind kind() const override { return OpKind::Source; }
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Raises "[op] negative dimension ..." unless every size is >= 0.
void check_shape_nonnegative(IntList shape, std::string_view op);

}  // namespace ember
