#pragma once
// Double backward through a differentiable replay (create_graph=True) needs the saved values
// with autograd history: the backward graph's result must be differentiable with respect to
// the arguments and parameters, through the saved activations. A replay's forward runs as
// one compiled graph and leaves no history, so a create_graph backward re-dispatches the
// part of the forward that produces the saved values which carry history, op by op through
// the eager dispatcher (grad mode on), exactly as eager would have recorded it.
//
// This is the plan for that recompute, made once per split on the joint graph:
//   - saved values that carry no history (they depend on no argument or captured tensor
//     that requires grad) are taken from the replay as they are;
//   - values drawn by random ops (and values derived from them alone) are never redrawn:
//     they come from the replay too, the forward graph returning them after the saved
//     values ("kept" values) when they are not saved already;
//   - everything else the recompute needs is dispatched again, reading the arguments (held
//     by the replay's backward node) and the captured tensors.
// What cannot be recomputed faithfully (the forward writes in place into an argument or a
// captured tensor the recompute reads, or into a value it takes from the replay) leaves a
// reason; a create_graph backward then raises it, first-order backward is unaffected.
#include <string>
#include <vector>

#include "trace/graph.h"

namespace ember::trace {

struct ForwardRecompute {
  std::vector<int32_t> nodes;       // forward nodes to dispatch again, in order
  std::vector<bool> no_grad;        // per entry of `nodes`: dispatch with grad mode off (its
                                    // results had no history in eager: made under no_grad)
  std::vector<size_t> saved;        // saved values (indices into the split's saved) recomputed
  std::vector<ValueId> kept;        // joint values taken from the replay though not saved
  std::vector<size_t> args;         // arguments the recompute reads (held by the node)
  std::vector<int32_t> captures;    // capture slots of the split's forward graph it reads
  std::string unsupported;          // why a create_graph backward cannot run (empty: it can)
};

// `saved`: the joint values the backward reads (JointGraphSplit::saved); `diff_args`: the
// arguments that require grad. Captured tensors that require grad now count as
// differentiable sources. `requires_grad`: per joint value, whether its eager tensor
// required grad (Tracer::requires_grad_of_values; -1 or missing: unknown), so values made
// under no_grad get no history in the recompute either.
ForwardRecompute plan_forward_recompute(const Graph& joint, size_t num_args,
                                        size_t num_forward_nodes,
                                        const std::vector<ValueId>& saved,
                                        const std::vector<size_t>& diff_args,
                                        const std::vector<int8_t>& requires_grad = {});

}  // namespace ember::trace
