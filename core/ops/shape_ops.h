#pragma once
#include <vector>

#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// cat(t_0, ..., t_n-1) along dim; output dtype is the promotion of all inputs.
struct CatOp : OpImpl<CatOp> {
  static constexpr std::string_view kName = "cat";
  int64_t dim;
  explicit CatOp(int64_t d) : dim(d) {}
  explicit CatOp(const Attrs& a) : dim(a.get<int64_t>("dim", kName)) {}
  void attributes(Attrs& out) const override { out.set("dim", dim); }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

struct FlipOp : OpImpl<FlipOp> {
  static constexpr std::string_view kName = "flip";
  std::vector<int64_t> dims;
  explicit FlipOp(std::vector<int64_t> d) : dims(std::move(d)) {}
  explicit FlipOp(const Attrs& a) : dims(a.get<std::vector<int64_t>>("dims", kName)) {}
  void attributes(Attrs& out) const override { out.set("dims", dims); }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// tril / triu: keeps j - i <= diagonal (lower) or j - i >= diagonal (upper).
struct TriOp : OpImpl<TriOp> {
  static constexpr std::string_view kName = "tri";
  int64_t diagonal;
  bool upper;
  TriOp(int64_t k, bool up) : diagonal(k), upper(up) {}
  explicit TriOp(const Attrs& a)
      : diagonal(a.get<int64_t>("diagonal", kName)), upper(a.get<bool>("upper", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("diagonal", diagonal);
    out.set("upper", upper);
  }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
