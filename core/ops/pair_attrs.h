#pragma once
// Two-value spatial attributes (stride, padding, kernel size, ...) of the conv and pool ops:
// stored in Attrs as a 2-element int vector, read back with a clear error on a bad length.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/attributes.h"
#include "core/error.h"
#include "core/ops/conv.h"

namespace ember {

inline std::vector<int64_t> pair_to_vec(Pair p) { return {p[0], p[1]}; }

inline Pair read_pair_attr(const Attrs& a, std::string_view name, std::string_view op) {
  const auto& v = a.get<std::vector<int64_t>>(name, op);
  if (v.size() != 2) raise<ValueError>("[{}] attribute '{}' must have 2 values", op, name);
  return {v[0], v[1]};
}

inline std::string pair_str(Pair p) { return fmt::format("({}, {})", p[0], p[1]); }

}  // namespace ember
