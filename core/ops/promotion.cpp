#include "core/ops/promotion.h"

namespace ember {
namespace {
int category(DType d) { return d == DType::Bool ? 0 : is_floating(d) ? 2 : 1; }
}  // namespace

DType result_type(std::span<const Tensor> inputs) {
  bool have_tensor = false, have_dim0 = false;
  DType tensors = DType::Bool, dim0 = DType::Bool, wrapped = DType::Bool;
  for (const Tensor& t : inputs) {
    if (!t.defined()) continue;
    if (t.impl()->is_wrapped_number()) {
      if (category(t.dtype()) > category(wrapped)) wrapped = t.dtype();
    } else if (t.dim() == 0) {
      dim0 = have_dim0 ? promote_types(dim0, t.dtype()) : t.dtype();
      have_dim0 = true;
    } else {
      tensors = have_tensor ? promote_types(tensors, t.dtype()) : t.dtype();
      have_tensor = true;
    }
  }
  // Priority: dimensioned tensors, then 0-dim tensors, then Python numbers; a lower-priority
  // group only matters if it is of a higher category.
  DType r = have_tensor ? tensors : (have_dim0 ? dim0 : wrapped);
  bool any = have_tensor || have_dim0;
  if (have_tensor && have_dim0 && category(dim0) > category(r)) r = dim0;
  if (any && category(wrapped) > category(r)) {
    r = category(wrapped) == 2 ? default_float_dtype() : DType::Int64;
  }
  return r;
}

DType result_type(const Tensor& a, const Tensor& b) {
  const Tensor ts[] = {a, b};
  return result_type(ts);
}

}  // namespace ember
