#include "core/shape.h"

#include "core/error.h"

namespace ember {

int64_t numel_of(IntList shape) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : shape) {
    if (s == 0) return 0;  // [2^62, 2^62, 0] has no elements, whatever the order
    overflow |= __builtin_mul_overflow(n, s, &n);
  }
  // Without this check a shape like [2^32, 2^32] wraps to a tiny element count, gets a tiny
  // buffer, and every kernel then reads and writes far outside it.
  if (overflow) raise<ValueError>("[shape] shape {} has too many elements", shape_str(shape));
  return n;
}

Strides contiguous_strides(IntList shape) {
  Strides st(shape.size());
  // Unsigned: a zero-size shape may have dims whose product overflows ([2^62, 2^62, 0]);
  // its strides are never used to address memory, but signed overflow is undefined (UBSan).
  uint64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    st[i] = static_cast<int64_t>(acc);
    acc *= shape[i] > 1 ? static_cast<uint64_t>(shape[i]) : 1;
  }
  return st;
}

std::string shape_str(IntList shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

Shape broadcast_shapes(IntList a, IntList b, std::string_view op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      raise<ValueError>("[{}] shapes {} and {} cannot be broadcast (dim {}: {} vs {})", op,
                        shape_str(a), shape_str(b), i, da, db);
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // a scalar accepts dim 0 and -1, as in PyTorch
  if (dim < -n || dim >= n) {
    raise<IndexError>("[{}] dim {} out of range for a tensor of {} dims (expected {}..{})", op,
                      dim, ndim, -n, n - 1);
  }
  return dim < 0 ? dim + n : dim;
}

absl::InlinedVector<bool, 6> reduction_mask(IntList dims, int64_t ndim, std::string_view op) {
  absl::InlinedVector<bool, 6> mask(ndim, dims.empty());
  for (int64_t d : dims) {
    int64_t nd = normalize_dim(d, ndim, op);
    if (ndim == 0) continue;
    if (mask[nd]) raise<ValueError>("[{}] dim {} appears more than once", op, d);
    mask[nd] = true;
  }
  return mask;
}

}  // namespace ember
