#include "core/ops/view.h"

#include <optional>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/view_ops.h"

namespace ember {

EMBER_REGISTER_OP(ReshapeViewOp);
EMBER_REGISTER_OP(ExpandOp);
EMBER_REGISTER_OP(PermuteOp);
EMBER_REGISTER_OP(SqueezeOp);
EMBER_REGISTER_OP(UnsqueezeOp);
EMBER_REGISTER_OP(DetachOp);
EMBER_REGISTER_OP(AliasOp);

namespace {

std::vector<int64_t> to_vec(IntList s) { return {s.begin(), s.end()}; }
Shape to_shape(const std::vector<int64_t>& v) { return Shape(v.begin(), v.end()); }

template <class OpT, class... Args>
Tensor run_view(const Tensor& t, Args&&... args) {
  OpT op(std::forward<Args>(args)...);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// Strides that let `shape` view memory laid out as (old_shape, old_strides), if any
// (PyTorch's computeStride): each group of merged old dims must be contiguous in itself.
std::optional<Strides> view_strides(IntList old_shape, IntList old_strides, IntList shape) {
  if (numel_of(old_shape) == 0 || old_shape.empty()) return contiguous_strides(shape);
  Strides out(shape.size());
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t base_stride = old_strides.back();  // stride of the innermost dim of this chunk
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    bool chunk_ends = d == 0 || (old_shape[d - 1] != 1 &&
                                 old_strides[d - 1] != tensor_numel * base_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
      out[view_d] = view_numel * base_stride;
      view_numel *= shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      base_stride = old_strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

}  // namespace

Shape infer_size(IntList shape, int64_t numel, std::string_view op) {
  Shape out(shape.begin(), shape.end());
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (infer_at >= 0) raise<ValueError>("[{}] only one dimension can be -1", op);
      infer_at = static_cast<int64_t>(i);
    } else if (out[i] < 0) {
      raise<ValueError>("[{}] invalid shape dimension {}", op, out[i]);
    } else {
      known *= out[i];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || numel % known != 0) {
      raise<ValueError>("[{}] shape {} is invalid for input of size {}", op, shape_str(shape),
                        numel);
    }
    out[infer_at] = numel / known;
  } else if (known != numel) {
    raise<ValueError>("[{}] shape {} is invalid for input of size {}", op, shape_str(shape), numel);
  }
  return out;
}

// ---- view / reshape
ReshapeViewOp::ReshapeViewOp(const Attrs& a) : shape(to_shape(a.get<std::vector<int64_t>>("shape", kName))) {}
void ReshapeViewOp::attributes(Attrs& out) const { out.set("shape", to_vec(shape)); }
MetaList ReshapeViewOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{infer_size(shape, in[0].numel(), kName), in[0].dtype(), in[0].device()}};
}
Tensor ReshapeViewOp::view_of(const Tensor& t, const TensorMeta& m) const {
  auto st = view_strides(t.shape(), t.strides(), m.shape);
  if (!st) {
    raise<ValueError>("[view] view size {} is not compatible with input tensor's size {} and "
                      "strides {}; use reshape() instead", shape_str(m.shape),
                      shape_str(t.shape()), shape_str(t.strides()));
  }
  return make_view(t, m.shape, std::move(*st), t.offset());
}
TensorList ReshapeViewOp::vjp(const VjpArgs& a) const {
  return {reshape(a.grads[0], a.input_meta[0].shape)};
}

Tensor view(const Tensor& t, IntList shape) { return run_view<ReshapeViewOp>(t, Shape(shape.begin(), shape.end())); }

Tensor reshape(const Tensor& t, IntList shape) {
  Shape s = infer_size(shape, t.numel(), "reshape");
  if (s == t.shape()) return alias(t);
  if (view_strides(t.shape(), t.strides(), s)) return view(t, s);
  return view(contiguous(t), s);
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  if (t.dim() == 0) return reshape(t, {1});
  int64_t s = normalize_dim(start_dim, t.dim(), "flatten");
  int64_t e = normalize_dim(end_dim, t.dim(), "flatten");
  if (s > e) raise<ValueError>("[flatten] start_dim {} cannot come after end_dim {}", start_dim, end_dim);
  Shape out;
  for (int64_t d = 0; d < s; ++d) out.push_back(t.shape()[d]);
  int64_t m = 1;
  for (int64_t d = s; d <= e; ++d) m *= t.shape()[d];
  out.push_back(m);
  for (int64_t d = e + 1; d < t.dim(); ++d) out.push_back(t.shape()[d]);
  return reshape(t, out);
}

// ---- expand
ExpandOp::ExpandOp(const Attrs& a) : shape(to_shape(a.get<std::vector<int64_t>>("shape", kName))) {}
void ExpandOp::attributes(Attrs& out) const { out.set("shape", to_vec(shape)); }
MetaList ExpandOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  if (static_cast<int64_t>(shape.size()) < t.dim()) {
    raise<ValueError>("[expand] the target shape {} has fewer dims than the tensor's shape {}",
                      shape_str(shape), shape_str(t.shape()));
  }
  Shape out(shape);
  int64_t lead = static_cast<int64_t>(shape.size()) - t.dim();
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    int64_t src = i < lead ? 1 : t.shape()[i - lead];
    if (shape[i] == -1) {
      if (i < lead) raise<ValueError>("[expand] -1 is not allowed in a new leading dim");
      out[i] = src;
    } else if (shape[i] < 0) {
      raise<ValueError>("[expand] invalid size {} at dim {} (shape {} to {})", shape[i], i,
                        shape_str(t.shape()), shape_str(shape));
    } else if (src != 1 && src != shape[i]) {
      raise<ValueError>("[expand] the expanded size {} must match the existing size {} at dim "
                        "{} (shape {} to {})", shape[i], src, i, shape_str(t.shape()),
                        shape_str(shape));
    }
  }
  return {TensorMeta{out, t.dtype(), t.device()}};
}
Tensor ExpandOp::view_of(const Tensor& t, const TensorMeta& m) const {
  Strides st(m.shape.size(), 0);
  int64_t lead = static_cast<int64_t>(m.shape.size()) - t.dim();
  for (int64_t i = 0; i < t.dim(); ++i) {
    st[i + lead] = (t.shape()[i] == 1 && m.shape[i + lead] != 1) ? 0 : t.strides()[i];
  }
  return make_view(t, m.shape, std::move(st), t.offset());
}
TensorList ExpandOp::vjp(const VjpArgs& a) const { return {sum_to_shape(a.grads[0], a.input_meta[0].shape)}; }

Tensor expand(const Tensor& t, IntList shape) { return run_view<ExpandOp>(t, Shape(shape.begin(), shape.end())); }
Tensor broadcast_to(const Tensor& t, IntList shape) {
  if (IntList(t.shape()).size() == shape.size() && std::equal(shape.begin(), shape.end(), t.shape().begin())) return t;
  return expand(t, shape);
}

// ---- permute / transpose
PermuteOp::PermuteOp(const Attrs& a) : dims(to_shape(a.get<std::vector<int64_t>>("dims", kName))) {}
void PermuteOp::attributes(Attrs& out) const { out.set("dims", to_vec(dims)); }
MetaList PermuteOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  if (static_cast<int64_t>(dims.size()) != t.dim()) {
    raise<ValueError>("[permute] number of dims {} doesn't match the tensor's {} dims (shape {})",
                      dims.size(), t.dim(), shape_str(t.shape()));
  }
  Shape out(dims.size());
  absl::InlinedVector<bool, 6> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], t.dim(), kName);
    if (seen[d]) raise<ValueError>("[permute] dim {} repeats in {}", dims[i], shape_str(dims));
    seen[d] = true;
    out[i] = t.shape()[d];
  }
  return {TensorMeta{out, t.dtype(), t.device()}};
}
Tensor PermuteOp::view_of(const Tensor& t, const TensorMeta& m) const {
  Strides st(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) st[i] = t.strides()[normalize_dim(dims[i], t.dim(), kName)];
  return make_view(t, m.shape, std::move(st), t.offset());
}
TensorList PermuteOp::vjp(const VjpArgs& a) const {
  Shape inv(dims.size());
  int64_t n = static_cast<int64_t>(dims.size());
  for (int64_t i = 0; i < n; ++i) inv[normalize_dim(dims[i], n, kName)] = i;
  return {permute(a.grads[0], inv)};
}

Tensor permute(const Tensor& t, IntList dims) { return run_view<PermuteOp>(t, Shape(dims.begin(), dims.end())); }
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1) {
  if (t.dim() == 0) return alias(t);
  int64_t a = normalize_dim(d0, t.dim(), "transpose"), b = normalize_dim(d1, t.dim(), "transpose");
  Shape p(t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) p[i] = i;
  std::swap(p[a], p[b]);
  return permute(t, p);
}
Tensor t_(const Tensor& t) {
  if (t.dim() > 2) raise<ValueError>("[t] expects a tensor with <= 2 dims, got {} (use transpose or .mT)", t.dim());
  return t.dim() < 2 ? alias(t) : transpose(t, 0, 1);
}

// ---- squeeze / unsqueeze
SqueezeOp::SqueezeOp(const Attrs& a) : dims(to_shape(a.get<std::vector<int64_t>>("dims", kName))) {}
void SqueezeOp::attributes(Attrs& out) const { out.set("dims", to_vec(dims)); }
MetaList SqueezeOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  auto mask = reduction_mask(dims, t.dim(), kName);
  Shape out;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!(mask[d] && t.shape()[d] == 1)) out.push_back(t.shape()[d]);
  }
  return {TensorMeta{out, t.dtype(), t.device()}};
}
Tensor SqueezeOp::view_of(const Tensor& t, const TensorMeta& m) const {
  auto mask = reduction_mask(dims, t.dim(), kName);
  Strides st;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!(mask[d] && t.shape()[d] == 1)) st.push_back(t.strides()[d]);
  }
  return make_view(t, m.shape, std::move(st), t.offset());
}
TensorList SqueezeOp::vjp(const VjpArgs& a) const { return {reshape(a.grads[0], a.input_meta[0].shape)}; }

UnsqueezeOp::UnsqueezeOp(const Attrs& a) : dim(a.get<int64_t>("dim", kName)) {}
void UnsqueezeOp::attributes(Attrs& out) const { out.set("dim", dim); }
MetaList UnsqueezeOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  int64_t d = normalize_dim(dim, t.dim() + 1, kName);
  Shape out(t.shape());
  out.insert(out.begin() + d, 1);
  return {TensorMeta{out, t.dtype(), t.device()}};
}
Tensor UnsqueezeOp::view_of(const Tensor& t, const TensorMeta& m) const {
  int64_t d = normalize_dim(dim, t.dim() + 1, kName);
  Strides st(t.strides());
  int64_t s = d < t.dim() ? t.strides()[d] * t.shape()[d] : 1;
  st.insert(st.begin() + d, s);
  return make_view(t, m.shape, std::move(st), t.offset());
}
TensorList UnsqueezeOp::vjp(const VjpArgs& a) const { return {reshape(a.grads[0], a.input_meta[0].shape)}; }

Tensor squeeze(const Tensor& t) { return run_view<SqueezeOp>(t, Shape{}); }
Tensor squeeze(const Tensor& t, IntList dims) {
  if (dims.empty()) return alias(t);
  return run_view<SqueezeOp>(t, Shape(dims.begin(), dims.end()));
}
Tensor unsqueeze(const Tensor& t, int64_t dim) { return run_view<UnsqueezeOp>(t, dim); }

// ---- detach / alias
MetaList DetachOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
Tensor DetachOp::view_of(const Tensor& t, const TensorMeta&) const {
  return make_view(t, t.shape(), t.strides(), t.offset());
}
MetaList AliasOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
Tensor AliasOp::view_of(const Tensor& t, const TensorMeta&) const {
  return make_view(t, t.shape(), t.strides(), t.offset());
}

Tensor detach(const Tensor& t) { return run_view<DetachOp>(t); }
Tensor alias(const Tensor& t) { return run_view<AliasOp>(t); }

}  // namespace ember
