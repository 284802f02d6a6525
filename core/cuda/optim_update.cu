// The fused optimizer updates (axpby for Adam's moments, adam_update for the parameter): one
// elementwise pass each, computing in the parameter's compute type as the CPU kernels do
// (float for float32 and the 16-bit floats, double for float64). Adam's step count may live
// on the device (OptimParams::step): each thread then reads it and derives the bias
// corrections itself, so a replayed CUDA graph uses the current step, not the captured one.
#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

template <class T>
__global__ void axpby_kernel(OptimParams p, ElementwiseArgs a) {
  using A = acc_of<T>;
  const A alpha = static_cast<A>(p.alpha), beta = static_cast<A>(p.beta);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    const A y = to_acc(load_operand<T>(a, 1, off[1]));
    A x = to_acc(load_operand<T>(a, 2, off[2]));
    if (p.square_x) x = x * x;
    static_cast<T*>(a.data[0])[off[0]] = from_acc<T>(alpha * y + beta * x);
  }
}

// The bias corrections of the step count on the device, in double as the host computes
// them (pow is CUDA's, which may differ from glibc's in the last bit of the double; the
// parameter's float32 or 16-bit update practically never sees that).
__device__ __forceinline__ void adam_bias_corrections(const OptimParams& p, double& step_size,
                                                      double& bc2_sqrt) {
  if (p.step == nullptr) {
    step_size = p.step_size;
    bc2_sqrt = p.bc2_sqrt;
    return;
  }
  const double step = *p.step;
  step_size = __ddiv_rn(p.lr, __dsub_rn(1.0, pow(p.beta1, step)));
  bc2_sqrt = __dsqrt_rn(__dsub_rn(1.0, pow(p.beta2, step)));
}

template <class T>
__global__ void adam_kernel(OptimParams p, ElementwiseArgs a) {
  using A = acc_of<T>;
  double step_size, bc2_sqrt;
  adam_bias_corrections(p, step_size, bc2_sqrt);
  const A decay = static_cast<A>(p.decay), ss = static_cast<A>(step_size);
  const A bc = static_cast<A>(bc2_sqrt), eps = static_cast<A>(p.eps);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    const A w = to_acc(load_operand<T>(a, 1, off[1]));
    const A m = to_acc(load_operand<T>(a, 2, off[2]));
    const A v = to_acc(load_operand<T>(a, 3, off[3]));
    static_cast<T*>(a.data[0])[off[0]] = from_acc<T>(w * decay - ss * (m / (sqrt(v) / bc + eps)));
  }
}

}  // namespace

void launch_axpby(const OptimParams& p, const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.dtype[0]) {
    case kFloat16: axpby_kernel<__half><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kBFloat16: axpby_kernel<__nv_bfloat16><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kFloat32: axpby_kernel<float><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kFloat64: axpby_kernel<double><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    default: throw std::runtime_error("[cuda] axpby: expected a floating dtype");
  }
  check_launch("axpby");
}

void launch_adam_update(const OptimParams& p, const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.dtype[0]) {
    case kFloat16: adam_kernel<__half><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kBFloat16: adam_kernel<__nv_bfloat16><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kFloat32: adam_kernel<float><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kFloat64: adam_kernel<double><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    default: throw std::runtime_error("[cuda] adam_update: expected a floating dtype");
  }
  check_launch("adam_update");
}

}  // namespace ember::cuda
