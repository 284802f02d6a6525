// The host path for ops without a CUDA kernel: inputs are copied to the CPU, the op's CPU
// kernel runs, and outputs are copied back. Correct but slow (and it synchronizes), so each
// such op is a candidate for a real kernel. The list is explicit so no op falls back
// silently; it is empty at the moment.
#include <string>
#include <string_view>
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

// Every op with a CUDA path has a device kernel at the moment (randperm, multinomial,
// nonzero, truncated_normal, logspace, norm_backward and cumprod_backward were the last ones
// here). An op listed here runs through the host and is reported by runs_through_host, so
// CUDA graphs refuse to capture it.
const std::vector<std::string_view> kHostPathOps = {};

struct Registrar {
  Registrar() {
    for (std::string_view name : kHostPathOps) {
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
  // Device kernels that read a value back, so they synchronize like the host path: nonzero
  // (its row count sizes the output) and multinomial (its row checks raise on the host).
  return op_name == "nonzero" || op_name == "multinomial";
}
}  // namespace ember::cuda
