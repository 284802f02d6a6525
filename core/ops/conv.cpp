#include "core/ops/conv.h"

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/pair_attrs.h"
#include "core/ops/conv_ops.h"

namespace ember {

EMBER_REGISTER_OP(Conv2dOp);
EMBER_REGISTER_OP(ConvTranspose2dOp);
EMBER_REGISTER_OP(Conv2dBackwardWeightOp);

namespace {

void check_attrs(const ConvAttrs& c, std::string_view op) {
  for (int i = 0; i < 2; ++i) {
    if (c.stride[i] < 1 || c.dilation[i] < 1 || c.padding[i] < 0) {
      raise<ValueError>("[{}] stride and dilation must be positive and padding non-negative, got "
                        "stride={}, padding={}, dilation={}", op, pair_str(c.stride),
                        pair_str(c.padding), pair_str(c.dilation));
    }
  }
  if (c.groups < 1) raise<ValueError>("[{}] groups must be positive, got {}", op, c.groups);
}

void check_float_same(std::string_view op, std::span<const Tensor> in) {
  for (const Tensor& t : in) {
    if (!is_floating(t.dtype())) {
      raise<TypeError>("[{}] expected floating-point tensors, got {}", op, dtype_name(t.dtype()));
    }
    if (t.dtype() != in[0].dtype()) {
      raise<TypeError>("[{}] input and weight must have the same dtype, got {} and {}", op,
                       dtype_name(in[0].dtype()), dtype_name(t.dtype()));
    }
  }
}

void check_rank4(std::string_view op, const Tensor& x, const Tensor& w, std::string_view what) {
  if (x.dim() != 4) {
    raise<ValueError>("[{}] expected 4-D {} [N, C, H, W], got shape {}", op, what,
                      shape_str(x.shape()));
  }
  if (w.dim() != 4) {
    raise<ValueError>("[{}] expected 4-D weight, got shape {}", op, shape_str(w.shape()));
  }
}

// A 0x0 kernel gave an output larger than the input (found by the API fuzzer).
void check_kernel(std::string_view op, const Tensor& w) {
  if (w.size(2) == 0 || w.size(3) == 0) {
    raise<ValueError>("[{}] weight of shape {} has an empty kernel", op, shape_str(w.shape()));
  }
}

void check_bias(std::string_view op, std::span<const Tensor> in, int64_t n) {
  if (in.size() == 3 && (in[2].dim() != 1 || in[2].size(0) != n)) {
    raise<ValueError>("[{}] bias must have shape [{}], got {}", op, n, shape_str(in[2].shape()));
  }
}

int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

// Runs `f(x, w, b, out)` on contiguous float32/float64 tensors; 16-bit floats are computed in
// float32 and cast back.
template <class F>
void with_compute_dtype(std::span<const Tensor> in, const Tensor& out, F&& f) {
  const DType ct = (out.dtype() == DType::Float64 || out.dtype() == DType::Float32)
                       ? out.dtype() : DType::Float32;
  Tensor a = contiguous_as(in[0], ct), w = contiguous_as(in[1], ct);
  Tensor b = in.size() == 3 ? contiguous_as(in[2], ct) : Tensor();
  if (ct == out.dtype()) {
    f(a, w, b, out);
  } else {
    Tensor tmp = Tensor::empty(out.shape(), ct);
    f(a, w, b, tmp);
    copy_into(out, tmp);
  }
}

cpu::ConvGeom geom(const ConvAttrs& c, IntList x, IntList w, int64_t O, int64_t Ho, int64_t Wo) {
  return {x[0], x[1], x[2], x[3], O, w[2], w[3], Ho, Wo,
          c.stride[0], c.stride[1], c.padding[0], c.padding[1], c.dilation[0], c.dilation[1],
          c.groups};
}

// The output_padding that makes conv_transpose2d reproduce input size `in` of a convolution.
Pair back_output_padding(const ConvAttrs& c, IntList in, IntList out, int64_t kh, int64_t kw) {
  Pair k{kh, kw}, r;
  for (int i = 0; i < 2; ++i) {
    r[i] = in[2 + i] - ((out[2 + i] - 1) * c.stride[i] - 2 * c.padding[i] +
                        c.dilation[i] * (k[i] - 1) + 1);
  }
  return r;
}

Tensor bias_grad(const Tensor& g) { return sum(g, {0, 2, 3}); }

}  // namespace

void ConvAttrs::write(Attrs& out) const {
  out.set("stride", pair_to_vec(stride));
  out.set("padding", pair_to_vec(padding));
  out.set("dilation", pair_to_vec(dilation));
  out.set("groups", groups);
}
ConvAttrs ConvAttrs::read(const Attrs& a, std::string_view op) {
  return {read_pair_attr(a, "stride", op), read_pair_attr(a, "padding", op),
          read_pair_attr(a, "dilation", op), a.get<int64_t>("groups", op)};
}

// ---- conv2d ----

MetaList Conv2dOp::infer(std::span<const Tensor> in) const {
  if (in.size() != 2 && in.size() != 3) {
    raise<ValueError>("[conv2d] expected 2 or 3 inputs (input, weight, bias), got {}", in.size());
  }
  check_same_device(*this, in);
  const Tensor &x = in[0], &w = in[1];
  check_rank4(kName, x, w, "input");
  check_kernel(kName, w);
  check_float_same(kName, in);
  check_attrs(c, kName);
  const int64_t C = x.size(1), O = w.size(0);
  if (w.size(1) * c.groups != C || O % c.groups != 0) {
    raise<ValueError>("[conv2d] input of shape {} has {} channels, but weight of shape {} with "
                      "groups={} expects {} channels", shape_str(x.shape()), C,
                      shape_str(w.shape()), c.groups, w.size(1) * c.groups);
  }
  check_bias(kName, in, O);
  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    const int64_t padded = x.size(2 + i) + 2 * c.padding[i];
    const int64_t ek = c.dilation[i] * (w.size(2 + i) - 1) + 1;
    if (ek > padded) {
      raise<ValueError>("[conv2d] kernel size ({}, {}) (dilated) is larger than the padded input "
                        "({}, {}) (input shape {}, weight shape {}, padding {})",
                        c.dilation[0] * (w.size(2) - 1) + 1, c.dilation[1] * (w.size(3) - 1) + 1,
                        x.size(2) + 2 * c.padding[0], x.size(3) + 2 * c.padding[1],
                        shape_str(x.shape()), shape_str(w.shape()), pair_str(c.padding));
    }
    out[i] = conv_out(x.size(2 + i), w.size(2 + i), c.stride[i], c.padding[i], c.dilation[i]);
  }
  return {TensorMeta{Shape{x.size(0), O, out[0], out[1]}, x.dtype(), x.device()}};
}

void Conv2dOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  with_compute_dtype(in, out[0], [&](const Tensor& x, const Tensor& w, const Tensor& b,
                                     const Tensor& y) {
    cpu::conv2d_forward(y, x, w, b, geom(c, x.shape(), w.shape(), w.size(0), y.size(2), y.size(3)));
  });
}

TensorList Conv2dOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor &x = a.inputs[0], &w = a.inputs[1];
  TensorList r(a.inputs.size());
  if (a.needs_grad[0]) {
    Pair op = back_output_padding(c, x.shape(), g.shape(), w.size(2), w.size(3));
    r[0] = conv_transpose2d(g, w, Tensor(), c.stride, c.padding, op, c.groups, c.dilation);
  }
  if (a.needs_grad[1]) {
    r[1] = conv2d_backward_weight(x, g, {w.size(2), w.size(3)}, c.stride, c.padding, c.dilation,
                                  c.groups);
  }
  if (a.inputs.size() == 3 && a.needs_grad[2]) r[2] = bias_grad(g);
  return r;
}

// ---- conv_transpose2d ----

ConvTranspose2dOp::ConvTranspose2dOp(const Attrs& a)
    : c(ConvAttrs::read(a, kName)), output_padding(read_pair_attr(a, "output_padding", kName)) {}
void ConvTranspose2dOp::attributes(Attrs& out) const {
  c.write(out);
  out.set("output_padding", pair_to_vec(output_padding));
}

MetaList ConvTranspose2dOp::infer(std::span<const Tensor> in) const {
  if (in.size() != 2 && in.size() != 3) {
    raise<ValueError>("[conv_transpose2d] expected 2 or 3 inputs (input, weight, bias), got {}",
                      in.size());
  }
  check_same_device(*this, in);
  const Tensor &x = in[0], &w = in[1];
  check_rank4(kName, x, w, "input");
  check_kernel(kName, w);
  check_float_same(kName, in);
  check_attrs(c, kName);
  if (x.size(1) != w.size(0) || w.size(0) % c.groups != 0) {
    raise<ValueError>("[conv_transpose2d] input of shape {} has {} channels, but weight of shape "
                      "{} with groups={} expects {}", shape_str(x.shape()), x.size(1),
                      shape_str(w.shape()), c.groups, w.size(0));
  }
  const int64_t Co = w.size(1) * c.groups;
  check_bias(kName, in, Co);
  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    if (output_padding[i] < 0 ||
        (output_padding[i] >= c.stride[i] && output_padding[i] >= c.dilation[i])) {
      raise<ValueError>("[conv_transpose2d] output_padding {} must be smaller than stride {} or "
                        "dilation {}", pair_str(output_padding), pair_str(c.stride),
                        pair_str(c.dilation));
    }
    out[i] = (x.size(2 + i) - 1) * c.stride[i] - 2 * c.padding[i] +
             c.dilation[i] * (w.size(2 + i) - 1) + output_padding[i] + 1;
    if (out[i] <= 0) {
      raise<ValueError>("[conv_transpose2d] output size would be non-positive for input shape {}, "
                        "weight shape {}, padding {}", shape_str(x.shape()), shape_str(w.shape()),
                        pair_str(c.padding));
    }
  }
  return {TensorMeta{Shape{x.size(0), Co, out[0], out[1]}, x.dtype(), x.device()}};
}

void ConvTranspose2dOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  with_compute_dtype(in, out[0], [&](const Tensor& x, const Tensor& w, const Tensor& b,
                                     const Tensor& y) {
    // As the input gradient of conv2d(y-shaped input, w) at grad_output x.
    cpu::conv2d_input_grad(y, x, w, b,
                           geom(c, y.shape(), w.shape(), w.size(0), x.size(2), x.size(3)));
  });
}

TensorList ConvTranspose2dOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor &x = a.inputs[0], &w = a.inputs[1];
  TensorList r(a.inputs.size());
  if (a.needs_grad[0]) r[0] = conv2d(g, w, Tensor(), c.stride, c.padding, c.dilation, c.groups);
  if (a.needs_grad[1]) {
    r[1] = conv2d_backward_weight(g, x, {w.size(2), w.size(3)}, c.stride, c.padding, c.dilation,
                                  c.groups);
  }
  if (a.inputs.size() == 3 && a.needs_grad[2]) r[2] = bias_grad(g);
  return r;
}

// ---- conv2d_backward_weight ----

Conv2dBackwardWeightOp::Conv2dBackwardWeightOp(const Attrs& a)
    : c(ConvAttrs::read(a, kName)), kernel(read_pair_attr(a, "kernel_size", kName)) {}
void Conv2dBackwardWeightOp::attributes(Attrs& out) const {
  c.write(out);
  out.set("kernel_size", pair_to_vec(kernel));
}

MetaList Conv2dBackwardWeightOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  check_same_device(*this, in);
  const Tensor &x = in[0], &gy = in[1];
  check_rank4(kName, x, gy, "input");
  check_float_same(kName, in);
  check_attrs(c, kName);
  if (x.size(1) % c.groups != 0 || gy.size(1) % c.groups != 0 || x.size(0) != gy.size(0)) {
    raise<ValueError>("[conv2d_backward_weight] input {} and grad_output {} do not match groups={}",
                      shape_str(x.shape()), shape_str(gy.shape()), c.groups);
  }
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] < 1 ||
        conv_out(x.size(2 + i), kernel[i], c.stride[i], c.padding[i], c.dilation[i]) !=
            gy.size(2 + i)) {
      raise<ValueError>("[conv2d_backward_weight] grad_output {} does not match input {} with "
                        "kernel_size {}", shape_str(gy.shape()), shape_str(x.shape()),
                        pair_str(kernel));
    }
  }
  return {TensorMeta{Shape{gy.size(1), x.size(1) / c.groups, kernel[0], kernel[1]}, x.dtype(),
                     x.device()}};
}

void Conv2dBackwardWeightOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  with_compute_dtype(in, out[0], [&](const Tensor& x, const Tensor& gy, const Tensor&,
                                     const Tensor& gw) {
    cpu::conv2d_weight_grad(gw, x, gy,
                            geom(c, x.shape(), gw.shape(), gy.size(1), gy.size(2), gy.size(3)));
  });
}

// Linear in each input: d/dx <G, gw(x, gy)> is the input gradient of conv(., G) at gy, and
// d/dgy is conv(x, G).
TensorList Conv2dBackwardWeightOp::vjp(const VjpArgs& a) const {
  const Tensor& G = a.grads[0];
  const Tensor &x = a.inputs[0], &gy = a.inputs[1];
  TensorList r(2);
  if (a.needs_grad[0]) {
    Pair op = back_output_padding(c, x.shape(), gy.shape(), kernel[0], kernel[1]);
    r[0] = conv_transpose2d(gy, G, Tensor(), c.stride, c.padding, op, c.groups, c.dilation);
  }
  if (a.needs_grad[1]) r[1] = conv2d(x, G, Tensor(), c.stride, c.padding, c.dilation, c.groups);
  return r;
}

// ---- public functions ----

namespace {

// Unbatched [C, ...] input: add the batch dim; rank checked against `batched_rank`.
Tensor batchify(const Tensor& x, int64_t batched_rank, std::string_view op, bool& unbatched) {
  if (x.dim() != batched_rank && x.dim() != batched_rank - 1) {
    raise<ValueError>("[{}] expected {}-D (unbatched) or {}-D (batched) input, got shape {}", op,
                      batched_rank - 1, batched_rank, shape_str(x.shape()));
  }
  unbatched = x.dim() == batched_rank - 1;
  return unbatched ? unsqueeze(x, 0) : x;
}

Tensor run_conv(const Op& op, const Tensor& x, const Tensor& w, const Tensor& b) {
  if (b.defined()) {
    const Tensor in[] = {x, w, b};
    return dispatch1(op, in);
  }
  const Tensor in[] = {x, w};
  return dispatch1(op, in);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Pair stride, Pair padding,
              Pair dilation, int64_t groups) {
  bool unb = false;
  Tensor xb = batchify(x, 4, "conv2d", unb);
  Conv2dOp op(ConvAttrs{stride, padding, dilation, groups});
  Tensor y = run_conv(op, xb, w, b);
  return unb ? squeeze(y, {0}) : y;
}

Tensor conv2d_padding(const Tensor& x, const Tensor& w, const Tensor& b, Pair stride,
                      std::string_view padding, Pair dilation, int64_t groups) {
  if (padding == "valid") return conv2d(x, w, b, stride, Pair{0, 0}, dilation, groups);
  if (padding != "same") {
    raise<ValueError>("[conv2d] padding must be 'same', 'valid' or integers, got '{}'", padding);
  }
  if (stride[0] != 1 || stride[1] != 1) {
    raise<ValueError>("[conv2d] padding='same' is not supported for strided convolutions "
                      "(stride={})", pair_str(stride));
  }
  if (w.dim() != 4) {
    raise<ValueError>("[conv2d] expected 4-D weight, got shape {}", shape_str(w.shape()));
  }
  Pair pad_lo, extra;
  for (int i = 0; i < 2; ++i) {
    const int64_t total = dilation[i] * (w.size(2 + i) - 1);
    pad_lo[i] = total / 2;
    extra[i] = total - 2 * pad_lo[i];
  }
  Tensor xp = x;
  if (extra[0] || extra[1]) xp = pad(x, {0, extra[1], 0, extra[0]});
  return conv2d(xp, w, b, stride, pad_lo, dilation, groups);
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride, int64_t padding,
              int64_t dilation, int64_t groups) {
  bool unb = false;
  Tensor xb = batchify(x, 3, "conv1d", unb);
  if (w.dim() != 3) {
    raise<ValueError>("[conv1d] expected 3-D weight [out_channels, in_channels / groups, "
                      "kernel_size], got shape {}", shape_str(w.shape()));
  }
  Tensor y = conv2d(unsqueeze(xb, 2), unsqueeze(w, 2), b, {1, stride}, {0, padding},
                    {1, dilation}, groups);
  y = squeeze(y, {2});
  return unb ? squeeze(y, {0}) : y;
}

Tensor conv1d_padding(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride,
                      std::string_view padding, int64_t dilation, int64_t groups) {
  bool unb = false;
  Tensor xb = batchify(x, 3, "conv1d", unb);
  if (w.dim() != 3) {
    raise<ValueError>("[conv1d] expected 3-D weight [out_channels, in_channels / groups, "
                      "kernel_size], got shape {}", shape_str(w.shape()));
  }
  Tensor y = conv2d_padding(unsqueeze(xb, 2), unsqueeze(w, 2), b, {1, stride}, padding,
                            {1, dilation}, groups);
  y = squeeze(y, {2});
  return unb ? squeeze(y, {0}) : y;
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b, Pair stride,
                        Pair padding, Pair output_padding, int64_t groups, Pair dilation) {
  bool unb = false;
  Tensor xb = batchify(x, 4, "conv_transpose2d", unb);
  ConvTranspose2dOp op(ConvAttrs{stride, padding, dilation, groups}, output_padding);
  Tensor y = run_conv(op, xb, w, b);
  return unb ? squeeze(y, {0}) : y;
}

Tensor conv2d_backward_weight(const Tensor& x, const Tensor& gy, Pair kernel_size, Pair stride,
                              Pair padding, Pair dilation, int64_t groups) {
  Conv2dBackwardWeightOp op(ConvAttrs{stride, padding, dilation, groups}, kernel_size);
  const Tensor in[] = {x, gy};
  return dispatch1(op, in);
}

}  // namespace ember
