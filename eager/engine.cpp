#include "eager/engine.h"

#include <absl/container/flat_hash_map.h>

#include <cmath>
#include <algorithm>
#include <queue>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember::engine {

bool has_nonfinite(const Tensor& t) {
  if (!is_floating(t.dtype())) return false;
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (!std::isfinite(read_as_double(t, i))) return true;
  }
  return false;
}


Edge edge_of(const Tensor& t) {
  if (!t.requires_grad()) return {};
  auto* m = autograd_meta(t, true);
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  auto acc = m->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t);
    m->grad_accumulator = acc;
  }
  return {acc, 0};
}

namespace {

void accumulate(Tensor& slot, const Tensor& g) {
  if (!g.defined()) return;
  slot = slot.defined() ? add(slot, g) : g;
}

// Number of incoming edges per node reachable from the roots.
absl::flat_hash_map<Node*, int> count_dependencies(const std::vector<Edge>& roots) {
  absl::flat_hash_map<Node*, int> deps;
  std::vector<Node*> stack;
  absl::flat_hash_map<Node*, bool> seen;
  for (const Edge& e : roots) {
    if (e.fn && !seen[e.fn.get()]) {
      seen[e.fn.get()] = true;
      stack.push_back(e.fn.get());
    }
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges()) {
      if (!e.fn) continue;
      ++deps[e.fn.get()];
      if (!seen[e.fn.get()]) {
        seen[e.fn.get()] = true;
        stack.push_back(e.fn.get());
      }
    }
  }
  return deps;
}

struct ByRecency {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr() < b->sequence_nr();  // newest node first
  }
};

}  // namespace

std::vector<Tensor> run(const std::vector<Edge>& roots, const TensorList& grads,
                        const Options& opt, const std::vector<Edge>& wanted) {
  GradModeGuard mode(opt.create_graph);
  auto deps = count_dependencies(roots);
  absl::flat_hash_map<Node*, TensorList> buffers;
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, ByRecency> ready;

  auto deliver = [&](const Edge& e, const Tensor& g) {
    auto& buf = buffers[e.fn.get()];
    if (buf.size() < e.fn->num_outputs()) buf.resize(e.fn->num_outputs());
    accumulate(buf[e.input_nr], g);
  };
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!roots[i].fn) continue;
    deliver(roots[i], grads[i]);
  }
  for (const Edge& e : roots) {
    if (e.fn && deps[e.fn.get()] == 0) {
      deps[e.fn.get()] = -1;  // queued
      ready.push(e.fn);
    }
  }

  std::vector<Tensor> captured(wanted.size());
  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorList in = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    in.resize(node->num_outputs());
    for (size_t i = 0; i < in.size(); ++i) {
      for (auto& hook : node->pre_hooks()[i]) {
        if (!in[i].defined()) break;
        Tensor r = hook(in[i]);
        if (r.defined()) in[i] = r;
      }
    }
    for (size_t w = 0; w < wanted.size(); ++w) {
      if (wanted[w].fn == node) accumulate(captured[w], in[wanted[w].input_nr]);
    }
    bool is_acc = dynamic_cast<AccumulateGrad*>(node.get()) != nullptr;
    bool run_it = true;
    if (is_acc) {
      run_it = !opt.skip_accumulation &&
               (opt.accumulate_only.empty() ||
                std::find(opt.accumulate_only.begin(), opt.accumulate_only.end(), node.get()) !=
                    opt.accumulate_only.end());
    }
    TensorList out;
    if (run_it) {
      out = node->apply(std::move(in));
      if (is_anomaly_enabled()) {
        for (size_t i = 0; i < out.size(); ++i) {
          if (out[i].defined() && has_nonfinite(out[i])) {
            raise<Error>("[anomaly] function '{}' returned nan or inf values in its output {}",
                         node->name(), i);
          }
        }
      }
      if (!opt.keep_graph) node->release_saved();
    }
    auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.fn) continue;
      if (i < out.size() && out[i].defined()) deliver(e, out[i]);
      int& d = deps[e.fn.get()];
      if (--d == 0) {
        d = -1;
        ready.push(e.fn);
      }
    }
  }
  return captured;
}

}  // namespace ember::engine
