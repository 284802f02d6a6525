#pragma once
// Executor: replays an (optimized) graph. No autograd bookkeeping, no tracing hooks, no
// Python: each node runs its op's kernel on tensors held in a slot table. Slots are
// released after their last use so the caching allocator hands the memory to later nodes.
// Random ops draw a fresh stream on every replay, so dropout masks change between steps.
#include <memory>
#include <vector>

#include "trace/graph.h"

namespace ember::trace {

// What a replay must do besides computing outputs: assign new .grad tensors to leaves.
struct SideEffects {
  std::vector<std::pair<ValueId, ValueId>> grad_writes;  // (leaf capture, grad value or -1)
};

class Executor {
 public:
  Executor(std::shared_ptr<const Graph> graph, SideEffects effects = {});
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;
  const Graph& graph() const { return *graph_; }
  const SideEffects& effects() const { return effects_; }

 private:
  struct Step {
    const Op* op;
    std::vector<ValueId> inputs, outputs;
    std::vector<ValueId> release;  // slots whose last use is this step
    bool inplace, view, random;
  };
  std::shared_ptr<const Graph> graph_;
  SideEffects effects_;
  std::vector<Step> steps_;
  std::vector<bool> keep_;  // values that must survive the whole run (outputs, grad writes)
};

// A copy of a random op drawing from a fresh stream of the thread's generator.
std::unique_ptr<Op> with_fresh_stream(const Op& op);

}  // namespace ember::trace
