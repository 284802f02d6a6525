#pragma once
// Executor: replays an (optimized) graph. No autograd bookkeeping, no tracing hooks, no
// Python: each node runs its op's kernel on tensors held in a slot table.
//
// Static replay (the common case: arguments and captures have the shapes the graph was
// traced or specialized at): output metadata comes from the graph, so no op re-infers it;
// every value the memory plan (passes/memory_plan.h) places lives at a fixed slice of one
// arena that is reused across calls, so such nodes allocate nothing; kernels write straight
// into their slices. Values that escape the call (outputs, .grad writes) get fresh memory,
// so what a call returns is never overwritten by the next one. Each concurrent (or nested)
// call takes its own arena from a pool, so replays are re-entrant and thread-safe.
// Otherwise (shapes differ from the graph's) the replay infers each node's outputs and
// allocates them, releasing slots after their last use.
// Random ops draw a fresh stream on every replay, so dropout masks change between steps.
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "trace/graph.h"
#include "trace/passes/memory_plan.h"

namespace ember::trace {

// What a replay must do besides computing outputs: assign new .grad tensors to leaves.
struct SideEffects {
  std::vector<std::pair<ValueId, ValueId>> grad_writes;  // (leaf capture, grad value or -1)
};

class Executor {
 public:
  // `plan_memory`: place intermediate values in a reused arena (off: fresh memory per node).
  Executor(std::shared_ptr<const Graph> graph, SideEffects effects = {}, bool plan_memory = true);
  ~Executor();
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;
  const Graph& graph() const { return *graph_; }
  const SideEffects& effects() const { return effects_; }
  const MemoryPlan& memory_plan() const { return plan_; }
  // Arenas made so far (one per call that ran while all others were busy).
  size_t num_arenas() const;

 private:
  struct Step {
    const Op* op;
    std::vector<ValueId> inputs, outputs;
    std::vector<ValueId> release;  // slots whose last use is this step
    bool inplace, view, random;
    // A view of a captured tensor or a constant (a transposed weight) whose result the
    // caller does not keep: made once per workspace, remade only when the capture changed.
    bool capture_view = false;
    // Every input and output is a CPU tensor in the graph: a static replay calls eval_cpu
    // directly (the device checks passed when the op was traced).
    bool cpu;
    // In-place nodes: whether the kernel may write into the target directly (the op's
    // result has the target's dtype); decided on the first static run. 0: unknown.
    mutable std::atomic<int8_t> direct_inplace{0};
  };
  struct Workspace;
  bool matches_graph(std::span<const Tensor> inputs) const;
  void run_static(Workspace& ws) const;
  void bind(std::vector<Tensor>& slots, std::span<const Tensor> inputs) const;
  void bind(Workspace& ws, std::span<const Tensor> inputs) const;
  template <class ValueOf>
  std::vector<Tensor> finish(ValueOf value) const;
  void run_view(Workspace& ws, const Step& s, const Op& op) const;
  bool reuse_grad(Workspace& ws, ValueId v, const TensorMeta& meta) const;
  void run_dynamic(std::vector<Tensor>& slots) const;
  std::unique_ptr<Workspace> acquire() const;
  void give_back(std::unique_ptr<Workspace> ws) const;

  std::shared_ptr<const Graph> graph_;
  SideEffects effects_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<bool> keep_;  // values that must survive the whole run (outputs, grad writes)
  // Per value: the leaf whose .grad it becomes (a node result), else -1. Its kernel may write
  // into the leaf's current .grad when nothing else can see that tensor (reuse_grad).
  std::vector<ValueId> grad_leaf_;
  MemoryPlan plan_;
  bool use_plan_;
  // The last idle arena, taken and returned without the mutex (the common, one caller at a
  // time case); the pool below holds the rest.
  mutable std::atomic<Workspace*> spare_{nullptr};
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Workspace>> pool_;  // idle arenas
  mutable size_t arenas_made_ = 0;
};

// A copy of a random op drawing from a fresh stream of the thread's generator.
std::unique_ptr<Op> with_fresh_stream(const Op& op);

}  // namespace ember::trace
