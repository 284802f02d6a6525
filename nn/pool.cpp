#include "nn/pool.h"

#include "core/ops.h"

namespace ember::nn {
namespace {

// One value or a pair -> a pair; raises naming the module otherwise.
Pair as_pair(const std::vector<int64_t>& v, std::string_view mod, std::string_view what) {
  if (v.size() == 1) return {v[0], v[0]};
  if (v.size() == 2) return {v[0], v[1]};
  raise<ValueError>("[{}] {} must be an int or a pair of ints, got {} values", mod, what,
                    v.size());
}
std::string size_str(const std::vector<int64_t>& v) {
  if (v.size() == 1) return fmt::format("{}", v[0]);
  return fmt::format("({}, {})", v[0], v[1]);
}
std::string opt_size_str(const std::vector<int64_t>& v) {
  auto one = [](int64_t x) { return x < 0 ? std::string("None") : std::to_string(x); };
  if (v.size() == 1) return one(v[0]);
  return fmt::format("({}, {})", one(v[0]), one(v[1]));
}

void check_rank(const Tensor& x, std::string_view mod) {
  if (x.dim() != 3 && x.dim() != 4) {
    raise<ValueError>("[{}] expected 3-D (unbatched) or 4-D (batched) input, got shape {}", mod,
                      shape_str(x.shape()));
  }
}

}  // namespace

MaxPool2d::MaxPool2d(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p,
                     std::vector<int64_t> d, bool ri, bool cm)
    : Module("MaxPool2d"), kernel_size(std::move(k)), stride(s.empty() ? kernel_size : s),
      padding(std::move(p)), dilation(std::move(d)), return_indices(ri), ceil_mode(cm) {
  as_pair(kernel_size, "MaxPool2d", "kernel_size");
  as_pair(stride, "MaxPool2d", "stride");
  as_pair(padding, "MaxPool2d", "padding");
  as_pair(dilation, "MaxPool2d", "dilation");
}

TensorList MaxPool2d::forward(const TensorList& in) {
  if (in.size() != 1) raise<ValueError>("[MaxPool2d] forward takes 1 input, got {}", in.size());
  check_rank(in[0], "MaxPool2d");
  auto r = max_pool2d_with_indices(in[0], as_pair(kernel_size, "MaxPool2d", "kernel_size"),
                                   as_pair(stride, "MaxPool2d", "stride"),
                                   as_pair(padding, "MaxPool2d", "padding"),
                                   as_pair(dilation, "MaxPool2d", "dilation"), ceil_mode);
  if (return_indices) return {r.values, r.indices};
  return {r.values};
}

Tensor MaxPool2d::forward(const Tensor& x) {
  check_rank(x, "MaxPool2d");
  return max_pool2d(x, as_pair(kernel_size, "MaxPool2d", "kernel_size"),
                    as_pair(stride, "MaxPool2d", "stride"),
                    as_pair(padding, "MaxPool2d", "padding"),
                    as_pair(dilation, "MaxPool2d", "dilation"), ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     size_str(kernel_size), size_str(stride), size_str(padding),
                     size_str(dilation), ceil_mode ? "True" : "False");
}

AvgPool2d::AvgPool2d(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p,
                     bool cm, bool cip, std::optional<int64_t> dov)
    : Module("AvgPool2d"), kernel_size(std::move(k)), stride(s.empty() ? kernel_size : s),
      padding(std::move(p)), ceil_mode(cm), count_include_pad(cip), divisor_override(dov) {
  as_pair(kernel_size, "AvgPool2d", "kernel_size");
  as_pair(stride, "AvgPool2d", "stride");
  as_pair(padding, "AvgPool2d", "padding");
  if (dov && *dov <= 0) {
    raise<ValueError>("[AvgPool2d] divisor_override must be positive, got {}", *dov);
  }
}

Tensor AvgPool2d::forward(const Tensor& x) {
  check_rank(x, "AvgPool2d");
  return avg_pool2d(x, as_pair(kernel_size, "AvgPool2d", "kernel_size"),
                    as_pair(stride, "AvgPool2d", "stride"),
                    as_pair(padding, "AvgPool2d", "padding"), ceil_mode, count_include_pad,
                    divisor_override.value_or(0));
}

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", size_str(kernel_size),
                     size_str(stride), size_str(padding));
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(std::vector<int64_t> o)
    : Module("AdaptiveAvgPool2d"), output_size(std::move(o)) {
  as_pair(output_size, "AdaptiveAvgPool2d", "output_size");
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) {
  check_rank(x, "AdaptiveAvgPool2d");
  Pair o = as_pair(output_size, "AdaptiveAvgPool2d", "output_size");
  if (o[0] < 0) o[0] = x.size(-2);
  if (o[1] < 0) o[1] = x.size(-1);
  return adaptive_avg_pool2d(x, o);
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return fmt::format("output_size={}", opt_size_str(output_size));
}

}  // namespace ember::nn
