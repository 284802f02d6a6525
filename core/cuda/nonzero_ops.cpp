// CUDA kernels of nonzero (nonzero.cu). NonzeroOp::infer needs the count to size the output:
// on a CUDA tensor it calls the "nonzero_count" kernel registered here, which reads the
// count back to the host (the one synchronization nonzero needs); the "nonzero" kernel then
// writes the coordinates without another.
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"

namespace ember::cuda {
namespace {

Tensor workspace_for(const Tensor& x) {
  const size_t bytes = nonzero_workspace_bytes(x.numel());
  return Tensor::empty({static_cast<int64_t>(bytes)}, DType::UInt8, x.device());
}

// out[0]: a 0-dim int64 CPU tensor receiving the number of nonzero elements of in[0].
void count_kernel(const Op&, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor x = contiguous_as(in[0], in[0].dtype());
  const Tensor count = Tensor::empty({}, DType::Int64, x.device());
  const Tensor workspace = workspace_for(x);
  launch_nonzero_count(static_cast<int>(x.dtype()), x.data_ptr(), x.numel(),
                       count.data<int64_t>(), workspace.data_ptr(), stream_ptr(x));
  cuda_backend()->copy(out[0], count);  // waits for the device
}

void nonzero_kernel(const Op&, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  if (o.numel() == 0) return;
  const Tensor x = contiguous_as(in[0], in[0].dtype());
  const bool direct = o.is_contiguous();
  const Tensor dst = direct ? o : Tensor::empty(o.shape(), DType::Int64, o.device());
  const Tensor workspace = workspace_for(x);
  launch_nonzero_coords(static_cast<int>(x.dtype()), x.data_ptr(), x.numel(),
                        static_cast<int>(x.dim()), x.shape().data(), dst.data<int64_t>(),
                        workspace.data_ptr(), stream_ptr(o));
  if (!direct) copy_on_device(o, dst);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("nonzero_count", &count_kernel);
    register_cuda_kernel("nonzero", &nonzero_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
