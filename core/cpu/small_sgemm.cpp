// small_sgemm (small_sgemm.h): column panels of one or two vectors of C; per panel, row
// blocks of kRowBlock rows. B is read in place where it is row-major and the panel is full;
// otherwise (transposed B, or the last, narrower panel) the panel is first copied to a
// zero-padded row-major buffer, which every row block of the panel then reuses.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/cpu/small_sgemm.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cstring>

#include "core/cpu/small_sgemm.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows of C per block: rows x 2 accumulators, 2 vectors of B and a broadcast of A must fit
// the register file (32 vector registers with AVX-512, 16 below it).
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr size_t kRowBlock = 8;
#else
constexpr size_t kRowBlock = 4;
#endif

struct Operands {
  const float* a;
  int64_t rs_a, cs_a;
  const float* b;  // the panel: B(p, j) = b[p * ldb + j]
  int64_t ldb;
  float* c;
  int64_t ldc;
  size_t k;
  size_t width;  // valid columns of the panel (the rest is padding, never stored)
};

// C[0:kRows, panel] = A[0:kRows, :] @ panel.
template <size_t kRows, size_t kVecs, class D>
HWY_INLINE void Block(D d, const Operands& o) {
  using V = hn::Vec<D>;
  const size_t lanes = hn::Lanes(d);
  V acc[kRows][kVecs];
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::Zero(d);
  }
  const float* HWY_RESTRICT a = o.a;
  const float* HWY_RESTRICT b = o.b;
  for (size_t p = 0; p < o.k; ++p) {
    V bv[kVecs];
    for (size_t v = 0; v < kVecs; ++v) bv[v] = hn::LoadU(d, b + v * lanes);
    for (size_t r = 0; r < kRows; ++r) {
      const V av = hn::Set(d, a[static_cast<int64_t>(r) * o.rs_a]);
      for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::MulAdd(av, bv[v], acc[r][v]);
    }
    a += o.cs_a;
    b += o.ldb;
  }
  if (o.width == kVecs * lanes) {
    for (size_t r = 0; r < kRows; ++r) {
      for (size_t v = 0; v < kVecs; ++v) hn::StoreU(acc[r][v], d, o.c + r * o.ldc + v * lanes);
    }
    return;
  }
  // A narrow panel: through a buffer, so nothing past the row's end is written (or read).
  HWY_ALIGN float row[kVecs * hn::MaxLanes(d)];
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t v = 0; v < kVecs; ++v) hn::Store(acc[r][v], d, row + v * lanes);
    std::memcpy(o.c + r * o.ldc, row, o.width * sizeof(float));
  }
}

// The last rows (fewer than kRowBlock): the block of exactly that many rows.
template <size_t kRows, size_t kVecs, class D>
HWY_INLINE void TailBlock(D d, size_t rows, const Operands& o) {
  if (rows == kRows) return Block<kRows, kVecs>(d, o);
  if constexpr (kRows > 1) TailBlock<kRows - 1, kVecs>(d, rows, o);
}

template <size_t kVecs, class D>
HWY_INLINE void Panel(D d, size_t m, Operands o) {
  const float* a0 = o.a;
  float* c0 = o.c;
  size_t i = 0;
  for (; i + kRowBlock <= m; i += kRowBlock) {
    o.a = a0 + static_cast<int64_t>(i) * o.rs_a;
    o.c = c0 + i * o.ldc;
    Block<kRowBlock, kVecs>(d, o);
  }
  if (i < m) {
    o.a = a0 + static_cast<int64_t>(i) * o.rs_a;
    o.c = c0 + i * o.ldc;
    TailBlock<kRowBlock - 1, kVecs>(d, m - i, o);
  }
}

#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
// dst[p * ld + j] = src[j * ls + p] for an 8 x 8 block, in registers (the columns of a
// transposed B are contiguous: eight loads, three rounds of shuffles, eight stores).
HWY_INLINE void Transpose8x8(const float* src, int64_t ls, float* dst, size_t ld) {
  __m256 r[8], t[8];
  for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(src + j * ls);
  for (int j = 0; j < 8; j += 2) {
    t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int h = 0; h < 8; h += 4) {
    r[h] = _mm256_shuffle_ps(t[h], t[h + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int q = 0; q < 4; ++q) {
    _mm256_storeu_ps(dst + q * ld, _mm256_permute2f128_ps(r[q], r[q + 4], 0x20));
    _mm256_storeu_ps(dst + (q + 4) * ld, _mm256_permute2f128_ps(r[q], r[q + 4], 0x31));
  }
}
#endif

// buf[p * ld + j] = B(p, j) for j < width, zero up to ld.
void CopyPanel(const float* b, int64_t rs_b, int64_t cs_b, size_t k, size_t width, size_t ld,
               float* buf) {
  if (cs_b != 1 && rs_b == 1) {  // transposed B: each column is contiguous
    size_t j0 = 0;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
    const size_t k8 = k / 8 * 8;
    for (; j0 + 8 <= width; j0 += 8) {
      const float* cols = b + static_cast<int64_t>(j0) * cs_b;
      for (size_t p = 0; p < k8; p += 8) Transpose8x8(cols + p, cs_b, buf + p * ld + j0, ld);
      for (size_t j = j0; j < j0 + 8; ++j) {
        const float* col = b + static_cast<int64_t>(j) * cs_b;
        for (size_t p = k8; p < k; ++p) buf[p * ld + j] = col[p];
      }
    }
#endif
    for (size_t j = j0; j < width; ++j) {
      const float* col = b + static_cast<int64_t>(j) * cs_b;
      for (size_t p = 0; p < k; ++p) buf[p * ld + j] = col[p];
    }
  } else {
    for (size_t p = 0; p < k; ++p) {
      const float* row = b + static_cast<int64_t>(p) * rs_b;
      for (size_t j = 0; j < width; ++j) buf[p * ld + j] = row[static_cast<int64_t>(j) * cs_b];
    }
  }
  if (width < ld) {
    for (size_t p = 0; p < k; ++p) std::memset(buf + p * ld + width, 0, (ld - width) * sizeof(float));
  }
}

void SmallSgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, int64_t cs_a,
                const float* b, int64_t rs_b, int64_t cs_b, float* c, int64_t ldc) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  HWY_ALIGN float buf[kSmallGemmMaxDim * 2 * hn::MaxLanes(d)];
  Operands o{a, rs_a, cs_a, nullptr, 0, nullptr, ldc, static_cast<size_t>(k), 0};
  for (size_t j0 = 0; j0 < static_cast<size_t>(n);) {
    const size_t left = static_cast<size_t>(n) - j0;
    const size_t vecs = left > lanes ? 2 : 1;
    const size_t panel = vecs * lanes;
    o.width = left < panel ? left : panel;
    o.c = c + j0;
    const float* bj = b + static_cast<int64_t>(j0) * cs_b;
    if (cs_b == 1 && o.width == panel) {
      o.b = bj;
      o.ldb = rs_b;
    } else {
      CopyPanel(bj, rs_b, cs_b, o.k, o.width, panel, buf);
      o.b = buf;
      o.ldb = static_cast<int64_t>(panel);
    }
    if (vecs == 2) {
      Panel<2>(d, static_cast<size_t>(m), o);
    } else {
      Panel<1>(d, static_cast<size_t>(m), o);
    }
    j0 += o.width;
  }
}

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {
HWY_EXPORT(SmallSgemm);

void small_sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t rs_a, int64_t cs_a,
                 const float* b, int64_t rs_b, int64_t cs_b, float* c, int64_t ldc) {
  HWY_DYNAMIC_DISPATCH(SmallSgemm)(m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc);
}
}  // namespace ember::cpu
#endif
