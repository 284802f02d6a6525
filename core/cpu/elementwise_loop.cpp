#include "core/cpu/elementwise_loop.h"

namespace ember::cpu {

Strides broadcast_strides(const Tensor& t, IntList shape) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t td = t.dim();
  Strides s(nd, 0);
  for (int64_t i = 0; i < td; ++i) {
    int64_t d = nd - td + i;
    s[d] = t.shape()[i] == 1 ? 0 : t.strides()[i];
  }
  return s;
}

}  // namespace ember::cpu
