#include "core/op_registry.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <string>

namespace ember {
namespace {
absl::flat_hash_map<std::string, OpFactory>& registry() {
  static auto* r = new absl::flat_hash_map<std::string, OpFactory>();
  return *r;
}
}  // namespace

void register_op(std::string_view name, OpFactory factory) {
  auto [it, inserted] = registry().emplace(std::string(name), factory);
  if (!inserted) raise<Error>("[register_op] op '{}' registered twice", name);
}

std::unique_ptr<Op> make_op(std::string_view name, const Attrs& attrs) {
  auto it = registry().find(std::string(name));
  if (it == registry().end()) raise<ValueError>("[make_op] unknown op '{}'", name);
  return it->second(attrs);
}

bool has_op(std::string_view name) { return registry().contains(std::string(name)); }

std::vector<std::string> registered_op_names() {
  std::vector<std::string> names;
  for (auto& [k, v] : registry()) names.push_back(k);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ember
