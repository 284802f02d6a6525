#include "core/ops/pool.h"

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/pair_attrs.h"
#include "core/ops/pool_ops.h"

namespace ember {

EMBER_REGISTER_OP(MaxPool2dOp);
EMBER_REGISTER_OP(MaxPool2dBackwardOp);
EMBER_REGISTER_OP(AvgPool2dOp);
EMBER_REGISTER_OP(AvgPool2dBackwardOp);
EMBER_REGISTER_OP(AdaptiveAvgPool2dOp);
EMBER_REGISTER_OP(AdaptiveAvgPool2dBackwardOp);

namespace {

// [..., H, W] with 1 or 2 leading dims, floating.
void check_pool_input(std::string_view op, const Tensor& x) {
  if (x.dim() != 3 && x.dim() != 4) {
    raise<ValueError>("[{}] expected 3-D (unbatched) or 4-D (batched) input, got shape {}", op,
                      shape_str(x.shape()));
  }
  if (!is_floating(x.dtype())) {
    raise<TypeError>("[{}] expected a floating-point tensor, got {}", op, dtype_name(x.dtype()));
  }
}

int64_t planes_of(const Tensor& x) { return x.dim() == 4 ? x.size(0) * x.size(1) : x.size(0); }

Shape with_spatial(const Tensor& x, int64_t h, int64_t w) {
  Shape s(x.shape().begin(), x.shape().end() - 2);
  s.push_back(h);
  s.push_back(w);
  return s;
}

// Output size of pooling an input of `shape` [..., H, W].
Pair pool_out(std::string_view op, const PoolAttrs& p, IntList shape) {
  Pair out;
  for (int i = 0; i < 2; ++i) {
    const int64_t in = shape[shape.size() - 2 + i], k = p.kernel[i], s = p.stride[i];
    const int64_t pad = p.padding[i], d = p.dilation[i];
    if (in == 0) {  // else a window of padding alone gave -inf (found by the API fuzzer)
      raise<ValueError>("[{}] input of shape {} has an empty spatial dim", op, shape_str(shape));
    }
    if (k < 1 || s < 1 || d < 1 || pad < 0) {
      raise<ValueError>("[{}] kernel_size, stride and dilation must be positive and padding "
                        "non-negative, got kernel_size={}, stride={}, padding={}, dilation={}",
                        op, pair_str(p.kernel), pair_str(p.stride), pair_str(p.padding),
                        pair_str(p.dilation));
    }
    if (pad > k / 2) {
      raise<ValueError>("[{}] padding {} should be at most half of kernel_size {}", op,
                        pair_str(p.padding), pair_str(p.kernel));
    }
    const int64_t num = in + 2 * pad - d * (k - 1) - 1;
    int64_t o = (p.ceil_mode ? (num + s - 1) / s : num / s) + 1;
    if (num >= 0 && p.ceil_mode && (o - 1) * s >= in + pad) --o;
    if (num < 0 || o < 1) {
      raise<ValueError>("[{}] kernel_size {} is larger than the padded input (input shape {}, "
                        "padding {}, dilation {})", op, pair_str(p.kernel), shape_str(shape),
                        pair_str(p.padding), pair_str(p.dilation));
    }
    out[i] = o;
  }
  return out;
}

// grad_output-like input: rank 3/4, floating.
void check_grad_input(std::string_view op, const Tensor& g) { check_pool_input(op, g); }

}  // namespace

cpu::AvgWindows avg_windows(const PoolAttrs& p, int64_t planes, int64_t H, int64_t W, Pair out) {
  cpu::AvgWindows w;
  w.planes = planes, w.H = H, w.W = W, w.divisor = p.divisor_override;
  auto fill = [&](int i, int64_t in, std::vector<int64_t>& st, std::vector<int64_t>& en,
                  std::vector<int64_t>& f) {
    for (int64_t o = 0; o < out[i]; ++o) {
      int64_t s = o * p.stride[i] - p.padding[i];
      int64_t e = std::min(s + p.kernel[i], in + p.padding[i]);
      const int64_t full = e - s;
      s = std::max<int64_t>(s, 0);
      e = std::min(e, in);
      st.push_back(s);
      en.push_back(e);
      f.push_back(p.count_include_pad ? full : std::max<int64_t>(e - s, 1));
    }
  };
  fill(0, H, w.hs, w.he, w.fh);
  fill(1, W, w.ws, w.we, w.fw);
  return w;
}

cpu::AvgWindows adaptive_windows(int64_t planes, int64_t H, int64_t W, Pair out) {
  cpu::AvgWindows w;
  w.planes = planes, w.H = H, w.W = W;
  auto fill = [&](int64_t in, int64_t n, std::vector<int64_t>& st, std::vector<int64_t>& en,
                  std::vector<int64_t>& f) {
    for (int64_t o = 0; o < n; ++o) {
      const int64_t s = o * in / n, e = ((o + 1) * in + n - 1) / n;
      st.push_back(s);
      en.push_back(e);
      f.push_back(e - s);
    }
  };
  fill(H, out[0], w.hs, w.he, w.fh);
  fill(W, out[1], w.ws, w.we, w.fw);
  return w;
}

void PoolAttrs::write(Attrs& out, bool avg) const {
  out.set("kernel_size", pair_to_vec(kernel));
  out.set("stride", pair_to_vec(stride));
  out.set("padding", pair_to_vec(padding));
  if (!avg) out.set("dilation", pair_to_vec(dilation));
  out.set("ceil_mode", ceil_mode);
  if (avg) {
    out.set("count_include_pad", count_include_pad);
    out.set("divisor_override", divisor_override);
  }
}
PoolAttrs PoolAttrs::read(const Attrs& a, std::string_view op, bool avg) {
  PoolAttrs p;
  p.kernel = read_pair_attr(a, "kernel_size", op);
  p.stride = read_pair_attr(a, "stride", op);
  p.padding = read_pair_attr(a, "padding", op);
  if (!avg) p.dilation = read_pair_attr(a, "dilation", op);
  p.ceil_mode = a.get<bool>("ceil_mode", op);
  if (avg) {
    p.count_include_pad = a.get<bool>("count_include_pad", op);
    p.divisor_override = a.get<int64_t>("divisor_override", op);
  }
  return p;
}

// ---- max_pool2d ----

MetaList MaxPool2dOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_pool_input(kName, in[0]);
  Pair o = pool_out(kName, p, in[0].shape());
  Shape s = with_spatial(in[0], o[0], o[1]);
  return {TensorMeta{s, in[0].dtype(), in[0].device()},
          TensorMeta{s, DType::Int64, in[0].device()}};
}

void MaxPool2dOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  cpu::MaxPoolGeom g{planes_of(x), x.size(-2), x.size(-1), out[0].size(-2), out[0].size(-1),
                     p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0],
                     p.padding[1], p.dilation[0], p.dilation[1]};
  cpu::max_pool2d_forward(out[0], out[1], x, g);
}

TensorList MaxPool2dOp::vjp(const VjpArgs& a) const {
  const auto& s = a.input_meta[0].shape;
  return {max_pool2d_backward(a.grads[0], a.outputs[1], {s[s.size() - 2], s[s.size() - 1]})};
}

MaxPool2dBackwardOp::MaxPool2dBackwardOp(const Attrs& a)
    : input_size(read_pair_attr(a, "input_size", kName)) {}
void MaxPool2dBackwardOp::attributes(Attrs& out) const {
  out.set("input_size", pair_to_vec(input_size));
}

MetaList MaxPool2dBackwardOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  check_grad_input(kName, in[0]);
  if (in[1].dtype() != DType::Int64 || in[1].shape() != in[0].shape()) {
    raise<ValueError>("[max_pool2d_backward] indices must be int64 of grad_output's shape {}, got "
                      "{} {}", shape_str(in[0].shape()), dtype_name(in[1].dtype()),
                      shape_str(in[1].shape()));
  }
  return {TensorMeta{with_spatial(in[0], input_size[0], input_size[1]), in[0].dtype(),
                     in[0].device()}};
}

void MaxPool2dBackwardOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor g = contiguous_raw(in[0]), idx = contiguous_raw(in[1]);
  cpu::max_pool2d_backward(out[0], g, idx, planes_of(g), input_size[0], input_size[1]);
}

// Linear in grad_output: its adjoint gathers at the indices.
TensorList MaxPool2dBackwardOp::vjp(const VjpArgs& a) const {
  const Tensor& gg = a.grads[0];
  const Tensor& idx = a.inputs[1];
  Tensor flat = gather(flatten(gg, -2, -1), -1, flatten(idx, -2, -1));
  return {reshape(flat, idx.shape()), Tensor()};
}

// ---- avg_pool2d ----

MetaList AvgPool2dOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_pool_input(kName, in[0]);
  if (p.divisor_override < 0) {
    raise<ValueError>("[avg_pool2d] divisor_override must be positive, got {}", p.divisor_override);
  }
  Pair o = pool_out(kName, p, in[0].shape());
  return {TensorMeta{with_spatial(in[0], o[0], o[1]), in[0].dtype(), in[0].device()}};
}

void AvgPool2dOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  cpu::avg_pool2d_forward(out[0], x, avg_windows(p, planes_of(x), x.size(-2), x.size(-1),
                                                 {out[0].size(-2), out[0].size(-1)}));
}

TensorList AvgPool2dOp::vjp(const VjpArgs& a) const {
  const auto& s = a.input_meta[0].shape;
  return {avg_pool2d_backward(a.grads[0], {s[s.size() - 2], s[s.size() - 1]}, p.kernel, p.stride,
                              p.padding, p.ceil_mode, p.count_include_pad, p.divisor_override)};
}

AvgPool2dBackwardOp::AvgPool2dBackwardOp(const Attrs& a)
    : p(PoolAttrs::read(a, kName, true)), input_size(read_pair_attr(a, "input_size", kName)) {}
void AvgPool2dBackwardOp::attributes(Attrs& out) const {
  p.write(out, true);
  out.set("input_size", pair_to_vec(input_size));
}

MetaList AvgPool2dBackwardOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_grad_input(kName, in[0]);
  Shape s = with_spatial(in[0], input_size[0], input_size[1]);
  Pair o = pool_out(kName, p, s);
  if (o[0] != in[0].size(-2) || o[1] != in[0].size(-1)) {
    raise<ValueError>("[avg_pool2d_backward] grad_output {} does not match input size {}",
                      shape_str(in[0].shape()), pair_str(input_size));
  }
  return {TensorMeta{s, in[0].dtype(), in[0].device()}};
}

void AvgPool2dBackwardOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor g = contiguous_raw(in[0]);
  cpu::avg_pool2d_backward(out[0], g, avg_windows(p, planes_of(g), input_size[0], input_size[1],
                                                  {g.size(-2), g.size(-1)}));
}

TensorList AvgPool2dBackwardOp::vjp(const VjpArgs& a) const {
  AvgPool2dOp op(p);
  const Tensor in[] = {a.grads[0]};
  return {dispatch1(op, in)};
}

// ---- adaptive_avg_pool2d ----

AdaptiveAvgPool2dOp::AdaptiveAvgPool2dOp(const Attrs& a)
    : output_size(read_pair_attr(a, "output_size", kName)) {}
void AdaptiveAvgPool2dOp::attributes(Attrs& out) const {
  out.set("output_size", pair_to_vec(output_size));
}

MetaList AdaptiveAvgPool2dOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_pool_input(kName, in[0]);
  if (output_size[0] < 1 || output_size[1] < 1) {
    raise<ValueError>("[adaptive_avg_pool2d] output_size must be positive, got {}",
                      pair_str(output_size));
  }
  if (in[0].size(-2) < 1 || in[0].size(-1) < 1) {
    raise<ValueError>("[adaptive_avg_pool2d] input spatial size must be positive, got shape {}",
                      shape_str(in[0].shape()));
  }
  return {TensorMeta{with_spatial(in[0], output_size[0], output_size[1]), in[0].dtype(),
                     in[0].device()}};
}

void AdaptiveAvgPool2dOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  cpu::avg_pool2d_forward(out[0], x, adaptive_windows(planes_of(x), x.size(-2), x.size(-1),
                                                      output_size));
}

TensorList AdaptiveAvgPool2dOp::vjp(const VjpArgs& a) const {
  const auto& s = a.input_meta[0].shape;
  return {adaptive_avg_pool2d_backward(a.grads[0], {s[s.size() - 2], s[s.size() - 1]})};
}

AdaptiveAvgPool2dBackwardOp::AdaptiveAvgPool2dBackwardOp(const Attrs& a)
    : input_size(read_pair_attr(a, "input_size", kName)) {}
void AdaptiveAvgPool2dBackwardOp::attributes(Attrs& out) const {
  out.set("input_size", pair_to_vec(input_size));
}

MetaList AdaptiveAvgPool2dBackwardOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_grad_input(kName, in[0]);
  if (input_size[0] < 1 || input_size[1] < 1) {
    raise<ValueError>("[adaptive_avg_pool2d_backward] input_size must be positive, got {}",
                      pair_str(input_size));
  }
  return {TensorMeta{with_spatial(in[0], input_size[0], input_size[1]), in[0].dtype(),
                     in[0].device()}};
}

void AdaptiveAvgPool2dBackwardOp::eval_cpu(std::span<const Tensor> in,
                                           std::span<Tensor> out) const {
  Tensor g = contiguous_raw(in[0]);
  cpu::avg_pool2d_backward(out[0], g, adaptive_windows(planes_of(g), input_size[0], input_size[1],
                                                       {g.size(-2), g.size(-1)}));
}

TensorList AdaptiveAvgPool2dBackwardOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  return {adaptive_avg_pool2d(g, {a.input_meta[0].shape[a.input_meta[0].shape.size() - 2],
                                  a.input_meta[0].shape[a.input_meta[0].shape.size() - 1]})};
}

// ---- public functions ----

namespace {
PoolAttrs make_attrs(Pair k, std::optional<Pair> s, Pair pad, Pair d, bool ceil) {
  PoolAttrs p;
  p.kernel = k;
  p.stride = s.value_or(k);
  p.padding = pad;
  p.dilation = d;
  p.ceil_mode = ceil;
  return p;
}
}  // namespace

PoolWithIndices max_pool2d_with_indices(const Tensor& x, Pair k, std::optional<Pair> s, Pair pad,
                                        Pair d, bool ceil) {
  MaxPool2dOp op(make_attrs(k, s, pad, d, ceil));
  const Tensor in[] = {x};
  TensorList r = dispatch(op, in);
  return {r[0], r[1]};
}

Tensor max_pool2d(const Tensor& x, Pair k, std::optional<Pair> s, Pair pad, Pair d, bool ceil) {
  return max_pool2d_with_indices(x, k, s, pad, d, ceil).values;
}

Tensor max_pool2d_backward(const Tensor& g, const Tensor& indices, Pair input_size) {
  MaxPool2dBackwardOp op(input_size);
  const Tensor in[] = {g, indices};
  return dispatch1(op, in);
}

Tensor avg_pool2d(const Tensor& x, Pair k, std::optional<Pair> s, Pair pad, bool ceil,
                  bool count_include_pad, int64_t divisor_override) {
  PoolAttrs p = make_attrs(k, s, pad, {1, 1}, ceil);
  p.count_include_pad = count_include_pad;
  p.divisor_override = divisor_override;
  AvgPool2dOp op(p);
  const Tensor in[] = {x};
  return dispatch1(op, in);
}

Tensor avg_pool2d_backward(const Tensor& g, Pair input_size, Pair k, Pair s, Pair pad, bool ceil,
                           bool count_include_pad, int64_t divisor_override) {
  PoolAttrs p = make_attrs(k, s, pad, {1, 1}, ceil);
  p.count_include_pad = count_include_pad;
  p.divisor_override = divisor_override;
  AvgPool2dBackwardOp op(p, input_size);
  const Tensor in[] = {g};
  return dispatch1(op, in);
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size) {
  AdaptiveAvgPool2dOp op(output_size);
  const Tensor in[] = {x};
  return dispatch1(op, in);
}

Tensor adaptive_avg_pool2d_backward(const Tensor& g, Pair input_size) {
  AdaptiveAvgPool2dBackwardOp op(input_size);
  const Tensor in[] = {g};
  return dispatch1(op, in);
}

}  // namespace ember
