// arange, linspace, logspace, eye and tril / triu: one thread per element, each with the
// CPU's formula (core/ops/creation.cpp, core/ops/shape.cpp) in the same precision and
// operation order, so the values are identical (logspace: up to pow's last bit). Multiplies and adds use the _rn intrinsics: nvcc would otherwise
// contract them into fused multiply-adds, which the CPU build does not use.
#include "core/cuda/device_math.cuh"
#include "core/cuda/storage_types.cuh"

namespace ember::cuda {
namespace {

#define EMBER_GRID_LOOP_(i_, n_)                                              \
  for (int64_t i_ = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i_ < (n_); \
       i_ += int64_t(gridDim.x) * blockDim.x)

__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float sub_rn(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double sub_rn(double a, double b) { return __dsub_rn(a, b); }

template <class T>
__global__ void arange_int_kernel(T* out, int64_t n, int64_t stride, int64_t start, int64_t step) {
  EMBER_GRID_LOOP_(i, n) { out[i * stride] = static_cast<T>(start + i * step); }
}

// CPU: static_cast<acc_t<T>>(s + double(i) * st), then stored as T.
template <class T>
__global__ void arange_float_kernel(T* out, int64_t n, int64_t stride, double start, double step) {
  EMBER_GRID_LOOP_(i, n) {
    const double v = add_rn(start, mul_rn(static_cast<double>(i), step));
    out[i * stride] = from_acc<T>(static_cast<acc_of<T>>(v));
  }
}

__device__ __forceinline__ float pow_of(float b, float x) { return powf(b, x); }
__device__ __forceinline__ double pow_of(double b, double x) { return pow(b, x); }

// C is the arithmetic type: double for integer outputs, the compute type for floats.
// logspace (`log`): base ** the linspace point, with CUDA's pow / powf, which may differ
// from glibc's in the last bit (the only step that is not the CPU's exact arithmetic).
template <class T, class C>
__global__ void linspace_kernel(T* out, int64_t steps, int64_t stride, C s, C e, C step,
                                bool log, C base) {
  EMBER_GRID_LOOP_(i, steps) {
    C v;
    if (steps == 1) {
      v = s;
    } else if (i < steps / 2) {
      v = add_rn(s, mul_rn(step, static_cast<C>(i)));
    } else {
      v = sub_rn(e, mul_rn(step, static_cast<C>(steps - 1 - i)));
    }
    if (log) v = pow_of(base, v);
    if constexpr (std::is_integral_v<T>) {
      out[i * stride] = static_cast<T>(v);
    } else {
      out[i * stride] = from_acc<T>(v);
    }
  }
}

template <class T>
__global__ void eye_kernel(T* out, int64_t n, int64_t m, int64_t s0, int64_t s1) {
  EMBER_GRID_LOOP_(e, n * m) {
    const int64_t i = e / m, j = e % m;
    out[i * s0 + j * s1] = from_acc<T>(acc_of<T>(i == j ? 1 : 0));
  }
}

// Bits are copied or zeroed: a zero of every dtype is all zero bits.
template <class U>
__global__ void tri_kernel(const U* in, U* out, int64_t total, int64_t rows, int64_t cols,
                           int64_t diagonal, bool upper) {
  EMBER_GRID_LOOP_(e, total) {
    const int64_t r = e / cols, j = e % cols, i = r % rows;
    const bool keep = upper ? (j - i >= diagonal) : (j - i <= diagonal);
    out[e] = keep ? in[e] : U(0);
  }
}

}  // namespace

void launch_arange(int dtype, void* out, int64_t n, int64_t stride, int64_t start_int,
                   int64_t step_int, double start, double step, void* stream) {
  if (n == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  with_storage_type(dtype, "arange", [&](auto v) {
    using T = decltype(v);
    if constexpr (std::is_integral_v<T>) {
      arange_int_kernel<T><<<grid_for(n), kThreads, 0, s>>>(static_cast<T*>(out), n, stride,
                                                            start_int, step_int);
    } else {
      arange_float_kernel<T><<<grid_for(n), kThreads, 0, s>>>(static_cast<T*>(out), n, stride,
                                                              start, step);
    }
  });
  check_launch("arange");
}

namespace {

void launch_space(int dtype, void* out, int64_t steps, int64_t stride, double start,
                  double end, bool log, double base, void* stream) {
  if (steps == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  with_storage_type(dtype, "linspace", [&](auto v) {
    using T = decltype(v);
    // As the CPU's space_kernel: integers truncate the bounds and step in double.
    using C = std::conditional_t<std::is_integral_v<T>, double, acc_of<T>>;
    const C a = std::is_integral_v<T> ? static_cast<C>(static_cast<int64_t>(start))
                                      : static_cast<C>(start);
    const C b = std::is_integral_v<T> ? static_cast<C>(static_cast<int64_t>(end))
                                      : static_cast<C>(end);
    const C step = steps > 1 ? (b - a) / static_cast<C>(steps - 1) : C(0);
    linspace_kernel<T, C><<<grid_for(steps), kThreads, 0, s>>>(
        static_cast<T*>(out), steps, stride, a, b, step, log, static_cast<C>(base));
  });
  check_launch(log ? "logspace" : "linspace");
}

}  // namespace

void launch_linspace(int dtype, void* out, int64_t steps, int64_t stride, double start,
                     double end, void* stream) {
  launch_space(dtype, out, steps, stride, start, end, false, 0.0, stream);
}

void launch_logspace(int dtype, void* out, int64_t steps, int64_t stride, double start,
                     double end, double base, void* stream) {
  launch_space(dtype, out, steps, stride, start, end, true, base, stream);
}

void launch_eye(int dtype, void* out, int64_t n, int64_t m, int64_t s0, int64_t s1,
                void* stream) {
  if (n * m == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  with_storage_type(dtype, "eye", [&](auto v) {
    using T = decltype(v);
    eye_kernel<T><<<grid_for(n * m), kThreads, 0, s>>>(static_cast<T*>(out), n, m, s0, s1);
  });
  check_launch("eye");
}

void launch_tri(int itemsize, const void* in, void* out, int64_t total, int64_t rows,
                int64_t cols, int64_t diagonal, bool upper, void* stream) {
  if (total == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  auto run = [&](auto u) {
    using U = decltype(u);
    tri_kernel<U><<<grid_for(total), kThreads, 0, s>>>(static_cast<const U*>(in),
                                                       static_cast<U*>(out), total, rows, cols,
                                                       diagonal, upper);
  };
  switch (itemsize) {
    case 1: run(uint8_t{}); break;
    case 2: run(uint16_t{}); break;
    case 4: run(uint32_t{}); break;
    default: run(uint64_t{}); break;
  }
  check_launch("tri");
}

}  // namespace ember::cuda
