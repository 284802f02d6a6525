#include "nn/init.h"

#include <cmath>

#include "core/ops.h"
#include "eager/grad_mode.h"

namespace ember::nn::init {

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& t) {
  if (t.dim() < 2) {
    raise<ValueError>("[init] fan in and fan out can not be computed for a tensor with fewer "
                      "than 2 dimensions (shape {})", shape_str(t.shape()));
  }
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.shape()[d];
  return {t.shape()[1] * receptive, t.shape()[0] * receptive};
}

double calculate_gain(std::string_view nl, double param) {
  if (nl == "linear" || nl == "sigmoid" || nl.starts_with("conv")) return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nl == "selu") return 0.75;
  raise<ValueError>("[calculate_gain] unsupported nonlinearity '{}'", nl);
}

namespace {
int64_t fan(const Tensor& t, std::string_view mode) {
  auto [in, out] = fan_in_and_fan_out(t);
  if (mode == "fan_in") return in;
  if (mode == "fan_out") return out;
  raise<ValueError>("[init] mode must be 'fan_in' or 'fan_out', got '{}'", mode);
}
}  // namespace

const Tensor& uniform_(const Tensor& t, double a, double b) {
  NoGradGuard g;
  ember::uniform_(t, a, b);
  return t;
}

const Tensor& normal_(const Tensor& t, double mean, double std) {
  NoGradGuard g;
  ember::normal_(t, mean, std);
  return t;
}

const Tensor& constant_(const Tensor& t, double v) {
  NoGradGuard g;
  fill_raw(t, v);
  t.storage()->bump_version();
  return t;
}
const Tensor& zeros_(const Tensor& t) { return init::constant_(t, 0.0); }
const Tensor& ones_(const Tensor& t) { return init::constant_(t, 1.0); }

const Tensor& xavier_uniform_(const Tensor& t, double gain) {
  if (t.numel() == 0) return t;  // as in PyTorch: a no-op (the fan would be 0)
  auto [in, out] = fan_in_and_fan_out(t);
  double a = gain * std::sqrt(6.0 / static_cast<double>(in + out));
  return init::uniform_(t, -a, a);
}

const Tensor& xavier_normal_(const Tensor& t, double gain) {
  if (t.numel() == 0) return t;  // as in PyTorch: a no-op (the fan would be 0)
  auto [in, out] = fan_in_and_fan_out(t);
  return init::normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(in + out)));
}

const Tensor& kaiming_uniform_(const Tensor& t, double a, std::string_view mode,
                               std::string_view nonlinearity) {
  if (t.numel() == 0) return t;  // as in PyTorch: a no-op (the fan would be 0)
  double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(t, mode)));
  double bound = std::sqrt(3.0) * std;
  return init::uniform_(t, -bound, bound);
}

const Tensor& kaiming_normal_(const Tensor& t, double a, std::string_view mode,
                              std::string_view nonlinearity) {
  if (t.numel() == 0) return t;  // as in PyTorch: a no-op (the fan would be 0)
  double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(t, mode)));
  return init::normal_(t, 0.0, std);
}

const Tensor& orthogonal_(const Tensor& t, double gain) {
  if (t.dim() < 2) raise<ValueError>("[orthogonal_] only tensors with 2 or more dimensions are supported");
  // Gram-Schmidt (modified) on a Gaussian matrix in float64: rows x cols, orthonormal along
  // the smaller side, as torch.nn.init.orthogonal_ (which uses QR) produces.
  int64_t rows = t.shape()[0], cols = t.numel() / rows;
  bool transpose = rows < cols;
  int64_t n = transpose ? cols : rows, k = transpose ? rows : cols;  // n >= k vectors of length n
  Tensor g = Tensor::empty({k, n}, DType::Float64);
  {
    NoGradGuard ng;
    ember::normal_(g, 0.0, 1.0);
  }
  double* q = g.data<double>();
  for (int64_t i = 0; i < k; ++i) {
    double* v = q + i * n;
    for (int64_t j = 0; j < i; ++j) {
      const double* u = q + j * n;
      double d = 0;
      for (int64_t x = 0; x < n; ++x) d += v[x] * u[x];
      for (int64_t x = 0; x < n; ++x) v[x] -= d * u[x];
    }
    double norm = 0;
    for (int64_t x = 0; x < n; ++x) norm += v[x] * v[x];
    norm = std::sqrt(norm);
    for (int64_t x = 0; x < n; ++x) v[x] /= norm;  // unit length: later projections rely on it
  }
  for (int64_t x = 0; x < k * n; ++x) q[x] *= gain;
  // g is [k, n] with orthonormal rows; the weight is [rows, cols].
  Tensor w = transpose ? g : ember::transpose(g, 0, 1);
  NoGradGuard ng;
  copy_(t, reshape(contiguous(w), t.shape()));
  return t;
}

}  // namespace ember::nn::init
