#pragma once
// Op classes of sort.h: SortOp and TopkOp, each (values, indices) along one dim.
#include "core/op.h"

namespace ember {

struct SortOp : OpImpl<SortOp> {
  static constexpr std::string_view kName = "sort";
  int64_t dim = -1;
  bool descending = false;
  SortOp(int64_t d, bool desc) : dim(d), descending(desc) {}
  explicit SortOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct TopkOp : OpImpl<TopkOp> {
  static constexpr std::string_view kName = "topk";
  int64_t k = 1, dim = -1;
  bool largest = true, sorted = true;
  TopkOp(int64_t k_, int64_t d, bool l, bool s) : k(k_), dim(d), largest(l), sorted(s) {}
  explicit TopkOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
