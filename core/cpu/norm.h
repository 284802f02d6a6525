#pragma once
// CPU kernel of normalize_moments (core/ops/norm.h).
#include <cstdint>

namespace ember::cpu {

// x, y contiguous [a, c, b]; mean, var [c]. Two passes per channel in double.
template <class T>
void normalize_moments(const T* x, T* y, T* mean, T* var, int64_t a, int64_t c, int64_t b,
                       double eps);

}  // namespace ember::cpu
