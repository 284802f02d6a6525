#include "nn/activation.h"

#include "core/ops.h"

namespace ember::nn {

int64_t implicit_softmax_dim(int64_t ndim) { return (ndim == 0 || ndim == 1 || ndim == 3) ? 0 : 1; }

Tensor ReLU::forward(const Tensor& x) {
  if (inplace) {
    Tensor y = x;
    return relu_(y);
  }
  return relu(x);
}
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope); }
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", negative_slope); }
Tensor ELU::forward(const Tensor& x) { return elu(x, alpha); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", alpha); }
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate); }
std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", approximate); }
Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta, threshold); }
std::string Softplus::extra_repr() const { return fmt::format("beta={}, threshold={}", beta, threshold); }
Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim.value_or(implicit_softmax_dim(x.dim()))); }
std::string Softmax::extra_repr() const { return dim ? fmt::format("dim={}", *dim) : "dim=None"; }
Tensor LogSoftmax::forward(const Tensor& x) {
  return log_softmax(x, dim.value_or(implicit_softmax_dim(x.dim())));
}
std::string LogSoftmax::extra_repr() const { return dim ? fmt::format("dim={}", *dim) : "dim=None"; }
Tensor SiLU::forward(const Tensor& x) { return silu(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

}  // namespace ember::nn
