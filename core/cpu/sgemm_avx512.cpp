// Ember's float32 GEMM for AVX-512 CPUs, in the BLIS/GotoBLAS layout:
//   for each KC-deep slice of k:  pack B[kc, n] into NR-wide panels (shared by the threads);
//     for each (MC rows x NCT cols) tile, spread over the threads:
//       pack A[mc, kc] into MR-tall panels; for each NR x MR block: the microkernel.
// The microkernel keeps an 8 x 32 block of C in 16 zmm registers: per k step it loads two
// vectors of B and broadcasts eight values of A (16 FMAs). Packing makes every operand
// layout (transposed or not, any leading dimension) look the same to it and zero-pads the
// edges, so edge blocks only differ in how C is written back.
// Compiled for AVX-512 through function attributes (never -march=native); sgemm() calls it
// only where the CPU has AVX-512.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/cpu/parallel.h"
#include "core/cpu/sgemm.h"

#define EMBER_AVX512 __attribute__((target("avx512f")))

namespace ember::cpu {
namespace {

constexpr int64_t MR = 8;    // rows of C per microkernel call
constexpr int64_t NR = 32;   // columns of C per microkernel call (two zmm)
constexpr int64_t KC = 256;  // depth of one packed slice: a B panel (KC x NR) fills ~32 KiB of L1
constexpr int64_t MC = 128;  // rows of A packed at once (MC x KC: 128 KiB, in L2)

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }

// A 64-byte aligned scratch buffer per thread, grown on demand and kept (no allocation per
// call in steady state).
struct Scratch {
  float* ptr = nullptr;
  int64_t size = 0;
  ~Scratch() { std::free(ptr); }
  float* get(int64_t n) {
    if (n > size) {
      std::free(ptr);
      ptr = static_cast<float*>(std::aligned_alloc(64, round_up(n * sizeof(float), 64)));
      if (!ptr) throw std::bad_alloc();
      size = n;
    }
    return ptr;
  }
};
thread_local Scratch t_a_buf, t_b_buf;

// ap[panel][p][i] = A(ir + i, p) for panels of MR rows; rows past mc are zero.
void pack_a(const float* a, int64_t rs, int64_t cs, int64_t mc, int64_t kc, float* ap) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = std::min(MR, mc - ir);
    float* dst = ap + ir * kc;
    if (cs == 1) {
      for (int64_t i = 0; i < mr; ++i) {
        const float* src = a + (ir + i) * rs;
        for (int64_t p = 0; p < kc; ++p) dst[p * MR + i] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = a + p * cs + ir * rs;
        for (int64_t i = 0; i < mr; ++i) dst[p * MR + i] = src[i * rs];
      }
    }
    if (mr < MR) {
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t i = mr; i < MR; ++i) dst[p * MR + i] = 0.0f;
      }
    }
  }
}

// Transposed B, full panel: each row of the panel (32 values cs apart in memory) is two
// 16-lane gathers.
EMBER_AVX512 void pack_b_panel_gather(const float* b, int64_t rs, int64_t cs, int64_t kc,
                                      float* bp) {
  const __m512i idx = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(static_cast<int>(cs)));
  const float* hi = b + 16 * cs;
  for (int64_t p = 0; p < kc; ++p) {
    _mm512_store_ps(bp + p * NR, _mm512_i32gather_ps(idx, b + p * rs, 4));
    _mm512_store_ps(bp + p * NR + 16, _mm512_i32gather_ps(idx, hi + p * rs, 4));
  }
}

// One NR-wide panel of B: bp[p][j] = B(p, j0 + j); columns past nr are zero.
void pack_b_panel(const float* b, int64_t rs, int64_t cs, int64_t kc, int64_t nr, float* bp) {
  if (cs == 1) {
    for (int64_t p = 0; p < kc; ++p) {
      std::memcpy(bp + p * NR, b + p * rs, nr * sizeof(float));
      if (nr < NR) std::memset(bp + p * NR + nr, 0, (NR - nr) * sizeof(float));
    }
  } else if (nr == NR && cs > 0 && cs * NR < (int64_t{1} << 30) &&
             reinterpret_cast<uintptr_t>(bp) % 64 == 0) {
    pack_b_panel_gather(b, rs, cs, kc, bp);
  } else {
    // Transposed B: gather one row of the panel at a time from nr column streams; each
    // stream's cache line serves 16 consecutive p.
    for (int64_t p = 0; p < kc; ++p) {
      const float* src = b + p * rs;
      float* dst = bp + p * NR;
      for (int64_t j = 0; j < nr; ++j) dst[j] = src[j * cs];
      for (int64_t j = nr; j < NR; ++j) dst[j] = 0.0f;
    }
  }
}

// C[0:MR, 0:NR] = ap-panel @ B + beta * C (C not read when beta == 0), where row p of the
// B panel is bp + p * ldb (NR for a packed panel).
EMBER_AVX512 void micro_kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp,
                               int64_t ldb, float* c, int64_t ldc, float beta) {
  __m512 acc[MR][2];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
#pragma GCC unroll 2
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(ap[i]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
    ap += MR;
    bp += ldb;
  }
  if (beta == 0.0f) {
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      _mm512_storeu_ps(c + i * ldc, acc[i][0]);
      _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
    }
  } else if (beta == 1.0f) {
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      float* row = c + i * ldc;
      _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), acc[i][0]));
      _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), acc[i][1]));
    }
  } else {
    const __m512 bv = _mm512_set1_ps(beta);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      float* row = c + i * ldc;
      _mm512_storeu_ps(row, _mm512_fmadd_ps(bv, _mm512_loadu_ps(row), acc[i][0]));
      _mm512_storeu_ps(row + 16, _mm512_fmadd_ps(bv, _mm512_loadu_ps(row + 16), acc[i][1]));
    }
  }
}

// An edge block (mr < MR or nr < NR): full block into a buffer, then the valid part to C.
EMBER_AVX512 void micro_kernel_edge(int64_t kc, const float* ap, const float* bp, int64_t ldb,
                                    float* c, int64_t ldc, float beta, int64_t mr, int64_t nr) {
  alignas(64) float tmp[MR * NR];
  micro_kernel(kc, ap, bp, ldb, tmp, NR, 0.0f);
  for (int64_t i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    const float* t = tmp + i * NR;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < nr; ++j) row[j] = t[j];
    } else {
      for (int64_t j = 0; j < nr; ++j) row[j] = t[j] + beta * row[j];
    }
  }
}

void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(row, row + n, 0.0f);
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// C[i, j] = sum_p A(i, p) B(p, j) + beta * C for A rows and B columns both contiguous along
// p: vectorized dot products, four columns of B against one row of A at a time. For products
// whose inner dimension dwarfs the output (a convolution's weight gradient: 6 x 25 outputs
// over 36864 terms), where packing B would copy all of it for a single use. k is walked in
// L1-sized chunks so each chunk of B is read from memory once for all rows of A.
EMBER_AVX512 void dot4(int64_t k, const float* arow, const float* const* bcols, float* out) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    const __m512 av = _mm512_loadu_ps(arow + p);
    acc0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bcols[0] + p), acc0);
    acc1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bcols[1] + p), acc1);
    acc2 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bcols[2] + p), acc2);
    acc3 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bcols[3] + p), acc3);
  }
  if (p < k) {
    const __mmask16 tail = static_cast<__mmask16>((1u << (k - p)) - 1);
    const __m512 av = _mm512_maskz_loadu_ps(tail, arow + p);
    acc0 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, bcols[0] + p), acc0);
    acc1 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, bcols[1] + p), acc1);
    acc2 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, bcols[2] + p), acc2);
    acc3 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, bcols[3] + p), acc3);
  }
  out[0] += _mm512_reduce_add_ps(acc0);
  out[1] += _mm512_reduce_add_ps(acc1);
  out[2] += _mm512_reduce_add_ps(acc2);
  out[3] += _mm512_reduce_add_ps(acc3);
}

void sgemm_dots(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, const float* b,
                int64_t cs_b, float beta, float* c, int64_t ldc) {
  constexpr int64_t KD = 2048;
  const int64_t jblocks = ceil_div(n, 4);
  parallel_for(jblocks, 1, [&](int64_t s, int64_t e) {
    std::unique_ptr<float[]> part(new float[m * 4]);
    for (int64_t jb = s; jb < e; ++jb) {
      const int64_t j0 = jb * 4;
      const int nb = static_cast<int>(std::min<int64_t>(4, n - j0));
      std::fill(part.get(), part.get() + m * 4, 0.0f);
      for (int64_t k0 = 0; k0 < k; k0 += KD) {
        const int64_t kd = std::min(KD, k - k0);
        const float* cols[4];
        // Past the last column: repeat it (computed, never stored).
        for (int j = 0; j < 4; ++j) cols[j] = b + (j0 + std::min(j, nb - 1)) * cs_b + k0;
        for (int64_t i = 0; i < m; ++i) dot4(kd, a + i * rs_a + k0, cols, part.get() + i * 4);
      }
      for (int64_t i = 0; i < m; ++i) {
        float* crow = c + i * ldc + j0;
        for (int j = 0; j < nb; ++j) {
          crow[j] = beta == 0.0f ? part[i * 4 + j] : part[i * 4 + j] + beta * crow[j];
        }
      }
    }
  });
}

}  // namespace

void sgemm_avx512(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, int64_t cs_a,
                  const float* b, int64_t rs_b, int64_t cs_b, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (beta != 1.0f) scale_c(m, n, beta, c, ldc);
    return;
  }
  if (cs_a == 1 && rs_b == 1 && k >= 1024 && m * n <= 4096) {
    sgemm_dots(m, n, k, a, rs_a, b, cs_b, beta, c, ldc);
    return;
  }
  const int64_t n_panels = ceil_div(n, NR);
  // Threads: none for small products (a fork costs a few microseconds), else the tile grid
  // is cut so every thread gets work.
  int nth = 1;
  if (!omp_in_parallel() && m * n * k >= (int64_t{1} << 18)) nth = num_threads();
  int64_t mc = std::min(MC, round_up(m, MR));
  int64_t m_tiles = ceil_div(m, mc);
  const int64_t n_tiles = std::clamp<int64_t>(ceil_div(nth, m_tiles), 1, n_panels);
  if (m_tiles * n_tiles < nth) {
    mc = round_up(ceil_div(m, ceil_div(nth, n_tiles)), MR);
    m_tiles = ceil_div(m, mc);
  }
  const int64_t nct = ceil_div(n_panels, n_tiles) * NR;  // columns per tile
  const int64_t tiles = m_tiles * ceil_div(n, nct);
  nth = static_cast<int>(std::min<int64_t>(nth, tiles));

  // With few rows of A, each element of B is used by one or two microkernel calls: packing
  // it would cost as much as the product, so row-major B is read in place (full panels).
  const bool direct_b = cs_b == 1 && m <= 4 * MR;
  float* bp = direct_b ? nullptr : t_b_buf.get(std::min(KC, k) * n_panels * NR);
  const int64_t mc_alloc = mc;
#pragma omp parallel num_threads(nth) if (nth > 1)
  {
    float* ap = t_a_buf.get(mc_alloc * std::min(KC, k) + (direct_b ? KC * NR : 0));
    float* edge_bp = ap + mc_alloc * std::min(KC, k);  // direct_b: the packed last panel
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
#pragma omp for schedule(static)
      for (int64_t jp = 0; jp < (direct_b ? 0 : n_panels); ++jp) {
        pack_b_panel(b + pc * rs_b + jp * NR * cs_b, rs_b, cs_b, kc,
                     std::min(NR, n - jp * NR), bp + jp * NR * kc);
      }
      const float bet = pc == 0 ? beta : 1.0f;
#pragma omp for schedule(static)
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t ntc = ceil_div(n, nct);
        const int64_t ic = (t / ntc) * mc, jc = (t % ntc) * nct;
        const int64_t mcur = std::min(mc, m - ic), ncur = std::min(nct, n - jc);
        pack_a(a + ic * rs_a + pc * cs_a, rs_a, cs_a, mcur, kc, ap);
        for (int64_t jr = 0; jr < ncur; jr += NR) {
          const int64_t nr = std::min(NR, ncur - jr);
          const float* bpanel = direct_b ? nullptr : bp + (jc + jr) * kc;
          int64_t ldb = NR;
          if (direct_b && nr == NR) {
            bpanel = b + pc * rs_b + jc + jr;
            ldb = rs_b;
          } else if (direct_b) {
            pack_b_panel(b + pc * rs_b + jc + jr, rs_b, cs_b, kc, nr, edge_bp);
            bpanel = edge_bp;
          }
          for (int64_t ir = 0; ir < mcur; ir += MR) {
            const int64_t mr = std::min(MR, mcur - ir);
            float* cblk = c + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              micro_kernel(kc, ap + ir * kc, bpanel, ldb, cblk, ldc, bet);
            } else {
              micro_kernel_edge(kc, ap + ir * kc, bpanel, ldb, cblk, ldc, bet, mr, nr);
            }
          }
        }
      }
    }
  }
}

}  // namespace ember::cpu
