// The CUDA kernel of "fused_elementwise" (the graph executor's fused chains): the chain's
// FusedProgram becomes one generated kernel (nvrtc_fusion_source.h), compiled by NVRTC to a
// CUBIN for the device's architecture, loaded with the runtime's cudaLibraryLoadData and
// launched on the device's stream. Kernels are cached by (source text, arch): a training
// loop compiles each chain once. Chains without a program (dtypes or ops the interpreter
// does not model) and inputs the generated code cannot read run op by op on the device.
#include <absl/container/flat_hash_map.h>

#include <mutex>

#include "core/cuda/cuda_context.h"
#include "core/cuda/nvrtc_compiler.h"
#include "core/cuda/nvrtc_fusion_source.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/dispatch.h"
#include "trace/fused_elementwise.h"

namespace ember::cuda {
namespace {

int arch_of(int device) {
  int major = 0, minor = 0;
  check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "fused_elementwise");
  check(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "fused_elementwise");
  return major * 10 + minor;
}

// Compiled kernels by (arch, source). Libraries stay loaded for the process's life.
cudaKernel_t kernel_for(const std::string& source, int device) {
  static std::mutex mu;
  static auto* cache = new absl::flat_hash_map<std::string, cudaKernel_t>();
  const int arch = arch_of(device);
  std::string key = std::to_string(arch) + "\n" + source;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache->find(key); it != cache->end()) return it->second;
  const std::string image = nvrtc_compile(source, {arch, /*cubin=*/true}, "fused_elementwise");
  cudaLibrary_t lib = nullptr;
  check(cudaLibraryLoadData(&lib, image.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "fused_elementwise (cudaLibraryLoadData)");
  cudaKernel_t k = nullptr;
  check(cudaLibraryGetKernel(&k, lib, kFusedKernelName), "fused_elementwise (cudaLibraryGetKernel)");
  cache->emplace(std::move(key), k);
  return k;
}

// Describes input t for the generated kernel over `out`'s shape and fills its slot in
// `args`; false when the kernel cannot read it (16-bit floats, another device).
bool describe_input(const Tensor& t, const Tensor& out, int k, FusedInputDesc& d,
                    FusedKernelArgs& args) {
  if (t.device().is_cpu()) {
    if (t.numel() != 1) return false;
    d.kind = FusedInputKind::Scalar;
    args.scalar[k] = static_cast<float>(read_as_double(t, 0));
    return true;
  }
  if (t.device() != out.device()) return false;
  if (t.dtype() == DType::Float16 || t.dtype() == DType::BFloat16) return false;
  d.dtype = static_cast<DTypeCode>(t.dtype());
  args.in[k] = t.data_ptr();
  if (t.shape() == out.shape() && t.is_contiguous()) {
    d.kind = FusedInputKind::Dense;
    return true;
  }
  d.kind = FusedInputKind::Strided;
  const int64_t nd = out.dim(), off = nd - t.dim();
  if (off < 0) return false;
  for (int64_t dim = 0; dim < nd; ++dim) {
    const int64_t td = dim - off;
    args.strides[k][dim] = td < 0 || t.shape()[td] == 1 ? 0 : t.strides()[td];
  }
  // data_ptr() already points at the view's first element (its offset is applied).
  return true;
}

bool run_generated(const trace::FusedProgram& program, std::span<const Tensor> in,
                   const Tensor& out) {
  if (out.dtype() != DType::Float32 || out.dim() > kMaxDims ||
      static_cast<int>(in.size()) != program.num_inputs || program.num_inputs > kFusedMaxInputs) {
    return false;
  }
  FusedKernelArgs args{};
  std::vector<FusedInputDesc> desc(in.size());
  for (size_t k = 0; k < in.size(); ++k) {
    if (!describe_input(in[k], out, static_cast<int>(k), desc[k], args)) return false;
  }
  const int dev = out.device().index;
  set_device(dev);
  const Tensor target = out.is_contiguous() ? out : Tensor::empty(out.shape(), out.dtype(), out.device());
  args.out = target.data_ptr();
  args.n = out.numel();
  args.ndim = static_cast<int>(out.dim());
  for (int64_t d = 0; d < out.dim(); ++d) args.sizes[d] = out.shape()[d];
  const cudaKernel_t k = kernel_for(fused_kernel_source(program, desc), dev);
  void* params[] = {&args};
  constexpr int kBlock = 256;
  const int64_t blocks = std::min<int64_t>((args.n + kBlock - 1) / kBlock, int64_t{1} << 20);
  check(cudaLaunchKernel(reinterpret_cast<const void*>(k), dim3(static_cast<unsigned>(blocks)),
                         dim3(kBlock), params, 0, stream(dev)),
        "fused_elementwise (cudaLaunchKernel)");
  if (!target.is_same(out)) copy_on_device(out, target);
  return true;
}

// The chain's member ops one after another, each on its own CUDA kernel.
void run_op_by_op(const trace::FusedElementwiseOp& op, std::span<const Tensor> in, const Tensor& out) {
  std::vector<Tensor> regs(in.begin(), in.end());
  for (const trace::FusedStep& s : op.steps()) {
    TensorList operands;
    for (int r : s.operands) operands.push_back(regs[r]);
    regs.push_back(run_op(*s.op, operands)[0]);
  }
  cuda_backend()->copy(out, regs.back());
}

void fused_elementwise_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto* fused = dynamic_cast<const trace::FusedElementwiseOp*>(&op);
  if (!fused) raise<TypeError>("[cuda] fused_elementwise kernel got op {}", op.name());
  if (out[0].numel() == 0) return;
  if (fused->program() && run_generated(*fused->program(), in, out[0])) return;
  run_op_by_op(*fused, in, out[0]);
}

struct Registrar {
  Registrar() { register_cuda_kernel("fused_elementwise", &fused_elementwise_kernel); }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
