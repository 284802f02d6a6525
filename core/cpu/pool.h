#pragma once
// 2-D pooling kernels on CPU over contiguous [planes, H, W] data (planes = N * C), parallel
// over planes. Raw kernels: no dispatch, no autograd.
#include <vector>

#include "core/tensor.h"

namespace ember::cpu {

struct MaxPoolGeom {
  int64_t planes, H, W, Ho, Wo;
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
};

// y = max over each window (NaN propagates), idx = the flat h * W + w of the chosen element.
void max_pool2d_forward(const Tensor& y, const Tensor& idx, const Tensor& x, const MaxPoolGeom& g);
// gx[plane, idx] += gy (gx overwritten).
void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& idx, int64_t planes,
                         int64_t H, int64_t W);

// Separable averaging windows: output (oh, ow) averages rows [hs, he) x cols [ws, we) and
// divides by divisor (when > 0) or fh[oh] * fw[ow].
struct AvgWindows {
  int64_t planes = 0, H = 0, W = 0;
  std::vector<int64_t> hs, he, fh, ws, we, fw;
  int64_t divisor = 0;
  int64_t Ho() const { return static_cast<int64_t>(hs.size()); }
  int64_t Wo() const { return static_cast<int64_t>(ws.size()); }
};

void avg_pool2d_forward(const Tensor& y, const Tensor& x, const AvgWindows& w);
// gx = the adjoint of avg_pool2d_forward applied to gy (gx overwritten).
void avg_pool2d_backward(const Tensor& gx, const Tensor& gy, const AvgWindows& w);

}  // namespace ember::cpu
