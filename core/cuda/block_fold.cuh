#pragma once
// Block-wide folds in double for the one-block-per-row kernels (row statistics, the
// normalization moments). Every thread of the block must call them (they synchronize).
#include <cuda_runtime.h>

#include <cmath>

namespace ember::cuda {

enum class Fold { kSum, kMax, kMin };

// Block-wide fold of one double per thread, the result broadcast to every thread. Max and
// min propagate NaN.
__device__ inline double block_fold(double v, Fold f, double* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      const double a = shared[threadIdx.x], b = shared[threadIdx.x + s];
      double r;
      if (f == Fold::kSum) {
        r = a + b;
      } else if (isnan(a) || isnan(b)) {
        r = isnan(a) ? a : b;
      } else {
        r = f == Fold::kMax ? fmax(a, b) : fmin(a, b);
      }
      shared[threadIdx.x] = r;
    }
    __syncthreads();
  }
  const double r = shared[0];
  __syncthreads();
  return r;
}

}  // namespace ember::cuda
