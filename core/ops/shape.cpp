// The shape primitives with kernels: cat, flip, tril/triu. The other shape ops are
// compositions (shape_compose.cpp).
#include "core/ops/shape.h"

#include <cstring>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/grad_utils.h"
#include "core/ops/shape_ops.h"

namespace ember {

EMBER_REGISTER_OP(CatOp);
EMBER_REGISTER_OP(FlipOp);
EMBER_REGISTER_OP(TriOp);

namespace {

// PyTorch skips 1-D empty tensors in cat whatever the other shapes are.
bool cat_skips(IntList shape) { return shape.size() == 1 && shape[0] == 0; }

}  // namespace

// ---- cat
MetaList CatOp::infer(std::span<const Tensor> in) const {
  if (in.empty()) raise<ValueError>("[cat] expected a non-empty list of tensors");
  check_same_device(*this, in);
  const Tensor* ref = nullptr;
  DType dtype = in[0].dtype();
  for (const Tensor& t : in) {
    dtype = promote_types(dtype, t.dtype());
    if (!ref && !cat_skips(t.shape())) ref = &t;
  }
  if (!ref) return {TensorMeta{Shape{0}, dtype, in[0].device()}};
  if (ref->dim() == 0) raise<ValueError>("[cat] zero-dimensional tensors cannot be concatenated");
  int64_t d = normalize_dim(dim, ref->dim(), kName);
  Shape out(ref->shape());
  out[d] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& t = in[i];
    if (cat_skips(t.shape())) continue;
    if (t.dim() != ref->dim()) {
      raise<ValueError>(
          "[cat] tensors must have the same number of dims: tensor 0 has shape {} "
          "but tensor {} has shape {}",
          shape_str(ref->shape()), i, shape_str(t.shape()));
    }
    for (int64_t k = 0; k < t.dim(); ++k) {
      if (k != d && t.shape()[k] != ref->shape()[k]) {
        raise<ValueError>(
            "[cat] sizes of tensors must match except in dim {}: expected size {} "
            "but got size {} for tensor {} in the list (shapes {} and {})",
            d, ref->shape()[k], t.shape()[k], i, shape_str(ref->shape()), shape_str(t.shape()));
      }
    }
    out[d] += t.shape()[d];
  }
  return {TensorMeta{out, dtype, in[0].device()}};
}
void CatOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& o = out[0];
  if (o.numel() == 0) return;
  int64_t d = normalize_dim(dim, o.dim(), kName);
  int64_t at = 0;
  for (const Tensor& t : in) {
    if (cat_skips(t.shape())) continue;
    const int64_t n = t.shape()[d];
    if (n > 0 && t.is_contiguous() && t.dtype() == o.dtype() && o.is_contiguous()) {
      // Contiguous input: one memcpy per outer index.
      int64_t inner = 1, outer = 1;
      for (int64_t k = d + 1; k < o.dim(); ++k) inner *= o.shape()[k];
      for (int64_t k = 0; k < d; ++k) outer *= o.shape()[k];
      const int64_t isz = o.element_size(), block = n * inner * isz;
      const int64_t row = o.shape()[d] * inner * isz;
      char* dst = static_cast<char*>(o.data_ptr()) + at * inner * isz;
      const char* src = static_cast<const char*>(t.data_ptr());
      cpu::parallel_for(outer,
                        std::max<int64_t>(1, cpu::kParallelGrain * 4 / std::max<int64_t>(block, 1)),
                        [&](int64_t b, int64_t e) {
                          for (int64_t i = b; i < e; ++i)
                            std::memcpy(dst + i * row, src + i * block, block);
                        });
    } else if (n > 0) {
      Shape s(o.shape());
      s[d] = n;
      copy_into(make_view(o, s, o.strides(), o.offset() + at * o.strides()[d]), t);
    }
    at += n;
  }
}
TensorList CatOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  int64_t d = g.dim() > 0 ? normalize_dim(dim, g.dim(), kName) : 0;
  TensorList out;
  int64_t at = 0;
  for (size_t i = 0; i < a.input_meta.size(); ++i) {
    const TensorMeta& m = a.input_meta[i];
    if (cat_skips(m.shape)) {
      out.push_back(a.needs_grad[i] ? zeros(m.shape, m.dtype, m.device) : Tensor());
      continue;
    }
    if (a.needs_grad[i])
      out.push_back(reduce_grad(narrow(g, d, at, m.shape[d]), m));
    else
      out.emplace_back();
    at += m.shape[d];
  }
  return out;
}

Tensor cat(std::span<const Tensor> tensors, int64_t dim) {
  CatOp op(dim);
  return dispatch1(op, tensors);
}

Tensor stack(std::span<const Tensor> tensors, int64_t dim) {
  if (tensors.empty()) raise<ValueError>("[stack] expected a non-empty list of tensors");
  for (size_t i = 1; i < tensors.size(); ++i) {
    if (tensors[i].shape() != tensors[0].shape()) {
      raise<ValueError>(
          "[stack] expects each tensor to be equal size, but got {} at entry 0 "
          "and {} at entry {}",
          shape_str(tensors[0].shape()), shape_str(tensors[i].shape()), i);
    }
  }
  int64_t d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  TensorList parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, d));
  return cat(parts, d);
}

// ---- flip
MetaList FlipOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  absl::InlinedVector<bool, 6> seen(std::max<int64_t>(in[0].dim(), 1), false);
  for (int64_t x : dims) {
    int64_t d = normalize_dim(x, std::max<int64_t>(in[0].dim(), 1), kName);
    if (seen[d])
      raise<ValueError>("[flip] dim {} appears more than once in {}", d, fmt::join(dims, ", "));
    seen[d] = true;
  }
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void FlipOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& t = in[0];
  if (t.dim() == 0) {
    copy_into(out[0], t);
    return;
  }
  Strides st(t.strides());
  int64_t off = t.offset();
  for (int64_t x : dims) {
    int64_t d = normalize_dim(x, t.dim(), kName);
    if (t.shape()[d] > 0) off += (t.shape()[d] - 1) * st[d];
    st[d] = -st[d];
  }
  copy_into(out[0], make_view(t, t.shape(), std::move(st), off));
}
TensorList FlipOp::vjp(const VjpArgs& a) const { return {flip(a.grads[0], dims)}; }

Tensor flip(const Tensor& t, IntList dims) {
  FlipOp op(std::vector<int64_t>(dims.begin(), dims.end()));
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- tril / triu
MetaList TriOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  if (in[0].dim() < 2) {
    raise<ValueError>("[{}] expects a tensor with at least 2 dims, got shape {}",
                      upper ? "triu" : "tril", shape_str(in[0].shape()));
  }
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void TriOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor src = contiguous_raw(in[0]);
  const int64_t rows = src.shape()[src.dim() - 2], cols = src.shape()[src.dim() - 1];
  // [2, 0] divided by zero columns before the API fuzzer found it.
  const int64_t nrows = rows == 0 || cols == 0 ? 0 : src.numel() / cols;
  EMBER_DISPATCH_ALL(src.dtype(), kName, [&]<class T>() {
    const T* s = static_cast<const T*>(src.data_ptr());
    T* o = static_cast<T*>(out[0].data_ptr());
    const T zero = static_cast<T>(acc_t<T>(0));
    cpu::parallel_for(nrows, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(cols, 1)),
                      [&](int64_t b, int64_t e) {
                        for (int64_t r = b; r < e; ++r) {
                          const int64_t i = r % rows;
                          const T* sr = s + r * cols;
                          T* orow = o + r * cols;
                          for (int64_t j = 0; j < cols; ++j) {
                            bool keep = upper ? (j - i >= diagonal) : (j - i <= diagonal);
                            orow[j] = keep ? sr[j] : zero;
                          }
                        }
                      });
  });
}
TensorList TriOp::vjp(const VjpArgs& a) const {
  return {upper ? triu(a.grads[0], diagonal) : tril(a.grads[0], diagonal)};
}

Tensor tril(const Tensor& t, int64_t diagonal) {
  TriOp op(diagonal, false);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor triu(const Tensor& t, int64_t diagonal) {
  TriOp op(diagonal, true);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

}  // namespace ember
