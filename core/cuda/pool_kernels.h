#pragma once
// Plain-data launchers of the 2-D pooling kernels (pool.cu), over contiguous [planes, H, W]
// data, with the CPU kernels' semantics (core/cpu/pool.h). Pooling runs on these kernels,
// not cuDNN: max_pool2d must return the argmax indices its backward scatters to (cuDNN's
// pooling recomputes them from the input), and avg_pool2d has ceil_mode and
// divisor_override, which cuDNN's pooling descriptor cannot express.
#include <cstdint>

namespace ember::cuda {

struct MaxPoolParams {
  int64_t planes, H, W, Ho, Wo;
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
};

// dtype: a DTypeCode (kernel_args.h) of a floating type; x, y of that type, idx int64.
void launch_max_pool2d(int dtype, const void* x, void* y, int64_t* idx, const MaxPoolParams& p,
                       void* stream);
// acc[plane, idx] += gy. acc is float (dtype float16/bfloat16/float32) or double (float64)
// and zeroed by the caller; gy has type `dtype`.
void launch_max_pool2d_backward(int dtype, const void* gy, const int64_t* idx, void* acc,
                                int64_t planes, int64_t HW, int64_t OHW, void* stream);

// Separable averaging windows on the device: windows[0..6) point at hs, he, fh (Ho each)
// and ws, we, fw (Wo each), as cpu::AvgWindows.
struct AvgPoolParams {
  int64_t planes, H, W, Ho, Wo, divisor;
  const int64_t* hs, *he, *fh, *ws, *we, *fw;
};
void launch_avg_pool2d(int dtype, const void* x, void* y, const AvgPoolParams& p, void* stream);
// acc (float, or double for float64; zeroed by the caller) += the adjoint applied to gy.
void launch_avg_pool2d_backward(int dtype, const void* gy, void* acc, const AvgPoolParams& p,
                                void* stream);

}  // namespace ember::cuda
