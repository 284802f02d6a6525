#pragma once
// Op classes of reduce.h. Each reduction is one primitive over ReduceAttrs (dims, keepdim);
// mean, var_mean and std_mean are compositions.
#include <optional>

#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// Shared attributes of reductions: dims (empty = all) and keepdim.
struct ReduceAttrs {
  Shape dims;
  bool keepdim = false;
  void write(Attrs& out) const;
  static ReduceAttrs read(const Attrs& a, std::string_view op);
};

template <class Derived>
struct ReduceOpBase : OpImpl<Derived> {
  ReduceAttrs r;
  explicit ReduceOpBase(ReduceAttrs ra) : r(std::move(ra)) {}
  explicit ReduceOpBase(const Attrs& a) : r(ReduceAttrs::read(a, Derived::kName)) {}
  void attributes(Attrs& out) const override { r.write(out); }
};

struct SumOp : OpImpl<SumOp> {
  static constexpr std::string_view kName = "sum";
  ReduceAttrs r;
  std::optional<DType> dtype;
  SumOp(ReduceAttrs ra, std::optional<DType> d) : r(std::move(ra)), dtype(d) {}
  explicit SumOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

struct ProdOp : OpImpl<ProdOp> {
  static constexpr std::string_view kName = "prod";
  ReduceAttrs r;
  std::optional<DType> dtype;
  ProdOp(ReduceAttrs ra, std::optional<DType> d) : r(std::move(ra)), dtype(d) {}
  explicit ProdOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// amax / amin over several dims; the gradient is split evenly among tied extremes.
template <class Derived>
struct ExtremeOp : ReduceOpBase<Derived> {
  using ReduceOpBase<Derived>::ReduceOpBase;
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};
struct AmaxOp : ExtremeOp<AmaxOp> {
  static constexpr std::string_view kName = "amax";
  static constexpr bool kMax = true;
  using ExtremeOp::ExtremeOp;
};
struct AminOp : ExtremeOp<AminOp> {
  static constexpr std::string_view kName = "amin";
  static constexpr bool kMax = false;
  using ExtremeOp::ExtremeOp;
};

// max/min along one dim -> (values, indices); argmax/argmin -> indices only (dim < 0 after
// `has_dim == false` means over the flattened tensor).
template <class Derived>
struct ArgExtremeOp : OpImpl<Derived> {
  int64_t dim = 0;
  bool has_dim = true;
  bool keepdim = false;
  ArgExtremeOp(std::optional<int64_t> d, bool k)
      : dim(d.value_or(0)), has_dim(d.has_value()), keepdim(k) {}
  explicit ArgExtremeOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};
struct MaxDimOp : ArgExtremeOp<MaxDimOp> {
  static constexpr std::string_view kName = "max";
  static constexpr bool kMax = true, kValues = true;
  using ArgExtremeOp::ArgExtremeOp;
};
struct MinDimOp : ArgExtremeOp<MinDimOp> {
  static constexpr std::string_view kName = "min";
  static constexpr bool kMax = false, kValues = true;
  using ArgExtremeOp::ArgExtremeOp;
};
struct ArgmaxOp : ArgExtremeOp<ArgmaxOp> {
  static constexpr std::string_view kName = "argmax";
  static constexpr bool kMax = true, kValues = false;
  using ArgExtremeOp::ArgExtremeOp;
  bool is_differentiable() const override { return false; }
};
struct ArgminOp : ArgExtremeOp<ArgminOp> {
  static constexpr std::string_view kName = "argmin";
  static constexpr bool kMax = false, kValues = false;
  using ArgExtremeOp::ArgExtremeOp;
  bool is_differentiable() const override { return false; }
};

// Backward helpers of the extreme reductions (not differentiable: masks are constants).
// one_hot_along_dim(indices [.., 1, ..]; dim, size, dtype) -> 1 where the index points.
struct IndexOneHotOp : OpImpl<IndexOneHotOp> {
  static constexpr std::string_view kName = "index_one_hot";
  int64_t dim = 0, size = 0;
  DType dtype = DType::Float32;
  IndexOneHotOp(int64_t d, int64_t n, DType t) : dim(d), size(n), dtype(t) {}
  explicit IndexOneHotOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};
// tie_mask(x, m) -> (x == broadcast(m)) as x's dtype: where an extreme was attained.
struct TieMaskOp : OpImpl<TieMaskOp> {
  static constexpr std::string_view kName = "tie_mask";
  TieMaskOp() = default;
  explicit TieMaskOp(const Attrs&) {}
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// var / std with `correction`.
template <class Derived>
struct MomentOp : ReduceOpBase<Derived> {
  double correction = 1;
  MomentOp(ReduceAttrs ra, double c) : ReduceOpBase<Derived>(std::move(ra)), correction(c) {}
  explicit MomentOp(const Attrs& a)
      : ReduceOpBase<Derived>(a), correction(a.get<double>("correction", Derived::kName)) {}
  void attributes(Attrs& out) const override {
    this->r.write(out);
    out.set("correction", correction);
  }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};
struct VarOp : MomentOp<VarOp> {
  static constexpr std::string_view kName = "var";
  static constexpr bool kSqrt = false;
  using MomentOp::MomentOp;
};
struct StdOp : MomentOp<StdOp> {
  static constexpr std::string_view kName = "std";
  static constexpr bool kSqrt = true;
  using MomentOp::MomentOp;
  bool vjp_needs_outputs() const override { return true; }
};

struct LogSumExpOp : ReduceOpBase<LogSumExpOp> {
  static constexpr std::string_view kName = "logsumexp";
  using ReduceOpBase::ReduceOpBase;
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

template <class Derived>
struct TruthOp : ReduceOpBase<Derived> {
  using ReduceOpBase<Derived>::ReduceOpBase;
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};
struct AllOp : TruthOp<AllOp> {
  static constexpr std::string_view kName = "all";
  static constexpr bool kAll = true;
  using TruthOp::TruthOp;
};
struct AnyOp : TruthOp<AnyOp> {
  static constexpr std::string_view kName = "any";
  static constexpr bool kAll = false;
  using TruthOp::TruthOp;
};

struct NormOp : ReduceOpBase<NormOp> {
  static constexpr std::string_view kName = "norm";
  double p = 2;
  NormOp(ReduceAttrs ra, double pv) : ReduceOpBase(std::move(ra)), p(pv) {}
  explicit NormOp(const Attrs& a) : ReduceOpBase(a), p(a.get<double>("p", kName)) {}
  void attributes(Attrs& out) const override {
    r.write(out);
    out.set("p", p);
  }
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};
// d|x|_p / dx for p other than 2 (elementwise over x and the broadcast norm): a first-order
// rule only; p = 2, the common case, is written with differentiable ops instead.
struct NormGradOp : OpImpl<NormGradOp> {
  static constexpr std::string_view kName = "norm_backward";
  double p = 1;
  explicit NormGradOp(double pv) : p(pv) {}
  explicit NormGradOp(const Attrs& a) : p(a.get<double>("p", kName)) {}
  void attributes(Attrs& out) const override { out.set("p", p); }
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// cumsum / cumprod along dim. `exclusive` (the first output is the identity) and `reverse`
// (from the end) serve backward rules (TensorFlow's cumsum has the same two flags).
template <class Derived>
struct ScanOp : OpImpl<Derived> {
  int64_t dim = 0;
  bool exclusive = false, reverse = false;
  std::optional<DType> dtype;
  ScanOp(int64_t d, bool ex, bool rev, std::optional<DType> t)
      : dim(d), exclusive(ex), reverse(rev), dtype(t) {}
  explicit ScanOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};
struct CumsumOp : ScanOp<CumsumOp> {
  static constexpr std::string_view kName = "cumsum";
  static constexpr bool kProd = false;
  using ScanOp::ScanOp;
  bool vjp_needs_inputs() const override { return false; }
};
struct CumprodOp : ScanOp<CumprodOp> {
  static constexpr std::string_view kName = "cumprod";
  static constexpr bool kProd = true;
  using ScanOp::ScanOp;
};
// cumprod's gradient (g, x) -> dx, exact where x has zeros (PyTorch's first-zero rule);
// its own backward is written with ops and itself, so any order is differentiable.
struct CumprodBackwardOp : OpImpl<CumprodBackwardOp> {
  static constexpr std::string_view kName = "cumprod_backward";
  int64_t dim = 0;
  bool exclusive = false, reverse = false;
  CumprodBackwardOp(int64_t d, bool ex, bool rev) : dim(d), exclusive(ex), reverse(rev) {}
  explicit CumprodBackwardOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// Raw scan used by cumsum/cumprod and by prod's backward.
Tensor scan(bool prod, const Tensor& t, int64_t dim, bool exclusive, bool reverse,
            std::optional<DType> dtype = std::nullopt);

// Gradient of a reduction: g (reduced shape) broadcast back over the input's shape.
Tensor expand_reduced_grad(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim);
// g reshaped to keepdim form (size-1 reduced dims) without expanding.
Tensor keepdim_view(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim);

// Number of elements a reduction over dims combines (1 for a 0-dim tensor).
int64_t reduced_count(IntList shape, IntList dims, std::string_view op);

}  // namespace ember
