#pragma once
// The pass pipeline: small pure functions over a Graph, each switchable for debugging.
//   dce: drop nodes whose results are unused (in-place writes are side effects: kept);
//   cse: merge nodes computing the same deterministic op on the same values;
//   fold: evaluate nodes whose inputs are all constants; give float64 arithmetic its scalar
//         constants in float64 (no cast per replay);
//   simplify: algebraic rewrites from a rule table (x*1 -> x, x+0 -> x, ...), permute
//             chains composed, copies of private buffers dropped, and contiguous
//             transposed products written directly ((AB)^T = B^T A^T);
//   fuse: chains of elementwise ops become one tiled loop, and so do runs of in-place
//         updates of one tensor (optimizer steps);
//   plan: memory planning for the executor (passes/memory_plan.h): intermediate values
//         share one arena by liveness.
#include <string>
#include <vector>

#include "trace/executor.h"
#include "trace/graph.h"

namespace ember::trace {

struct PassOptions {
  bool dce = true, cse = true, fold = true, simplify = true, fuse = true, plan = true;
  // Called with (pass name, graph after it) to dump intermediate graphs.
  std::function<void(const std::string&, const Graph&)> dump;
  // Test-only: runs on each graph after the passes (check-mode tests inject wrong graphs).
  std::function<void(Graph&)> after_passes;
};

// `keep`: values that must stay computed besides the graph outputs (side-effect sources).
void run_passes(Graph& g, const std::vector<ValueId>& keep, const PassOptions& opts,
                std::vector<std::string>* log = nullptr);

// Optimizes a copy of `traced` (keeping the values `effects` writes) and builds its executor.
std::unique_ptr<Executor> compile_graph(const Graph& traced, const SideEffects& effects,
                                        const PassOptions& opts,
                                        std::vector<std::string>* log = nullptr);

// The individual passes; each returns how many nodes it removed or rewrote.
int eliminate_dead_code(Graph& g, const std::vector<ValueId>& keep);
int eliminate_common_subexpressions(Graph& g);
int fold_constants(Graph& g);
// Float32 scalar constants of float64 arithmetic become float64 constants (run with fold).
int widen_scalar_constants(Graph& g);
int simplify_algebra(Graph& g);
int fuse_elementwise(Graph& g, const std::vector<ValueId>& keep);
// Runs of elementwise in-place writes to one tensor (optimizer updates) -> one fused
// in-place loop (run with fuse).
int fuse_inplace_updates(Graph& g, const std::vector<ValueId>& keep);
// permute(permute(x)) -> one permute (or x), clone(private fresh y) -> y (run with simplify).
int fold_view_chains(Graph& g, const std::vector<ValueId>& keep);
// clone(permute(matmul(a, b), [1, 0])) -> matmul(b^T, a^T) (run with simplify).
int fold_transposed_products(Graph& g, const std::vector<ValueId>& keep);

// Per value: whether its memory may be written in place later (it, or a view of it, or
// what it views, is the target of an in-place node). Such values must keep their own
// buffers: simplify, CSE and folding leave the nodes producing them alone.
std::vector<bool> mutated_values(const Graph& g);

// Rewrites every use of value `from` (node inputs, graph outputs) to `to`.
void replace_all_uses(Graph& g, const std::vector<ValueId>& remap);

}  // namespace ember::trace
