#pragma once
// The loop engine behind reductions. A Reducer describes the math:
//   struct SumReducer { using Acc = double;
//     Acc init() const; Acc step(Acc, V x) const; Acc merge(Acc, Acc) const;
//     template <class O> O finish(Acc, int64_t count) const; };
// step receives each element as acc_t<T> (float for the 16-bit types) and converts it
// itself, so accumulators may be structs (Welford, online logsumexp).
// reduce_into(out, in, mask, r) reduces `in` over the dims where mask is true into the
// contiguous `out` (whose numel equals the product of kept dims). Three layouts:
//   - reduced dims innermost (rows): one accumulator per output, parallel over rows or,
//     for a full reduction, over chunks of the row;
//   - reduced dims outermost (columns, e.g. a bias gradient over the batch): accumulate
//     whole rows into a vector of accumulators, vectorizable;
//   - otherwise: permute reduced dims innermost and copy once, then rows.
#include <vector>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/ops/view.h"
#include "core/tensor.h"

namespace ember::cpu {

// Folds p[0..n) with kLanes independent accumulators merged as a tree at the end: breaks
// the serial dependency of one running accumulator (so the compiler can vectorize and the
// CPU can overlap the adds) and shortens rounding chains (closer to pairwise summation).
template <class T, class R>
typename R::Acc accumulate(const T* p, int64_t n, const R& r) {
  using Acc = typename R::Acc;
  constexpr int kLanes = 8;
  if (n < 2 * kLanes) {
    Acc a = r.init();
    for (int64_t i = 0; i < n; ++i) a = r.step(a, static_cast<acc_t<T>>(p[i]));
    return a;
  }
  Acc lane[kLanes];
  for (int k = 0; k < kLanes; ++k) lane[k] = r.init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) lane[k] = r.step(lane[k], static_cast<acc_t<T>>(p[i + k]));
  }
  for (; i < n; ++i) lane[0] = r.step(lane[0], static_cast<acc_t<T>>(p[i]));
  for (int w = kLanes / 2; w > 0; w /= 2) {
    for (int k = 0; k < w; ++k) lane[k] = r.merge(lane[k], lane[k + w]);
  }
  return lane[0];
}

template <class T, class O, class R>
void reduce_rows(const T* in, O* out, int64_t rows, int64_t len, const R& r) {
  using Acc = typename R::Acc;
  if (rows == 1) {
    int nt = num_threads();
    int64_t chunks = len > kParallelGrain ? std::min<int64_t>(nt, len / kParallelGrain) : 1;
    std::vector<Acc> partial(chunks, r.init());
    parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        int64_t s = c * len / chunks, t = (c + 1) * len / chunks;
        partial[c] = accumulate(in + s, t - s, r);
      }
    });
    Acc a = partial[0];
    for (int64_t c = 1; c < chunks; ++c) a = r.merge(a, partial[c]);
    out[0] = r.template finish<O>(a, len);
    return;
  }
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(len, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t k = b; k < e; ++k) {
                   out[k] = r.template finish<O>(accumulate(in + k * len, len, r), len);
                 }
               });
}

template <class T, class O, class R>
void reduce_cols(const T* in, O* out, int64_t len, int64_t cols, const R& r) {
  using Acc = typename R::Acc;
  parallel_for(cols, std::max<int64_t>(64, kParallelGrain / std::max<int64_t>(len, 1)),
               [&](int64_t b, int64_t e) {
                 std::vector<Acc> acc(e - b, r.init());
                 for (int64_t i = 0; i < len; ++i) {
                   const T* p = in + i * cols;
                   for (int64_t k = b; k < e; ++k) {
                     acc[k - b] = r.step(acc[k - b], static_cast<acc_t<T>>(p[k]));
                   }
                 }
                 for (int64_t k = b; k < e; ++k) out[k] = r.template finish<O>(acc[k - b], len);
               });
}

// Reduces `in` (any layout) over the dims in mask into contiguous `out`.
template <class T, class O, class R>
void reduce_into(const Tensor& out, const Tensor& in, const absl::InlinedVector<bool, 6>& mask,
                 const R& r) {
  const int64_t nd = in.dim();
  int64_t kept = 1, len = 1;
  for (int64_t d = 0; d < nd; ++d) (mask[d] ? len : kept) *= in.shape()[d];
  O* po = static_cast<O*>(out.data_ptr());
  if (kept == 0) return;
  if (len == 0) {
    for (int64_t k = 0; k < kept; ++k) po[k] = r.template finish<O>(r.init(), 0);
    return;
  }
  // Is the reduced set a trailing or a leading block of non-trivial dims?
  bool trailing = true, leading = true;
  bool seen_reduced = false, seen_kept = false;
  for (int64_t d = 0; d < nd; ++d) {
    if (in.shape()[d] == 1) continue;
    if (mask[d]) {
      if (seen_kept) leading = false;
      seen_reduced = true;
    } else {
      if (seen_reduced) trailing = false;
      seen_kept = true;
    }
  }
  if (in.is_contiguous() && trailing) {
    reduce_rows<T, O>(static_cast<const T*>(in.data_ptr()), po, kept, len, r);
  } else if (in.is_contiguous() && leading) {
    reduce_cols<T, O>(static_cast<const T*>(in.data_ptr()), po, len, kept, r);
  } else {
    Shape perm;
    for (int64_t d = 0; d < nd; ++d)
      if (!mask[d]) perm.push_back(d);
    for (int64_t d = 0; d < nd; ++d)
      if (mask[d]) perm.push_back(d);
    // A raw permuted view (no dispatch): reduction kernels must not record anything.
    Shape sh;
    Strides st;
    for (int64_t d : perm) {
      sh.push_back(in.shape()[d]);
      st.push_back(in.strides()[d]);
    }
    Tensor c = contiguous_raw(make_view(in, sh, st, in.offset()));
    reduce_rows<T, O>(static_cast<const T*>(c.data_ptr()), po, kept, len, r);
  }
}

}  // namespace ember::cpu
