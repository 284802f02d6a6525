// Views by position: basic indexing (slice, narrow, select, t[1:3, None]), diagonal, and
// the reorderings composed from view ops (movedim, unflatten, mT, ...).
#include <numeric>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/index_ops.h"
#include "core/ops/view_ops.h"

namespace ember {

EMBER_REGISTER_OP(BasicIndexOp);
EMBER_REGISTER_OP(DiagonalOp);

namespace {

std::pair<int64_t, int64_t> normalize_slice(std::optional<int64_t> start,
                                            std::optional<int64_t> stop, int64_t step, int64_t size,
                                            std::string_view op) {
  if (step <= 0) {
    raise<ValueError>(
        "[{}] slice step must be positive, got {} (negative steps are not "
        "supported; use flip)",
        op, step);
  }
  auto clamp = [size](int64_t v) {
    if (v < 0) v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  int64_t s = start ? clamp(*start) : 0;
  int64_t e = stop ? clamp(*stop) : size;
  return {s, std::max(s, e)};
}

Tensor run_basic(const Tensor& t, std::vector<int64_t> items) {
  BasicIndexOp op(std::move(items));
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// Items that keep dims [0, dim) whole, then apply `item` at dim.
std::vector<int64_t> items_at(const Tensor& t, int64_t dim, std::initializer_list<int64_t> item) {
  std::vector<int64_t> items;
  items.reserve(4 * (dim + 1));
  for (int64_t d = 0; d < dim; ++d) {
    items.insert(items.end(), {BasicIndexOp::kSlice, 0, t.shape()[d], 1});
  }
  items.insert(items.end(), item);
  return items;
}

Tensor int64_arange(int64_t n, int64_t start) {
  Tensor r = Tensor::empty({n}, DType::Int64);
  int64_t* p = r.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) p[i] = start + i;
  return r;
}

}  // namespace

ViewGeometry basic_index_geometry(IntList shape, IntList strides, int64_t offset,
                                  const std::vector<int64_t>& items, std::string_view op) {
  if (items.size() % 4 != 0) raise<ValueError>("[{}] malformed index items", op);
  ViewGeometry g;
  g.offset = offset;
  const int64_t nd = static_cast<int64_t>(shape.size());
  int64_t d = 0;
  for (size_t k = 0; k < items.size(); k += 4) {
    const int64_t kind = items[k], a = items[k + 1], b = items[k + 2], c = items[k + 3];
    if (kind == BasicIndexOp::kNewAxis) {
      g.shape.push_back(1);
      g.strides.push_back(d < nd ? strides[d] * shape[d] : 1);
      continue;
    }
    if (d >= nd) {
      raise<IndexError>("[{}] too many indices for a tensor of dimension {} (shape {})", op, nd,
                        shape_str(shape));
    }
    const int64_t size = shape[d];
    if (kind == BasicIndexOp::kInt) {
      int64_t i = a < 0 ? a + size : a;
      if (i < 0 || i >= size) {
        raise<IndexError>("[{}] index {} is out of range for dim {} with size {}", op, a, d, size);
      }
      g.offset += i * strides[d];
    } else if (kind == BasicIndexOp::kSlice) {
      if (c <= 0 || a < 0 || b > size || a > b) {
        raise<IndexError>("[{}] slice {}:{}:{} is invalid for dim {} with size {}", op, a, b, c, d,
                          size);
      }
      g.shape.push_back((b - a + c - 1) / c);
      g.strides.push_back(strides[d] * c);
      g.offset += a * strides[d];
    } else {
      raise<ValueError>("[{}] unknown index item kind {}", op, kind);
    }
    ++d;
  }
  for (; d < nd; ++d) {
    g.shape.push_back(shape[d]);
    g.strides.push_back(strides[d]);
  }
  return g;
}

// ---- basic_index
BasicIndexOp::BasicIndexOp(const Attrs& a) : items(a.get<std::vector<int64_t>>("items", kName)) {}
void BasicIndexOp::attributes(Attrs& out) const { out.set("items", items); }
MetaList BasicIndexOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  ViewGeometry g = basic_index_geometry(t.shape(), t.strides(), t.offset(), items, "index");
  return {TensorMeta{std::move(g.shape), t.dtype(), t.device()}};
}
Tensor BasicIndexOp::view_of(const Tensor& t, const TensorMeta&) const {
  ViewGeometry g = basic_index_geometry(t.shape(), t.strides(), t.offset(), items, "index");
  return make_view(t, std::move(g.shape), std::move(g.strides), g.offset);
}
TensorList BasicIndexOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  Tensor base = zeros(a.input_meta[0].shape, g.dtype(), g.device());
  return {dispatch_index_put(base, items, {}, {}, g, /*accumulate=*/false)};
}

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> stop, int64_t step) {
  int64_t d = normalize_dim(dim, t.dim(), "slice");
  auto [s, e] = normalize_slice(start, stop, step, t.shape()[d], "slice");
  return run_basic(t, items_at(t, d, {BasicIndexOp::kSlice, s, e, step}));
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  int64_t d = normalize_dim(dim, t.dim(), "narrow");
  int64_t size = t.shape()[d];
  int64_t s = start < 0 ? start + size : start;
  if (s < 0 || s > size || length < 0 || s + length > size) {
    raise<IndexError>(
        "[narrow] start {} and length {} are out of range for dim {} with size {} "
        "(shape {})",
        start, length, dim, size, shape_str(t.shape()));
  }
  return run_basic(t, items_at(t, d, {BasicIndexOp::kSlice, s, s + length, 1}));
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  if (t.dim() == 0) raise<IndexError>("[select] cannot select from a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "select");
  int64_t size = t.shape()[d];
  if (index < -size || index >= size) {
    raise<IndexError>("[select] index {} is out of range for dim {} with size {}", index, dim,
                      size);
  }
  return run_basic(t, items_at(t, d, {BasicIndexOp::kInt, index, 0, 0}));
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  if (t.dim() == 0) raise<IndexError>("[unbind] cannot unbind a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "unbind");
  std::vector<Tensor> out;
  out.reserve(t.shape()[d]);
  for (int64_t i = 0; i < t.shape()[d]; ++i) out.push_back(select(t, d, i));
  return out;
}

// ---- diagonal
DiagonalOp::DiagonalOp(const Attrs& a)
    : offset(a.get<int64_t>("offset", kName)),
      dim1(a.get<int64_t>("dim1", kName)),
      dim2(a.get<int64_t>("dim2", kName)) {}
void DiagonalOp::attributes(Attrs& out) const {
  out.set("offset", offset);
  out.set("dim1", dim1);
  out.set("dim2", dim2);
}
MetaList DiagonalOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& t = in[0];
  if (t.dim() < 2) {
    raise<ValueError>("[diagonal] expects a tensor with at least 2 dims, got shape {}",
                      shape_str(t.shape()));
  }
  int64_t a = normalize_dim(dim1, t.dim(), kName), b = normalize_dim(dim2, t.dim(), kName);
  if (a == b) raise<ValueError>("[diagonal] dim1 and dim2 cannot be the same dim ({})", a);
  Shape out;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d != a && d != b) out.push_back(t.shape()[d]);
  }
  int64_t len = offset >= 0 ? std::min(t.shape()[a], t.shape()[b] - offset)
                            : std::min(t.shape()[a] + offset, t.shape()[b]);
  out.push_back(std::max<int64_t>(len, 0));
  return {TensorMeta{out, t.dtype(), t.device()}};
}
Tensor DiagonalOp::view_of(const Tensor& t, const TensorMeta& m) const {
  int64_t a = normalize_dim(dim1, t.dim(), kName), b = normalize_dim(dim2, t.dim(), kName);
  Strides st;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d != a && d != b) st.push_back(t.strides()[d]);
  }
  st.push_back(t.strides()[a] + t.strides()[b]);
  int64_t off = t.offset();
  if (m.shape.back() > 0) off += offset >= 0 ? offset * t.strides()[b] : -offset * t.strides()[a];
  return make_view(t, m.shape, std::move(st), off);
}
TensorList DiagonalOp::vjp(const VjpArgs& a) const {
  // The diagonal is t[..., i + r0, ..., i + c0, ...]: put g back there with index_put.
  const TensorMeta& m = a.input_meta[0];
  const Tensor& g = a.grads[0];
  int64_t nd = static_cast<int64_t>(m.shape.size());
  int64_t d1 = normalize_dim(dim1, nd, kName), d2 = normalize_dim(dim2, nd, kName);
  int64_t len = g.shape().back();
  Tensor rows = int64_arange(len, std::max<int64_t>(0, -offset));
  Tensor cols = int64_arange(len, std::max<int64_t>(0, offset));
  std::vector<int64_t> dims = {std::min(d1, d2), std::max(d1, d2)};
  TensorList idx = d1 < d2 ? TensorList{rows, cols} : TensorList{cols, rows};
  int64_t pos = (dims[1] - dims[0] == 1) ? dims[0] : 0;
  Tensor value = movedim(g, {-1}, {pos});
  Tensor base = zeros(m.shape, g.dtype(), g.device());
  return {dispatch_index_put(base, {}, dims, idx, value, /*accumulate=*/false)};
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  DiagonalOp op(offset, dim1, dim2);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- compositions
Tensor movedim(const Tensor& t, IntList source, IntList destination) {
  if (source.size() != destination.size()) {
    raise<ValueError>("[movedim] source {} and destination {} must have the same number of dims",
                      shape_str(source), shape_str(destination));
  }
  const int64_t nd = t.dim();
  Shape perm(nd, -1);
  absl::InlinedVector<bool, 6> used_src(nd, false);
  for (size_t i = 0; i < source.size(); ++i) {
    int64_t s = normalize_dim(source[i], nd, "movedim");
    int64_t d = normalize_dim(destination[i], nd, "movedim");
    if (nd == 0) continue;
    if (used_src[s])
      raise<ValueError>("[movedim] repeated dim {} in source {}", s, shape_str(source));
    if (perm[d] != -1)
      raise<ValueError>("[movedim] repeated dim {} in destination {}", d, shape_str(destination));
    perm[d] = s;
    used_src[s] = true;
  }
  // A 0-d tensor accepts dims 0 and -1 (normalize_dim) but has no slots in perm: found by
  // the API fuzzer (it wrote past perm / used_src).
  if (nd == 0) return permute(t, {});
  int64_t next = 0;
  for (int64_t d = 0; d < nd; ++d) {
    if (perm[d] != -1) continue;
    while (used_src[next]) ++next;
    perm[d] = next++;
  }
  return permute(t, perm);
}

Tensor swapaxes(const Tensor& t, int64_t dim0, int64_t dim1) { return transpose(t, dim0, dim1); }

Tensor unflatten(const Tensor& t, int64_t dim, IntList sizes) {
  if (t.dim() == 0) raise<IndexError>("[unflatten] a 0-d tensor has no dim to unflatten");
  int64_t d = normalize_dim(dim, t.dim(), "unflatten");
  if (sizes.empty()) raise<ValueError>("[unflatten] sizes must be non-empty");
  Shape inner = infer_size(sizes, t.shape()[d], "unflatten");
  Shape out(t.shape().begin(), t.shape().begin() + d);
  out.insert(out.end(), inner.begin(), inner.end());
  out.insert(out.end(), t.shape().begin() + d + 1, t.shape().end());
  return reshape(t, out);
}

Tensor matrix_transpose(const Tensor& t) {
  if (t.dim() < 2) {
    raise<ValueError>("[mT] expects a tensor with at least 2 dims, got shape {}",
                      shape_str(t.shape()));
  }
  return transpose(t, -2, -1);
}

Tensor reverse_dims(const Tensor& t) {
  Shape p(t.dim());
  std::iota(p.rbegin(), p.rend(), int64_t{0});
  return permute(t, p);
}

Tensor expand_as(const Tensor& t, const Tensor& other) { return expand(t, other.shape()); }
Tensor view_as(const Tensor& t, const Tensor& other) { return view(t, other.shape()); }
Tensor reshape_as(const Tensor& t, const Tensor& other) { return reshape(t, other.shape()); }

}  // namespace ember
