#pragma once
// Op class of atan2.h (exposed for the tracer's rewrites and tests).
#include <cmath>
#include <type_traits>

#include "core/ops/elementwise_base.h"

namespace ember {

// Input 0 is y, input 1 is x (PyTorch's atan2(input, other)).
struct Atan2Op : BinaryOp<Atan2Op> {
  static constexpr std::string_view kName = "atan2";
  static DType compute_dtype(DType promoted) { return to_floating(promoted); }
  template <class T> T apply(T y, T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::atan2(y, x);
    } else {  // never run: the compute dtype is floating; keeps the dispatch instantiable
      return static_cast<T>(std::atan2(static_cast<double>(y), static_cast<double>(x)));
    }
  }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
