#pragma once
// Op attributes as plain, serializable data: what a traced graph stores per node and what
// CSE compares. Each op lists its attributes in `attributes()` and can be rebuilt from them
// (see op_registry.h), so the serializer never needs to know op classes.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "core/scalar.h"

namespace ember {

using AttrValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, DType, Scalar>;

class Attrs {
 public:
  void set(std::string name, AttrValue v) { items_.emplace_back(std::move(name), std::move(v)); }
  const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }
  bool has(std::string_view name) const;

  // Typed read; raises "[op] missing attribute 'name'" or a type error naming it.
  template <class T>
  const T& get(std::string_view name, std::string_view op) const {
    for (auto& [k, v] : items_) {
      if (k != name) continue;
      if (auto* p = std::get_if<T>(&v)) return *p;
      raise<TypeError>("[{}] attribute '{}' has the wrong type", op, name);
    }
    raise<ValueError>("[{}] missing attribute '{}'", op, name);
  }

  friend bool operator==(const Attrs&, const Attrs&) = default;

 private:
  std::vector<std::pair<std::string, AttrValue>> items_;
};

std::string attrs_str(const Attrs& a);  // "dim=[1], keepdim=true"

}  // namespace ember
