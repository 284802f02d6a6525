#include <algorithm>
#include <vector>

#include "python/src/bindings.h"

namespace ember::python {
namespace {
std::vector<std::pair<int, Binder>>& binders() {
  static auto* v = new std::vector<std::pair<int, Binder>>();
  return *v;
}
}  // namespace

int register_binder(int order, Binder b) {
  binders().emplace_back(order, b);
  return 0;
}

}  // namespace ember::python

PYBIND11_MODULE(_C, m) {
  m.doc() = "Ember's C++ core";
  auto& bs = ember::python::binders();
  std::stable_sort(bs.begin(), bs.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [order, fn] : bs) fn(m);
}
