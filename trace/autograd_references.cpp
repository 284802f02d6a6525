#include "trace/autograd_references.h"

#include <absl/container/flat_hash_set.h>

#include "eager/autograd_meta.h"

namespace ember::trace {

absl::flat_hash_map<const TensorImpl*, int64_t> autograd_references(
    const std::vector<Tensor>& roots) {
  absl::flat_hash_map<const TensorImpl*, int64_t> count;
  absl::flat_hash_set<const Node*> seen;
  std::vector<const Node*> stack;
  auto visit = [&](const std::shared_ptr<Node>& n) {
    if (n && seen.insert(n.get()).second) stack.push_back(n.get());
  };
  for (const Tensor& t : roots) {
    if (!t.defined()) continue;
    if (AutogradMeta* m = autograd_meta(t)) visit(m->grad_fn);
  }
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    n->for_each_held([&](const Tensor& t) {
      if (t.defined()) ++count[t.impl()];
    });
    for (const Edge& e : const_cast<Node*>(n)->next_edges()) visit(e.fn);
  }
  return count;
}

}  // namespace ember::trace
