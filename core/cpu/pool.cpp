#include "core/cpu/pool.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "core/cpu/parallel.h"
#include "core/dtype.h"

namespace ember::cpu {
namespace {

int64_t plane_grain(int64_t work) {
  return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(work, 1));
}

}  // namespace

void max_pool2d_forward(const Tensor& y, const Tensor& idx, const Tensor& x, const MaxPoolGeom& g) {
  int64_t* ip = static_cast<int64_t*>(idx.data_ptr());
  EMBER_DISPATCH_FLOAT(x.dtype(), "max_pool2d", [&]<class T>() {
    using A = acc_t<T>;
    const T* xp = static_cast<const T*>(x.data_ptr());
    T* yp = static_cast<T*>(y.data_ptr());
    const int64_t HW = g.H * g.W, OHW = g.Ho * g.Wo;
    // Windows that never leave the input (no padding or dilation, floor mode): no bounds
    // checks, and a branch-free running max (random data would mispredict a branch per
    // element). NaN still wins: once best is NaN nothing replaces it, as below.
    const bool inside = g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 &&
                        (g.Ho - 1) * g.sh + g.kh <= g.H && (g.Wo - 1) * g.sw + g.kw <= g.W;
    parallel_for(g.planes, plane_grain(OHW * g.kh * g.kw), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* src = xp + p * HW;
        T* dst = yp + p * OHW;
        int64_t* id = ip + p * OHW;
        if (inside && g.Ho > 0 && g.Wo > 0 && g.kh > 0 && g.kw > 0) {
          // Geometry in locals (the output writes could alias the struct for the compiler);
          // the common 2x2 and 3x3 windows get compile-time loop bounds.
          const int64_t W = g.W, Ho = g.Ho, Wo = g.Wo, sh = g.sh, sw = g.sw;
          auto run = [&](auto KH, auto KW) {
            for (int64_t oh = 0; oh < Ho; ++oh) {
              for (int64_t ow = 0; ow < Wo; ++ow) {
                const int64_t base = oh * sh * W + ow * sw;
                const T* win = src + base;
                A best = static_cast<A>(win[0]);
                int64_t bi = 0;
                for (int64_t i = 0; i < KH(); ++i) {
                  for (int64_t j = 0; j < KW(); ++j) {
                    const A v = static_cast<A>(win[i * W + j]);
                    // Non-short-circuit | and &: nothing for the compiler to branch on.
                    const bool take = (v > best) | ((v != v) & (best == best));
                    best = take ? v : best;
                    bi = take ? i * W + j : bi;
                  }
                }
                dst[oh * Wo + ow] = static_cast<T>(best);
                id[oh * Wo + ow] = base + bi;
              }
            }
          };
          const int64_t kh = g.kh, kw = g.kw;
          if (kh == 2 && kw == 2) {
            run(std::integral_constant<int64_t, 2>{}, std::integral_constant<int64_t, 2>{});
          } else if (kh == 3 && kw == 3) {
            run(std::integral_constant<int64_t, 3>{}, std::integral_constant<int64_t, 3>{});
          } else {
            run([kh] { return kh; }, [kw] { return kw; });
          }
          continue;
        }
        for (int64_t oh = 0; oh < g.Ho; ++oh) {
          const int64_t h0 = oh * g.sh - g.ph;
          for (int64_t ow = 0; ow < g.Wo; ++ow) {
            const int64_t w0 = ow * g.sw - g.pw;
            A best = -std::numeric_limits<A>::infinity();
            int64_t bi = -1;
            for (int64_t i = 0; i < g.kh; ++i) {
              const int64_t ih = h0 + i * g.dh;
              if (ih < 0 || ih >= g.H) continue;
              for (int64_t j = 0; j < g.kw; ++j) {
                const int64_t iw = w0 + j * g.dw;
                if (iw < 0 || iw >= g.W) continue;
                const A v = static_cast<A>(src[ih * g.W + iw]);
                if (bi < 0 || v > best || std::isnan(v)) {
                  best = v;
                  bi = ih * g.W + iw;
                  if (std::isnan(v)) goto done;
                }
              }
            }
          done:
            dst[oh * g.Wo + ow] = static_cast<T>(best);
            id[oh * g.Wo + ow] = std::max<int64_t>(bi, 0);
          }
        }
      }
    });
  });
}

void max_pool2d_backward(const Tensor& gx, const Tensor& gy, const Tensor& idx, int64_t planes,
                         int64_t H, int64_t W) {
  const int64_t* ip = static_cast<const int64_t*>(idx.data_ptr());
  const int64_t HW = H * W, OHW = planes ? gy.numel() / planes : 0;
  EMBER_DISPATCH_FLOAT(gx.dtype(), "max_pool2d_backward", [&]<class T>() {
    using A = acc_t<T>;
    T* gxp = static_cast<T*>(gx.data_ptr());
    const T* gyp = static_cast<const T*>(gy.data_ptr());
    parallel_for(planes, plane_grain(HW + OHW), [&](int64_t b, int64_t e) {
      std::vector<A> acc(HW);
      for (int64_t p = b; p < e; ++p) {
        std::fill(acc.begin(), acc.end(), A(0));
        const T* src = gyp + p * OHW;
        const int64_t* id = ip + p * OHW;
        for (int64_t o = 0; o < OHW; ++o) acc[id[o]] += static_cast<A>(src[o]);
        T* dst = gxp + p * HW;
        for (int64_t q = 0; q < HW; ++q) dst[q] = static_cast<T>(acc[q]);
      }
    });
  });
}

void avg_pool2d_forward(const Tensor& y, const Tensor& x, const AvgWindows& w) {
  EMBER_DISPATCH_FLOAT(x.dtype(), "avg_pool2d", [&]<class T>() {
    using A = acc_t<T>;
    const T* xp = static_cast<const T*>(x.data_ptr());
    T* yp = static_cast<T*>(y.data_ptr());
    const int64_t HW = w.H * w.W, Ho = w.Ho(), Wo = w.Wo();
    parallel_for(w.planes, plane_grain(HW + Ho * Wo), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* src = xp + p * HW;
        T* dst = yp + p * Ho * Wo;
        for (int64_t oh = 0; oh < Ho; ++oh) {
          for (int64_t ow = 0; ow < Wo; ++ow) {
            A s = 0;
            for (int64_t ih = w.hs[oh]; ih < w.he[oh]; ++ih) {
              const T* row = src + ih * w.W;
              for (int64_t iw = w.ws[ow]; iw < w.we[ow]; ++iw) s += static_cast<A>(row[iw]);
            }
            const int64_t div = w.divisor > 0 ? w.divisor : w.fh[oh] * w.fw[ow];
            dst[oh * Wo + ow] = static_cast<T>(s / static_cast<A>(div));
          }
        }
      }
    });
  });
}

void avg_pool2d_backward(const Tensor& gx, const Tensor& gy, const AvgWindows& w) {
  EMBER_DISPATCH_FLOAT(gx.dtype(), "avg_pool2d_backward", [&]<class T>() {
    using A = acc_t<T>;
    T* gxp = static_cast<T*>(gx.data_ptr());
    const T* gyp = static_cast<const T*>(gy.data_ptr());
    const int64_t HW = w.H * w.W, Ho = w.Ho(), Wo = w.Wo();
    parallel_for(w.planes, plane_grain(HW + Ho * Wo), [&](int64_t b, int64_t e) {
      std::vector<A> acc(HW);
      for (int64_t p = b; p < e; ++p) {
        std::fill(acc.begin(), acc.end(), A(0));
        const T* src = gyp + p * Ho * Wo;
        for (int64_t oh = 0; oh < Ho; ++oh) {
          for (int64_t ow = 0; ow < Wo; ++ow) {
            const int64_t div = w.divisor > 0 ? w.divisor : w.fh[oh] * w.fw[ow];
            const A v = static_cast<A>(src[oh * Wo + ow]) / static_cast<A>(div);
            for (int64_t ih = w.hs[oh]; ih < w.he[oh]; ++ih) {
              for (int64_t iw = w.ws[ow]; iw < w.we[ow]; ++iw) acc[ih * w.W + iw] += v;
            }
          }
        }
        T* dst = gxp + p * HW;
        for (int64_t q = 0; q < HW; ++q) dst[q] = static_cast<T>(acc[q]);
      }
    });
  });
}

}  // namespace ember::cpu
