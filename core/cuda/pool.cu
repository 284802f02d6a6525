// 2-D pooling kernels (pool_kernels.h): one thread per output element; backward passes
// scatter with atomics into a float (or double) accumulator the caller casts back.
#include <cmath>

#include "core/cuda/device_math.cuh"
#include "core/cuda/pool_kernels.h"

namespace ember::cuda {
namespace {

template <class T>
__global__ void max_pool_kernel(const T* x, T* y, int64_t* idx, MaxPoolParams p) {
  using A = acc_of<T>;
  const int64_t total = p.planes * p.Ho * p.Wo;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t ow = i % p.Wo, oh = (i / p.Wo) % p.Ho, plane = i / (p.Wo * p.Ho);
    const T* src = x + plane * p.H * p.W;
    const int64_t h0 = oh * p.sh - p.ph, w0 = ow * p.sw - p.pw;
    A best = -INFINITY;
    int64_t bi = -1;
    // As the CPU: the first maximum wins, and the first NaN ends the search.
    for (int64_t a = 0; a < p.kh; ++a) {
      const int64_t ih = h0 + a * p.dh;
      if (ih < 0 || ih >= p.H) continue;
      for (int64_t b = 0; b < p.kw; ++b) {
        const int64_t iw = w0 + b * p.dw;
        if (iw < 0 || iw >= p.W) continue;
        const A v = to_acc(src[ih * p.W + iw]);
        if (bi < 0 || v > best || v != v) {
          best = v;
          bi = ih * p.W + iw;
          if (v != v) goto done;
        }
      }
    }
  done:
    y[i] = from_acc<T>(best);
    idx[i] = bi < 0 ? 0 : bi;
  }
}

template <class T, class A>
__global__ void max_pool_backward_kernel(const T* gy, const int64_t* idx, A* acc, int64_t planes,
                                         int64_t HW, int64_t OHW) {
  const int64_t total = planes * OHW;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    atomicAdd(acc + (i / OHW) * HW + idx[i], static_cast<A>(to_acc(gy[i])));
  }
}

template <class T>
__global__ void avg_pool_kernel(const T* x, T* y, AvgPoolParams p) {
  using A = acc_of<T>;
  const int64_t total = p.planes * p.Ho * p.Wo;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t ow = i % p.Wo, oh = (i / p.Wo) % p.Ho, plane = i / (p.Wo * p.Ho);
    const T* src = x + plane * p.H * p.W;
    A s = 0;
    for (int64_t ih = p.hs[oh]; ih < p.he[oh]; ++ih) {
      for (int64_t iw = p.ws[ow]; iw < p.we[ow]; ++iw) s += to_acc(src[ih * p.W + iw]);
    }
    const int64_t div = p.divisor > 0 ? p.divisor : p.fh[oh] * p.fw[ow];
    y[i] = from_acc<T>(s / static_cast<A>(div));
  }
}

template <class T, class A>
__global__ void avg_pool_backward_kernel(const T* gy, A* acc, AvgPoolParams p) {
  const int64_t total = p.planes * p.Ho * p.Wo;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t ow = i % p.Wo, oh = (i / p.Wo) % p.Ho, plane = i / (p.Wo * p.Ho);
    A* dst = acc + plane * p.H * p.W;
    const int64_t div = p.divisor > 0 ? p.divisor : p.fh[oh] * p.fw[ow];
    const A v = static_cast<A>(to_acc(gy[i])) / static_cast<A>(div);
    for (int64_t ih = p.hs[oh]; ih < p.he[oh]; ++ih) {
      for (int64_t iw = p.ws[ow]; iw < p.we[ow]; ++iw) atomicAdd(dst + ih * p.W + iw, v);
    }
  }
}

// Calls f with a null pointer of the storage type of `dtype` (floating types only).
template <class F>
void with_float_type(int dtype, const char* op, F&& f) {
  switch (dtype) {
    case kFloat32: return f(static_cast<float*>(nullptr));
    case kFloat64: return f(static_cast<double*>(nullptr));
    case kFloat16: return f(static_cast<__half*>(nullptr));
    case kBFloat16: return f(static_cast<__nv_bfloat16*>(nullptr));
    default: throw std::runtime_error(std::string("[") + op + "] expected a floating dtype");
  }
}

template <class T>
using acc_buffer_t = std::conditional_t<std::is_same_v<T, double>, double, float>;

}  // namespace

void launch_max_pool2d(int dtype, const void* x, void* y, int64_t* idx, const MaxPoolParams& p,
                       void* stream) {
  with_float_type(dtype, "max_pool2d", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    max_pool_kernel<T><<<grid_for(p.planes * p.Ho * p.Wo), kThreads, 0,
                         static_cast<cudaStream_t>(stream)>>>(static_cast<const T*>(x),
                                                             static_cast<T*>(y), idx, p);
  });
  check_launch("max_pool2d");
}

void launch_max_pool2d_backward(int dtype, const void* gy, const int64_t* idx, void* acc,
                                int64_t planes, int64_t HW, int64_t OHW, void* stream) {
  with_float_type(dtype, "max_pool2d_backward", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    using A = acc_buffer_t<T>;
    max_pool_backward_kernel<T, A><<<grid_for(planes * OHW), kThreads, 0,
                                     static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(gy), idx, static_cast<A*>(acc), planes, HW, OHW);
  });
  check_launch("max_pool2d_backward");
}

void launch_avg_pool2d(int dtype, const void* x, void* y, const AvgPoolParams& p, void* stream) {
  with_float_type(dtype, "avg_pool2d", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    avg_pool_kernel<T><<<grid_for(p.planes * p.Ho * p.Wo), kThreads, 0,
                         static_cast<cudaStream_t>(stream)>>>(static_cast<const T*>(x),
                                                             static_cast<T*>(y), p);
  });
  check_launch("avg_pool2d");
}

void launch_avg_pool2d_backward(int dtype, const void* gy, void* acc, const AvgPoolParams& p,
                                void* stream) {
  with_float_type(dtype, "avg_pool2d_backward", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    using A = acc_buffer_t<T>;
    avg_pool_backward_kernel<T, A><<<grid_for(p.planes * p.Ho * p.Wo), kThreads, 0,
                                     static_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(gy), static_cast<A*>(acc), p);
  });
  check_launch("avg_pool2d_backward");
}

}  // namespace ember::cuda
