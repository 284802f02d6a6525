#pragma once
// 2-D convolution kernels on CPU (NCHW): im2col onto BLAS gemm (float32/float64). The batch is
// processed in chunks whose columns sit side by side, so each group is one large GEMM and
// BLAS does the threading; im2col/col2im run in parallel over (sample, channel). Raw kernels:
// no dispatch, no autograd. 16-bit floats are computed in float32 by the ops.
#include "core/tensor.h"

namespace ember::cpu {

// Geometry of one convolution: input [N, C, H, W], weight [O, C / groups, kh, kw],
// output [N, O, Ho, Wo].
struct ConvGeom {
  int64_t N, C, H, W, O, kh, kw, Ho, Wo;
  int64_t sh, sw, ph, pw, dh, dw, groups;
};

// y = conv(x, w) + b. y contiguous [N, O, Ho, Wo]; x, w contiguous; b undefined or [O].
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const ConvGeom& g);
// gx = d conv / d x applied to gy (the transposed convolution), plus b [C] if defined.
// gx contiguous [N, C, H, W]; gy contiguous [N, O, Ho, Wo]; w contiguous.
void conv2d_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const Tensor& b,
                       const ConvGeom& g);
// gw = d conv / d w applied to gy. gw contiguous [O, C / groups, kh, kw].
void conv2d_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy, const ConvGeom& g);

}  // namespace ember::cpu
