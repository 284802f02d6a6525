#pragma once
// Shapes and strides: small inline vectors (no heap allocation up to 6 dims), and the
// helpers every op's metadata inference uses.
#include <absl/container/inlined_vector.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>
#include <span>
#include <string>
#include <string_view>

namespace ember {

using Shape = absl::InlinedVector<int64_t, 6>;
using Strides = absl::InlinedVector<int64_t, 6>;
// A non-owning view of int64 values (like c10::ArrayRef): accepts a braced list, a vector,
// a Shape or a span, so `zeros({2, 3})` and `zeros(t.shape())` both work. Only valid while
// its source lives (a braced list: until the end of the full expression).
class IntList {
 public:
  constexpr IntList() = default;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  // The list outlives the call it is an argument of, which is all an IntList needs.
  constexpr IntList(std::initializer_list<int64_t> v) : p_(v.begin()), n_(v.size()) {}
#pragma GCC diagnostic pop
  IntList(const std::vector<int64_t>& v) : p_(v.data()), n_(v.size()) {}  // NOLINT
  template <size_t N>
  IntList(const absl::InlinedVector<int64_t, N>& v) : p_(v.data()), n_(v.size()) {}  // NOLINT
  constexpr IntList(std::span<const int64_t> v) : p_(v.data()), n_(v.size()) {}  // NOLINT
  constexpr IntList(const int64_t* p, size_t n) : p_(p), n_(n) {}

  constexpr const int64_t* begin() const { return p_; }
  constexpr const int64_t* end() const { return p_ + n_; }
  constexpr const int64_t* data() const { return p_; }
  constexpr size_t size() const { return n_; }
  constexpr bool empty() const { return n_ == 0; }
  constexpr int64_t operator[](size_t i) const { return p_[i]; }
  constexpr int64_t back() const { return p_[n_ - 1]; }
  friend bool operator==(IntList a, IntList b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  const int64_t* p_ = nullptr;
  size_t n_ = 0;
};

int64_t numel_of(IntList shape);
Strides contiguous_strides(IntList shape);
std::string shape_str(IntList shape);  // "[2, 3]"

// NumPy broadcasting; raises "[op] shapes [..] and [..] cannot be broadcast".
Shape broadcast_shapes(IntList a, IntList b, std::string_view op);

// Wraps a possibly negative dim into [0, ndim); raises IndexError naming the op.
int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op);

// The dims to reduce over, sorted and unique, as a bitmask-like bool vector of size ndim.
// An empty list means all dims.
absl::InlinedVector<bool, 6> reduction_mask(IntList dims, int64_t ndim, std::string_view op);

}  // namespace ember
