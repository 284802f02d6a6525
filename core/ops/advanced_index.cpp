// Advanced indexing kernels: IndexOp (t[idx0, idx1] reads) and IndexPutOp (writes). Both
// walk the broadcast index shape B and copy a block of the non-indexed ("rest") dims per
// position, so a row gather like t[idx] over a 2-D t copies whole rows.
#include "core/cpu/copy.h"
#include "core/cpu/elementwise_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/index_ops.h"
#include "core/ops/view_ops.h"

namespace ember {

EMBER_REGISTER_OP(IndexOp);
EMBER_REGISTER_OP(IndexPutOp);

namespace {

// Where the broadcast index shape B lands in the result (NumPy's adjacency rule).
struct AdvLayout {
  Shape B;
  Shape result;
  Shape rest;       // dims of the indexed tensor that are not indexed, in order
  int64_t pos = 0;  // first result dim of B
};

AdvLayout adv_layout(IntList xshape, const std::vector<int64_t>& dims, std::span<const Tensor> idx,
                     std::string_view op) {
  const int64_t nd = static_cast<int64_t>(xshape.size());
  if (dims.size() != idx.size() || dims.empty()) {
    raise<ValueError>(
        "[{}] expected one index tensor per indexed dim, got {} dims and {} "
        "tensors",
        op, dims.size(), idx.size());
  }
  AdvLayout L;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] < 0 || dims[k] >= nd || (k > 0 && dims[k] <= dims[k - 1])) {
      raise<IndexError>("[{}] indexed dims {} are invalid for a tensor of shape {}", op,
                        fmt::join(dims, ", "), shape_str(xshape));
    }
    check_index_dtype(idx[k], op);
    if (k == 0) {
      L.B = idx[k].shape();
      continue;
    }
    try {
      L.B = broadcast_shapes(L.B, idx[k].shape(), op);
    } catch (const ValueError&) {
      raise<IndexError>("[{}] shape mismatch: indexing tensors could not be broadcast together "
                        "with shapes {} and {}", op, shape_str(L.B), shape_str(idx[k].shape()));
    }
  }
  bool adjacent = dims.back() - dims.front() == static_cast<int64_t>(dims.size()) - 1;
  L.pos = adjacent ? dims.front() : 0;
  for (int64_t d = 0, k = 0; d < nd; ++d) {
    if (k < static_cast<int64_t>(dims.size()) && dims[k] == d) {
      ++k;
    } else {
      L.rest.push_back(xshape[d]);
    }
  }
  L.result.assign(L.rest.begin(), L.rest.begin() + L.pos);
  L.result.insert(L.result.end(), L.B.begin(), L.B.end());
  L.result.insert(L.result.end(), L.rest.begin() + L.pos, L.rest.end());
  return L;
}

// The loop shared by reads and writes. `x` is the indexed tensor; `r` is laid out like the
// result (shape L.result). Read: r[b, rest] = x[idx(b), rest]. Write: x[idx(b), rest] = r
// (or += with Acc). Writes with Acc run on one thread: duplicate indices collide.
template <class T, bool kWrite, bool kAcc>
void adv_loop(const AdvLayout& L, const Tensor& x, const std::vector<int64_t>& dims,
              const std::vector<Tensor>& idx, const Tensor& r, IntList r_strides) {
  const int64_t nb = numel_of(L.B), nrest = numel_of(L.rest), nbd = L.B.size();
  if (nb == 0 || nrest == 0) return;
  Strides x_rest, r_rest, r_b, x_idx;
  for (int64_t d = 0, k = 0; d < x.dim(); ++d) {
    if (k < static_cast<int64_t>(dims.size()) && dims[k] == d) {
      x_idx.push_back(x.strides()[d]);
      ++k;
    } else {
      x_rest.push_back(x.strides()[d]);
    }
  }
  for (int64_t d = 0; d < static_cast<int64_t>(L.result.size()); ++d) {
    if (d >= L.pos && d < L.pos + nbd) {
      r_b.push_back(r_strides[d]);
    } else {
      r_rest.push_back(r_strides[d]);
    }
  }
  const Strides dense = contiguous_strides(L.rest);
  auto dense_in = [&](const Strides& st) {
    for (size_t d = 0; d < st.size(); ++d) {
      if (L.rest[d] != 1 && st[d] != dense[d]) return false;
    }
    return true;
  };
  const bool rest_contig = nrest > 1 && dense_in(x_rest) && dense_in(r_rest);
  T* xp = static_cast<T*>(x.data_ptr());
  T* rp = static_cast<T*>(r.data_ptr());
  absl::InlinedVector<const int64_t*, 4> ip;
  for (const Tensor& t : idx) ip.push_back(t.data<int64_t>());
  auto body = [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      int64_t xo = 0, ro = 0;
      for (size_t k = 0; k < ip.size(); ++k) xo += ip[k][b] * x_idx[k];
      for (int64_t d = nbd - 1, rem = b; d >= 0; --d) {
        ro += (rem % L.B[d]) * r_b[d];
        rem /= L.B[d];
      }
      if (rest_contig) {  // whole rows: a plain copy loop the compiler vectorizes
        T* xr = xp + xo;
        T* rr = rp + ro;
        for (int64_t i = 0; i < nrest; ++i) {
          if constexpr (!kWrite) {
            rr[i] = xr[i];
          } else if constexpr (kAcc) {
            xr[i] = add_values(xr[i], rr[i]);
          } else {
            xr[i] = rr[i];
          }
        }
        continue;
      }
      for_each_offset2(L.rest, x_rest, r_rest, [&](int64_t a, int64_t c) {
        if constexpr (!kWrite) {
          rp[ro + c] = xp[xo + a];
        } else if constexpr (kAcc) {
          xp[xo + a] = add_values(xp[xo + a], rp[ro + c]);
        } else {
          xp[xo + a] = rp[ro + c];
        }
      });
    }
  };
  if (kAcc) {
    body(0, nb);
  } else {
    cpu::parallel_for(nb, std::max<int64_t>(1, cpu::kParallelGrain / nrest), body);
  }
}

std::vector<Tensor> prepare_indices(const AdvLayout& L, IntList xshape,
                                    const std::vector<int64_t>& dims, std::span<const Tensor> idx,
                                    std::string_view op) {
  std::vector<Tensor> out;
  out.reserve(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    out.push_back(checked_indices(idx[k], L.B, xshape[dims[k]], dims[k], op));
  }
  return out;
}

}  // namespace

void check_index_dtype(const Tensor& idx, std::string_view op) {
  if (idx.dtype() != DType::Int64 && idx.dtype() != DType::Int32) {
    raise<IndexError>("[{}] tensors used as indices must be int64, int32 or bool, got {}", op,
                      dtype_name(idx.dtype()));
  }
}

Tensor checked_indices(const Tensor& idx, IntList shape, int64_t size, int64_t dim,
                       std::string_view op) {
  check_index_dtype(idx, op);
  Tensor out = Tensor::empty(shape, DType::Int64, idx.device());
  copy_into(out, idx);
  int64_t* p = out.data<int64_t>();
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = p[i];
    if (v < -size || v >= size) {
      raise<IndexError>("[{}] index {} is out of bounds for dim {} with size {}", op, v, dim, size);
    }
    p[i] = v < 0 ? v + size : v;
  }
  return out;
}

// ---- index
IndexOp::IndexOp(const Attrs& a) : dims(a.get<std::vector<int64_t>>("dims", kName)) {}
void IndexOp::attributes(Attrs& out) const { out.set("dims", dims); }
MetaList IndexOp::infer(std::span<const Tensor> in) const {
  if (in.size() < 2) raise<ValueError>("[index] expected a tensor and at least one index tensor");
  check_same_device(*this, in);
  AdvLayout L = adv_layout(in[0].shape(), dims, in.subspan(1), kName);
  return {TensorMeta{std::move(L.result), in[0].dtype(), in[0].device()}};
}
void IndexOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& x = in[0];
  AdvLayout L = adv_layout(x.shape(), dims, in.subspan(1), kName);
  auto idx = prepare_indices(L, x.shape(), dims, in.subspan(1), kName);
  EMBER_DISPATCH_ALL(x.dtype(), kName, [&]<class T>() {
    adv_loop<T, false, false>(L, x, dims, idx, out[0], out[0].strides());
  });
}
TensorList IndexOp::vjp(const VjpArgs& a) const {
  if (!a.needs_grad[0]) return {Tensor()};
  const Tensor& g = a.grads[0];
  Tensor base = zeros(a.input_meta[0].shape, g.dtype(), g.device());
  TensorList idx(a.inputs.begin() + 1, a.inputs.end());
  return {dispatch_index_put(base, {}, dims, idx, g, /*accumulate=*/true)};
}

// ---- index_put
IndexPutOp::IndexPutOp(const Attrs& a)
    : items(a.get<std::vector<int64_t>>("items", kName)),
      dims(a.get<std::vector<int64_t>>("dims", kName)),
      accumulate(a.get<bool>("accumulate", kName)) {}
void IndexPutOp::attributes(Attrs& out) const {
  out.set("items", items);
  out.set("dims", dims);
  out.set("accumulate", accumulate);
}
MetaList IndexPutOp::infer(std::span<const Tensor> in) const {
  if (in.size() < 2) raise<ValueError>("[index_put] expected a tensor and a value");
  check_same_device(*this, in);
  const Tensor& t = in[0];
  const Tensor& v = in[1];
  Shape sel = basic_index_geometry(t.shape(), contiguous_strides(t.shape()), 0, items, kName).shape;
  if (!dims.empty()) sel = adv_layout(sel, dims, in.subspan(2), kName).result;
  if (v.dtype() != t.dtype()) {
    raise<TypeError>("[index_put] value has dtype {} but the tensor has dtype {}",
                     dtype_name(v.dtype()), dtype_name(t.dtype()));
  }
  if (!broadcastable_to(v.shape(), sel)) {
    raise<ValueError>(
        "[index_put] shape mismatch: value of shape {} cannot be broadcast to the "
        "indexing result of shape {}",
        shape_str(v.shape()), shape_str(sel));
  }
  return {TensorMeta{t.shape(), t.dtype(), t.device()}};
}
void IndexPutOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& t = in[0];
  Tensor dst = out[0];
  const bool aliased =
      dst.storage() == t.storage() && dst.offset() == t.offset() && dst.strides() == t.strides();
  if (!aliased) copy_into(dst, t);
  Tensor value = in[1];
  if (value.storage() == dst.storage()) {  // t[1:] = t[:-1]: read a snapshot
    Tensor snap = Tensor::empty(value.shape(), value.dtype(), value.device());
    copy_into(snap, value);
    value = snap;
  }
  ViewGeometry g = basic_index_geometry(dst.shape(), dst.strides(), dst.offset(), items, kName);
  Tensor view = make_view(dst, std::move(g.shape), std::move(g.strides), g.offset);
  if (dims.empty()) {
    if (!accumulate) {
      copy_into(view, value);
    } else {
      EMBER_DISPATCH_ALL(view.dtype(), kName, [&]<class T>() {
        cpu::map2<T, T, T>(view, view, value, [](auto a, auto b) {
          return add_values(static_cast<T>(a), static_cast<T>(b));
        });
      });
    }
    return;
  }
  AdvLayout L = adv_layout(view.shape(), dims, in.subspan(2), kName);
  auto idx = prepare_indices(L, view.shape(), dims, in.subspan(2), kName);
  Strides vs = cpu::broadcast_strides(value, L.result);
  EMBER_DISPATCH_ALL(view.dtype(), kName, [&]<class T>() {
    if (accumulate) {
      adv_loop<T, true, true>(L, view, dims, idx, value, vs);
    } else {
      adv_loop<T, true, false>(L, view, dims, idx, value, vs);
    }
  });
}
TensorList IndexPutOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  TensorList idx(a.inputs.begin() + 2, a.inputs.end());
  Tensor gt, gv;
  if (a.needs_grad[0]) {
    gt = accumulate ? g
                    : dispatch_index_put(g, items, dims, idx, zeros({}, g.dtype(), g.device()),
                                         /*accumulate=*/false);
  }
  if (a.needs_grad[1]) {
    BasicIndexOp basic(items);
    const Tensor gin[] = {g};
    Tensor sel = items.empty() ? g : dispatch1(basic, gin);
    if (!dims.empty()) {
      IndexOp op(dims);
      TensorList ins{sel};
      ins.insert(ins.end(), idx.begin(), idx.end());
      sel = dispatch1(op, ins);
    }
    gv = sum_to_shape(sel, a.input_meta[1].shape);
  }
  return {gt, gv};
}

Tensor dispatch_index_put(const Tensor& t, const std::vector<int64_t>& items,
                          const std::vector<int64_t>& dims, std::span<const Tensor> idx,
                          const Tensor& value, bool accumulate) {
  IndexPutOp op(items, dims, accumulate);
  TensorList ins{t, value};
  ins.insert(ins.end(), idx.begin(), idx.end());
  return dispatch1(op, ins);
}

}  // namespace ember
