#include "core/cpu/conv.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/cpu/sgemm.h"

namespace ember::cpu {
namespace {

// Columns of one chunk of the batch: at most this many elements (float: 64 MiB).
constexpr int64_t kColBudget = int64_t{1} << 24;

// Leading dims are clamped to 1: BLAS rejects 0 even when the matching size is 0 (empty
// channels), and C = beta * C is then still computed.
int64_t ld1(int64_t ld) { return std::max<int64_t>(ld, 1); }

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  sgemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ld1(ldc));
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  lda = ld1(lda), ldb = ld1(ldb), ldc = ld1(ldc);
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0, a, lda, b, ldb, beta, c, ldc);
}

// Scratch for columns and transposed outputs: left uninitialized (every element is written
// before it is read), where a std::vector would zero megabytes per call.
template <class T>
struct Buffer {
  std::unique_ptr<T[]> p;
  explicit Buffer(int64_t n) : p(new T[static_cast<size_t>(std::max<int64_t>(n, 1))]) {}
  T* data() { return p.get(); }
};

int64_t chunk_size(const ConvGeom& g) {
  const int64_t per = std::max<int64_t>(1, g.C * g.kh * g.kw * g.Ho * g.Wo);
  return std::clamp<int64_t>(kColBudget / per, 1, std::max<int64_t>(g.N, 1));
}

int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(work_per_item, 1));
}

// col[(c, i, j), nl * HW + (oh, ow)] = x[n0 + nl, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0
// outside). col has row stride ld = nc * Ho * Wo.
template <class T>
void im2col(const T* x, T* col, int64_t n0, int64_t nc, const ConvGeom& g) {
  const int64_t HW = g.Ho * g.Wo, ld = nc * HW;
  parallel_for(nc * g.C, grain_for(g.kh * g.kw * HW), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t nl = t / g.C, c = t % g.C;
      const T* src = x + ((n0 + nl) * g.C + c) * g.H * g.W;
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          T* dst = col + ((c * g.kh + i) * g.kw + j) * ld + nl * HW;
          // Valid ow: 0 <= ow*sw - pw + j*dw < W.
          const int64_t off = j * g.dw - g.pw;
          int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
          int64_t hi = off >= g.W ? 0 : (g.W - off + g.sw - 1) / g.sw;
          lo = std::min(lo, g.Wo);
          hi = std::clamp(hi, lo, g.Wo);
          // Plain loops, not memcpy/fill: rows are short (Wo elements) and many.
          for (int64_t oh = 0; oh < g.Ho; ++oh) {
            T* __restrict d = dst + oh * g.Wo;
            const int64_t ih = oh * g.sh - g.ph + i * g.dh;
            if (ih < 0 || ih >= g.H) {
              for (int64_t ow = 0; ow < g.Wo; ++ow) d[ow] = T(0);
              continue;
            }
            const T* __restrict s = src + ih * g.W + off;
            for (int64_t ow = 0; ow < lo; ++ow) d[ow] = T(0);
            if (g.sw == 1) {
              for (int64_t ow = lo; ow < hi; ++ow) d[ow] = s[ow];
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) d[ow] = s[ow * g.sw];
            }
            for (int64_t ow = hi; ow < g.Wo; ++ow) d[ow] = T(0);
          }
        }
      }
    }
  });
}

// The adjoint of im2col: x[n0 + nl, c] = sum of the col entries that read it (overwrites x's
// planes for the chunk).
template <class T>
void col2im(const T* col, T* x, int64_t n0, int64_t nc, const ConvGeom& g) {
  const int64_t HW = g.Ho * g.Wo, ld = nc * HW;
  parallel_for(nc * g.C, grain_for(g.kh * g.kw * HW), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t nl = t / g.C, c = t % g.C;
      T* dstp = x + ((n0 + nl) * g.C + c) * g.H * g.W;
      std::fill(dstp, dstp + g.H * g.W, T(0));
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t j = 0; j < g.kw; ++j) {
          const T* src = col + ((c * g.kh + i) * g.kw + j) * ld + nl * HW;
          const int64_t off = j * g.dw - g.pw;
          int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
          int64_t hi = off >= g.W ? 0 : (g.W - off + g.sw - 1) / g.sw;
          lo = std::min(lo, g.Wo);
          hi = std::clamp(hi, lo, g.Wo);
          for (int64_t oh = 0; oh < g.Ho; ++oh) {
            const int64_t ih = oh * g.sh - g.ph + i * g.dh;
            if (ih < 0 || ih >= g.H) continue;
            const T* s = src + oh * g.Wo;
            T* d = dstp + ih * g.W + off;
            if (g.sw == 1) {
              for (int64_t ow = lo; ow < hi; ++ow) d[ow] += s[ow];
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) d[ow * g.sw] += s[ow];
            }
          }
        }
      }
    }
  });
}

// yt[o, nl * HW + p] <-> y[n0 + nl, o, p] (chunk layout vs NCHW), optionally adding bias[o].
template <class T>
void chunk_to_nchw(const T* yt, T* y, const T* bias, int64_t n0, int64_t nc, int64_t O,
                   int64_t HW) {
  parallel_for(nc * O, grain_for(HW), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t nl = t / O, o = t % O;
      const T* s = yt + o * nc * HW + nl * HW;
      T* d = y + ((n0 + nl) * O + o) * HW;
      const T bv = bias ? bias[o] : T(0);
      for (int64_t p = 0; p < HW; ++p) d[p] = s[p] + bv;
    }
  });
}
template <class T>
void nchw_to_chunk(const T* y, T* yt, int64_t n0, int64_t nc, int64_t O, int64_t HW) {
  parallel_for(nc * O, grain_for(HW), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t nl = t / O, o = t % O;
      std::memcpy(yt + o * nc * HW + nl * HW, y + ((n0 + nl) * O + o) * HW, sizeof(T) * HW);
    }
  });
}

template <class T>
void forward_impl(T* y, const T* x, const T* w, const T* bias, const ConvGeom& g) {
  const int64_t HW = g.Ho * g.Wo, Cg = g.C / g.groups, Og = g.O / g.groups;
  const int64_t Kg = Cg * g.kh * g.kw, nchunk = chunk_size(g);
  Buffer<T> col(g.C * g.kh * g.kw * nchunk * HW);
  Buffer<T> yt(g.O * nchunk * HW);
  for (int64_t n0 = 0; n0 < g.N; n0 += nchunk) {
    const int64_t nc = std::min(nchunk, g.N - n0), ld = nc * HW;
    im2col(x, col.data(), n0, nc, g);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      gemm(false, false, Og, ld, Kg, w + gr * Og * Kg, Kg, col.data() + gr * Kg * ld, ld, T(0),
           yt.data() + gr * Og * ld, ld);
    }
    chunk_to_nchw(yt.data(), y, bias, n0, nc, g.O, HW);
  }
}

template <class T>
void input_grad_impl(T* gx, const T* gy, const T* w, const T* bias, const ConvGeom& g) {
  const int64_t HW = g.Ho * g.Wo, Cg = g.C / g.groups, Og = g.O / g.groups;
  const int64_t Kg = Cg * g.kh * g.kw, nchunk = chunk_size(g);
  Buffer<T> col(g.C * g.kh * g.kw * nchunk * HW);
  Buffer<T> gyt(g.O * nchunk * HW);
  for (int64_t n0 = 0; n0 < g.N; n0 += nchunk) {
    const int64_t nc = std::min(nchunk, g.N - n0), ld = nc * HW;
    nchw_to_chunk(gy, gyt.data(), n0, nc, g.O, HW);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      gemm(true, false, Kg, ld, Og, w + gr * Og * Kg, Kg, gyt.data() + gr * Og * ld, ld, T(0),
           col.data() + gr * Kg * ld, ld);
    }
    col2im(col.data(), gx, n0, nc, g);
  }
  if (bias) {
    const int64_t plane = g.H * g.W;
    parallel_for(g.N * g.C, grain_for(plane), [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        T* d = gx + t * plane;
        const T bv = bias[t % g.C];
        for (int64_t p = 0; p < plane; ++p) d[p] += bv;
      }
    });
  }
}

template <class T>
void weight_grad_impl(T* gw, const T* x, const T* gy, const ConvGeom& g) {
  const int64_t HW = g.Ho * g.Wo, Cg = g.C / g.groups, Og = g.O / g.groups;
  const int64_t Kg = Cg * g.kh * g.kw, nchunk = chunk_size(g);
  if (g.N == 0 || HW == 0) {
    std::fill(gw, gw + g.O * Kg, T(0));
    return;
  }
  Buffer<T> col(g.C * g.kh * g.kw * nchunk * HW);
  Buffer<T> gyt(g.O * nchunk * HW);
  for (int64_t n0 = 0; n0 < g.N; n0 += nchunk) {
    const int64_t nc = std::min(nchunk, g.N - n0), ld = nc * HW;
    im2col(x, col.data(), n0, nc, g);
    nchw_to_chunk(gy, gyt.data(), n0, nc, g.O, HW);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      gemm(false, true, Og, Kg, ld, gyt.data() + gr * Og * ld, ld, col.data() + gr * Kg * ld, ld,
           n0 == 0 ? T(0) : T(1), gw + gr * Og * Kg, Kg);
    }
  }
}

template <class F>
void by_dtype(DType dt, F&& f) {
  if (dt == DType::Float32) {
    f(float{});
  } else if (dt == DType::Float64) {
    f(double{});
  } else {
    raise<TypeError>("[conv2d] CPU kernel supports float32 and float64, got {}", dtype_name(dt));
  }
}

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.data_ptr()) : nullptr;
}

}  // namespace

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const ConvGeom& g) {
  by_dtype(y.dtype(), [&]<class T>(T) {
    forward_impl<T>(static_cast<T*>(y.data_ptr()), static_cast<const T*>(x.data_ptr()),
                    static_cast<const T*>(w.data_ptr()), ptr_or_null<T>(b), g);
  });
}

void conv2d_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const Tensor& b,
                       const ConvGeom& g) {
  by_dtype(gx.dtype(), [&]<class T>(T) {
    input_grad_impl<T>(static_cast<T*>(gx.data_ptr()), static_cast<const T*>(gy.data_ptr()),
                       static_cast<const T*>(w.data_ptr()), ptr_or_null<T>(b), g);
  });
}

void conv2d_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy, const ConvGeom& g) {
  by_dtype(gw.dtype(), [&]<class T>(T) {
    weight_grad_impl<T>(static_cast<T*>(gw.data_ptr()), static_cast<const T*>(x.data_ptr()),
                        static_cast<const T*>(gy.data_ptr()), g);
  });
}

}  // namespace ember::cpu
