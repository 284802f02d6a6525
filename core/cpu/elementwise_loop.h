#pragma once
// The loop engine behind every elementwise kernel: operands are viewed as broadcast to the
// output's shape, adjacent dims that are contiguous in every operand are merged, and the
// work is split over threads. Contiguous operands (the common case) take a flat loop the
// compiler vectorizes; a scalar operand (numel 1) takes a flat loop with a constant.
//
//   map2<float, float, float>(out, a, b, [](float x, float y) { return x + y; });
//
// Functors receive values in acc_t<T> (float for the 16-bit types) and return the output
// value; they are inlined, so no call per element.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <type_traits>

#include "core/cpu/parallel.h"
#include "core/tensor.h"

namespace ember::cpu {

struct VecCall;  // core/cpu/vec_math.h

// Strides (in elements) of t viewed as broadcast to `shape` (0 along broadcast dims).
Strides broadcast_strides(const Tensor& t, IntList shape);

// The float32 fast path of the vectorized math functions: out = fn(a) when both are
// contiguous and a is not broadcast; returns false (nothing written) otherwise, and the
// caller takes the general loop.
bool map1_vec_f32(const Tensor& out, const Tensor& a, const VecCall& call);

template <size_t N>
struct LoopPlan {
  Shape shape;  // merged dims, outermost first; never empty
  std::array<Strides, N> strides;
};

template <size_t N>
LoopPlan<N> make_plan(IntList shape, const std::array<Strides, N>& strides) {
  LoopPlan<N> p;
  // Visit dims in the output's memory order (largest stride first), so an output laid out
  // like transposed inputs is walked sequentially and adjacent dims merge.
  absl::InlinedVector<size_t, 6> order(shape.size());
  for (size_t d = 0; d < order.size(); ++d) order[d] = d;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return std::abs(strides[0][x]) > std::abs(strides[0][y]);
  });
  for (size_t d : order) {
    if (shape[d] == 1) continue;
    if (!p.shape.empty()) {
      bool mergeable = true;
      for (size_t k = 0; k < N; ++k) {
        if (p.strides[k].back() != strides[k][d] * shape[d]) mergeable = false;
      }
      if (mergeable) {
        p.shape.back() *= shape[d];
        for (size_t k = 0; k < N; ++k) p.strides[k].back() = strides[k][d];
        continue;
      }
    }
    p.shape.push_back(shape[d]);
    for (size_t k = 0; k < N; ++k) p.strides[k].push_back(strides[k][d]);
  }
  if (p.shape.empty()) {
    p.shape.push_back(1);
    for (size_t k = 0; k < N; ++k) p.strides[k].push_back(0);
  }
  return p;
}

// Calls inner(offsets, n, inner_strides) for each innermost run between linear indices
// [begin, end); offsets are in elements per operand.
template <size_t N, class Inner>
void walk(const LoopPlan<N>& p, int64_t begin, int64_t end, Inner&& inner) {
  const int64_t nd = static_cast<int64_t>(p.shape.size());
  const int64_t last = p.shape[nd - 1];
  Shape idx(nd, 0);
  int64_t rem = begin;
  for (int64_t d = nd - 1; d >= 0; --d) {
    idx[d] = rem % p.shape[d];
    rem /= p.shape[d];
  }
  std::array<int64_t, N> off{};
  std::array<int64_t, N> inner_stride{};
  for (size_t k = 0; k < N; ++k) {
    inner_stride[k] = p.strides[k][nd - 1];
    for (int64_t d = 0; d < nd; ++d) off[k] += idx[d] * p.strides[k][d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t n = std::min(last - idx[nd - 1], end - pos);
    inner(off, n, inner_stride);
    pos += n;
    // advance: finish the row, then carry into outer dims
    for (size_t k = 0; k < N; ++k) off[k] += n * inner_stride[k];
    idx[nd - 1] += n;
    for (int64_t d = nd - 1; d > 0 && idx[d] == p.shape[d]; --d) {
      for (size_t k = 0; k < N; ++k) off[k] += p.strides[k][d - 1] - p.shape[d] * p.strides[k][d];
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

template <class T>
inline acc_t<T> load(const T* p) {
  return static_cast<acc_t<T>>(*p);
}

template <class TO, class TA, class F>
void map1(const Tensor& out, const Tensor& a, F f) {
  TO* po = static_cast<TO*>(out.data_ptr());
  const TA* pa = static_cast<const TA*>(a.data_ptr());
  const int64_t n = out.numel();
  if (out.is_contiguous() && a.is_contiguous() && a.numel() == n) {
    parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) po[i] = static_cast<TO>(f(load(pa + i)));
    });
    return;
  }
  auto plan = make_plan<2>(out.shape(), {out.strides(), broadcast_strides(a, out.shape())});
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    walk(plan, b, e, [&](const std::array<int64_t, 2>& off, int64_t m, const auto& s) {
      TO* o = po + off[0];
      const TA* x = pa + off[1];
      for (int64_t i = 0; i < m; ++i) o[i * s[0]] = static_cast<TO>(f(load(x + i * s[1])));
    });
  });
}

template <class TO, class TA, class TB, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  TO* po = static_cast<TO*>(out.data_ptr());
  const TA* pa = static_cast<const TA*>(a.data_ptr());
  const TB* pb = static_cast<const TB*>(b.data_ptr());
  const int64_t n = out.numel();
  if (out.is_contiguous()) {
    bool ca = a.is_contiguous() && a.numel() == n, cb = b.is_contiguous() && b.numel() == n;
    if (ca && cb) {
      parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) po[i] = static_cast<TO>(f(load(pa + i), load(pb + i)));
      });
      return;
    }
    if (ca && b.numel() == 1) {
      const auto y = load(pb);
      parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) po[i] = static_cast<TO>(f(load(pa + i), y));
      });
      return;
    }
    if (cb && a.numel() == 1) {
      const auto x = load(pa);
      parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) po[i] = static_cast<TO>(f(x, load(pb + i)));
      });
      return;
    }
  }
  auto plan = make_plan<3>(out.shape(), {out.strides(), broadcast_strides(a, out.shape()),
                                         broadcast_strides(b, out.shape())});
  parallel_for(n, kParallelGrain, [&](int64_t s0, int64_t e0) {
    walk(plan, s0, e0, [&](const std::array<int64_t, 3>& off, int64_t m, const auto& s) {
      TO* o = po + off[0];
      const TA* x = pa + off[1];
      const TB* y = pb + off[2];
      if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
        for (int64_t i = 0; i < m; ++i) o[i] = static_cast<TO>(f(load(x + i), load(y + i)));
      } else {
        for (int64_t i = 0; i < m; ++i) {
          o[i * s[0]] = static_cast<TO>(f(load(x + i * s[1]), load(y + i * s[2])));
        }
      }
    });
  });
}

template <class TO, class TA, class TB, class TC, class F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  TO* po = static_cast<TO*>(out.data_ptr());
  const TA* pa = static_cast<const TA*>(a.data_ptr());
  const TB* pb = static_cast<const TB*>(b.data_ptr());
  const TC* pc = static_cast<const TC*>(c.data_ptr());
  const int64_t n = out.numel();
  // Contiguous operands, at most one of them a scalar (where(mask, g, 0), clamp bounds): flat
  // loops with the scalar's stride a compile-time 0.
  auto full = [n](const Tensor& t) { return t.is_contiguous() && t.numel() == n; };
  if (out.is_contiguous()) {
    const bool fa = full(a), fb = full(b), fc = full(c);
    auto flat = [&](auto sa, auto sb, auto sc) {
      parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) {
          po[i] = static_cast<TO>(f(load(pa + i * sa), load(pb + i * sb), load(pc + i * sc)));
        }
      });
    };
    using One = std::integral_constant<int64_t, 1>;
    using Zero = std::integral_constant<int64_t, 0>;
    if (fa && fb && fc) return flat(One{}, One{}, One{});
    if (fa && fb && c.numel() == 1) return flat(One{}, One{}, Zero{});
    if (fa && b.numel() == 1 && fc) return flat(One{}, Zero{}, One{});
    if (a.numel() == 1 && fb && fc) return flat(Zero{}, One{}, One{});
  }
  auto plan = make_plan<4>(out.shape(),
                           {out.strides(), broadcast_strides(a, out.shape()),
                            broadcast_strides(b, out.shape()), broadcast_strides(c, out.shape())});
  parallel_for(n, kParallelGrain, [&](int64_t s0, int64_t e0) {
    walk(plan, s0, e0, [&](const std::array<int64_t, 4>& off, int64_t m, const auto& s) {
      TO* o = po + off[0];
      const TA* x = pa + off[1];
      const TB* y = pb + off[2];
      const TC* z = pc + off[3];
      for (int64_t i = 0; i < m; ++i) {
        o[i * s[0]] = static_cast<TO>(f(load(x + i * s[1]), load(y + i * s[2]), load(z + i * s[3])));
      }
    });
  });
}

}  // namespace ember::cpu
