// Random kernels: one thread per Philox block, with the CPU's layout (random_kernels.h), so
// element i comes from the same (seed, offset, block, lane) on both devices, and the same
// arithmetic: the transforms use philox_math.h's log/sin/cos (not CUDA's libm, which differs
// from glibc in the last bit), and sums and products are spelled with round-to-nearest
// intrinsics (__fmul_rn, ...) so nvcc cannot contract them into FMAs the CPU does not use.
// uniform, normal, exponential, randint and bernoulli are bit-identical to the CPU;
// truncated_normal follows the CPU's steps but its erfinv uses CUDA's log / erf / exp.
#include <math_constants.h>

#include <cmath>

#include "core/cuda/device_math.cuh"
#include "core/random/philox.h"
#include "core/random/philox_math.h"

namespace ember::cuda {
namespace {

using random::Philox4x32Block;
using random::PhiloxStream;

// nvcc's view of the shared Philox function agrees with Random123's known answers (the CPU
// test checks the same vectors at run time).
static_assert(random::philox4x32_10({0, 0, 0, 0}, 0, 0)[0] == 0x6627e8d5u &&
              random::philox4x32_10({0, 0, 0, 0}, 0, 0)[3] == 0x9b00dbd8u);
static_assert(random::philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                                    0xa4093822u, 0x299f31d0u)[1] == 0x94fdccebu);

template <class T>
constexpr int kDigits = std::is_same_v<T, __half> ? 11 : std::is_same_v<T, __nv_bfloat16> ? 8 : 24;

// The CPU's store<T>(v): through T's compute type (float for 16-bit floats).
template <class T, class V>
__device__ __forceinline__ T store_as(V v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != V(0);
  } else if constexpr (std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) {
    return from_acc<T>(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// The kPer values of block b of the 32-bit layout (four lanes, one element each).
template <class T>
__device__ void values32(const RandomArgs& a, const Philox4x32Block& r, float v[4]) {
  switch (a.code) {
    case kRandUniform: {
      const float lo = static_cast<float>(a.p0), w = static_cast<float>(a.p1 - a.p0);
      for (int j = 0; j < 4; ++j) v[j] = __fadd_rn(lo, __fmul_rn(w, random::uniform_bits<kDigits<T>>(r[j])));
      break;
    }
    case kRandNormal: {
      const float m = static_cast<float>(a.p0), sd = static_cast<float>(a.p1);
      float z[4];
      random::box_muller_f32(1.0f - random::uniform_float(r[0]), random::uniform_float(r[1]), z[0], z[1]);
      random::box_muller_f32(1.0f - random::uniform_float(r[2]), random::uniform_float(r[3]), z[2], z[3]);
      for (int j = 0; j < 4; ++j) v[j] = __fadd_rn(m, __fmul_rn(sd, z[j]));
      break;
    }
    default: {  // kRandExponential
      const float inv = static_cast<float>(1.0 / a.p0);
      for (int j = 0; j < 4; ++j) {
        const double u = random::uniform_float(r[j]);
        v[j] = __fmul_rn(inv, static_cast<float>(-random::philox_log(1.0 - u)));
      }
      break;
    }
  }
}

template <class T>
__global__ void random32_kernel(RandomArgs a) {
  const PhiloxStream s{a.seed, a.offset};
  T* out = static_cast<T*>(a.out);
  const int64_t blocks = (a.numel + 3) / 4;
  for (int64_t b = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; b < blocks;
       b += int64_t(gridDim.x) * blockDim.x) {
    float v[4];
    values32<T>(a, s.block(static_cast<uint64_t>(b)), v);
    for (int j = 0; j < 4 && 4 * b + j < a.numel; ++j) out[4 * b + j] = store_as<T>(v[j]);
  }
}

// erfinv in double as the CPU's (core/cpu/random_kernels.cpp): Giles' polynomials, then two
// Newton steps on erf. Same coefficients and operation order, the _rn intrinsics keeping
// nvcc from fusing; log, erf and exp are CUDA's, so the result may differ from the CPU's in
// the last bits of the double (the float32 and 16-bit outputs practically never see it).
__device__ const double kErfinvCentral[] = {
    -3.6444120640178196996e-21, -1.685059138182016589e-19,  1.2858480715256400167e-18,
    1.115787767802518096e-17,   -1.333171662854620906e-16,  2.0972767875968561637e-17,
    6.6376381343583238325e-15,  -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12,  -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09,   -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07,  -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352,   -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693,     1.6536545626831027356};
__device__ const double kErfinvMiddle[] = {
    2.2137376921775787049e-09,  9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08,  1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06,  1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05,  2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703,  -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107,  0.005370914553590063617,   1.0052589676941592334,
    3.0838856104922207635};
__device__ const double kErfinvTail[] = {
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09,  -1.4960026627149240478e-08,
    2.9147953450901080826e-08,  -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06,  -1.9681778105531670567e-05,
    7.5995277030017761139e-05,  -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977,      4.8499064014085844221};

template <int N>
__device__ __forceinline__ double horner(const double (&c)[N], double w) {
  double p = c[0];
  for (int i = 1; i < N; ++i) p = __dadd_rn(c[i], __dmul_rn(p, w));
  return p;
}

__device__ double erfinv_cpu_order(double x) {
  if (x <= -1) return -CUDART_INF;
  if (x >= 1) return CUDART_INF;
  double w = -log(__dmul_rn(__dsub_rn(1.0, x), __dadd_rn(1.0, x))), p;
  if (w < 6.25) {
    p = horner(kErfinvCentral, __dsub_rn(w, 3.125));
  } else if (w < 16.0) {
    p = horner(kErfinvMiddle, __dsub_rn(__dsqrt_rn(w), 3.25));
  } else {
    p = horner(kErfinvTail, __dsub_rn(__dsqrt_rn(w), 5.0));
  }
  double y = __dmul_rn(p, x);
  const double two_over_sqrt_pi = __ddiv_rn(2.0, __dsqrt_rn(3.141592653589793));
  for (int i = 0; i < 2; ++i) {  // Newton on erf(y) = x
    const double err = __dsub_rn(erf(y), x);
    y = __dsub_rn(y, __ddiv_rn(err, __dmul_rn(two_over_sqrt_pi, exp(-__dmul_rn(y, y)))));
  }
  return y;
}

// The CPU's truncated normal draw from u in [0, 1): mean + std * sqrt(2) * erfinv(lo + (hi -
// lo) * u) in the erf domain, clamped to [a, b] (std::clamp: a NaN passes through).
__device__ __forceinline__ double truncated_normal_value(const RandomArgs& a, double u) {
  const double t = __dadd_rn(a.cdf_lo, __dmul_rn(__dsub_rn(a.cdf_hi, a.cdf_lo), u));
  const double x = __dadd_rn(a.p0, __dmul_rn(__dmul_rn(a.p1, 1.4142135623730951),
                                             erfinv_cpu_order(t)));
  return x < a.lo ? a.lo : (a.hi < x ? a.hi : x);
}

// Element `e` (lane pair e % 2) of the 64-bit layout as a double in [0, 1).
__device__ __forceinline__ double unit64(const Philox4x32Block& r, int j) {
  return random::uniform_double(r[2 * j], r[2 * j + 1]);
}

// Block b of the 64-bit layout: two elements, 2b and 2b + 1.
template <class T>
__global__ void random64_kernel(RandomArgs a) {
  const PhiloxStream s{a.seed, a.offset};
  T* out = static_cast<T*>(a.out);
  const int64_t blocks = (a.numel + 1) / 2;
  for (int64_t b = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; b < blocks;
       b += int64_t(gridDim.x) * blockDim.x) {
    const Philox4x32Block r = s.block(static_cast<uint64_t>(b));
    const int cnt = 2 * b + 1 < a.numel ? 2 : 1;
    if (a.code == kRandNormal) {  // float64 only: the whole block makes one pair
      double z0, z1;
      random::box_muller_f64(1.0 - unit64(r, 0), unit64(r, 1), z0, z1);
      out[2 * b] = store_as<T>(__dadd_rn(a.p0, __dmul_rn(a.p1, z0)));
      if (cnt == 2) out[2 * b + 1] = store_as<T>(__dadd_rn(a.p0, __dmul_rn(a.p1, z1)));
      continue;
    }
    for (int j = 0; j < cnt; ++j) {
      const int64_t e = 2 * b + j;
      switch (a.code) {
        case kRandUniform:
          out[e] = store_as<T>(__dadd_rn(a.p0, __dmul_rn(a.p1 - a.p0, unit64(r, j))));
          break;
        case kRandExponential:
          out[e] = store_as<T>(__dmul_rn(1.0 / a.p0, -random::philox_log(1.0 - unit64(r, j))));
          break;
        case kRandTruncatedNormal:
          out[e] = store_as<T>(truncated_normal_value(a, unit64(r, j)));
          break;
        case kRandInt: {
          const uint64_t bits = random::make_u64(r[2 * j], r[2 * j + 1]);
          const auto v = static_cast<int64_t>(static_cast<uint64_t>(a.low) + random::bounded_u64(bits, a.range));
          out[e] = store_as<T>(v);
          break;
        }
        default: {  // kRandBernoulli
          const double p = a.probs ? a.probs[e] : a.p0;
          out[e] = store_as<T>(unit64(r, j) < p ? 1 : 0);
          break;
        }
      }
    }
  }
}

template <class T>
void launch32(const RandomArgs& a, cudaStream_t s) {
  random32_kernel<T><<<grid_for((a.numel + 3) / 4), kThreads, 0, s>>>(a);
}
template <class T>
void launch64(const RandomArgs& a, cudaStream_t s) {
  random64_kernel<T><<<grid_for((a.numel + 1) / 2), kThreads, 0, s>>>(a);
}

}  // namespace

void launch_random(const RandomArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const bool layout32 = (a.code == kRandUniform || a.code == kRandNormal || a.code == kRandExponential) &&
                        a.dtype != kFloat64;
  if (layout32) {
    switch (a.dtype) {
      case kFloat16: launch32<__half>(a, s); break;
      case kBFloat16: launch32<__nv_bfloat16>(a, s); break;
      case kFloat32: launch32<float>(a, s); break;
      default: throw std::runtime_error("[cuda] random: expected a floating dtype");
    }
  } else {
    switch (a.dtype) {
      case kBool: launch64<bool>(a, s); break;
      case kUInt8: launch64<uint8_t>(a, s); break;
      case kInt32: launch64<int32_t>(a, s); break;
      case kInt64: launch64<int64_t>(a, s); break;
      case kFloat16: launch64<__half>(a, s); break;
      case kBFloat16: launch64<__nv_bfloat16>(a, s); break;
      case kFloat32: launch64<float>(a, s); break;
      default: launch64<double>(a, s); break;
    }
  }
  check_launch("random");
}

}  // namespace ember::cuda
