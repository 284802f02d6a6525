// Shape ops composed from views, cat and flip, so their gradients come for free:
// split, chunk, roll, repeat, tile, pad.
#include "core/ops.h"

namespace ember {

std::vector<Tensor> split(const Tensor& t, int64_t size, int64_t dim) {
  if (t.dim() == 0) raise<ValueError>("[split] cannot split a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "split");
  const int64_t n = t.shape()[d];
  if (size <= 0 && !(size == 0 && n == 0)) {
    raise<ValueError>("[split] split_size must be positive, got {}", size);
  }
  std::vector<Tensor> out;
  if (n == 0) {
    out.push_back(narrow(t, d, 0, 0));
    return out;
  }
  for (int64_t s = 0; s < n; s += size) out.push_back(narrow(t, d, s, std::min(size, n - s)));
  return out;
}

std::vector<Tensor> split(const Tensor& t, IntList sizes, int64_t dim) {
  if (t.dim() == 0) raise<ValueError>("[split] cannot split a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      raise<ValueError>("[split] split sizes must be non-negative, got {}", shape_str(sizes));
    total += s;
  }
  if (total != t.shape()[d]) {
    raise<ValueError>("[split] split sizes {} sum to {} but dim {} has size {} (shape {})",
                      shape_str(sizes), total, d, t.shape()[d], shape_str(t.shape()));
  }
  std::vector<Tensor> out;
  int64_t at = 0;
  for (int64_t s : sizes) {
    out.push_back(narrow(t, d, at, s));
    at += s;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  if (chunks <= 0) raise<ValueError>("[chunk] chunks must be positive, got {}", chunks);
  if (t.dim() == 0) raise<ValueError>("[chunk] cannot chunk a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "chunk");
  int64_t size = (t.shape()[d] + chunks - 1) / chunks;
  return split(t, std::max<int64_t>(size, t.shape()[d] == 0 ? 0 : 1), d);
}

namespace {

// t viewed with leading (and for 1-D -> 3-D, trailing) size-1 dims, as NumPy's atleast_nd.
Tensor at_least(const Tensor& t, int64_t nd) {
  if (t.dim() >= nd) return t;
  if (t.dim() == 0) return reshape(t, Shape(nd, 1));
  if (nd == 3 && t.dim() == 1) return reshape(t, {1, t.shape()[0], 1});
  if (nd == 3) return unsqueeze(t, -1);  // 2-D (m, n) -> (m, n, 1)
  return unsqueeze(t, 0);
}

Tensor stack_along(std::span<const Tensor> tensors, int64_t nd, int64_t dim, std::string_view op) {
  if (tensors.empty()) raise<ValueError>("[{}] expected a non-empty list of tensors", op);
  TensorList parts;
  for (const Tensor& t : tensors) parts.push_back(at_least(t, nd));
  return cat(parts, dim);
}

}  // namespace

Tensor hstack(std::span<const Tensor> tensors) {
  bool all_1d = !tensors.empty();
  for (const Tensor& t : tensors) all_1d = all_1d && t.dim() <= 1;
  return stack_along(tensors, 1, all_1d ? 0 : 1, "hstack");
}
Tensor vstack(std::span<const Tensor> tensors) { return stack_along(tensors, 2, 0, "vstack"); }
Tensor dstack(std::span<const Tensor> tensors) { return stack_along(tensors, 3, 2, "dstack"); }

Tensor diag(const Tensor& t, int64_t k) {
  if (t.dim() == 2) return clone(diagonal(t, k));
  if (t.dim() != 1) {
    raise<ValueError>("[diag] expects a 1-D or 2-D tensor, got shape {}", shape_str(t.shape()));
  }
  const int64_t n = t.shape()[0], size = n + (k >= 0 ? k : -k);
  Tensor rows = Tensor::empty({n}, DType::Int64), cols = Tensor::empty({n}, DType::Int64);
  for (int64_t i = 0; i < n; ++i) {
    rows.data<int64_t>()[i] = i + std::max<int64_t>(0, -k);
    cols.data<int64_t>()[i] = i + std::max<int64_t>(0, k);
  }
  return index_put(zeros({size, size}, t.dtype(), t.device()),
                   {TensorIndex::of(rows), TensorIndex::of(cols)}, t);
}

Tensor roll(const Tensor& t, IntList shifts, IntList dims) {
  if (dims.empty()) {
    if (shifts.size() != 1) {
      raise<ValueError>("[roll] without dims, shifts must be a single value, got {}",
                        shape_str(shifts));
    }
    const int64_t d0[] = {0};
    return reshape(roll(reshape(t, {-1}), shifts, IntList(d0, 1)), t.shape());
  }
  if (shifts.size() != dims.size()) {
    raise<ValueError>("[roll] shifts {} and dims {} must have the same length", shape_str(shifts),
                      shape_str(dims));
  }
  Tensor r = t;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], t.dim(), "roll");
    const int64_t n = t.dim() == 0 ? 1 : t.shape()[d];  // 0-d: dim 0 is a size-1 dim (API fuzzer)
    if (n == 0) continue;
    int64_t s = ((shifts[i] % n) + n) % n;
    if (s == 0) continue;
    const Tensor parts[] = {narrow(r, d, n - s, s), narrow(r, d, 0, n - s)};
    r = cat(parts, d);
  }
  return r.is_same(t) ? clone(t) : r;
}

Tensor repeat(const Tensor& t, IntList repeats) {
  const int64_t nr = static_cast<int64_t>(repeats.size());
  if (nr < t.dim()) {
    raise<ValueError>(
        "[repeat] number of repeat dims {} cannot be smaller than the tensor's "
        "number of dims {} (shape {})",
        nr, t.dim(), shape_str(t.shape()));
  }
  for (int64_t r : repeats) {
    if (r < 0)
      raise<ValueError>("[repeat] repeats must be non-negative, got {}", shape_str(repeats));
  }
  // (s0, s1) with repeats (r0, r1): view as (1, s0, 1, s1), expand to (r0, s0, r1, s1), merge.
  Shape padded(nr - t.dim(), 1);
  padded.insert(padded.end(), t.shape().begin(), t.shape().end());
  Shape inter, expanded, out;
  for (int64_t i = 0; i < nr; ++i) {
    inter.insert(inter.end(), {1, padded[i]});
    expanded.insert(expanded.end(), {repeats[i], padded[i]});
    out.push_back(repeats[i] * padded[i]);
  }
  return reshape(contiguous(expand(reshape(t, inter), expanded)), out);
}

Tensor tile(const Tensor& t, IntList reps) {
  Shape r(std::max<int64_t>(0, t.dim() - static_cast<int64_t>(reps.size())), 1);
  r.insert(r.end(), reps.begin(), reps.end());
  return repeat(t, r);
}

namespace {

// One dim of pad: before/after >= 0 after cropping (constant mode).
Tensor pad_dim(const Tensor& t, int64_t d, int64_t before, int64_t after, std::string_view mode,
               const Scalar& value) {
  const int64_t n = t.shape()[d];
  TensorList parts;
  if (mode == "constant") {
    Shape s(t.shape());
    if (before > 0) {
      s[d] = before;
      parts.push_back(full(s, value, t.dtype(), t.device()));
    }
    parts.push_back(t);
    if (after > 0) {
      s[d] = after;
      parts.push_back(full(s, value, t.dtype(), t.device()));
    }
  } else if (mode == "reflect") {
    if (before >= n || after >= n) {
      raise<ValueError>(
          "[pad] reflect padding ({}, {}) must be smaller than the size {} of dim {} "
          "(shape {})",
          before, after, n, d, shape_str(t.shape()));
    }
    const int64_t fd[] = {d};
    if (before > 0) parts.push_back(flip(narrow(t, d, 1, before), IntList(fd, 1)));
    parts.push_back(t);
    if (after > 0) parts.push_back(flip(narrow(t, d, n - 1 - after, after), IntList(fd, 1)));
  } else {  // replicate
    if (n == 0 && (before > 0 || after > 0)) {
      raise<ValueError>("[pad] replicate padding needs a non-empty dim {} (shape {})", d,
                        shape_str(t.shape()));
    }
    Shape s(t.shape());
    if (before > 0) {
      s[d] = before;
      parts.push_back(expand(narrow(t, d, 0, 1), s));
    }
    parts.push_back(t);
    if (after > 0) {
      s[d] = after;
      parts.push_back(expand(narrow(t, d, n - 1, 1), s));
    }
  }
  return parts.size() == 1 ? t : cat(parts, d);
}

}  // namespace

Tensor pad(const Tensor& t, IntList pads, std::string_view mode, const Scalar& value) {
  if (pads.size() % 2 != 0) {
    raise<ValueError>("[pad] padding length must be even, got {} ({})", pads.size(),
                      shape_str(pads));
  }
  const int64_t npad = static_cast<int64_t>(pads.size()) / 2;
  if (npad > t.dim()) {
    raise<ValueError>("[pad] padding {} covers {} dims but the input has only {} (shape {})",
                      shape_str(pads), npad, t.dim(), shape_str(t.shape()));
  }
  if (mode != "constant" && mode != "reflect" && mode != "replicate") {
    raise<ValueError>("[pad] unknown mode '{}'; expected 'constant', 'reflect' or 'replicate'",
                      mode);
  }
  Tensor r = t;
  for (int64_t i = 0; i < npad; ++i) {
    const int64_t d = t.dim() - 1 - i;
    int64_t before = pads[2 * i], after = pads[2 * i + 1];
    if (mode != "constant" && (before < 0 || after < 0)) {
      raise<ValueError>("[pad] negative padding is only supported in constant mode, got {}",
                        shape_str(pads));
    }
    const int64_t n = r.shape()[d];
    if (before < 0 || after < 0) {  // negative pads crop
      int64_t b = std::max<int64_t>(0, -before), a = std::max<int64_t>(0, -after);
      if (b + a > n) {
        raise<ValueError>("[pad] cropping ({}, {}) is more than the size {} of dim {}", before,
                          after, n, d);
      }
      r = narrow(r, d, b, n - b - a);
    }
    r = pad_dim(r, d, std::max<int64_t>(before, 0), std::max<int64_t>(after, 0), mode, value);
  }
  return r.is_same(t) ? clone(t) : r;
}

}  // namespace ember
