#include "core/ops/reduce.h"

#include "core/cpu/reduce_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/reduce_ops.h"

namespace ember {

EMBER_REGISTER_OP(SumOp);

void ReduceAttrs::write(Attrs& out) const {
  out.set("dims", std::vector<int64_t>(dims.begin(), dims.end()));
  out.set("keepdim", keepdim);
}
ReduceAttrs ReduceAttrs::read(const Attrs& a, std::string_view op) {
  auto& d = a.get<std::vector<int64_t>>("dims", op);
  return {Shape(d.begin(), d.end()), a.get<bool>("keepdim", op)};
}

Shape reduced_shape(const Tensor& t, IntList dims, bool keepdim, std::string_view op) {
  auto mask = reduction_mask(dims, t.dim(), op);
  Shape out;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d]) {
      out.push_back(t.shape()[d]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

Tensor expand_reduced_grad(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim) {
  Tensor r = g;
  int64_t nd = static_cast<int64_t>(input.shape.size());
  if (!keepdim && nd > 0) {
    auto mask = reduction_mask(dims, nd, "backward");
    Shape kshape;
    for (int64_t d = 0; d < nd; ++d) kshape.push_back(mask[d] ? 1 : input.shape[d]);
    r = reshape(r, kshape);
  }
  return expand(r, input.shape);
}

namespace {
struct SumReducer {
  using Acc = double;
  Acc init() const { return 0; }
  Acc step(Acc a, Acc x) const { return a + x; }
  Acc merge(Acc a, Acc b) const { return a + b; }
  template <class O> O finish(Acc a, int64_t) const { return static_cast<O>(static_cast<acc_t<O>>(a)); }
};
struct IntSumReducer {
  using Acc = int64_t;
  Acc init() const { return 0; }
  Acc step(Acc a, Acc x) const { return a + x; }
  Acc merge(Acc a, Acc b) const { return a + b; }
  template <class O> O finish(Acc a, int64_t) const { return static_cast<O>(a); }
};
}  // namespace

SumOp::SumOp(const Attrs& a) : r(ReduceAttrs::read(a, kName)) {
  if (a.has("dtype")) dtype = a.get<DType>("dtype", kName);
}
void SumOp::attributes(Attrs& out) const {
  r.write(out);
  if (dtype) out.set("dtype", *dtype);
}
MetaList SumOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  DType d = dtype.value_or(is_floating(in[0].dtype()) ? in[0].dtype() : DType::Int64);
  return {TensorMeta{reduced_shape(in[0], r.dims, r.keepdim, kName), d, in[0].device()}};
}
void SumOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(r.dims, in[0].dim(), kName);
  Tensor x = in[0];
  EMBER_DISPATCH_ALL(x.dtype(), kName, [&]<class T>() {
    EMBER_DISPATCH_ALL(out[0].dtype(), kName, [&]<class O>() {
      if constexpr (is_floating(dtype_v<O>)) {
        cpu::reduce_into<T, O>(out[0], x, mask, SumReducer{});
      } else {
        cpu::reduce_into<T, O>(out[0], x, mask, IntSumReducer{});
      }
    });
  });
}
TensorList SumOp::vjp(const VjpArgs& a) const {
  Tensor g = expand_reduced_grad(a.grads[0], a.input_meta[0], r.dims, r.keepdim);
  if (g.dtype() != a.input_meta[0].dtype) g = to_dtype(g, a.input_meta[0].dtype);
  return {g};
}

Tensor sum(const Tensor& t, IntList dims, bool keepdim, std::optional<DType> dtype) {
  SumOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim}, dtype);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

Tensor sum_to_shape(const Tensor& g, IntList shape) {
  if (IntList(g.shape()).size() == shape.size() &&
      std::equal(shape.begin(), shape.end(), g.shape().begin())) {
    return g;
  }
  const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
  if (lead < 0) {
    raise<ValueError>("[sum_to_shape] cannot sum shape {} to the larger shape {}",
                      shape_str(g.shape()), shape_str(shape));
  }
  Shape dims;
  for (int64_t d = 0; d < g.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && g.shape()[d] != 1)) dims.push_back(d);
  }
  Tensor r = dims.empty() ? g : sum(g, dims, /*keepdim=*/true);
  return lead > 0 || r.shape() != Shape(shape.begin(), shape.end()) ? reshape(r, shape) : r;
}

}  // namespace ember
