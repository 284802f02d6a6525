#pragma once
// CPU kernel of normalize_moments (core/ops/norm.h).
#include <cstdint>

namespace ember::cpu {

// x, y contiguous [a, c, b]; mean, var [c]; weight / bias null or contiguous of length c
// (per_channel) or b. Two passes per channel in double, then the normalized, affine output.
template <class T>
void normalize_moments(const T* x, T* y, T* mean, T* var, const T* weight, const T* bias,
                       bool per_channel, int64_t a, int64_t c, int64_t b, double eps);

}  // namespace ember::cpu
