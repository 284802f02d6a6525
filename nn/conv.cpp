#include "nn/conv.h"

#include <cmath>

#include "core/ops.h"
#include "nn/init.h"

namespace ember::nn {
namespace {

std::string tuple_str(const std::vector<int64_t>& v) {
  if (v.size() == 1) return fmt::format("({},)", v[0]);
  return fmt::format("({})", fmt::join(v, ", "));
}
bool all_eq(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}
Pair pair_of(const std::vector<int64_t>& v) { return {v[0], v[1]}; }

}  // namespace

ConvNd::ConvNd(std::string type_name, int64_t in, int64_t out, std::vector<int64_t> k,
               std::vector<int64_t> s, std::vector<int64_t> p, std::string pstr,
               std::vector<int64_t> d, std::vector<int64_t> op, int64_t g, bool bias, bool tr,
               DType dtype)
    : Module(std::move(type_name)), in_channels(in), out_channels(out), kernel_size(std::move(k)),
      stride(std::move(s)), padding(std::move(p)), dilation(std::move(d)),
      output_padding(std::move(op)), padding_str(std::move(pstr)), groups(g), transposed(tr) {
  const std::string name = type_name_for_errors();
  if (g < 1) raise<ValueError>("[{}] groups must be a positive integer, got {}", name, g);
  if (in < 1 || out < 1) {
    raise<ValueError>("[{}] in_channels and out_channels must be positive, got {} and {}", name,
                      in, out);
  }
  if (in % g != 0) {
    raise<ValueError>("[{}] in_channels ({}) must be divisible by groups ({})", name, in, g);
  }
  if (out % g != 0) {
    raise<ValueError>("[{}] out_channels ({}) must be divisible by groups ({})", name, out, g);
  }
  for (size_t i = 0; i < kernel_size.size(); ++i) {
    if (kernel_size[i] < 1 || stride[i] < 1 || dilation[i] < 1 || padding[i] < 0) {
      raise<ValueError>("[{}] kernel_size, stride and dilation must be positive and padding "
                        "non-negative, got kernel_size={}, stride={}, padding={}, dilation={}",
                        name, tuple_str(kernel_size), tuple_str(stride), tuple_str(padding),
                        tuple_str(dilation));
    }
  }
  if (!padding_str.empty() && padding_str != "same" && padding_str != "valid") {
    raise<ValueError>("[{}] padding must be 'same', 'valid' or integers, got '{}'", name,
                      padding_str);
  }
  if (padding_str == "same" && !all_eq(stride, 1)) {
    raise<ValueError>("[{}] padding='same' is not supported for strided convolutions", name);
  }
  Shape ws;
  if (tr) {
    ws = {in, out / g};
  } else {
    ws = {out, in / g};
  }
  ws.insert(ws.end(), kernel_size.begin(), kernel_size.end());
  register_parameter("weight", Tensor::empty(ws, dtype));
  register_parameter("bias", bias ? Tensor::empty({out}, dtype) : Tensor());
  reset_parameters();
}

std::string ConvNd::type_name_for_errors() const { return type_name(); }

void ConvNd::reset_parameters() {
  // PyTorch: kaiming_uniform_(a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  Tensor w = parameter("weight");
  init::kaiming_uniform_(w, std::sqrt(5.0));
  Tensor b = parameter("bias");
  if (b.defined()) {
    int64_t fan_in = w.size(1);
    for (int64_t k : kernel_size) fan_in *= k;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(b, -bound, bound);
  }
}

std::string ConvNd::extra_repr() const {
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels, out_channels,
                              tuple_str(kernel_size), tuple_str(stride));
  if (!padding_str.empty()) {
    s += fmt::format(", padding={}", padding_str);
  } else if (!all_eq(padding, 0)) {
    s += fmt::format(", padding={}", tuple_str(padding));
  }
  if (!all_eq(dilation, 1)) s += fmt::format(", dilation={}", tuple_str(dilation));
  if (transposed && !all_eq(output_padding, 0)) {
    s += fmt::format(", output_padding={}", tuple_str(output_padding));
  }
  if (groups != 1) s += fmt::format(", groups={}", groups);
  if (!parameter("bias").defined()) s += ", bias=False";
  return s;
}

void ConvNd::check_input(const Tensor& x) const {
  const int64_t batched = static_cast<int64_t>(kernel_size.size()) + 2;
  if (x.dim() != batched && x.dim() != batched - 1) {
    raise<ValueError>("[{}] expected {}-D (unbatched) or {}-D (batched) input, got shape {}",
                      type_name(), batched - 1, batched, shape_str(x.shape()));
  }
  const int64_t c = x.size(x.dim() == batched ? 1 : 0);
  if (c != in_channels) {
    raise<ValueError>("[{}] expected input with {} channels, got {} (input shape {}, weight "
                      "shape {})", type_name(), in_channels, c, shape_str(x.shape()),
                      shape_str(parameter("weight").shape()));
  }
}

Conv1d::Conv1d(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d, int64_t g,
               bool bias, DType dtype, std::string pstr)
    : ConvNd("Conv1d", in, out, {k}, {s}, {p}, std::move(pstr), {d}, {0}, g, bias, false, dtype) {}

Tensor Conv1d::forward(const Tensor& x) {
  check_input(x);
  Tensor w = parameter("weight"), b = parameter("bias");
  if (!padding_str.empty()) {
    return conv1d_padding(x, w, b, stride[0], padding_str, dilation[0], groups);
  }
  return conv1d(x, w, b, stride[0], padding[0], dilation[0], groups);
}

Conv2d::Conv2d(int64_t in, int64_t out, Pair k, Pair s, Pair p, Pair d, int64_t g, bool bias,
               DType dtype, std::string pstr)
    : ConvNd("Conv2d", in, out, {k[0], k[1]}, {s[0], s[1]}, {p[0], p[1]}, std::move(pstr),
             {d[0], d[1]}, {0, 0}, g, bias, false, dtype) {}

Tensor Conv2d::forward(const Tensor& x) {
  check_input(x);
  Tensor w = parameter("weight"), b = parameter("bias");
  if (!padding_str.empty()) {
    return conv2d_padding(x, w, b, pair_of(stride), padding_str, pair_of(dilation), groups);
  }
  return conv2d(x, w, b, pair_of(stride), pair_of(padding), pair_of(dilation), groups);
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, Pair k, Pair s, Pair p, Pair op,
                                 int64_t g, bool bias, Pair d, DType dtype)
    : ConvNd("ConvTranspose2d", in, out, {k[0], k[1]}, {s[0], s[1]}, {p[0], p[1]}, "",
             {d[0], d[1]}, {op[0], op[1]}, g, bias, true, dtype) {}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  check_input(x);
  return conv_transpose2d(x, parameter("weight"), parameter("bias"), pair_of(stride),
                          pair_of(padding), pair_of(output_padding), groups, pair_of(dilation));
}

}  // namespace ember::nn
