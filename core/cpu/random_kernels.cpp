#include "core/cpu/random_kernels.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/random/philox_math.h"

namespace ember::cpu {
namespace {

using random::Philox4x32Block;
using random::PhiloxStream;

// Random elements cost ~10x a copy, so threads pay off on smaller outputs.
constexpr int64_t kRandomGrain = kParallelGrain / 8;

template <class T, class V>
T store(V v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != V(0);
  } else {
    return static_cast<T>(static_cast<acc_t<T>>(v));
  }
}

// Runs fill(t) on out itself when it is contiguous, else on a contiguous scratch that is
// then copied into out.
template <class F>
void on_contiguous(const Tensor& out, F fill) {
  if (out.is_contiguous()) {
    fill(out);
    return;
  }
  Tensor tmp = Tensor::empty(out.shape(), out.dtype(), out.device());
  fill(tmp);
  copy_into(out, tmp);
}

// p[0, n) from per-block values: gen(block_bits, first_element) returns kPer values for the
// elements [first_element, first_element + kPer).
template <int kPer, class T, class Gen>
void fill_blocks(T* p, int64_t n, PhiloxStream s, Gen gen) {
  const int64_t nb = (n + kPer - 1) / kPer;
  parallel_for(nb, kRandomGrain / kPer, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t base = b * kPer;
      const auto v = gen(s.block(static_cast<uint64_t>(b)), base);
      const int64_t cnt = std::min<int64_t>(kPer, n - base);
      for (int64_t j = 0; j < cnt; ++j) p[base + j] = store<T>(v[j]);
    }
  });
}

// Mantissa digits of each floating type: uniforms keep exactly that many random bits.
template <class T>
constexpr int kDigits = std::is_same_v<T, Half>       ? 11
                        : std::is_same_v<T, BFloat16> ? 8
                                                      : 24;

// Box-Muller with the shared log/sin/cos of philox_math.h (u1 in (0, 1], u2 in [0, 1)):
// libm's would make the CUDA kernels' normals differ in the last bit.
template <class C>
std::array<C, 2> box_muller(C u1, C u2) {
  std::array<C, 2> z;
  if constexpr (std::is_same_v<C, float>) {
    random::box_muller_f32(u1, u2, z[0], z[1]);
  } else {
    random::box_muller_f64(u1, u2, z[0], z[1]);
  }
  return z;
}

// -log(1 - u) for an exponential draw; 1 - u is exact in double for the uniforms used.
inline double neg_log1m(double u) { return -random::philox_log(1.0 - u); }

// 64 random bits for element e of a 64-bit-draw layout, given its block.
inline uint64_t bits64(const Philox4x32Block& r, int64_t e) {
  const int lane = static_cast<int>(e & 1) * 2;
  return random::make_u64(r[lane], r[lane + 1]);
}
inline double unit64(const Philox4x32Block& r, int64_t e) {  // [0, 1)
  const int lane = static_cast<int>(e & 1) * 2;
  return random::uniform_double(r[lane], r[lane + 1]);
}

}  // namespace

void uniform_fill(const Tensor& out, PhiloxStream s, double low, double high) {
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_FLOAT(t.dtype(), "uniform", [&]<class T>() {
      T* p = static_cast<T*>(t.data_ptr());
      if constexpr (std::is_same_v<T, double>) {
        const double w = high - low;
        fill_blocks<2>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          return std::array<double, 2>{low + w * random::uniform_double(r[0], r[1]),
                                       low + w * random::uniform_double(r[2], r[3])};
        });
      } else {
        const float lo = static_cast<float>(low), w = static_cast<float>(high - low);
        fill_blocks<4>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          std::array<float, 4> v;
          for (int j = 0; j < 4; ++j) v[j] = lo + w * random::uniform_bits<kDigits<T>>(r[j]);
          return v;
        });
      }
    });
  });
}

void normal_fill(const Tensor& out, PhiloxStream s, double mean, double std) {
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_FLOAT(t.dtype(), "normal", [&]<class T>() {
      T* p = static_cast<T*>(t.data_ptr());
      if constexpr (std::is_same_v<T, double>) {
        fill_blocks<2>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          auto z = box_muller<double>(1.0 - random::uniform_double(r[0], r[1]),
                                      random::uniform_double(r[2], r[3]));
          return std::array<double, 2>{mean + std * z[0], mean + std * z[1]};
        });
      } else {
        const float m = static_cast<float>(mean), sd = static_cast<float>(std);
        fill_blocks<4>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          auto a =
              box_muller<float>(1.0f - random::uniform_float(r[0]), random::uniform_float(r[1]));
          auto b =
              box_muller<float>(1.0f - random::uniform_float(r[2]), random::uniform_float(r[3]));
          return std::array<float, 4>{m + sd * a[0], m + sd * a[1], m + sd * b[0], m + sd * b[1]};
        });
      }
    });
  });
}

void exponential_fill(const Tensor& out, PhiloxStream s, double lambd) {
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_FLOAT(t.dtype(), "exponential", [&]<class T>() {
      T* p = static_cast<T*>(t.data_ptr());
      if constexpr (std::is_same_v<T, double>) {
        const double inv = 1.0 / lambd;
        fill_blocks<2>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          return std::array<double, 2>{inv * neg_log1m(random::uniform_double(r[0], r[1])),
                                       inv * neg_log1m(random::uniform_double(r[2], r[3]))};
        });
      } else {
        const float inv = static_cast<float>(1.0 / lambd);
        fill_blocks<4>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
          std::array<float, 4> v;
          for (int j = 0; j < 4; ++j) {
            v[j] = inv * static_cast<float>(neg_log1m(random::uniform_float(r[j])));
          }
          return v;
        });
      }
    });
  });
}

namespace {
// erfinv in double: Giles' approximation ("Approximating the erfinv function", 2010) then two
// Newton steps on erf, which bring it to full double precision away from |x| -> 1.
double erfinv(double x) {
  if (x <= -1) return -std::numeric_limits<double>::infinity();
  if (x >= 1) return std::numeric_limits<double>::infinity();
  double w = -std::log((1.0 - x) * (1.0 + x)), p;
  if (w < 6.25) {
    w -= 3.125;
    p = -3.6444120640178196996e-21;
    for (double c :
         {-1.685059138182016589e-19,  1.2858480715256400167e-18,  1.115787767802518096e-17,
          -1.333171662854620906e-16,  2.0972767875968561637e-17,  6.6376381343583238325e-15,
          -4.0545662729752068639e-14, -8.1519341976054721522e-14, 2.6335093153082322977e-12,
          -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-09,
          -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
          -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352,
          -0.00074070253416626697512, -0.0060336708714301490533,  0.24015818242558961693,
          1.6536545626831027356}) {
      p = c + p * w;
    }
  } else if (w < 16.0) {
    w = std::sqrt(w) - 3.25;
    p = 2.2137376921775787049e-09;
    for (double c :
         {9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
          1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06,
          1.2475304481671778723e-05, -4.7318229009055733981e-05, 6.8284851459573175448e-05,
          2.4031110387097893999e-05, -0.0003550375203628474796, 0.00095328937973738049703,
          -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107,
          0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635}) {
      p = c + p * w;
    }
  } else {
    w = std::sqrt(w) - 5.0;
    p = -2.7109920616438573243e-11;
    for (double c :
         {-2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09,
          7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08,
          -6.7711997758452339498e-08, 2.2900482228026654717e-07, -9.9298272942317002539e-07,
          4.5260625972231537039e-06, -1.9681778105531670567e-05, 7.5995277030017761139e-05,
          -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
          4.8499064014085844221}) {
      p = c + p * w;
    }
  }
  double y = p * x;
  for (int i = 0; i < 2; ++i) {  // Newton on erf(y) = x
    const double err = std::erf(y) - x;
    y -= err / (2.0 / std::sqrt(std::numbers::pi) * std::exp(-y * y));
  }
  return y;
}
}  // namespace

void truncated_normal_fill(const Tensor& out, PhiloxStream s, double mean, double std, double a,
                           double b) {
  // x = mean + std * sqrt(2) * erfinv(2 u - 1), u uniform on [cdf(alpha), cdf(beta)].
  const double lo = std::erf((a - mean) / (std * std::numbers::sqrt2));
  const double hi = std::erf((b - mean) / (std * std::numbers::sqrt2));
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_FLOAT(t.dtype(), "truncated_normal", [&]<class T>() {
      fill_blocks<2>(
          static_cast<T*>(t.data_ptr()), t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
            std::array<double, 2> v;
            for (int j = 0; j < 2; ++j) {
              const double u = random::uniform_double(r[2 * j], r[2 * j + 1]);
              const double x = mean + std * std::numbers::sqrt2 * erfinv(lo + (hi - lo) * u);
              v[j] = std::clamp(x, a, b);
            }
            return v;
          });
    });
  });
}

void randint_fill(const Tensor& out, PhiloxStream s, int64_t low, uint64_t range) {
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_ALL(t.dtype(), "randint", [&]<class T>() {
      T* p = static_cast<T*>(t.data_ptr());
      const uint64_t lo = static_cast<uint64_t>(low);
      fill_blocks<2>(p, t.numel(), s, [&](const Philox4x32Block& r, int64_t) {
        return std::array<int64_t, 2>{
            static_cast<int64_t>(lo + random::bounded_u64(random::make_u64(r[0], r[1]), range)),
            static_cast<int64_t>(lo + random::bounded_u64(random::make_u64(r[2], r[3]), range))};
      });
    });
  });
}

void bernoulli_fill(const Tensor& out, PhiloxStream s, double prob) {
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_ALL(t.dtype(), "bernoulli", [&]<class T>() {
      fill_blocks<2>(static_cast<T*>(t.data_ptr()), t.numel(), s,
                     [&](const Philox4x32Block& r, int64_t) {
                       return std::array<int, 2>{random::uniform_double(r[0], r[1]) < prob,
                                                 random::uniform_double(r[2], r[3]) < prob};
                     });
    });
  });
}

void bernoulli_fill(const Tensor& out, PhiloxStream s, const Tensor& p) {
  // Probabilities as contiguous float64 in out's shape, so element i pairs with draw i.
  Tensor pd = Tensor::empty(out.shape(), DType::Float64, out.device());
  copy_into(pd, p);
  const double* pp = static_cast<const double*>(pd.data_ptr());
  const int64_t n = pd.numel();
  for (int64_t i = 0; i < n; ++i) {
    if (!(pp[i] >= 0.0 && pp[i] <= 1.0)) {
      raise<ValueError>("[bernoulli] expected all probabilities in [0, 1], got {} at flat index {}",
                        pp[i], i);
    }
  }
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_ALL(t.dtype(), "bernoulli", [&]<class T>() {
      fill_blocks<2>(static_cast<T*>(t.data_ptr()), n, s, [&](const Philox4x32Block& r, int64_t e) {
        return std::array<int, 2>{random::uniform_double(r[0], r[1]) < pp[e],
                                  e + 1 < n && random::uniform_double(r[2], r[3]) < pp[e + 1]};
      });
    });
  });
}

void randperm_fill(const Tensor& out, PhiloxStream s) {
  const int64_t n = out.numel();
  std::vector<int64_t> a(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) a[i] = i;
  // Fisher-Yates from the top; draw i (which slot swaps with i) is 64-bit draw i.
  Philox4x32Block r{};
  int64_t cached = -1;
  for (int64_t i = n - 1; i > 0; --i) {
    if (i / 2 != cached) {
      cached = i / 2;
      r = s.block(static_cast<uint64_t>(cached));
    }
    const auto j =
        static_cast<int64_t>(random::bounded_u64(bits64(r, i), static_cast<uint64_t>(i + 1)));
    std::swap(a[i], a[j]);
  }
  on_contiguous(out, [&](const Tensor& t) {
    EMBER_DISPATCH_ALL(t.dtype(), "randperm", [&]<class T>() {
      T* p = static_cast<T*>(t.data_ptr());
      parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = store<T>(a[i]);
      });
    });
  });
}

void multinomial_fill(const Tensor& out, PhiloxStream s, const Tensor& weights, bool replacement) {
  const Tensor w = contiguous_as(weights, DType::Float64);
  const int64_t cats = w.shape().back();
  const int64_t rows = w.dim() == 2 ? w.shape()[0] : 1;
  const int64_t k = out.shape().back();
  const double* pw = static_cast<const double*>(w.data_ptr());
  // Errors found inside the parallel loop are reported after it (no throwing across threads).
  enum : int { kOk, kBadValue, kZeroSum, kTooFew };
  std::atomic<int> err{kOk};
  std::atomic<int64_t> err_row{0};
  on_contiguous(out, [&](const Tensor& t) {
    int64_t* po = static_cast<int64_t*>(t.data_ptr());
    parallel_for(rows, std::max<int64_t>(1, kRandomGrain / std::max<int64_t>(cats, 1)),
                 [&](int64_t r0, int64_t r1) {
                   std::vector<double> cdf(static_cast<size_t>(cats));
                   std::vector<std::pair<double, int64_t>> keys;
                   for (int64_t r = r0; r < r1; ++r) {
                     const double* row = pw + r * cats;
                     double total = 0;
                     int64_t nonzero = 0;
                     int code = kOk;
                     for (int64_t c = 0; c < cats; ++c) {
                       if (!(row[c] >= 0 && std::isfinite(row[c]))) code = kBadValue;
                       total += row[c];
                       cdf[c] = total;
                       nonzero += row[c] > 0;
                     }
                     if (code == kOk && !(total > 0)) code = kZeroSum;
                     if (code == kOk && !replacement && nonzero < k) code = kTooFew;
                     if (code != kOk) {
                       err = code;
                       err_row = r;
                       continue;
                     }
                     int64_t* dst = po + r * k;
                     if (replacement) {
                       // Inverse CDF: draw j of row r is 64-bit draw r * k + j.
                       for (int64_t j = 0; j < k; ++j) {
                         const int64_t e = r * k + j;
                         const double x = unit64(s.block(static_cast<uint64_t>(e / 2)), e) * total;
                         const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
                         dst[j] = std::min<int64_t>(it - cdf.begin(), cats - 1);
                       }
                     } else {
                       // Exponential races: category c finishes at Exp(rate w_c) (64-bit draw r *
                       // cats + c); the first k to finish are a weighted sample without
                       // replacement.
                       keys.clear();
                       for (int64_t c = 0; c < cats; ++c) {
                         if (row[c] <= 0) continue;
                         const int64_t e = r * cats + c;
                         const double u = unit64(s.block(static_cast<uint64_t>(e / 2)), e);
                         keys.emplace_back(-std::log1p(-u) / row[c], c);
                       }
                       std::partial_sort(keys.begin(), keys.begin() + k, keys.end());
                       for (int64_t j = 0; j < k; ++j) dst[j] = keys[j].second;
                     }
                   }
                 });
  });
  switch (err.load()) {
    case kBadValue:
      raise<ValueError>("[multinomial] probability row {} contains a negative, inf or nan entry",
                        err_row.load());
    case kZeroSum:
      raise<ValueError>("[multinomial] invalid distribution in row {}: the weights sum to 0",
                        err_row.load());
    case kTooFew:
      raise<ValueError>(
          "[multinomial] cannot draw {} samples without replacement from row {}: "
          "too few non-zero weights",
          k, err_row.load());
    default:
      break;
  }
}

}  // namespace ember::cpu
