// Ops without a CUDA kernel yet that run through the host: inputs are copied to the CPU,
// the op's CPU kernel runs, and outputs are copied back. Correct (random ops give exactly
// the CPU's numbers for a seed, since both use the same Philox streams) but slow: each is a
// candidate for a real kernel. The list is explicit so no op falls back silently.
#include <string>
#include <vector>

#include "core/cuda/graph_capture.h"
#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/op.h"

namespace ember::cuda {
namespace {

void through_host(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  TensorList host_in;
  for (const Tensor& t : in) host_in.push_back(t.defined() ? to_device_raw(t, kCPU) : t);
  TensorList host_out;
  for (size_t i = 0; i < out.size(); ++i) {
    // An output aliasing an input (in-place kernels) aliases the host copy too.
    Tensor h;
    for (size_t j = 0; j < in.size(); ++j) {
      if (in[j].defined() && out[i].is_same(in[j])) h = host_in[j];
    }
    host_out.push_back(h.defined() ? h : Tensor::empty(out[i].shape(), out[i].dtype(), kCPU));
  }
  op.eval_cpu(std::span<const Tensor>(host_in.data(), host_in.size()),
              std::span<Tensor>(host_out.data(), host_out.size()));
  for (size_t i = 0; i < out.size(); ++i) cuda_backend()->copy(out[i], host_out[i]);
}

std::vector<std::string>& host_path_names() {
  static std::vector<std::string> names;
  return names;
}

struct Registrar {
  Registrar() {
    for (const char* name :
         {// reductions without a kernel yet
          "norm_backward", "cumprod_backward"}) {
      register_cuda_kernel(name, &through_host);
      host_path_names().emplace_back(name);
    }
  }
};
const Registrar registrar;

}  // namespace

bool is_host_path_op(std::string_view op_name) {
  for (const std::string& n : host_path_names()) {
    if (n == op_name) return true;
  }
  return false;
}
}  // namespace ember::cuda
